"""De-identification in the browser tab: the worker's side of the page's De-identify workflow.

The page holds the files, the key file's bytes and the output (a ZIP stream or a folder the
user picked); this module holds one run at a time and does everything else with the very code
the CLI runs (:class:`dicomtab.deid.batch.Batch`, :mod:`dicomtab.deid.release`), so the files
the tab writes are byte for byte those of ``dicomtab deid`` with the same profile and key.

A run goes: :meth:`TabDeid.begin` (profile, key, settings) → for each selected instance
:meth:`TabDeid.file` (its output's bytes, de-identified and verified; nothing is stored yet)
→ the page stores them and says so with :meth:`TabDeid.stored` → :meth:`TabDeid.finish`
(the release record, JSON and text) → :meth:`TabDeid.crosswalk` if asked → :meth:`TabDeid.end`,
which forgets the key and every mapping. A cancelled run is ended without a record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from dicomtab.deid.audit import summary
from dicomtab.deid.batch import Batch, FileOutcome, crosswalk_csv
from dicomtab.deid.engine import PIXEL_REVIEW_FLAG, flags_for
from dicomtab.deid.inputs import InputItem
from dicomtab.deid.keys import key_from_bytes, new_key_text
from dicomtab.deid.preview import preview
from dicomtab.deid.profile import (
    HIPAA_METHODS,
    Profile,
    builtin_names,
    load_profile,
    profile_from_bytes,
)
from dicomtab.deid.regions import Templates, template_for, templates_from_json
from dicomtab.deid.release import RECORD_NAME, build_record, record_json_bytes, record_text
from dicomtab.deid.review import DAMAGED_FLAG
from dicomtab.errors import DicomtabError, PolicyError, UsageError
from dicomtab.inspect.partial import of_instance
from dicomtab.reading import open_dataset
from dicomtab.session import Session


def profiles() -> list[dict[str, Any]]:
    """The built-in profiles, each with its one-line summary, for the page's choice."""
    out = []
    for name in builtin_names():
        profile = load_profile(name)
        out.append({
            "name": name,
            "summary": profile.summary,
            "description": profile.description,
            "hipaa": HIPAA_METHODS.get(profile.hipaa or ""),
            "options": sorted(profile.options),
        })
    return out


def profile_of(spec: dict[str, Any]) -> Profile:
    """A profile from the page: ``{"builtin": name}`` or ``{"name": file name, "json": text}``
    (a profile file the user chose; same format as the CLI's)."""
    if not isinstance(spec, dict):
        raise UsageError("Choose a built-in profile or a profile file.")
    if "builtin" in spec:
        name = str(spec["builtin"])
        if name not in builtin_names():
            raise PolicyError(f"no built-in profile named {name!r} "
                              f"(built-in: {', '.join(builtin_names())})")
        return load_profile(name)
    if "json" in spec:
        text = spec["json"]
        raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        return profile_from_bytes(raw, str(spec.get("name") or "profile file"))
    raise UsageError("Choose a built-in profile or a profile file.")


def new_key() -> dict[str, str]:
    """A new key: the key file's text (``dicomtab keygen``'s format) and its fingerprint."""
    text = new_key_text()
    return {"text": text, "fingerprint": key_from_bytes(text.encode("ascii"), "new").fingerprint()}


def key_info(raw: bytes, name: str) -> dict[str, str]:
    """The fingerprint of a key file's bytes; PolicyError naming the file when it is no key."""
    return {"fingerprint": key_from_bytes(raw, name).fingerprint()}


def preview_instance(session: Session, instance_id: str, spec: dict[str, Any], raw_key: bytes,
                     key_name: str) -> dict[str, Any]:
    """What the run would do to one open instance (see :func:`dicomtab.deid.preview.preview`)."""
    profile, key = profile_of(spec), key_from_bytes(raw_key, key_name)
    original = of_instance(session.get(instance_id, damaged=True))
    result = preview(original, _item(session, instance_id), profile, key)
    return {"instanceId": instance_id, "profile": profile.name, **result}


#: Before a run: the file's burned-in text will be looked for and blanked (see flags_before).
PIXEL_CHECK = "pixel-check"


def flags_before(session: Session, instance_ids: list[str], spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The open instances a run under ``spec`` would flag for review (burned-in text, faces,
    voices, overlays), found from their headers before anything is de-identified.

    Each entry has ``flags`` (what the run will flag) and ``checks``: with a profile that
    finds burned-in text itself (``clean_pixels`` "auto"), a file whose pixels may show text
    is not flagged yet but checked (``pixel-check``): the run looks for its text, blanks it,
    and flags the file only if it cannot show that none is left.
    """
    profile = profile_of(spec)
    flagged = []
    for instance_id in instance_ids:
        item = _item(session, instance_id)
        try:
            opened = open_dataset(item.read(), item.name, stop_before_pixels=True)
        except DicomtabError:
            # Refused as damaged on opening: processed only with damaged files allowed, and
            # then always flagged for review.
            flagged.append({"instanceId": instance_id, "flags": [DAMAGED_FLAG], "checks": []})
            continue
        flags = flags_for(opened.dataset, profile)
        if opened.incomplete or opened.suspect is not None:
            flags = [*flags, DAMAGED_FLAG]
        checks = []
        if profile.clean_pixels == "auto" and PIXEL_REVIEW_FLAG in flags:
            flags = [f for f in flags if f != PIXEL_REVIEW_FLAG]
            checks = [PIXEL_CHECK]
        if flags or checks:
            flagged.append({"instanceId": instance_id, "flags": flags, "checks": checks})
    return flagged


def template_text(session: Session, instance_id: str, boxes: list[Any],
                  scope: str) -> dict[str, str]:
    """A redaction template file for boxes drawn on an open instance (see
    :func:`dicomtab.deid.regions.template_for`), as the name to save it under and its JSON."""
    item = _item(session, instance_id)
    source = open_dataset(item.read(), item.name, stop_before_pixels=True).dataset
    template = template_for(source, boxes, scope, item.name)
    return {"name": TEMPLATE_NAME, "text": json.dumps(template, indent=1) + "\n"}


def regions_info(data: bytes, name: str) -> dict[str, Any]:
    """What a redaction template file holds, as the panel lists it (PolicyError if it is
    none): its templates' names and how many boxes each has."""
    templates = templates_from_json(data, name)
    return {"name": name, "templates": [{"name": t.name, "boxes": len(t.boxes)}
                                         for t in templates.templates]}


def _item(session: Session, instance_id: str) -> InputItem:
    """An open instance as a batch input: a sound one, or one refused as damaged on opening
    (``d1``, …) and opened for inspection."""
    instance = session.get(instance_id, damaged=True)
    opened = instance.data
    return InputItem(instance.name, lambda: opened)


def outcome_dict(outcome: FileOutcome) -> dict[str, Any]:
    """One file's outcome as the page shows it: never a value from the file."""
    return {
        "output": outcome.output,
        "error": outcome.error,
        "flags": list(outcome.flags),
        "sha256": outcome.sha256,
        "size": outcome.size,
        "findings": [str(f) for f in outcome.findings],
    }


@dataclass
class _Run:
    batch: Batch
    settings: dict[str, Any]
    operator: str | None
    purpose: str | None
    #: Outputs handed to the page and not yet reported stored, by path.
    pending: dict[str, FileOutcome] = field(default_factory=dict)
    record: dict[str, Any] | None = None


#: What a template drawn in the viewer is saved as (no value from a file in it).
TEMPLATE_NAME = "redaction-template.json"


class TabDeid:
    """The tab's one de-identification run (at most one at a time)."""

    def __init__(self) -> None:
        self._run: _Run | None = None

    def begin(self, spec: dict[str, Any], raw_key: bytes, key_name: str, *, verify: bool = True,
              crosswalk: bool = False, operator: str | None = None,
              purpose: str | None = None, allow_damaged: bool = False,
              regions: list[tuple[str, bytes]] | None = None) -> dict[str, Any]:
        """Start a run (forgetting any earlier one); returns the profile and key fingerprint.

        ``regions``: redaction template files, (name, bytes), as ``deid --regions`` takes them.
        """
        self.end()
        profile, key = profile_of(spec), key_from_bytes(raw_key, key_name)
        templates = Templates()
        for name, data in regions or []:
            templates = templates + templates_from_json(data, name)
        # The same settings the CLI records for the same choices: an audit is not offered here.
        settings = {"verify": bool(verify), "audit_written": False,
                    "crosswalk_written": bool(crosswalk), "allow_damaged": bool(allow_damaged)}
        batch = Batch(profile, key, verify=bool(verify), allow_damaged=bool(allow_damaged),
                      templates=templates)
        self._run = _Run(batch, settings, operator or None, purpose or None)
        return {"profile": profile.name, "hipaa": HIPAA_METHODS.get(profile.hipaa or ""),
                "fingerprint": key.fingerprint(), "recordName": RECORD_NAME}

    def _current(self) -> _Run:
        if self._run is None:
            raise UsageError("No de-identification run is under way; start one first.")
        return self._run

    def file(self, session: Session, instance_id: str) -> tuple[dict[str, Any], bytes | None]:
        """De-identify and verify one open instance; its outcome and output bytes (not stored:
        the page stores them and calls :meth:`stored`). A failed file is entered at once."""
        run = self._current()
        if run.record is not None:
            raise UsageError("This run is finished; start a new one.")
        outcome, data = run.batch.process(_item(session, instance_id))
        if data is None or outcome.output is None:
            run.batch.add(outcome)
            return outcome_dict(outcome), None
        run.pending[outcome.output] = outcome
        return outcome_dict(outcome), data

    def stored(self, path: str, ok: bool, reason: str = "") -> dict[str, Any]:
        """The page stored the output at ``path`` (``ok``), or could not (``reason``)."""
        run = self._current()
        outcome = run.pending.pop(path, None)
        if outcome is None:
            raise UsageError("No output of this run is waiting to be stored at that path.")
        if ok:
            run.batch.add(outcome)
        else:
            run.batch.store_failed(outcome, reason or "the browser refused to write it")
        return outcome_dict(outcome)

    def finish(self) -> dict[str, Any]:
        """The release record of the run: data, its JSON and text files, and the counts."""
        run = self._current()
        for outcome in list(run.pending.values()):  # handed out but never stored
            run.batch.store_failed(outcome, "not stored before the run finished")
        run.pending.clear()
        batch = run.batch
        record = build_record(batch.result, batch.profile, batch.key, operator=run.operator,
                              purpose=run.purpose, settings=run.settings)
        run.record = record
        data = record_json_bytes(record)
        return {
            "record": record,
            "json": data.decode("utf-8"),
            "text": record_text(record),
            "names": [f"{RECORD_NAME}.json", f"{RECORD_NAME}.txt"],
            "summary": summary(batch.result),
        }

    def crosswalk(self) -> str:
        """The crosswalk (CSV ``id_old,id_new``) of a finished run that asked for one."""
        run = self._current()
        if run.record is None or not run.settings["crosswalk_written"]:
            raise UsageError("A crosswalk is made only for a finished run that asked for one.")
        return crosswalk_csv(run.batch.result.crosswalk)

    def end(self) -> None:
        """Forget the run: its key, mappings and outcomes."""
        self._run = None
