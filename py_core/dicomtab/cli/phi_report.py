"""``dicomtab phi-report FILE... --csv|--html``: the tab's study PHI report, from the shell.

The same report and the same bytes as the tab's export (:mod:`dicomtab.inspect.study_phi`):
files are numbered as the tab numbers them when opened in the same order (sound files
``instance-N``, damaged ones ``damaged-N``, and here files that cannot be read at all
``unreadable-N``). Without ``--values`` the report holds counts, never a value or a file name.
The exit status is 1 when a file was damaged or could not be read (the report still lists it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dicomtab.cli.common import read_failure
from dicomtab.errors import DicomtabError


def register(subparsers: Any) -> None:
    """Add the ``phi-report`` command."""
    parser = subparsers.add_parser(
        "phi-report", help="which elements of these files may identify a patient, by category"
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    form = parser.add_mutually_exclusive_group(required=True)
    form.add_argument("--csv", action="store_true", help="one CSV table")
    form.add_argument("--html", action="store_true", help="a printable HTML page")
    parser.add_argument(
        "--values", action="store_true",
        help="add each element's distinct values and the files' names (the report then "
        "identifies patients: handle it like the files)",
    )
    parser.set_defaults(func=run)


def _sources(paths: list[Path], failed: list[Path]) -> Iterator[Any]:
    from dicomtab.inspect.partial import load
    from dicomtab.inspect.study_phi import Source

    numbers = {"i": 0, "d": 0, "x": 0}

    def next_id(kind: str) -> str:
        numbers[kind] += 1
        return f"{kind}{numbers[kind]}"

    for path in paths:
        try:
            inspected = load(path.read_bytes(), path.name)
        except (DicomtabError, OSError) as exc:
            failed.append(path)
            code = exc.code if isinstance(exc, DicomtabError) else "unreadable"
            yield Source(next_id("x"), path.name, None, read_failure(exc, path), code)
            continue
        if inspected.problem is not None:
            failed.append(path)
        yield Source(next_id("i" if inspected.problem is None else "d"), path.name, inspected)


def run(args: argparse.Namespace) -> int:
    """Write the report of all the files to stdout."""
    from dicomtab.inspect.study_phi import StudyPhi
    from dicomtab.inspect.study_phi_export import to_csv, to_html

    failed: list[Path] = []
    report = StudyPhi(_sources(args.files, failed))
    write = to_csv if args.csv else to_html
    sys.stdout.write(write(report, values=args.values))
    for path in failed:
        print(f"note: {path.name} is damaged or could not be read; the report lists it.",
              file=sys.stderr)
    return 1 if failed else 0
