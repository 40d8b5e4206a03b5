"""``dicomtab dump FILE...``: every element of a file, as dcmdump would list it (or JSON, CSV).

This is the tag inspector of the page, from the shell: the same parsing, classification and
exports. Its purpose is to print the values of the file, so it does (to stdout); errors go to
stderr and never quote a value. A damaged file prints what could be read, then the problem;
the exit status is 1 if any file was damaged or could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dicomtab.cli.common import read_failure
from dicomtab.errors import DicomtabError


def register(subparsers: Any) -> None:
    """Add the ``dump`` command."""
    parser = subparsers.add_parser(
        "dump", help="list every element of a file (dcmdump layout, DICOM JSON or CSV)"
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    form = parser.add_mutually_exclusive_group()
    form.add_argument(
        "--json",
        action="store_true",
        help="the DICOM JSON model (PS3.18 F), one object per line per file",
    )
    form.add_argument(
        "--csv",
        action="store_true",
        help="the flat view: path, tag, keyword, VR, VM, length, value, PHI",
    )
    parser.add_argument(
        "--phi-only",
        action="store_true",
        help="only elements that may identify a patient (and their sequences)",
    )
    parser.add_argument(
        "--no-binary",
        action="store_true",
        help="with --json: leave out binary values instead of inlining them",
    )
    parser.add_argument(
        "--meta", action="store_true", help="with --json: include the file meta group (0002,xxxx)"
    )
    parser.set_defaults(func=run)


def _output(inspected: Any, args: argparse.Namespace) -> str:
    from dicomtab.inspect.classify import phi_paths
    from dicomtab.inspect.export_json import to_json_model
    from dicomtab.inspect.export_text import dump, to_csv
    from dicomtab.inspect.tree import phi_of

    keep = phi_paths(inspected.all_elements, phi_of(inspected)) if args.phi_only else None
    if args.json:
        elements = inspected.all_elements if args.meta else inspected.elements
        model = to_json_model(elements, binary="omit" if args.no_binary else "inline", keep=keep)
        return json.dumps(model, ensure_ascii=False) + "\n"
    if args.csv:
        return to_csv(inspected, keep=keep)
    return dump(inspected, keep=keep)


def run(args: argparse.Namespace) -> int:
    """Dump each file; go on after a file that cannot be read."""
    from dicomtab.inspect.partial import load

    failed = 0
    for path in args.files:
        try:
            inspected = load(path.read_bytes(), path.name)
        except (DicomtabError, OSError) as exc:
            failed += 1
            print(f"error: {read_failure(exc, path)}", file=sys.stderr)
            continue
        if len(args.files) > 1 and not args.json:
            print(f"# File: {path}")
        sys.stdout.write(_output(inspected, args))
        if inspected.problem is not None:
            failed += 1
            print(f"error: {inspected.problem.message} What precedes it is shown.", file=sys.stderr)
        for note in inspected.notes if inspected.problem is None else []:
            print(f"note: {note}", file=sys.stderr)
    return 1 if failed else 0
