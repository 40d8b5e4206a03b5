"""A file's bytes, kept in memory while a byte budget allows, read again when needed.

In the browser the worker is given each opened file as a ``File`` (a handle to the user's
disk, or to the page's memory for a ZIP entry) and can read it again at any time. So it need
not keep every opened file's bytes in WebAssembly memory, which is capped at a few GB: the
most recently used files stay resident up to a budget, the others are dropped and read again
on their next use (a view, a de-identification, an export). A file given without a way to
read it again (CPython callers, tests) always stays resident.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from dicomtab.errors import UnsupportedError

#: Bytes of opened files kept resident in the browser worker (the others are read again from
#: their File when used). Their parses (inspector, viewer) have a budget of their own
#: (dicomtab.session.DEFAULT_PARSED_BUDGET).
DEFAULT_BUDGET = 128 * 1024 * 1024


class ByteBudget:
    """The resident files, least recently used first, and how many bytes they hold."""

    def __init__(self, limit: int = DEFAULT_BUDGET) -> None:
        self.limit = limit
        self.used = 0
        self._resident: OrderedDict[int, FileBytes] = OrderedDict()

    def release(self, owner: FileBytes) -> None:
        """``owner`` is closed: drop its bytes and stop counting them."""
        if self._resident.pop(id(owner), None) is not None:
            self.used -= owner.size
        owner.forget()

    def hold(self, owner: FileBytes, size: int) -> None:
        """``owner`` holds ``size`` bytes now; drop the least recently used others beyond the
        limit (only those that can be read again)."""
        key = id(owner)
        if key not in self._resident:
            self.used += size
        self._resident[key] = owner
        self._resident.move_to_end(key)
        for other_key in list(self._resident):
            if self.used <= self.limit:
                break
            other = self._resident[other_key]
            if other is not owner and other.can_reread:
                del self._resident[other_key]
                self.used -= other.drop()


class FileBytes:
    """One file's bytes: resident, or read again through ``reader`` when asked for."""

    def __init__(self, data: bytes, name: str, reader: Callable[[], bytes] | None,
                 budget: ByteBudget, dropped: Callable[[], None] | None = None) -> None:
        self.name = name
        self._data: bytes | None = data
        self._reader = reader
        self._budget = budget
        #: Called when the bytes are dropped (what was made from them goes with them).
        self._dropped = dropped
        self.size = len(data)
        budget.hold(self, self.size)

    @classmethod
    def unread(cls, name: str, size: int, reader: Callable[[], bytes], budget: ByteBudget,
               dropped: Callable[[], None] | None = None) -> FileBytes:
        """A file of ``size`` bytes not read yet (only its header was, see
        :mod:`dicomtab.file_head`): ``reader`` reads it on first use."""
        made = cls.__new__(cls)
        made.name, made._data, made._reader, made.size, made._budget, made._dropped = (
            name, None, reader, size, budget, dropped)
        return made

    @classmethod
    def taken_over(cls, other: FileBytes, budget: ByteBudget,
                   dropped: Callable[[], None] | None = None) -> FileBytes:
        """``other`` (perhaps of an earlier import of this module, see
        :mod:`dicomtab.numpy_later`) under ``budget``: resident only if it is now."""
        made = cls.__new__(cls)
        made.name, made._data, made._reader, made.size = (
            other.name, other._data, other._reader, other.size)
        made._budget, made._dropped = budget, dropped
        if made._data is not None:
            budget.hold(made, made.size)
        return made

    @property
    def can_reread(self) -> bool:
        """Whether the bytes can be dropped (there is a way to read them again)."""
        return self._reader is not None

    @property
    def resident(self) -> bool:
        """Whether the bytes are in memory now."""
        return self._data is not None

    def get(self) -> bytes:
        """The file's bytes (read again if they were dropped)."""
        data = self._data
        if data is None:
            assert self._reader is not None
            try:
                data = self._reader()
            except Exception as exc:  # the browser's NotReadableError and its kin
                raise UnsupportedError(
                    f"{self.name} could not be read again ({type(exc).__name__}): it was "
                    "changed, moved or deleted since it was opened; open it again."
                ) from None
            if len(data) != self.size:
                raise UnsupportedError(
                    f"{self.name} changed since it was opened (its size differs); open it again."
                )
            self._data = data
        self._budget.hold(self, self.size)
        return data

    def drop(self) -> int:
        """Forget the bytes (they can be read again); returns how many were freed."""
        self.forget()
        return self.size

    def forget(self) -> None:
        """Forget the bytes, and tell the owner (see ``dropped``)."""
        self._data = None
        if self._dropped is not None:
            self._dropped()
