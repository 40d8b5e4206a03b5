"""The study-level PHI report: real counts over real and generated files, values only per row,
exports (CSV, standalone HTML) equal to the CLI's, damaged and unreadable files listed."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pydicom
import pytest

from dicomtab import worker_api
from dicomtab.cli.main import main as cli_main
from dicomtab.deid.table import action_codes, load_table
from dicomtab.inspect import study_phi
from dicomtab.inspect.classify import CATEGORIES, NOT_IDENTIFYING
from dicomtab.inspect.study_phi import CATEGORY_SECTIONS
from tests.conftest import bundled
from tests.core.inspect.conftest import MARKUP
from tests.damaged_set import ROOT, SEEDED, phi_file, stopped, swallowing, wrong_vr
from tests.worker_results import failed, ok

#: A second patient of the generated set, in a study of her own.
OTHER = {"PatientName": ("PN", "ROE^MARY"), "PatientID": ("LO", "PID-9902"),
         "StudyInstanceUID": ("UI", ROOT + "50")}


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_api, "SESSION", worker_api.Session())


def _open(data: bytes, name: str) -> str:
    return str(ok(worker_api.open_file(data, name))["instanceId"])


def _rows(report: dict) -> dict[str, dict]:
    return {row["key"]: {**row, "category": c["category"]}
            for c in report["categories"] for row in c["rows"]}


def _phi_set() -> list[str]:
    """Three files of Jane Doe (one head CT with burned-in text), one of Mary Roe."""
    return [
        _open(phi_file("3"), "jane-1.dcm"),
        _open(phi_file("4", BodyPartExamined=("CS", "HEAD")), "jane-2.dcm"),
        _open(phi_file("5", BurnedInAnnotation=("CS", "YES")), "jane-3.dcm"),
        _open(phi_file("6", **OTHER), "mary-1.dcm"),
    ]


def test_counts_match_the_files_read_with_pydicom() -> None:
    names = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm"]
    for name in names:
        _open(bundled(name).read_bytes(), name)
    datasets = [pydicom.dcmread(bundled(n)) for n in names]
    rows = _rows(ok(worker_api.study_phi()))
    for keyword, key in (("PatientName", "00100010"), ("PatientID", "00100020"),
                         ("StudyDate", "00080020"), ("InstitutionName", "00080080")):
        present = [ds for ds in datasets if keyword in ds and str(ds.data_element(keyword).value)]
        assert rows[key]["files"] == len(present), keyword
        assert rows[key]["distinct"] >= len({str(ds.data_element(keyword).value) for ds in present})
    assert rows["00100010"]["distinct"] == 3 and rows["00100010"]["category"] == "direct-identifier"
    assert rows["00080020"]["category"] == "date-time" and rows["00080020"]["action"] == "Z"
    assert rows["0020000D"]["category"] == "uid" and rows["0020000D"]["action"] == "U"
    # Accession Number is present in every file, and empty in all.
    assert rows["00080050"]["files"] == 0 and rows["00080050"]["emptyFiles"] == 3
    # CT_small's GE private blocks: each creator with the private elements pydicom reads.
    creators = {c["creator"]: c for c in ok(worker_api.study_phi())["privateCreators"]}
    ct = datasets[0]
    for creator in ("GEMS_ACQU_01", "GEMS_PARM_01"):
        blocks = [e.tag.group << 16 | e.tag.element for e in ct if e.tag.is_private_creator
                  and e.value == creator]
        expected = sum(1 for e in ct if e.tag.is_private and not e.tag.is_private_creator
                       and (e.tag.group << 16 | (e.tag.element >> 8)) in blocks)
        assert creators[creator] == {"creator": creator, "files": 1, "elements": expected}


def test_distinct_values_and_files_over_a_generated_phi_set() -> None:
    ids = _phi_set()
    report = ok(worker_api.study_phi())
    rows = _rows(report)
    assert (rows["00100010"]["files"], rows["00100010"]["distinct"]) == (4, 2)
    assert (rows["00080080"]["files"], rows["00080080"]["distinct"]) == (4, 1)
    assert rows["00080080"]["category"] == "device-institution"
    assert rows["00080080"]["action"] == "X/Z/D"
    # Counts only: no value of any file is in the report.
    text = json.dumps(report)
    for seeded in (*SEEDED, b"ROE", b"PID-9902"):
        assert seeded.decode() not in text
    values = ok(worker_api.study_phi_values("00100010"))
    assert [(v["value"], v["files"], v["labels"]) for v in values["values"]] == [
        ("DOE^JANE", 3, ["instance-1", "instance-2", "instance-3"]),
        ("ROE^MARY", 1, ["instance-4"]),
    ]
    flags = {f["flag"]: [x["instanceId"] for x in f["files"]] for f in report["flags"]}
    assert flags == {"burned-in-text": [ids[2]], "face-review": [ids[1]], "voice-review": []}
    burned = next(f for f in report["flags"] if f["flag"] == "burned-in-text")["files"][0]
    assert burned["reasons"] == ["Burned In Annotation (0028,0301) is YES."]


def test_the_report_of_one_study() -> None:
    ids = _phi_set()
    report = ok(worker_api.study_phi(None, ids[3]))
    assert [f["instanceId"] for f in report["files"]] == [ids[3]]
    assert _rows(report)["00100010"]["files"] == 1
    jane = ok(worker_api.study_phi(ids, ids[0]))
    assert [f["instanceId"] for f in jane["files"]] == ids[:3]
    values = ok(worker_api.study_phi_values("00100020", ids, ids[0]))
    assert [v["value"] for v in values["values"]] == ["PID-7741"]


def test_damaged_and_unreadable_files_are_listed_and_do_not_break_the_report() -> None:
    _phi_set()
    data = bundled("MR_truncated.dcm").read_bytes()
    assert failed(worker_api.open_file(data, "MR_truncated.dcm"))["code"] == "truncated"
    damaged = ok(worker_api.open_damaged(data, "MR_truncated.dcm"))["instanceId"]
    report = ok(worker_api.study_phi())
    entry = next(f for f in report["files"] if f["instanceId"] == damaged)
    assert entry["status"] == "damaged" and entry["label"] == "damaged-1"
    assert entry["problemKind"] and "MR_truncated.dcm" in entry["problem"]
    assert report["damaged"] == 1 and report["readable"] == 5
    # What could be read of it counts: its patient is a fifth patient name.
    assert _rows(report)["00100010"]["files"] == 5
    # An id no longer open is listed as unreadable, not a failure of the whole report.
    gone = ok(worker_api.study_phi(["i1", "i99"]))
    assert [f["status"] for f in gone["files"]] == ["read", "unreadable"]
    assert failed(worker_api.study_phi_values("FFFFFFFF"))["code"] == "usage"
    assert failed(worker_api.study_phi_export("pdf"))["code"] == "usage"


def test_an_empty_session_has_no_report() -> None:
    assert failed(worker_api.study_phi())["code"] == "usage"


def test_every_identifying_category_has_its_section() -> None:
    identifying = {c for c in CATEGORIES if c not in NOT_IDENTIFYING}
    assert [s[0] for s in CATEGORY_SECTIONS] == sorted(
        identifying, key=[s[0] for s in CATEGORY_SECTIONS].index)
    assert set(s[0] for s in CATEGORY_SECTIONS) == identifying


def test_the_legend_explains_every_code_the_table_uses() -> None:
    table = load_table()
    used = {row.basic for row in table.rows.values()}
    used |= {a for row in table.rows.values() for a in row.options.values()}
    used |= {p.row.basic for p in table.patterns} | {table.private_row.basic}
    codes = action_codes()
    assert used <= set(codes), used - set(codes)
    assert {"X/Z/U*", "Z/D", "X/Z/D"} <= set(codes) and codes["X"] == "remove"
    _open(bundled("CT_small.dcm").read_bytes(), "ct.dcm")
    legend = {c["code"]: c for c in ok(worker_api.study_phi())["legend"]}
    assert legend["Z/D"]["used"] and not legend["X/Z/U*"]["used"]


def test_csv_export_holds_values_only_when_asked() -> None:
    _open(phi_file("3", StudyDescription=("LO", "=HYPERLINK(1)")), "jane-1.dcm")
    _open(phi_file("6", **OTHER), "mary-1.dcm")
    counts = ok(worker_api.study_phi_export("csv"))
    for seeded in (*SEEDED, b"ROE", b"jane-1", b"HYPERLINK"):
        assert seeded.decode() not in counts
    lines = counts.splitlines()
    assert lines[0].startswith("section,category,tag")
    assert 'element,direct-identifier,"(0010,0010)",PatientName,Patient\'s Name,,PN,Z,2,0,2,2,' \
        in lines
    assert "flag,face-review,,,Face,,,,0,,,," in lines
    assert "file,read,,,instance-2,,,,,,,," in lines
    full = ok(worker_api.study_phi_export("csv", True))
    assert "DOE^JANE\tinstance-1" in full and "ROE^MARY\tinstance-2" in full
    assert "'=HYPERLINK(1)" in full and "jane-1.dcm" in full


def test_html_export_stands_alone_and_escapes_every_value() -> None:
    _open(phi_file("3", StudyDescription=("LO", MARKUP)), "jane<b>.dcm")
    page = ok(worker_api.study_phi_export("html", True))
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    tags, attributes = _markup(page)
    assert tags <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "table",
                    "thead", "tbody", "tr", "th", "td", "span", "ul", "li"}, tags
    assert attributes <= {"lang", "charset", "class"}, attributes
    style = page[page.index("<style>"):page.index("</style>")]
    assert "url(" not in style and "@import" not in style
    assert MARKUP not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "jane&lt;b&gt;.dcm" in page and "DOE^JANE" in page
    assert "X unless Z or replacement of contained instance UIDs" in page
    counts = ok(worker_api.study_phi_export("html"))
    assert "DOE" not in counts and "jane" not in counts and "instance-1" in counts


def _markup(page: str) -> tuple[set[str], set[str]]:
    """The tags and attribute names of an HTML page (text, escaped values included, aside)."""
    found: tuple[set[str], set[str]] = (set(), set())

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found[0].add(tag)
            found[1].update(name for name, _ in attrs)

    Collect().feed(page)
    return found


@pytest.mark.parametrize("form", ["csv", "html"])
@pytest.mark.parametrize("values", [False, True])
def test_the_cli_writes_the_tabs_report(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        form: str, values: bool) -> None:
    files = {"ct.dcm": bundled("CT_small.dcm").read_bytes(), "jane.dcm": phi_file("3"),
             "mary.dcm": phi_file("6", **OTHER)}
    paths = []
    for name, data in files.items():
        _open(data, name)
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    tab = ok(worker_api.study_phi_export(form, values))
    args = ["phi-report", *map(str, paths), f"--{form}"] + (["--values"] if values else [])
    assert cli_main(args) == 0
    assert capsys.readouterr().out == tab


def test_the_cli_lists_a_file_it_cannot_read(tmp_path: Path, bad_inputs: dict,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "jane.dcm"
    good.write_bytes(phi_file("3"))
    truncated = bad_inputs["truncated-in-header.dcm"]
    assert cli_main(["phi-report", str(good), str(bad_inputs["notes.txt"]), str(truncated),
                     "--csv"]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert "file,read,,,instance-1,,,,,,,," in lines
    assert "file,unreadable,,,unreadable-1,,,,,,,,unreadable (not-dicom)" in lines
    assert any(line.startswith("file,damaged,,,damaged-1,") for line in lines)
    assert "notes.txt" not in captured.out and "DOE" not in captured.out


def test_private_elements_without_a_creator_are_counted_under_none() -> None:
    ds = pydicom.dcmread(io.BytesIO(phi_file("3")))
    ds.add_new(0x00091010, "LO", "PID-7741 again")  # a block with no (0009,0010) creator
    ds.add_new(0x00110010, "LO", "ACME 1.0")
    ds.add_new(0x00111001, "LO", "JANE")
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    _open(out.getvalue(), "jane.dcm")
    report = ok(worker_api.study_phi())
    creators = {c["creator"]: (c["files"], c["elements"]) for c in report["privateCreators"]}
    assert creators == {"(no private creator)": (1, 1), "ACME 1.0": (1, 1)}
    rows = _rows(report)
    assert rows["0011xx01 ACME 1.0"]["category"] == "private"
    assert rows["0011xx01 ACME 1.0"]["action"] == "X" and rows["0011xx01 ACME 1.0"]["files"] == 1
    assert "JANE" not in json.dumps(report)
    assert rows["0009xx10 (no private creator)"]["files"] == 1


def _open_any(data: bytes, name: str) -> str:
    """Open as the page does: a file the session refuses as damaged is opened for inspection."""
    result = json.loads(worker_api.open_file(data, name))
    if result["status"] == "success":
        return str(result["payload"]["instanceId"])
    return str(ok(worker_api.open_damaged(data, name))["instanceId"])


def test_damaged_values_do_not_break_the_report() -> None:
    """Patient's Name written as SH, an element that swallows the next, an unknown VR."""
    _open(phi_file("3"), "sound.dcm")
    _open_any(wrong_vr(phi_file("4")), "wrong-vr.dcm")
    _open_any(swallowing(phi_file("5"), b"\x08\x00\x80\x00LO"), "swallowing.dcm")
    _open_any(stopped(phi_file("6", StudyDescription=("LO", "HEAD"))), "stopped.dcm")
    report = ok(worker_api.study_phi())
    assert len(report["files"]) == 4
    rows = _rows(report)
    # Patient's Name read with the wrong VR is still Patient's Name, still identifying; the
    # stopped file stops before it, and is listed as damaged.
    assert rows["00100010"]["files"] == 3 and rows["00100010"]["vr"] == "PN/SH"
    assert [f["status"] for f in report["files"]] == ["read", "doubtful", "doubtful", "damaged"]
    assert report["files"][3]["problemKind"] == "malformed"
    # Institution Name swallowed by Manufacturer is not read as Institution Name (the stopped
    # file has it: it comes before the damage); both files whose elements do not fit their tags
    # are listed as doubtful.
    assert rows["00080080"]["files"] == 3
    assert report["files"][1]["problem"] == (
        "wrong-vr.dcm: element (0010,0010) at byte 476: written with VR SH where the standard "
        "has PN.")
    assert report["files"][2]["problem"] == (
        "swallowing.dcm: element (0008,0070) at byte 402: its text value holds control bytes "
        "(a damaged length may have swallowed the elements after it).")
    assert "file,doubtful,,,instance-3,,,,,,,,doubtful (doubtful-value)" in ok(
        worker_api.study_phi_export("csv")).splitlines()
    assert "DOE^JANE" not in json.dumps(report)
    assert all(v["files"] for v in ok(worker_api.study_phi_values("00100010"))["values"])
    assert "DOE^JANE" in ok(worker_api.study_phi_export("csv", True))


def test_a_row_lists_its_first_values_and_an_export_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(study_phi, "MAX_VALUES", 2)
    for n in range(3):
        _open(phi_file(str(10 + n)), f"jane-{n}.dcm")
    # Three files, three SOP Instance UIDs: the page gets two and is told there are more.
    values = ok(worker_api.study_phi_values("00080018"))
    assert (values["distinct"], values["truncated"], len(values["values"])) == (3, True, 2)
    full = ok(worker_api.study_phi_export("csv", True))
    assert all(f"{ROOT}{10 + n}\t" in full for n in range(3))
