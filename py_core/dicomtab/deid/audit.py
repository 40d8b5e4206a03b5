"""The audit of a batch: what was done to which element of which file, never with values."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

from dicomtab.deid.batch import BatchResult
from dicomtab.deid.profile import Profile
from dicomtab.deid.table import load_table

CSV_COLUMNS = ("source", "output", "path", "tag", "keyword", "vr", "action", "rule")


def summary(batch: BatchResult) -> dict[str, Any]:
    """Counts for the whole batch."""
    actions: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    for outcome in batch.outcomes:
        actions.update(r.action for r in outcome.records)
        flags.update(outcome.flags)
    return {
        "files": len(batch.outcomes),
        "written": sum(o.output is not None for o in batch.outcomes),
        "failed": len(batch.failed),
        "actions": dict(sorted(actions.items())),
        "flags": dict(sorted(flags.items())),
    }


def audit_document(batch: BatchResult, profile: Profile) -> dict[str, Any]:
    """The audit as data (what the JSON file holds)."""
    return {
        "tool": "dicomtab deid",
        "profile": profile.name,
        "options": sorted(profile.options),
        "standard": load_table().header["basic_profile"]["edition"],
        "summary": summary(batch),
        "files": [
            {
                "source": o.source,
                "output": o.output,
                "error": o.error,
                "flags": o.flags,
                "elements": [r.__dict__ for r in o.records],
            }
            for o in batch.outcomes
        ],
    }


def write_audit(path: Path, batch: BatchResult, profile: Profile) -> Path:
    """Write the JSON audit to ``path`` and the per-element CSV next to it; returns the CSV."""
    path.write_text(json.dumps(audit_document(batch, profile), indent=1) + "\n", encoding="utf-8")
    csv_path = path.with_suffix(".csv")
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for o in batch.outcomes:
            for r in o.records:
                writer.writerow(
                    [o.source, o.output, r.path, r.tag, r.keyword, r.vr, r.action, r.source]
                )
    return csv_path
