"""A DICOMDIR's directory records as a patient → study → series → instance tree."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from dicomtab import worker_api
from dicomtab.errors import DicomtabError, NotDicomdirError
from dicomtab.inspect.dicomdir import read_dicomdir
from tests import badfiles
from tests.conftest import bundled

DICOMDIR = bundled("dicomdirtests/DICOMDIR")
#: Every message and note must be free of the file's values.
VALUES = ("Doe", "Archibald", "Peter", "77654033", "98890234", "Carotids", "1.3.6.1.4.1.5962")


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_api, "SESSION", worker_api.Session())


def _counts(tree: dict[str, Any]) -> tuple[int, int, int, int]:
    studies = [s for p in tree["patients"] for s in p["studies"]]
    series = [e for s in studies for e in s["series"]]
    instances = [i for e in series for i in e["instances"]]
    return len(tree["patients"]), len(studies), len(series), len(instances)


def _paths(tree: dict[str, Any]) -> list[str]:
    return [i["path"] for p in tree["patients"] for s in p["studies"] for e in s["series"]
            for i in e["instances"]]


def _no_values(text: str) -> None:
    for value in VALUES:
        assert value not in text


def test_pydicom_dicomdir_tree() -> None:
    tree = read_dicomdir(DICOMDIR.read_bytes(), "DICOMDIR")
    assert _counts(tree) == (2, 6, 13, 31)
    assert tree["records"] == 52 and tree["instances"] == 31 and tree["notes"] == []
    first, second = tree["patients"]
    assert (first["name"], first["id"]) == ("Doe^Archibald", "77654033")
    assert (second["name"], second["id"]) == ("Doe^Peter", "98890234")
    ct_study = first["studies"][1]
    assert ct_study["date"] == "19950903"
    assert ct_study["description"] == "CT, HEAD/BRAIN WO CONTRAST"
    assert ct_study["uid"] == "1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.1"
    (ct_series,) = ct_study["series"]
    assert (ct_series["number"], ct_series["modality"]) == (2, "CT")
    assert [i["number"] for i in ct_series["instances"]] == [18, 180, 181, 182]
    assert ct_series["instances"][0]["path"] == "77654033/CT2/17106"
    assert ct_series["instances"][0]["recordType"] == "IMAGE"
    assert ct_series["instances"][0]["sopInstanceUid"].startswith("1.3.6.1.4.1.5962.")
    mra = second["studies"][3]
    assert mra["description"] == "Brain-MRA"
    assert [(e["number"], e["modality"], len(e["instances"])) for e in mra["series"]] == [
        (1, "MR", 1), (2, "MR", 3), (700, "MR", 7)]
    paths = _paths(tree)
    assert len(set(paths)) == 31
    assert "98892003/MR700/4648" in paths and "98892001/CT2N/6293" in paths
    # Every referenced file exists, relative to the DICOMDIR's folder.
    assert all((DICOMDIR.parent / p).is_file() for p in paths)
    # Keys are unique per level (they are the records' byte offsets).
    keys = [e["key"] for p in tree["patients"] for s in p["studies"] for e in s["series"]]
    assert len(set(keys)) == 13
    json.dumps(tree)  # JSON-able


@pytest.mark.parametrize("variant", ["DICOMDIR-implicit", "DICOMDIR-bigEnd", "DICOMDIR-reordered"])
def test_other_encodings_and_record_orders_give_the_same_tree(variant: str) -> None:
    expected = read_dicomdir(DICOMDIR.read_bytes(), "DICOMDIR")
    tree = read_dicomdir(bundled(f"dicomdirtests/{variant}").read_bytes(), variant)
    assert _counts(tree) == (2, 6, 13, 31)
    assert sorted(_paths(tree)) == sorted(_paths(expected))
    assert tree["notes"] == []


def test_tiny_alpha_and_an_empty_dicomdir() -> None:
    tiny = read_dicomdir(bundled("dicomdirtests/TINY_ALPHA/DICOMDIR").read_bytes(), "DICOMDIR")
    assert _counts(tiny) == (1, 1, 1, 50)
    assert all(p.startswith("PT000000/ST000000/SE000000/IM") for p in _paths(tiny))
    empty = read_dicomdir(bundled("dicomdirtests/DICOMDIR-empty.dcm").read_bytes(), "empty")
    assert _counts(empty) == (0, 0, 0, 0) and empty["notes"] == []


def test_bad_inputs_give_typed_errors(bad_inputs: dict[str, Path]) -> None:
    for name, path in bad_inputs.items():
        with pytest.raises(DicomtabError) as caught:
            read_dicomdir(path.read_bytes(), name)
        assert caught.value.code in {"empty-file", "not-dicom", "truncated", "malformed"}, name
        assert name in caught.value.message


def test_an_image_is_not_a_dicomdir() -> None:
    with pytest.raises(NotDicomdirError) as caught:
        read_dicomdir(bundled("CT_small.dcm").read_bytes(), "CT_small.dcm")
    assert caught.value.code == "not-dicomdir"
    assert caught.value.message == (
        "CT_small.dcm is not a DICOMDIR: its SOP class is not Media Storage Directory.")


@pytest.mark.parametrize("name", [
    "truncated-dicomdir", "huge-short-length-dicomdir", "huge-long-length-dicomdir"])
def test_broken_dicomdirs_give_typed_errors(name: str) -> None:
    data = badfiles.dicomdir_bad_inputs(DICOMDIR.read_bytes())[name]
    with pytest.raises(DicomtabError) as caught:
        read_dicomdir(data, name)
    assert caught.value.code in {"truncated", "malformed"}
    assert caught.value.message.startswith(f"{name} is ")
    _no_values(caught.value.message)


def test_loops_and_broken_links_do_not_hang() -> None:
    bad = badfiles.dicomdir_bad_inputs(DICOMDIR.read_bytes())
    started = time.monotonic()
    # The first patient is its own next sibling: the second patient is never reached.
    loop_next = read_dicomdir(bad["loop-next-dicomdir"], "DICOMDIR")
    assert _counts(loop_next) == (1, 2, 4, 7)
    assert loop_next["notes"] == [
        "1 record link of the DICOMDIR points back to a record already read (a loop); it was "
        "cut.",
        "38 directory records of the DICOMDIR are not linked from its root and were left out.",
    ]
    # The first series' child is its own patient: that series loses its image.
    loop_lower = read_dicomdir(bad["loop-lower-dicomdir"], "DICOMDIR")
    assert _counts(loop_lower) == (2, 6, 12, 30)
    assert any("(a loop)" in note for note in loop_lower["notes"])
    dangling = read_dicomdir(bad["dangling-dicomdir"], "DICOMDIR")
    assert _counts(dangling) == (2, 5, 10, 28)
    assert dangling["notes"][0] == (
        "1 record link of the DICOMDIR points to no record; it was skipped.")
    no_root = read_dicomdir(bad["no-root-dicomdir"], "DICOMDIR")
    assert _counts(no_root) == (0, 0, 0, 0)
    assert no_root["notes"] == [
        "52 directory records of the DICOMDIR are not linked from its root and were left out."]
    assert time.monotonic() - started < 5
    for tree in (loop_next, loop_lower, dangling, no_root):
        _no_values(" ".join(tree["notes"]))


def test_a_self_referencing_series_chain_is_cut() -> None:
    """Every record of the file pointing to the first one: each link is a loop."""
    data = DICOMDIR.read_bytes()
    at = 0
    marker = b"\x04\x00\x00\x14UL\x04\x00"
    while (at := data.find(marker, at + 1)) >= 0:
        data = data[: at + 8] + (396).to_bytes(4, "little") + data[at + 12 :]
    tree = read_dicomdir(data, "DICOMDIR")
    assert len(tree["patients"]) == 1  # only the first patient's first descendants
    assert any("(a loop)" in note for note in tree["notes"])


def test_worker_call_after_open() -> None:
    opened = json.loads(worker_api.open_file(DICOMDIR.read_bytes(), "media/DICOMDIR"))
    assert opened["payload"]["sopClass"]["uid"] == "1.2.840.10008.1.3.10"
    result = json.loads(worker_api.dicomdir(opened["payload"]["instanceId"]))
    assert result["status"] == "success"
    assert result["payload"]["fileName"] == "media/DICOMDIR"
    assert _counts(result["payload"]) == (2, 6, 13, 31)
    image = json.loads(worker_api.open_file(bundled("CT_small.dcm").read_bytes(), "ct.dcm"))
    failed = json.loads(worker_api.dicomdir(image["payload"]["instanceId"]))
    assert failed == {"status": "failed", "error": {
        "code": "not-dicomdir",
        "message": "ct.dcm is not a DICOMDIR: its SOP class is not Media Storage Directory."}}
    unknown = json.loads(worker_api.dicomdir("i99"))
    assert unknown["status"] == "failed" and unknown["error"]["code"] == "usage"


def test_damaged_bytes_give_a_tree_or_a_typed_error_never_anything_else() -> None:
    """Random bytes changed in the records: pydicom may fail to convert values; every outcome
    must still be a result or a DicomtabError (seeded, so the same cases run every time)."""
    good = DICOMDIR.read_bytes()
    rng = random.Random(4)
    outcomes: set[str] = set()
    for _ in range(150):
        data = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(380, len(data))] = rng.randrange(256)
        try:
            tree = read_dicomdir(bytes(data), "DICOMDIR")
        except DicomtabError as exc:
            outcomes.add(exc.code)
            _no_values(exc.message)
        else:
            outcomes.add("tree")
            json.dumps(tree)
            _no_values(" ".join(tree["notes"]))
    assert {"tree", "truncated", "malformed"} <= outcomes


def test_works_without_numpy() -> None:
    """As in the browser worker before any image is shown: numpy is not importable."""
    script = (
        "import sys; sys.modules['numpy'] = None\n"
        "from dicomtab.inspect.dicomdir import read_dicomdir\n"
        "tree = read_dicomdir(open(sys.argv[1], 'rb').read(), 'DICOMDIR')\n"
        "print(tree['instances'])\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(DICOMDIR)], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "31"


def test_a_file_id_leaving_the_folder_is_not_a_path() -> None:
    data = DICOMDIR.read_bytes()
    at = data.index(b"77654033\\CR1\\6154")
    tree = read_dicomdir(data[:at] + b"..      " + data[at + 8 :], "DICOMDIR")
    first = tree["patients"][0]["studies"][0]["series"][0]["instances"][0]
    assert first["path"] is None and first["number"] == 1
    assert tree["notes"] == [
        "1 record of the DICOMDIR names a file outside its folder or an invalid file ID; its "
        "file cannot be matched."]
    assert _counts(tree) == (2, 6, 13, 31)
