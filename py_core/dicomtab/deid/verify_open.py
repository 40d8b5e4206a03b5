"""Verify what is open in the tab: ``dicomtab verify`` on the worker session's files.

The files that say they were de-identified (Patient Identity Removed YES) are checked for
residual PHI (:func:`dicomtab.deid.verify.verify_dataset`): against the identifying values of
every open file that does not say so (the originals, when they are open too), with the checks
that need no original, and with Safe Harbor's rules for files a Safe Harbor profile made. A
release record opened with them (``release-record.json``, given here as its name and text)
is checked against the files beside it: each listed file must be open under the record's
folder with the listed sha256. Findings name the file and element path, never a value.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import asdict
from typing import Any

from dicomtab.deid.release import RECORD_KIND, compare_manifest
from dicomtab.deid.verify import Originals, verify_dataset
from dicomtab.errors import DicomtabError, PolicyError
from dicomtab.reading import read_dataset
from dicomtab.session import Session


def _record(name: str, text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise PolicyError(f"{name} is not a readable release record (JSON)") from None
    if not isinstance(data, dict) or data.get("record") != RECORD_KIND:
        raise PolicyError(f"{name} is not a dicomtab release record")
    return data


def _manifest(name: str, text: str, outputs: dict[str, bytes]) -> dict[str, Any]:
    """One record's manifest against the open files under its folder."""
    record = _record(name, text)
    base = name[: name.rfind("/") + 1]
    actual = {path[len(base):]: hashlib.sha256(data).hexdigest()
              for path, data in outputs.items() if path.startswith(base)}
    problems = compare_manifest(record, actual)
    return {"record": name, "listed": len(record["manifest"]["files"]),
            "problems": [{"path": p.path, "kind": p.kind} for p in problems]}


def verify_open(session: Session, instance_ids: list[str] | None,
                records: list[dict[str, str]]) -> dict[str, Any]:
    """Check the open de-identified files (those of ``instance_ids``, else all) and the
    release records opened with them; see the module's docstring."""
    chosen = None if instance_ids is None else set(instance_ids)
    originals, outputs, checked = Originals(), {}, []
    used = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom's warnings quote values
        for summary in session.instances():
            instance_id = summary["instanceId"]
            instance = session.get(instance_id)
            try:
                ds = read_dataset(instance.data, instance.name)
            except DicomtabError:
                continue  # the session only holds files that opened; nothing to add
            if str(ds.get("PatientIdentityRemoved", "")).strip().upper() == "YES":
                outputs[instance.name] = instance.data
                if chosen is None or instance_id in chosen:
                    checked.append((instance, ds))
            else:
                originals.add_dataset(ds)
                used += 1
        findings = []
        for instance, ds in checked:
            found = verify_dataset(ds, instance.name, originals if used else None, instance.data)
            findings += [{k: v for k, v in asdict(f).items() if v is not None} for f in found]
    manifests = [_manifest(r["name"], r["text"], outputs) for r in records]
    problems = sum(len(m["problems"]) for m in manifests)
    result = ("nothing to verify" if not checked
              else "passed" if not findings and not problems else "not passed")
    return {
        "result": result,
        "checked": len(checked),
        "originals": used,
        "findings": findings,
        "filesWithFindings": len({f["file"] for f in findings}),
        "manifests": manifests,
    }
