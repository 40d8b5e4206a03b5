"""Parsed instances kept for the inspector, per worker session.

The worker's :class:`~dicomtab.worker_api.Session` keeps each file's bytes; the inspector
parses an instance once, on first use, and keeps the result for the next calls (a tree, a
search, an export in a row). Only the last few are kept: each holds an element tree, and a
tab may open hundreds of files.

Files the session refused as truncated or damaged are opened here leniently and get their own
ids (``d1``, ``d2``, …): the session only holds files fit to view and de-identify.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Any

from dicomtab.errors import UsageError
from dicomtab.inspect.partial import Inspected, load
from dicomtab.session_types import OpenInstance, OpenSession

#: Parsed instances kept per session (least recently used dropped first).
CAPACITY = 8


class InspectorStore:
    """The inspector's state for one session."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._parsed: OrderedDict[str, tuple[bytes, Inspected]] = OrderedDict()
        self._damaged: dict[str, Inspected] = {}
        self._next = 1
        #: The last study PHI report (see :mod:`dicomtab.inspect.study_phi`) and the ids it
        #: covers: a row's values are asked for right after it, from the same files.
        self._report: tuple[tuple[str, ...], Any] | None = None

    def add_damaged(self, inspected: Inspected) -> str:
        """Keep a leniently opened file; return its id."""
        instance_id = f"d{self._next}"
        self._next += 1
        self._damaged[instance_id] = inspected
        return instance_id

    def damaged_ids(self) -> list[str]:
        """Ids of the damaged files opened for inspection, in opening order."""
        return list(self._damaged)

    def report(self, ids: tuple[str, ...]) -> Any:
        """The last report made over exactly ``ids``, or None."""
        return self._report[1] if self._report is not None and self._report[0] == ids else None

    def keep_report(self, ids: tuple[str, ...], report: Any) -> None:
        """Keep ``report`` (over ``ids``) for the next calls, in place of the previous one."""
        self._report = (ids, report)

    def get(self, session: OpenSession, instance_id: str) -> Inspected:
        """The parsed instance with this id (parsing it now if needed), or a UsageError."""
        if not isinstance(instance_id, str):
            raise UsageError("An instance id must be a string such as 'i1'.")
        damaged = self._damaged.get(instance_id)
        if damaged is not None:
            return damaged
        instance: OpenInstance = session.get(instance_id)
        cached = self._parsed.get(instance_id)
        # The bytes' identity guards against a new session that reuses the same ids.
        if cached is not None and cached[0] is instance.data:
            self._parsed.move_to_end(instance_id)
            return cached[1]
        inspected = load(instance.data, instance.name)
        self._parsed[instance_id] = (instance.data, inspected)
        while len(self._parsed) > self._capacity:
            self._parsed.popitem(last=False)
        return inspected

    def adopt(self, other: Any) -> None:
        """Take over the damaged files of ``other``, a store of an earlier import of this
        module (see :mod:`dicomtab.numpy_later`): each is parsed again with the modules
        imported now, so no object of the old pydicom lingers; they keep their ids."""
        for instance_id, old in other._damaged.items():
            self._damaged[instance_id] = load(old.data, old.name)
        self._next = max(self._next, other._next)


_STORES: weakref.WeakKeyDictionary[Any, InspectorStore] = weakref.WeakKeyDictionary()


def store_for(session: Any) -> InspectorStore:
    """The inspector store of ``session`` (created on first use, dropped with the session)."""
    store = _STORES.get(session)
    if store is None:
        store = _STORES[session] = InspectorStore()
    return store
