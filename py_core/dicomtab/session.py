"""The files open in one tab: each instance once, and everything parsed from it.

An open instance is its name, its summary and its bytes (kept resident while a byte budget
allows, read again from the user's file otherwise: :mod:`dicomtab.file_bytes`). What the
inspector, the viewer and the de-identification parse from those bytes (an element tree, a
data set with a view of the pixels, a header) is kept here too, per instance and kind, in
one cache with a budget of its own: the least recently used parses are dropped beyond it and
made again from the bytes on their next use. Closing an instance forgets all of it at once;
so does dropping its bytes (a parse holds views of them, so keeping it would keep them).

Files the session refused as truncated or damaged can be opened for inspection only
(:meth:`Session.add_damaged`): they get ids of their own (``d1``, ``d2``, …), are never
listed, and :meth:`Session.get` does not hand them to the viewer or a de-identification run.

This module imports nothing that parses beyond what opening a file needs (the worker's
start-up path): the parsers are handed in by the modules that use them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from dicomtab.errors import UsageError
from dicomtab.file_bytes import DEFAULT_BUDGET, ByteBudget, FileBytes
from dicomtab.file_head import Reader, header_bytes
from dicomtab.reading import OpenedFile, open_dataset
from dicomtab.structure import StructureReport
from dicomtab.summary import HEADER_TAGS, is_dicomdir, summarize

#: Bytes the parses of open instances may hold (an estimate, see ParsedCache.cost): at least
#: 64 parses, where the inspector kept 8 and the viewer 4 before they shared this cache.
DEFAULT_PARSED_BUDGET = 64 * 1024 * 1024  # dicomtab.memory scales it by the device
#: What one parse is counted at, at least: its Python objects, however small the file.
MIN_PARSED_COST = 1024 * 1024

T = TypeVar("T")


class ParsedCache:
    """Parses of open instances by (instance id, kind), least recently used first, held to
    a budget of estimated bytes."""

    def __init__(self, limit: int = DEFAULT_PARSED_BUDGET) -> None:
        self.limit = limit
        self.used = 0
        self._entries: OrderedDict[tuple[str, str], tuple[Any, int]] = OrderedDict()

    @staticmethod
    def cost(size: int) -> int:
        """The estimated bytes a parse holds that copies ``size`` bytes of its file (see
        Instance.parse_size), and never less than MIN_PARSED_COST for its objects."""
        return max(size, MIN_PARSED_COST)

    def get(self, instance_id: str, kind: str, make: Callable[[], T], size: int) -> T:
        """The ``kind`` parse of an instance of ``size`` bytes, made by ``make`` if it is
        not held; the least recently used others are dropped beyond the budget."""
        key = (instance_id, kind)
        held = self._entries.get(key)
        if held is not None:
            self._entries.move_to_end(key)
            value: T = held[0]
            return value
        value = make()
        cost = self.cost(size)
        self._entries[key] = (value, cost)
        self.used += cost
        while self.used > self.limit and len(self._entries) > 1:
            _, (_, freed) = self._entries.popitem(last=False)
            self.used -= freed
        return value

    def put(self, instance_id: str, kind: str, value: Any, size: int) -> None:
        """Hold ``value`` as the ``kind`` parse of an instance (made before it was added)."""
        self.get(instance_id, kind, lambda: value, size)

    def kinds(self, instance_id: str) -> list[str]:
        """The kinds of parse held for an instance, least recently used first."""
        return [kind for (held_id, kind) in self._entries if held_id == instance_id]

    def forget(self, instance_id: str) -> None:
        """Drop every parse of an instance."""
        for key in [key for key in self._entries if key[0] == instance_id]:
            self.used -= self._entries.pop(key)[1]

    def clear(self) -> None:
        """Drop every parse."""
        self._entries.clear()
        self.used = 0


class Instance:
    """One open file: its name, summary and bytes, and its parses in the session's cache."""

    def __init__(self, instance_id: str, name: str, content: FileBytes, summary: dict[str, Any],
                 parsed: ParsedCache, report: StructureReport | None, *,
                 damaged: bool = False) -> None:
        self.id = instance_id
        self.name = name
        self.content = content
        self.summary = summary
        #: The structural walk of the file made when it was opened, its offsets the file's
        #: (None if unknown): a parse hands it to open_dataset as ``checked`` rather than
        #: walk the file again. Bytes read again are the same file's (the browser's File
        #: fails to read a file changed since it was chosen; FileBytes checks the size).
        self.report = report
        #: Opened for inspection only: refused as truncated or damaged when opened.
        self.damaged = damaged
        self._parsed = parsed

    @property
    def data(self) -> bytes:
        """The file's bytes (read again from the user's file if they were dropped)."""
        return self.content.get()

    @property
    def parse_size(self) -> int:
        """The bytes of the file a parse holds copies of: all but the pixel value, which
        parses hold as a view of the bytes (counted in the session's byte budget)."""
        span = self.report.pixel_span if self.report is not None else None
        return self.content.size - (span.end - span.start if span is not None else 0)

    def parsed(self, kind: str, parse: Callable[[Instance], T]) -> T:
        """This instance's ``kind`` parse (``"inspected"``, ``"pixels"``): the one held, or
        ``parse(self)`` now."""
        return self._parsed.get(self.id, kind, lambda: parse(self), self.parse_size)


class Session:
    """The files opened in one tab, in memory only, keyed by instance id.

    Files given with a way to read them again (the browser's File) are kept resident only
    up to a byte budget (:mod:`dicomtab.file_bytes`); the others stay resident. Their parses
    are held up to ``parsed_budget`` (see :class:`ParsedCache`).
    """

    def __init__(self, budget: int = DEFAULT_BUDGET,
                 parsed_budget: int = DEFAULT_PARSED_BUDGET) -> None:
        self._instances: dict[str, Instance] = {}
        self._next = 1
        self._next_damaged = 1
        self.budget = ByteBudget(budget)
        self.parsed = ParsedCache(parsed_budget)

    def _forgetter(self, instance_id: str) -> Callable[[], None]:
        """What the bytes of an instance call when they are dropped: a parse holds views of
        the bytes it was made from, so it is dropped with them (or they would stay)."""
        return lambda: self.parsed.forget(instance_id)

    def _add(self, name: str, opened: OpenedFile, report: StructureReport | None,
             content: Callable[[Callable[[], None]], FileBytes]) -> dict[str, Any]:
        number = self._next
        instance_id = f"i{number}"
        self._next += 1
        summary = {"instanceId": instance_id, "fileName": name, **summarize(opened),
                   "dicomdir": is_dicomdir(opened.dataset, name), "damaged": False,
                   "downloadName": f"instance-{number}"}
        self._instances[instance_id] = Instance(
            instance_id, name, content(self._forgetter(instance_id)), summary, self.parsed,
            report)
        return summary

    def open(self, data: bytes, name: str,
             reader: Callable[[], bytes] | None = None) -> dict[str, Any]:
        """Parse a file's tags (not its pixels) and remember it; return id and summary.

        ``reader`` reads the file again later (its bytes may then be dropped meanwhile).
        """
        opened = open_dataset(data, name, stop_before_pixels=True, only=HEADER_TAGS)
        return self._add(name, opened, opened.report,
                         lambda dropped: FileBytes(data, name, reader, self.budget, dropped))

    def open_by_parts(self, first: bytes, size: int, name: str, read: Reader,
                      reader: Callable[[], bytes]) -> dict[str, Any]:
        """As :meth:`open`, reading only the file's header when that is enough: ``first`` is
        its first bytes, ``size`` its size, ``read(start, end)`` reads a slice of it and
        ``reader`` all of it (on first use, or now if the header alone cannot be read)."""
        head = header_bytes(first, size, read)
        if head is None or head.complete:
            return self.open(reader() if head is None else head.data, name, reader)
        assert head.report is not None
        opened = open_dataset(head.data, name, stop_before_pixels=True,
                              checked=(head.report, size), only=HEADER_TAGS, top=head.top)
        return self._add(name, opened, head.report, lambda dropped: FileBytes.unread(
            name, size, reader, self.budget, dropped))

    def add_damaged(self, data: bytes, name: str, summary: dict[str, Any],
                    parsed: dict[str, Any]) -> dict[str, Any]:
        """Keep a file refused as damaged, for inspection only, with what was parsed of it
        (kind → parse); return ``summary`` with its id (``d1``, …) and file name."""
        number = self._next_damaged
        instance_id = f"d{number}"
        self._next_damaged += 1
        # Inspected only: not read as a DICOMDIR even if it was one.
        summary = {"instanceId": instance_id, "fileName": name, **summary, "dicomdir": False,
                   "damaged": True, "downloadName": f"damaged-{number}"}
        content = FileBytes(data, name, None, self.budget, self._forgetter(instance_id))
        self._instances[instance_id] = Instance(instance_id, name, content, summary,
                                                self.parsed, None, damaged=True)
        for kind, value in parsed.items():
            self.parsed.put(instance_id, kind, value, len(data))
        return summary

    def instances(self) -> list[dict[str, Any]]:
        """Summaries of every open instance (not those opened as damaged), in the order
        they were opened."""
        return [i.summary for i in self._instances.values() if not i.damaged]

    def damaged_ids(self) -> list[str]:
        """Ids of the files opened as damaged (for inspection only), in opening order."""
        return [key for key, i in self._instances.items() if i.damaged]

    def get(self, instance_id: str, *, damaged: bool = False) -> Instance:
        """The instance with this id, or a UsageError; one opened as damaged only if
        ``damaged`` (the inspector takes those, the viewer and de-identification do not)."""
        if not isinstance(instance_id, str):
            raise UsageError("An instance id must be a string such as 'i1'.")
        instance = self._instances.get(instance_id)
        if instance is None or (instance.damaged and not damaged):
            raise UsageError(f"No open instance has the id {instance_id!r}.")
        return instance

    def close(self, instance_id: str) -> None:
        """Forget an instance: its bytes, its summary and every parse of it."""
        instance = self.get(instance_id, damaged=True)
        del self._instances[instance_id]
        self.parsed.forget(instance_id)
        self.budget.release(instance.content)

    def close_all(self, instance_ids: list[str]) -> list[str]:
        """Close these instances (a series or a study at once), or none of them when one id
        is not open (a UsageError); returns the ids closed, each once, in the order given."""
        wanted = list(dict.fromkeys(instance_ids))
        for instance_id in wanted:
            self.get(instance_id, damaged=True)
        for instance_id in wanted:
            self.close(instance_id)
        return wanted

    def adopt(self, other: Session) -> None:
        """Take over the instances and budgets of ``other``, a session of an earlier import of this module
        (see :mod:`dicomtab.numpy_later`); they keep their ids and their way to be read again.
        Their parses are not taken: made with the modules of the earlier import, they are
        made again on first use."""
        self.parsed.clear()
        self.budget.limit, self.parsed.limit = other.budget.limit, other.parsed.limit
        self._instances = {}
        for key, old in other._instances.items():
            content = FileBytes.taken_over(old.content, self.budget, self._forgetter(key))
            self._instances[key] = Instance(key, old.name, content, old.summary, self.parsed,
                                            old.report, damaged=old.damaged)
        self._next, self._next_damaged = other._next, other._next_damaged
