"""``dicomtab summary FILE...``: the same per-file summary the page shows."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dicomtab.cli.common import read_failure
from dicomtab.errors import DicomtabError
from dicomtab.reading import open_dataset
from dicomtab.summary import summarize


def register(subparsers: Any) -> None:
    """Add the ``summary`` command."""
    parser = subparsers.add_parser(
        "summary", help="print patient/study/series/instance identifiers and image facts"
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(func=run)


def _print_text(name: str, summary: dict[str, Any]) -> None:
    patient, study, series = summary["patient"], summary["study"], summary["series"]
    print(name)
    print(f"  Patient   {patient['name'] or '-'}  ID {patient['id'] or '-'}")
    print(
        f"  Study     {study['date'] or '-'}  {study['description'] or ''}  {study['uid'] or '-'}"
    )
    print(
        f"  Series    #{series['number'] if series['number'] is not None else '-'}  {series['uid'] or '-'}"
    )
    print(f"  Instance  {summary['instance']['uid'] or '-'}")
    print(
        f"  Modality  {summary['modality'] or '-'}  SOP class {summary['sopClass']['name'] or summary['sopClass']['uid'] or '-'}"
    )
    print(
        f"  Syntax    {summary['transferSyntax']['name'] or summary['transferSyntax']['uid'] or '-'}"
    )
    image = (
        f"{summary['columns']}x{summary['rows']}, {summary['frames']} frame(s)"
        if summary["rows"]
        else "no image"
    )
    print(f"  Image     {image}; {summary['fileSize']} bytes")
    for note in summary["notes"]:
        print(f"  Note      {note}")


def run(args: argparse.Namespace) -> int:
    """Summarise each file; a file that cannot be read is reported and the rest go on."""
    failed = 0
    for path in args.files:
        try:
            summary = summarize(open_dataset(path.read_bytes(), path.name, stop_before_pixels=True))
        except (DicomtabError, OSError) as exc:
            failed += 1
            print(f"error: {read_failure(exc, path)}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps({"file": str(path), **summary}, ensure_ascii=False))
        else:
            _print_text(str(path), summary)
    return 1 if failed else 0
