"""The release record: who released which studies, when, how, and with what result.

Every batch produces one, as data (JSON) and as text a person can print. It holds:

- when (UTC), the tool and versions, the standard's edition;
- the profile: its name, where it came from, the sha256 of its JSON, the HIPAA method it is
  written for, every option, override, template, text shape and date rule it applies;
- the key's fingerprint (:meth:`dicomtab.deid.keys.Key.fingerprint`), never the key;
- the operator and purpose, when given;
- counts: files in, written, failed (by reason code), flagged for review (by flag);
- the studies released, by their new (pseudonymous) identifiers;
- the verification result (each output against its own original, see
  :func:`dicomtab.deid.verify.verify_output`), with every finding and every flagged file;
- the manifest: the sha256 and size of every file written, so that a recipient can check that
  nothing was altered after release (:func:`check_manifest`, ``dicomtab verify``).

It contains no PHI: no value read from a file, no input path or file name (they may name a
patient), no output folder path, no date shift. Output files are named by pseudonym and new
UIDs only. Everything here works on data in memory except :func:`write_record` and
:func:`check_folder`, so the browser worker can build and check records the same way.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import platform
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pydicom

from dicomtab import __version__
from dicomtab.deid.batch import BatchResult
from dicomtab.deid.elements import keyword
from dicomtab.deid.generalize import DATA_FILE, zip3_data
from dicomtab.deid.keys import FINGERPRINT_LABEL, Key
from dicomtab.deid.profile import HIPAA_METHODS, Profile
from dicomtab.deid.table import load_table
from dicomtab.errors import PolicyError

#: The record's file names (next to each other): ``release-record.json`` and ``.txt``.
RECORD_NAME = "release-record"
RECORD_KIND = "dicomtab release record"
RECORD_VERSION = 1
VERIFY_SCOPE = (
    "each output file against the identifying values of its own original: every element and "
    "every byte; plus private attributes, names in text, burned-in annotation and, for "
    "Safe Harbor profiles, dates more specific than the year, ages over 89, identifier "
    "shapes in text and images that may show a face"
)


def _tag(tag: int) -> str:
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def _dates(profile: Profile) -> str:
    if profile.date_precision == "year":
        return "reduced to the year (DA YYYY0101, DT YYYY, TM emptied)"
    if profile.has("retain_long_modified_dates"):
        if profile.date_offset_days is not None:
            return "shifted by a fixed offset set in the profile (value not recorded)"
        return "shifted by one keyed offset per patient (intervals kept; offsets not recorded)"
    if profile.has("retain_long_full_dates"):
        return "kept as they are"
    return "removed, emptied or replaced by a dummy (PS3.15 Basic Profile)"


def profile_section(profile: Profile) -> dict[str, Any]:
    """What the record says about the profile (everything it applies, never a date shift)."""
    origin = "built-in" if profile.builtin else "file" if profile.sha256 else "in memory"
    section: dict[str, Any] = {
        "name": profile.name,
        "origin": origin,
        "sha256": profile.sha256 or None,
        "hipaa_method": HIPAA_METHODS.get(profile.hipaa or ""),
        "description": profile.description,
        "options": sorted(profile.options),
        "dates": _dates(profile),
        "scrub_patterns": list(profile.scrub_patterns),
        "clean_pixels": profile.clean_pixels,
        "clean_text": profile.clean_text,
        "modified_times": profile.modified_times,
        "clean_text_by_keyword": dict(sorted(profile.clean_text_by_keyword.items())),
        "overrides": [{"tag": _tag(t), "keyword": keyword(t), "action": a}
                      for t, a in sorted(profile.overrides.items())],
        "private_overrides": [
            {"creator": k.creator, "group": f"{k.group:04X}", "offset": f"{k.offset:02X}",
             "action": a}
            for k, a in sorted(profile.private_overrides.items(),
                               key=lambda i: (i[0].creator, i[0].group, i[0].offset))
        ],
        "safe_private_additions": [
            {"creator": k.creator, "group": f"{k.group:04X}", "offset": f"{k.offset:02X}"}
            for k in sorted(profile.safe_private, key=lambda k: (k.creator, k.group, k.offset))
        ],
        "templates": dict(sorted(profile.templates.items())),
        "combined_actions": dict(sorted(profile.combined.items())),
    }
    return section


def _tool(profile: Profile) -> dict[str, Any]:
    tool: dict[str, Any] = {
        "name": "dicomtab",
        "version": __version__,
        "pydicom": pydicom.__version__,
        "python": platform.python_version(),
        # "emscripten" in the browser tab, the OS otherwise: the record says where it ran.
        "platform": sys.platform,
        "standard": load_table().edition(),
    }
    actions = set(profile.overrides.values()) | set(profile.private_overrides.values())
    if "zip3" in actions:
        header = zip3_data()["header"]
        tool["zip3_list"] = {"file": DATA_FILE, "census_year": header["census_year"],
                             "source": header["source"]}
    return tool


def _counts(batch: BatchResult) -> dict[str, Any]:
    failed = Counter(o.error["code"] for o in batch.outcomes if o.error is not None)
    flags = Counter(f for o in batch.outcomes for f in o.flags)
    return {
        "in": len(batch.outcomes),
        "written": sum(o.output is not None for o in batch.outcomes),
        "failed": sum(failed.values()),
        "failed_by_reason": dict(sorted(failed.items())),
        "flagged_for_review": dict(sorted(flags.items())),
    }


def _released(batch: BatchResult) -> list[dict[str, Any]]:
    """Studies by their new identifiers: pseudonym and new Study Instance UID, read from the
    output paths (``patient/study/series/instance.dcm``), which hold nothing else."""
    series: dict[tuple[str, str], set[str]] = {}
    instances: Counter[tuple[str, str]] = Counter()
    for outcome in batch.outcomes:
        parts = (outcome.output or "").split("/")
        if len(parts) == 4:
            series.setdefault((parts[0], parts[1]), set()).add(parts[2])
            instances[(parts[0], parts[1])] += 1
    return [
        {"patient": patient, "study_instance_uid": study, "series": len(names),
         "instances": instances[(patient, study)]}
        for (patient, study), names in sorted(series.items())
    ]


def verification_section(batch: BatchResult) -> dict[str, Any]:
    """The verification result: passed only with no finding, no file flagged for review and
    no file failed (a failed file was not checked, so the batch as a whole was not)."""
    if not batch.verified:
        return {"ran": False, "result": "not run",
                "scope": "verification was switched off for this batch (--no-verify)"}
    findings = [f for o in batch.outcomes for f in o.findings]
    review = [{"file": o.output, "flags": list(o.flags)} for o in batch.outcomes
              if o.flags and o.output is not None]
    failed = len(batch.failed)
    passed = not findings and not review and not failed
    return {
        "ran": True,
        "result": "passed" if passed else "not passed",
        "scope": VERIFY_SCOPE,
        "files_failed": failed,
        "findings": len(findings),
        "files_with_findings": len({f.file for f in findings}),
        "findings_by_kind": dict(sorted(Counter(f.kind for f in findings).items())),
        "review_required": review,
        "details": [{k: v for k, v in asdict(f).items() if v is not None} for f in findings],
    }


def manifest_section(batch: BatchResult) -> dict[str, Any]:
    """sha256 and size of every file written, by path inside the output folder."""
    files = sorted(
        ({"path": o.output, "sha256": o.sha256, "bytes": o.size}
         for o in batch.outcomes if o.output is not None and o.sha256 is not None),
        key=lambda f: str(f["path"]),
    )
    return {"algorithm": "sha256", "files": files}


#: Flags of a file that may carry burned-in text: not cleaned, cleaned but not checked, or
#: cleaned with text still found.
PIXEL_FLAGS = ("pixel-review", "pixel-check-review", "pixel-text-review")


def pixels_section(batch: BatchResult) -> dict[str, Any]:
    """What was done about burned-in text: the template files used, every file whose pixels
    were blanked or checked (boxes by frame, never values), and each file flagged for
    burned-in text by status: cleaned (blanked, and the text detector finds no text), no text
    (the detector found none), still has text, cleaned but not checked, or not cleaned."""
    written = [o for o in batch.outcomes if o.output is not None]
    flagged = {"cleaned": 0, "no_text": 0, "still_has_text": 0, "cleaned_not_checked": 0,
               "not_cleaned": 0}
    for outcome in written:
        pixels = outcome.pixels or {}
        status = pixels.get("status")
        if outcome.flags and any(f in PIXEL_FLAGS for f in outcome.flags):
            key = ("still_has_text" if status == "still-has-text"
                   else "cleaned_not_checked" if status == "cleaned" else "not_cleaned")
            flagged[key] += 1
        elif status in ("cleaned", "no-text") and pixels.get("checked"):
            flagged[status.replace("-", "_")] += 1
    return {
        "templates": list(batch.pixel_templates),
        "flagged_files": flagged,
        "files": [{"file": o.output, **o.pixels} for o in written if o.pixels],
    }


def build_record(
    batch: BatchResult,
    profile: Profile,
    key: Key,
    *,
    created: _dt.datetime | None = None,
    operator: str | None = None,
    purpose: str | None = None,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The release record of ``batch`` as data (what the JSON file holds).

    ``settings`` are the run's other choices (e.g. whether an audit or crosswalk was written),
    as names and booleans: never paths.
    """
    when = (created or _dt.datetime.now(_dt.UTC)).astimezone(_dt.UTC)
    return {
        "record": RECORD_KIND,
        "record_version": RECORD_VERSION,
        "created_utc": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tool": _tool(profile),
        "operator": operator or None,
        "purpose": purpose or None,
        "profile": profile_section(profile),
        "settings": dict(settings or {}),
        "key": {"fingerprint": key.fingerprint(),
                "derivation": f"first 64 bits of HMAC-SHA256(key, '{FINGERPRINT_LABEL}')"},
        "files": _counts(batch),
        "released_studies": _released(batch),
        "verification": verification_section(batch),
        "manifest": manifest_section(batch),
        "pixels": pixels_section(batch),
    }


# -- text --------------------------------------------------------------------------------------

def _line(label: str, value: object) -> str:
    # Values line up in one column; a label too long for it still gets a space.
    return f"  {label + ':':<23} {value}"


def record_text(record: dict[str, Any]) -> str:
    """The record as plain text, to print and sign."""
    tool, profile, files = record["tool"], record["profile"], record["files"]
    verification = record["verification"]
    out = ["DICOMTAB RELEASE RECORD", "=======================", ""]
    out += [
        _line("Created (UTC)", record["created_utc"]),
        _line("Tool", f"{tool['name']} {tool['version']} (pydicom {tool['pydicom']}, "
                      f"Python {tool['python']})"),
        _line("Standard", tool["standard"]),
        _line("Operator", record["operator"] or "(not given)"),
        _line("Purpose", record["purpose"] or "(not given)"),
        _line("Key fingerprint", record["key"]["fingerprint"]),
        "",
        "Profile",
        _line("Name", f"{profile['name']} ({profile['origin']})"),
        _line("sha256", profile["sha256"] or "(not read from a file)"),
        _line("HIPAA method", profile["hipaa_method"] or "(not declared)"),
        _line("Options", ", ".join(profile["options"]) or "(none)"),
        _line("Dates", profile["dates"]),
        _line("Text shapes replaced", ", ".join(profile["scrub_patterns"]) or "(none)"),
    ]
    if "zip3_list" in tool:
        out.append(_line("ZIP3 list", f"{tool['zip3_list']['file']} "
                                      f"({tool['zip3_list']['census_year']} Census)"))
    for item in profile["overrides"]:
        out.append(_line("Override", f"{item['keyword'] or item['tag']} {item['tag']} -> "
                                     f"{item['action']}"))
    for item in profile["private_overrides"]:
        out.append(_line("Private override", f"{item['creator']} ({item['group']},xx"
                                             f"{item['offset']}) -> {item['action']}"))
    for name, template in profile["templates"].items():
        out.append(_line("Template", f"{name} = {template}"))
    for name, value in record["settings"].items():
        out.append(_line(f"Setting {name}", value))
    out += ["", "Files",
            _line("In", files["in"]), _line("Written", files["written"]),
            _line("Failed", files["failed"])]
    out += [_line(f"Failed ({code})", n) for code, n in files["failed_by_reason"].items()]
    out += [_line(f"Flagged ({flag})", n) for flag, n in files["flagged_for_review"].items()]
    pixels = record.get("pixels") or {}
    for source in pixels.get("templates", []):
        out.append(_line("Redaction template", source))
    for status, n in (pixels.get("flagged_files") or {}).items():
        if n:
            out.append(_line(f"Burned-in text: {status.replace('_', ' ')}", n))
    out += ["", "Released studies (new identifiers)"]
    out += [f"  {s['patient']}  {s['study_instance_uid']}  {s['series']} series, "
            f"{s['instances']} instance(s)" for s in record["released_studies"]] or ["  (none)"]
    out += ["", f"Verification: {verification['result'].upper()}"]
    if verification["ran"]:
        out.append(f"  {verification['findings']} finding(s) in "
                   f"{verification['files_with_findings']} file(s); "
                   f"{len(verification['review_required'])} file(s) flagged for review; "
                   f"{verification.get('files_failed', 0)} file(s) failed")
        for f in verification["details"]:
            out.append(f"  finding {f['file']}: {f['path'] or '-'}: {f['kind']} ({f['what']})")
        for r in verification["review_required"]:
            out.append(f"  review  {r['file']}: {', '.join(r['flags'])}")
    else:
        out.append(f"  {verification['scope']}")
    manifest = record["manifest"]
    out += ["", f"Manifest ({manifest['algorithm']} and path of every file released; "
                "check with: dicomtab verify OUTDIR)"]
    out += [f"{f['sha256']}  {f['path']}" for f in manifest["files"]]
    return "\n".join(out) + "\n"


# -- files ------------------------------------------------------------------------------------

def record_paths(base: Path) -> tuple[Path, Path]:
    """The JSON and text files of a record named ``base`` (a ``.json``/``.txt`` suffix of
    ``base`` itself is dropped: ``rec.json`` names ``rec.json`` and ``rec.txt``)."""
    if base.suffix in (".json", ".txt"):
        base = base.with_suffix("")
    return base.with_name(base.name + ".json"), base.with_name(base.name + ".txt")


def record_json_bytes(record: dict[str, Any]) -> bytes:
    """The bytes of a record's JSON file (the CLI's and the tab's alike)."""
    return (json.dumps(record, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def write_record(base: Path, record: dict[str, Any]) -> tuple[Path, Path, str]:
    """Write ``base``.json and ``base``.txt; returns both paths and the JSON's sha256 (to send
    apart from the release, so a recipient can tell that the record itself is unchanged)."""
    json_path, text_path = record_paths(base)
    data = record_json_bytes(record)
    json_path.write_bytes(data)
    text_path.write_text(record_text(record), encoding="utf-8")
    return json_path, text_path, hashlib.sha256(data).hexdigest()


def read_record(path: Path) -> dict[str, Any]:
    """A release record read back; PolicyError when the file is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise PolicyError(f"{path} is not a readable release record (JSON)") from None
    if not isinstance(data, dict) or data.get("record") != RECORD_KIND:
        raise PolicyError(f"{path} is not a dicomtab release record")
    return data


@dataclass(frozen=True)
class ManifestProblem:
    """A file that does not match the manifest: ``altered``, ``missing`` or ``not-in-manifest``."""

    path: str
    kind: str

    def __str__(self) -> str:
        return f"{self.path}: {self.kind}"


def compare_manifest(record: dict[str, Any], actual: dict[str, str]) -> list[ManifestProblem]:
    """Problems between the record's manifest and ``actual`` (path -> sha256 of each file)."""
    listed = {f["path"]: f["sha256"] for f in record["manifest"]["files"]}
    problems = [
        ManifestProblem(path, "missing" if path not in actual else "altered")
        for path, digest in sorted(listed.items()) if actual.get(path) != digest
    ]
    problems += [ManifestProblem(p, "not-in-manifest") for p in sorted(set(actual) - set(listed))]
    return problems


def sha256_file(path: Path) -> str:
    """sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_folder(folder: Path, record: dict[str, Any],
                 ignore: frozenset[Path] = frozenset()) -> list[ManifestProblem]:
    """Compare every file under ``folder`` (except ``ignore``, e.g. the record) to the record."""
    skip = {p.resolve() for p in ignore}
    actual = {
        p.relative_to(folder).as_posix(): sha256_file(p)
        for p in sorted(folder.rglob("*")) if p.is_file() and p.resolve() not in skip
    }
    return compare_manifest(record, actual)
