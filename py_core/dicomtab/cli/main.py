"""Entry point of the ``dicomtab`` command.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (a callable taking the
parsed arguments and returning the exit status). Add a module to ``COMMAND_MODULES`` to
add a command.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from dicomtab import __version__
from dicomtab.reading import quiet_pydicom

#: Modules under ``dicomtab.cli`` that each contribute one or more sub-commands.
COMMAND_MODULES: tuple[str, ...] = ("summary", "deid", "dump")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every registered sub-command."""
    parser = argparse.ArgumentParser(
        prog="dicomtab",
        description="Inspect and de-identify DICOM files; nothing leaves this machine.",
    )
    parser.add_argument("--version", action="version", version=f"dicomtab {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"dicomtab.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    args = build_parser().parse_args(argv)
    with quiet_pydicom():  # pydicom's warnings quote file values: never on the console
        status: int = args.func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
