"""``dicomtab deid``, ``verify``, ``profiles`` and ``keygen``: de-identification from the shell.

Console output names files by the paths the user gave and counts actions; it never prints a
value read from a file. Every ``deid`` writes a release record (:mod:`dicomtab.deid.release`),
by default into the output folder; ``verify`` checks a folder against the record's manifest.
"""

from __future__ import annotations

import argparse
import hashlib
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
from dicomtab.deid.folders import folder_at, is_url
from dicomtab.deid.journal import Journal
from dicomtab.deid.keys import generate_key_file, read_key_file
from dicomtab.deid.profile import HIPAA_METHODS, builtin_names, load_profile
from dicomtab.deid.regions import Templates, templates_from_json
from dicomtab.deid.release import (
    RECORD_NAME,
    build_record,
    check_folder,
    read_record,
    record_json_bytes,
    record_paths,
    record_text,
    write_record,
)
from dicomtab.deid.verify import collect_originals, verify_items
from dicomtab.errors import DicomtabError, PolicyError


def register(subparsers: Any) -> None:
    """Add the ``deid``, ``verify``, ``profiles`` and ``keygen`` commands."""
    p = subparsers.add_parser(
        "deid", help="de-identify files, folders or ZIPs into a new folder (PS3.15 Annex E)"
    )
    p.add_argument("inputs", nargs="+", type=_input, metavar="INPUT",
                   help="a file, folder or ZIP; or an fsspec URL (s3://bucket/prefix/, "
                   "file:///…) of objects, read in archive mode (needs the 'scale' extra)")
    p.add_argument("-o", "--output", required=True, type=_input, metavar="OUTDIR",
                   help="a new folder; or an fsspec URL (s3://bucket/release, file:///…), "
                   "written in archive mode (needs the 'scale' extra)")
    p.add_argument("--profile", default="basic", help="built-in profile name or JSON file")
    p.add_argument("--key-file", type=Path, help="secret key (create with 'dicomtab keygen')")
    p.add_argument("--crosswalk", type=Path, help="write original->new IDs here (CSV)")
    p.add_argument("--audit", type=Path, help="write the audit here (JSON, plus a .csv)")
    p.add_argument("--operator", help="who releases the files (goes into the release record)")
    p.add_argument("--purpose", help="what the release is for (goes into the release record)")
    p.add_argument("--record", type=Path, metavar="BASE",
                   help=f"write the release record to BASE.json and BASE.txt (default: "
                   f"OUTDIR/{RECORD_NAME}.json and .txt)")
    p.add_argument("--allow-damaged", action="store_true",
                   help="also de-identify damaged files: a file cut short or malformed (the "
                   "elements before the damage), an image without pixel data, a file with "
                   "elements that do not fit their tags (removed); each output is flagged "
                   "for review. By default damaged files are refused")
    p.add_argument("--no-verify", action="store_true",
                   help="do not check each output against its original (the release record "
                   "then says verification was not run)")
    p.add_argument("--regions", type=Path, action="append", default=[], metavar="FILE",
                   help="a redaction template (JSON, from the viewer or by hand): its boxes of "
                   "burned-in text are blanked in the images whose header matches; repeatable")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="de-identify with N processes on this machine (a local Dask cluster; "
                   "needs the 'scale' extra); the outputs are the same as with one")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="de-identify on the Dask cluster whose scheduler is at ADDRESS "
                   "(e.g. tcp://10.0.0.5:8786); the inputs and OUTDIR must be reachable at "
                   "the same paths from every worker")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted run into the same OUTDIR (same inputs, key "
                   "and options): inputs whose output is in place as the run's journal "
                   "recorded are not done again, and the release record covers them all")
    p.set_defaults(func=run_deid)

    v = subparsers.add_parser("verify", help="scan de-identified files for residual PHI and "
                              "check them against their release record")
    v.add_argument("outdir", type=Path, metavar="OUTDIR")
    v.add_argument("--originals", nargs="+", type=Path, metavar="INPUT",
                   help="the original files: their identifying values are searched for, "
                   "in every element and in every byte of every output file")
    v.add_argument("--manifest", type=Path, metavar="RECORD",
                   help=f"the release record (JSON) to check OUTDIR against (default: "
                   f"OUTDIR/{RECORD_NAME}.json when there is one)")
    v.add_argument("--safe-harbor", action="store_true",
                   help="apply HIPAA Safe Harbor's rules to every file (they apply anyway to "
                   "files made by a Safe Harbor profile)")
    v.set_defaults(func=run_verify)

    pr = subparsers.add_parser("profiles", help="list the built-in de-identification profiles")
    pr.set_defaults(func=run_profiles)

    k = subparsers.add_parser("keygen", help="create a new secret key file for deid")
    k.add_argument("keyfile", type=Path, metavar="KEYFILE")
    k.set_defaults(func=run_keygen)


def _input(text: str) -> Path | str:
    """A local input as a Path, an fsspec URL as it is (a Path would fold its ``//``)."""
    return text if "://" in text else Path(text)


def _local(inputs: list[Path | str]) -> list[Path]:
    return [i for i in inputs if isinstance(i, Path)]


def _error(message: str) -> int:
    print(f"dicomtab: {message}", file=sys.stderr)
    return 2


def _report(outcome: FileOutcome) -> None:
    if outcome.error is not None:
        print(f"FAILED {outcome.error['message']} [{outcome.error['code']}]", file=sys.stderr)
    elif outcome.flags:
        print(f"flagged {outcome.output}: {', '.join(outcome.flags)}")


def _record_base(args: argparse.Namespace) -> Path | None:
    """Where the release record goes: BASE.json/.txt, or (None) the output folder at a URL."""
    if args.record is None and is_url(args.output):
        if folder_at(args.output).sha256(f"{RECORD_NAME}.json") is not None:
            raise PolicyError(f"{args.output} already holds a release record: a release record "
                              "documents one batch; write each release to a new output folder")
        return None
    base: Path = args.record if args.record is not None else args.output / RECORD_NAME
    json_path, _ = record_paths(base)
    if json_path.exists():
        raise PolicyError(
            f"{json_path} already exists: a release record documents one batch; write each "
            "release to a new output folder (or name another record with --record)"
        )
    for path in _local(args.inputs):
        if path.is_dir() and (path.resolve() in base.resolve().parents):
            raise PolicyError(f"the release record {json_path} would be inside the input "
                              f"folder {path}; choose another place")
    return base


def _templates(paths: list[Path]) -> Templates:
    """The redaction templates of ``--regions`` files, in the order given."""
    found = Templates()
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PolicyError(f"{path}: the redaction template could not be read "
                              f"({exc.strerror})") from None
        found = found + templates_from_json(data, path.name)
    return found


def run_deid(args: argparse.Namespace) -> int:
    """De-identify the inputs and write the release record.

    Exit 1 if any file failed or verification did not pass, 2 on a usage/policy problem.
    """
    try:
        profile = load_profile(args.profile)
        key = read_key_file(args.key_file)
        if not is_url(args.output):
            check_output_location(args.output, _local(args.inputs), args.crosswalk, args.audit)
        record_base = _record_base(args)
        templates = _templates(args.regions)
        urls = len(args.inputs) != len(_local(args.inputs))
        items = [] if urls else collect_inputs(_local(args.inputs))
    except DicomtabError as exc:
        return _error(exc.message)
    if not is_url(args.output):
        args.output.mkdir(parents=True, exist_ok=True)
    # The crosswalk's pairs are journaled beside it, never in the output folder.
    pairs_dir = None if args.crosswalk is None else \
        args.crosswalk.with_name(args.crosswalk.name + ".journal")
    if args.workers > 1 or args.scheduler or urls or is_url(args.output):
        try:
            batch = _at_scale(args, profile, key, templates, pairs_dir)
        except DicomtabError as exc:
            return _error(exc.message)
    else:
        batch = run_batch(items, args.output, profile, key, progress=_report,
                          verify=not args.no_verify, allow_damaged=args.allow_damaged,
                          templates=templates, journal=Journal(args.output, key, pairs_dir),
                          resume=args.resume)
    if args.crosswalk is not None:
        write_crosswalk(args.crosswalk, batch.crosswalk)
    if args.audit is not None:
        json_path = args.audit if args.audit.suffix != ".csv" else args.audit.with_suffix(".json")
        write_audit(json_path, batch, profile)
    settings = {
        "verify": not args.no_verify,
        "audit_written": args.audit is not None,
        "crosswalk_written": args.crosswalk is not None,
        "allow_damaged": args.allow_damaged,
    }
    record = build_record(batch, profile, key, operator=args.operator, purpose=args.purpose,
                          settings=settings)
    if record_base is None:
        folder = folder_at(args.output)
        data = record_json_bytes(record)
        folder.write(f"{RECORD_NAME}.json", data)
        folder.write(f"{RECORD_NAME}.txt", record_text(record).encode("utf-8"))
        json_name, text_name = folder.where(f"{RECORD_NAME}.json"), f"{RECORD_NAME}.txt"
        digest = hashlib.sha256(data).hexdigest()
    else:
        record_base.parent.mkdir(parents=True, exist_ok=True)
        json_path, text_path, digest = write_record(record_base, record)
        json_name, text_name = str(json_path), text_path.name
    counts = summary(batch)
    actions = ", ".join(f"{a}={n}" for a, n in counts["actions"].items()) or "none"
    print(f"{counts['written']} written, {counts['failed']} failed of {counts['files']} "
          f"(profile {profile.name}; element actions: {actions})")
    verification = record["verification"]
    for finding in (f for o in batch.outcomes for f in o.findings):
        print(f"finding {finding}")
    if verification["ran"]:
        print(f"verification: {verification['result']} ({verification['findings']} finding(s), "
              f"{len(verification['review_required'])} file(s) flagged for review)")
    else:
        print("verification: not run (--no-verify)")
    print(f"release record: {json_name} and {text_name} (sha256 of the JSON: {digest}; "
          "send it apart from the files so the record itself can be checked)")
    not_passed = verification["ran"] and verification["result"] != "passed"
    return 1 if batch.failed or not_passed else 0


def _at_scale(args: argparse.Namespace, profile: Any, key: Any, templates: Templates,
              pairs_dir: Path | None) -> Any:
    """The batch on a Dask cluster (dicomtab.scale): local, or at ``--scheduler``."""
    from dicomtab.deid.batch import input_sources
    from dicomtab.scale import client_for, deidentify_at_scale

    if args.workers < 1:
        raise PolicyError("--workers must be at least 1")
    from tqdm import tqdm

    from dicomtab.scale import url_sources

    sources = [s for i in args.inputs
               for s in (url_sources(i) if isinstance(i, str) else input_sources([i]))]
    # URL inputs with one worker: in this process, chunk after chunk, without a cluster.
    client = client_for(args.workers, args.scheduler) \
        if args.workers > 1 or args.scheduler else None
    failed = 0
    try:
        if args.scheduler and client is not None and client.dashboard_link:
            print(f"Dask dashboard: {client.dashboard_link}")
        # Files done of all, rate and time left on a terminal (tqdm stays quiet otherwise).
        with tqdm(total=len(sources), unit="file", file=sys.stderr, disable=None) as bar:
            def tick(outcome: FileOutcome) -> None:
                nonlocal failed
                failed += outcome.error is not None
                bar.set_postfix(failed=failed, refresh=False)
                bar.update(1)

            batch = deidentify_at_scale(
                sources, args.output, profile, key, client=client, verify=not args.no_verify,
                allow_damaged=args.allow_damaged, templates=templates, progress=tick,
                resume=args.resume, pairs_journal=pairs_dir)
    finally:
        if client is not None:
            cluster = None if args.scheduler else client.cluster
            client.close()
            if cluster is not None:
                cluster.close()
    # Each file's report in the order of the inputs, once the parts are added up (an input
    # that is the same instance as an earlier one is found then).
    for outcome in batch.outcomes:
        _report(outcome)
    return batch


def _record_for(args: argparse.Namespace) -> tuple[Path | None, dict[str, Any] | None]:
    if args.manifest is not None:
        if not args.manifest.is_file():
            raise PolicyError(f"release record {args.manifest} does not exist")
        return args.manifest, read_record(args.manifest)
    default, _ = record_paths(args.outdir / RECORD_NAME)
    if default.is_file():
        return default, read_record(default)
    return None, None


def run_verify(args: argparse.Namespace) -> int:
    """Scan OUTDIR and check it against its release record; exit 1 if anything was found."""
    try:
        record_path, record = _record_for(args)
        own = frozenset(record_paths(record_path)) if record_path else frozenset()
        skip = {p.resolve() for p in own}
        outputs = [i for i in collect_inputs([args.outdir]) if Path(i.name).resolve() not in skip]
        originals = None
        if args.originals:
            originals, problems = collect_originals(collect_inputs(args.originals))
            for message in problems:
                print(f"note: original not used: {message}", file=sys.stderr)
    except DicomtabError as exc:
        return _error(exc.message)
    findings = verify_items(outputs, originals, safe_harbor=args.safe_harbor)
    for finding in findings:
        print(finding)
    files = len({f.file for f in findings})
    print(f"{len(findings)} finding(s) in {files} of {len(outputs)} file(s)")
    mismatches = []
    if record is not None and record_path is not None:
        mismatches = check_folder(args.outdir, record, own)
        for problem in mismatches:
            print(f"manifest: {problem}")
        listed = len(record["manifest"]["files"])
        verdict = "every file matches" if not mismatches else f"{len(mismatches)} problem(s)"
        print(f"manifest {record_path.name}: {listed} file(s) listed, {verdict}")
    else:
        print("manifest: no release record found (none checked)")
    return 1 if findings or mismatches else 0


def run_profiles(args: argparse.Namespace) -> int:
    """Print each built-in profile with its description."""
    for name in builtin_names():
        profile = load_profile(name)
        print(f"{name}\n  {profile.description}")
        print(f"  options: {', '.join(sorted(profile.options)) or '(none)'}")
        if profile.hipaa:
            print(f"  HIPAA: {HIPAA_METHODS[profile.hipaa]}")
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
