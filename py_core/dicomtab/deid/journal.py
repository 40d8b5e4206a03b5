"""The journal of a batch in progress, so that an interrupted run can be resumed.

While ``dicomtab deid`` runs, each group of inputs it has finished (a chunk of a Dask task, or
every :data:`GROUP` files of one process) is recorded in ``OUTDIR/.dicomtab-journal/``: for
each output written, its outcome (output path, sha256, flags, element records, findings: what
the release record and the audit hold) under a keyed hash of the input's name, never the name
(file names may identify). The crosswalk pairs (original identifiers) are kept apart, beside
the crosswalk file, and only when a crosswalk is asked for. Each part is written under a
temporary name and renamed, so a part is complete or absent.

``--resume`` reads the journal: an input whose output is in place with the recorded sha256 is
not done again, and its recorded outcome goes into the release record with the others. Only
entries of the same job count: each carries a fingerprint of the profile, the templates and
the options (:func:`job_fingerprint`), so a run resumed with other settings redoes what an
earlier one wrote; a part that cannot be read (edited, damaged) is passed over the same way.
When every input is done the journal is removed; the release record replaces it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from dataclasses import fields
from pathlib import Path
from typing import Any

from dicomtab.deid.batch import FileOutcome
from dicomtab.deid.engine import ElementRecord
from dicomtab.deid.folders import Folder, LocalFolder, folder_at
from dicomtab.deid.keys import Key
from dicomtab.deid.profile import Profile
from dicomtab.deid.regions import Templates
from dicomtab.deid.verify import Finding

#: The journal's folder inside the output folder.
FOLDER = ".dicomtab-journal"
#: Outcomes per part when one process runs the batch.
GROUP = 16

#: (input name, outcome, crosswalk pairs) of one finished input.
Entry = tuple[str, FileOutcome, dict[str, str]]


class Journal:
    """The journal of a batch into ``outdir`` (a path, a URL or a :class:`Folder`) under
    ``key``; ``pairs_dir``: where the crosswalk pairs are kept (a local folder outside
    ``outdir``), None when no crosswalk is written."""

    def __init__(self, outdir: Path | str | Folder, key: Key,
                 pairs_dir: Path | None = None, job: str = "") -> None:
        self.outdir: Folder = outdir if not isinstance(outdir, Path | str) else folder_at(outdir)
        self.key = key
        self.pairs: Folder | None = None if pairs_dir is None else LocalFolder(pairs_dir)
        #: The job's fingerprint (job_fingerprint): entries of other jobs are not used.
        self.job = job

    def for_job(self, job: str) -> Journal:
        """This journal, for the job with fingerprint ``job``."""
        made = Journal(self.outdir, self.key, job=job)
        made.pairs = self.pairs
        return made

    def input_key(self, name: str) -> str:
        """How the journal names an input: a keyed hash of its name."""
        return self.key.digest("resume-journal", name).hex()[:32]

    def record(self, entries: list[Entry]) -> None:
        """Add the finished inputs whose output was written (a failed one is done again)."""
        written = [e for e in entries if e[1].output is not None]
        if not written:
            return
        part = f"{uuid.uuid4().hex}.json"
        if self.pairs is not None:
            self.pairs.write(part, _json({self.input_key(name): pairs
                                          for name, _, pairs in written}))
        self.outdir.write(f"{FOLDER}/{part}", _json([
            {"input": self.input_key(name), "job": self.job, "outcome": _to_json(outcome)}
            for name, outcome, _ in written]))

    def done_before(self, names: list[str]) -> dict[int, tuple[FileOutcome, dict[str, str]]]:
        """Of the inputs ``names``, by index, those an earlier run recorded whose output is in
        place with the recorded bytes (and whose pairs were kept, when a crosswalk is asked
        for)."""
        outcomes: dict[str, dict[str, Any]] = {}
        for part in self.outdir.names(FOLDER, ".json"):
            entries = _entries(self.outdir, part)
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict) and entry.get("job") == self.job \
                        and isinstance(entry.get("outcome"), dict):
                    outcomes[str(entry.get("input"))] = entry["outcome"]
        pairs: dict[str, dict[str, str]] = {}
        if self.pairs is not None:
            for part in self.pairs.names(".", ".json"):
                found = _entries(self.pairs, part)
                if isinstance(found, dict):
                    pairs.update(found)
        found = {}
        for index, name in enumerate(names):
            hashed = self.input_key(name)
            outcome = outcomes.get(hashed)
            if outcome is None or (self.pairs is not None and hashed not in pairs):
                continue
            try:
                if self.outdir.sha256(outcome["output"]) == outcome["sha256"]:
                    found[index] = (_from_json(outcome, name), pairs.get(hashed, {}))
            except (KeyError, TypeError, ValueError):
                continue  # an entry this version cannot use: the input is done again
        return found

    def remove(self) -> None:
        """The batch is complete: forget the journal."""
        self.outdir.remove(FOLDER)
        if self.pairs is not None:
            self.pairs.remove(".")


def job_fingerprint(profile: Profile, templates: Templates | None, *, verify: bool,
                    allow_damaged: bool) -> str:
    """What makes two runs the same job besides their inputs and key: the profile (all of
    it), the redaction templates (names and sha256) and the options; a short hash."""
    described = json.dumps({
        "profile": _canonical(dataclasses.asdict(profile)),
        "templates": list(templates.sources) if templates else [],
        "verify": verify, "allow_damaged": allow_damaged,
    }, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(described.encode("ascii")).hexdigest()[:32]


def _canonical(value: Any) -> Any:
    """``value`` as JSON whatever the order of its sets and the types of its keys."""
    if isinstance(value, dict):
        return sorted([json.dumps(_canonical(k), sort_keys=True), _canonical(v)]
                      for k, v in value.items())
    if isinstance(value, set | frozenset):
        return sorted(json.dumps(_canonical(v), sort_keys=True) for v in value)
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _canonical(dataclasses.asdict(value))
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


def _entries(folder: Folder, part: str) -> Any:
    """A journal part's content; None if it cannot be read (its inputs are done again)."""
    try:
        return json.loads(folder.read(part))
    except (OSError, ValueError):
        return None


def _json(value: object) -> bytes:
    return json.dumps(value).encode("utf-8")


def _to_json(outcome: FileOutcome) -> dict[str, Any]:
    """What ``dataclasses.asdict`` gives without the source, made directly: asdict copies
    every value deeply, which made journaling cost as much as a third of verifying."""
    data = {name: getattr(outcome, name) for name in _OUTCOME_FIELDS}
    data["records"] = [dict(vars(r)) for r in outcome.records]
    data["findings"] = [dict(vars(f)) for f in outcome.findings]
    return data


_OUTCOME_FIELDS = tuple(f.name for f in fields(FileOutcome) if f.name != "source")


def _from_json(data: dict[str, Any], source: str) -> FileOutcome:
    return FileOutcome(source=source, **{
        **data,
        "records": [ElementRecord(**r) for r in data["records"]],
        "findings": [Finding(**f) for f in data["findings"]],
    })

