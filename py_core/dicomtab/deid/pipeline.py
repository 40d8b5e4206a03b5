"""Reading the next inputs and storing the last outputs on threads, while one file is processed.

A batch spends part of each file waiting on the operating system: reading the input, writing
the output, and hashing it; all three release the GIL. A few inputs are read ahead (by the
kernel, asked to, for a local file; by a thread for a ZIP member or a URL) and one thread
stores the outputs in the order they come (a ZIP stream needs that order), so that this
waiting overlaps the de-identification of the next file instead of adding to it. Both are
bounded (:data:`AHEAD` inputs, :data:`BEHIND` outputs), so memory holds a few files, not the
batch. What the batch decides, and the order of its outcomes, do not change: an outcome is
settled (entered into the result) in input order, and only once its output is stored.

Each system call a thread makes releases the GIL, and taking it back stalls the thread that
de-identifies (it hands the GIL over, and waits to get it back): so the threads read and
write with as few calls as it takes (:func:`dicomtab.deid.inputs.read_file`,
:func:`dicomtab.deid.folders.write_atomically`), and while outputs are stored the GIL is
handed over after :data:`HAND_OFF` rather than Python's 5 ms, so that the storing thread
keeps up.
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from dicomtab.deid.inputs import InputItem

#: Inputs read ahead of the one being processed.
AHEAD = 2
#: Outputs being stored while the next input is processed.
BEHIND = 4
#: Seconds a thread waiting for the GIL waits before it asks for it (Python's default is
#: 0.005) while outputs are stored on a thread. The storing thread needs the GIL back after
#: each of its five system calls a file; at 5 ms a call it fell behind the de-identifying
#: thread, which then waited for it (0.4-0.5 ms a file in a batch of 500 CT files). Each
#: hand-off costs that thread a little too: 1 ms gained less than 2 ms.
HAND_OFF = 0.002

T = TypeVar("T")
R = TypeVar("R")


def worker_thread(name: str) -> Executor:
    """A pool of one thread named ``name``; where Python cannot start threads (Pyodide, the
    tab's runtime) one that runs each call when it is submitted, so that the same batch code
    runs there one file at a time."""
    if sys.platform == "emscripten":
        return _AtOnce()
    return ThreadPoolExecutor(1, thread_name_prefix=name)


class _AtOnce(Executor):
    """Runs each call as it is submitted; its future is already done."""

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Future[R]:
        future: Future[R] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # delivered by result(), as a thread's would be
            future.set_exception(exc)
        return future


def read_ahead(items: Iterable[InputItem], reader: Executor,
               ahead: int = AHEAD) -> Iterator[InputItem]:
    """``items``, each with its bytes already being read: by the kernel for an item that can
    be prefetched (read on the caller's thread when it asks, from memory by then), else on
    ``reader`` (an OSError is raised by its ``read``, as the input's own would)."""
    queued: deque[InputItem] = deque()
    for item in items:
        queued.append(_reading(item, reader))
        if len(queued) > ahead:
            yield queued.popleft()
    while queued:
        yield queued.popleft()


def _reading(item: InputItem, reader: Executor) -> InputItem:
    """``item`` with its bytes on their way."""
    if item.prefetch is not None:
        item.prefetch()
        return item
    return InputItem(item.name, reader.submit(item.read).result)


@dataclass
class _Entry(Generic[T]):
    what: T
    stored: Future[None] | None


class Storing(Generic[T]):
    """Outputs stored one after the other on a thread; settled in the order they were given.

    ``store(data)`` is what storing one output means (write it, hash it...); ``settle(what,
    error)`` is called on the caller's thread for each entry, in order, once its output is
    stored (``error`` None) or failed to be (the OSError); an entry with nothing to store is
    settled in its turn.
    """

    def __init__(self, settle: Callable[[T, OSError | None], None],
                 behind: int = BEHIND) -> None:
        self._settle = settle
        self._behind = behind
        self._pool = worker_thread("dicomtab-store")
        self._queue: deque[_Entry[T]] = deque()
        _prompt_hand_offs(True)

    def add(self, what: T, store: Callable[[], None] | None) -> None:
        """Queue ``what``, storing it with ``store`` if given; settle what is done."""
        self._queue.append(_Entry(what, None if store is None else self._pool.submit(store)))
        self._settle_done(keep=self._behind)

    def settle_all(self) -> None:
        """Wait for every output being stored and settle every entry."""
        self._settle_done(keep=0)

    def _settle_done(self, keep: int) -> None:
        while self._queue:
            head = self._queue[0]
            if len(self._queue) <= keep and head.stored is not None and not head.stored.done():
                return
            self._queue.popleft()
            error: OSError | None = None
            if head.stored is not None:
                try:
                    head.stored.result()
                except OSError as exc:
                    error = exc
            self._settle(head.what, error)

    def close(self) -> None:
        """Stop the thread (after what is queued: call :meth:`settle_all` first)."""
        self._pool.shutdown(wait=True)
        _prompt_hand_offs(False)


class _HandOffs:
    """The switch interval Python had before the first :class:`Storing` (several may run at
    once: the chunks of dicomtab.scale on a worker's threads), put back after the last."""

    lock = threading.Lock()
    storing = 0
    before = 0.005


def _prompt_hand_offs(on: bool) -> None:
    """Shorten the GIL's switch interval to :data:`HAND_OFF` (``on``) or put it back."""
    with _HandOffs.lock:
        if on:
            if _HandOffs.storing == 0:
                _HandOffs.before = sys.getswitchinterval()
                sys.setswitchinterval(min(_HandOffs.before, HAND_OFF))
            _HandOffs.storing += 1
        else:
            _HandOffs.storing -= 1
            if _HandOffs.storing == 0:
                sys.setswitchinterval(_HandOffs.before)
