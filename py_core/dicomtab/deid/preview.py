"""What de-identifying one instance would do, element by element, without storing anything.

The page's preview shows the inspector's comparison (:mod:`dicomtab.inspect.diff`) of the
original with the output the batch would write, each row labelled with the action that made
the change, taken from the engine's own records. Elements the comparison finds unchanged are
"kept". The output is made by exactly the batch's code (:func:`dicomtab.deid.batch.Batch`),
so the preview shows what the run will write.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from dicomtab.deid.batch import Batch
from dicomtab.deid.elements import keyword
from dicomtab.deid.engine import ElementRecord
from dicomtab.deid.inputs import InputItem
from dicomtab.deid.keys import Key
from dicomtab.deid.profile import Profile
from dicomtab.errors import DicomtabError, UnsupportedError
from dicomtab.inspect import diff as diff_module
from dicomtab.inspect.nodes import Element
from dicomtab.inspect.partial import Inspected, load

#: The engine's actions (ElementRecord.action) in the words the preview shows.
ACTION_WORDS = {
    "X": "removed",
    "Z": "emptied",
    "D": "replaced",
    "U": "remapped",
    "C": "cleaned",
    "K": "kept",
    "year": "generalised",
    "age90": "generalised",
    "zip3": "generalised",
}


def record_path(path: str) -> str:
    """An inspector path (``00081115/0/0020000E``) as the engine's records write it
    (``ReferencedSeriesSequence[0].SeriesInstanceUID``; ``(0009,1001)`` for a private tag)."""
    parts = path.split("/")
    out = []
    for index in range(0, len(parts), 2):
        tag = int(parts[index], 16)
        name = keyword(tag) or f"({tag >> 16:04X},{tag & 0xFFFF:04X})"
        item = f"[{parts[index + 1]}]." if index + 1 < len(parts) else ""
        out.append(name + item)
    return "".join(out)


def action_word(record: ElementRecord) -> str:
    """The preview's word for what the engine did: a date shift is "shifted"."""
    if record.action == "C" and record.source.endswith("+date-shift"):
        return "shifted"
    return ACTION_WORDS.get(record.action, record.action)


def _labelled(change: dict[str, Any], records: dict[str, ElementRecord]) -> dict[str, Any]:
    record = records.get(record_path(change["path"]))
    if record is not None:
        action, rule = action_word(record), record.source
    elif change["tag"].startswith("(0002,"):
        action, rule = "rebuilt", "file meta information"
    elif change["change"] == "added":
        action, rule = "added", "de-identification marking"
    else:
        action, rule = change["change"], ""
    return {**change, "action": action, "rule": rule}


def _kept(elements: list[Element], changed: set[str]) -> list[dict[str, Any]]:
    """Elements of the original that reach the output unchanged (outside changed sequences)."""
    out = []
    for element in elements:
        if element.meta:
            continue
        if element.path not in changed:
            out.append({"path": element.path, "tag": element.tag_text,
                        "keyword": element.keyword, "name": element.name})
        elif element.items:
            for item in element.items:
                out += _kept(item.elements, changed)
    return out


def preview(original: Inspected, item: InputItem, profile: Profile, key: Key) -> dict[str, Any]:
    """The changes de-identifying ``item`` (whose parsed form is ``original``) would make.

    Returns ``{output, flags, changes: [diff entry & {action, rule}], counts: {action: n},
    kept: [{path, tag, keyword, name}]}``; raises the error the batch would report.
    """
    batch = Batch(profile, key, verify=False)
    outcome, data = batch.process(item)
    if data is None or outcome.error is not None:
        error = outcome.error or {}
        raise _as_error(error)
    after = load(data, "preview")
    records = {r.path: r for r in outcome.records}
    changes = [_labelled(c, records)
               for c in diff_module.diff(original.all_elements, after.all_elements)["changes"]]
    changed = {c["path"] for c in changes}
    kept = _kept(original.elements, changed)
    counts = Counter(c["action"] for c in changes)
    counts["kept"] += len(kept)
    return {
        "output": outcome.output,
        "flags": list(outcome.flags),
        "changes": changes,
        "counts": dict(sorted(counts.items())),
        "kept": kept,
    }


def _as_error(error: dict[str, str]) -> DicomtabError:
    exc = UnsupportedError(error.get("message", "the file could not be de-identified"))
    exc.code = error.get("code", exc.code)
    return exc
