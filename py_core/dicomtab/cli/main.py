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
from dicomtab.errors import NOT_CAUGHT, DicomtabError, where_it_happened
from dicomtab.reading import quiet_pydicom

#: Modules under ``dicomtab.cli`` that each contribute one or more sub-commands.
COMMAND_MODULES: tuple[str, ...] = ("summary", "deid", "dump", "phi_report")


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


#: Exit status when a command met an error it did not foresee (1: findings or failed files,
#: 2: a usage or policy problem).
INTERNAL_ERROR = 3


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status.

    An error no command foresaw is reported by class and code location only: a traceback
    may quote a value read from a file (a patient ID in a damaged element, say).
    """
    args = build_parser().parse_args(argv)
    try:
        with quiet_pydicom():  # pydicom's warnings quote file values: never on the console
            status: int = args.func(args)
    except NOT_CAUGHT:
        raise
    except DicomtabError as exc:
        print(f"dicomtab: {exc.message}", file=sys.stderr)
        return 2
    except BaseException as exc:
        print(f"dicomtab: internal error ({type(exc).__name__}); please report it with the lines "
              "below, which name no value from any file", file=sys.stderr)
        print("\n".join(where_it_happened(exc)), file=sys.stderr)
        return INTERNAL_ERROR
    return status


if __name__ == "__main__":
    sys.exit(main())
