"""The journal of a batch in progress, so that an interrupted run can be resumed.

While ``dicomtab deid`` runs, each group of inputs it has finished (a chunk of a Dask task, or
every :data:`GROUP` files of one process) is recorded in ``OUTDIR/.dicomtab-journal/``: for
each output written, its outcome (output path, sha256, flags, element records, findings: what
the release record and the audit hold) under a keyed hash of the input's name, never the name
(file names may identify). The crosswalk pairs (original identifiers) are kept apart, beside
the crosswalk file, and only when a crosswalk is asked for. Each part is written under a
temporary name and renamed, so a part is complete or absent.

``--resume`` reads the journal: an input whose output is in place with the recorded sha256 is
not done again, and its recorded outcome goes into the release record with the others. When
every input is done the journal is removed; the release record replaces it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

from dicomtab.deid.batch import FileOutcome
from dicomtab.deid.engine import ElementRecord
from dicomtab.deid.folders import Folder, LocalFolder, folder_at
from dicomtab.deid.keys import Key
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
                 pairs_dir: Path | None = None) -> None:
        self.outdir: Folder = outdir if not isinstance(outdir, Path | str) else folder_at(outdir)
        self.key = key
        self.pairs: Folder | None = None if pairs_dir is None else LocalFolder(pairs_dir)

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
            {"input": self.input_key(name), "outcome": _to_json(outcome)}
            for name, outcome, _ in written]))

    def done_before(self, names: list[str]) -> dict[int, tuple[FileOutcome, dict[str, str]]]:
        """Of the inputs ``names``, by index, those an earlier run recorded whose output is in
        place with the recorded bytes (and whose pairs were kept, when a crosswalk is asked
        for)."""
        outcomes: dict[str, dict[str, Any]] = {}
        for part in self.outdir.names(FOLDER, ".json"):
            for entry in json.loads(self.outdir.read(part)):
                outcomes[entry["input"]] = entry["outcome"]
        pairs: dict[str, dict[str, str]] = {}
        if self.pairs is not None:
            for part in self.pairs.names(".", ".json"):
                pairs.update(json.loads(self.pairs.read(part)))
        found = {}
        for index, name in enumerate(names):
            hashed = self.input_key(name)
            outcome = outcomes.get(hashed)
            if outcome is None or (self.pairs is not None and hashed not in pairs):
                continue
            if self.outdir.sha256(outcome["output"]) == outcome["sha256"]:
                found[index] = (_from_json(outcome, name), pairs.get(hashed, {}))
        return found

    def remove(self) -> None:
        """The batch is complete: forget the journal."""
        self.outdir.remove(FOLDER)
        if self.pairs is not None:
            self.pairs.remove(".")


def _json(value: object) -> bytes:
    return json.dumps(value).encode("utf-8")


def _to_json(outcome: FileOutcome) -> dict[str, Any]:
    data = asdict(outcome)
    del data["source"]
    return data


def _from_json(data: dict[str, Any], source: str) -> FileOutcome:
    return FileOutcome(source=source, **{
        **data,
        "records": [ElementRecord(**r) for r in data["records"]],
        "findings": [Finding(**f) for f in data["findings"]],
    })

