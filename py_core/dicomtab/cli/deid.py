"""``dicomtab deid``, ``verify``, ``profiles`` and ``keygen``: de-identification from the shell.

Console output names files by the paths the user gave and counts actions; it never prints a
value read from a file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from dicomtab.deid.audit import summary, write_audit
from dicomtab.deid.batch import (
    FileOutcome,
    check_output_location,
    collect_inputs,
    run_batch,
    write_crosswalk,
)
from dicomtab.deid.keys import generate_key_file, read_key_file
from dicomtab.deid.profile import builtin_names, load_profile
from dicomtab.deid.verify import collect_originals, verify_items
from dicomtab.errors import DicomtabError


def register(subparsers: Any) -> None:
    """Add the ``deid``, ``verify``, ``profiles`` and ``keygen`` commands."""
    p = subparsers.add_parser(
        "deid", help="de-identify files, folders or ZIPs into a new folder (PS3.15 Annex E)"
    )
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="OUTDIR")
    p.add_argument("--profile", default="basic", help="built-in profile name or JSON file")
    p.add_argument("--key-file", type=Path, help="secret key (create with 'dicomtab keygen')")
    p.add_argument("--crosswalk", type=Path, help="write original->new IDs here (CSV)")
    p.add_argument("--audit", type=Path, help="write the audit here (JSON, plus a .csv)")
    p.set_defaults(func=run_deid)

    v = subparsers.add_parser("verify", help="scan de-identified files for residual PHI")
    v.add_argument("outdir", type=Path, metavar="OUTDIR")
    v.add_argument("--originals", nargs="+", type=Path, metavar="INPUT",
                   help="the original files: their identifying values are searched for, "
                   "in every element and in every byte of every output file")
    v.set_defaults(func=run_verify)

    pr = subparsers.add_parser("profiles", help="list the built-in de-identification profiles")
    pr.set_defaults(func=run_profiles)

    k = subparsers.add_parser("keygen", help="create a new secret key file for deid")
    k.add_argument("keyfile", type=Path, metavar="KEYFILE")
    k.set_defaults(func=run_keygen)


def _error(message: str) -> int:
    print(f"dicomtab: {message}", file=sys.stderr)
    return 2


def _report(outcome: FileOutcome) -> None:
    if outcome.error is not None:
        print(f"FAILED {outcome.error['message']} [{outcome.error['code']}]", file=sys.stderr)
    elif outcome.flags:
        print(f"flagged {outcome.output}: {', '.join(outcome.flags)}")


def run_deid(args: argparse.Namespace) -> int:
    """De-identify the inputs; exit 1 if any file failed, 2 on a usage/policy problem."""
    try:
        profile = load_profile(args.profile)
        key = read_key_file(args.key_file)
        check_output_location(args.output, args.inputs, args.crosswalk, args.audit)
        items = collect_inputs(args.inputs)
    except DicomtabError as exc:
        return _error(exc.message)
    args.output.mkdir(parents=True, exist_ok=True)
    batch = run_batch(items, args.output, profile, key, progress=_report)
    if args.crosswalk is not None:
        write_crosswalk(args.crosswalk, batch.crosswalk)
    if args.audit is not None:
        json_path = args.audit if args.audit.suffix != ".csv" else args.audit.with_suffix(".json")
        write_audit(json_path, batch, profile)
    counts = summary(batch)
    actions = ", ".join(f"{a}={n}" for a, n in counts["actions"].items()) or "none"
    print(f"{counts['written']} written, {counts['failed']} failed of {counts['files']} "
          f"(profile {profile.name}; element actions: {actions})")
    return 1 if batch.failed else 0


def run_verify(args: argparse.Namespace) -> int:
    """Scan OUTDIR; exit 1 if anything was found."""
    try:
        outputs = collect_inputs([args.outdir])
        originals = None
        if args.originals:
            originals, problems = collect_originals(collect_inputs(args.originals))
            for message in problems:
                print(f"note: original not used: {message}", file=sys.stderr)
    except DicomtabError as exc:
        return _error(exc.message)
    findings = verify_items(outputs, originals)
    for finding in findings:
        print(finding)
    files = len({f.file for f in findings})
    print(f"{len(findings)} finding(s) in {files} of {len(outputs)} file(s)")
    return 1 if findings else 0


def run_profiles(args: argparse.Namespace) -> int:
    """Print each built-in profile with its description."""
    for name in builtin_names():
        profile = load_profile(name)
        print(f"{name}\n  {profile.description}")
        print(f"  options: {', '.join(sorted(profile.options)) or '(none)'}")
    return 0


def run_keygen(args: argparse.Namespace) -> int:
    """Create a key file (never overwrites)."""
    try:
        generate_key_file(args.keyfile)
    except DicomtabError as exc:
        return _error(exc.message)
    print(f"new key written to {args.keyfile}; keep it secret and back it up: the same key "
          "gives the same pseudonyms, UIDs and date shifts in every batch")
    return 0
