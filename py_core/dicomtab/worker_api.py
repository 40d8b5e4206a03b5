"""What the browser worker calls: JSON-shaped results, never an exception.

``web/worker.js`` is a thin adapter: it hands file bytes and names to these functions and
posts their results to the page. Everything here is plain Python (tested under CPython); the
only concession to the browser is accepting a buffer proxy that has ``to_bytes()``.

A result is ``{"status": "success", "payload": ...}`` or ``{"status": "failed", "error":
{"code", "message"}}``. Messages come from :mod:`dicomtab.errors` and quote no values from
the file; an unexpected failure is reported by exception class only, with its traceback
(file, line and function names only: no message, no source text) printed for developers.
"""

from __future__ import annotations

import importlib.machinery
import json
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any, Protocol

from dicomtab import __version__
from dicomtab.errors import DicomtabError, UsageError
from dicomtab.reading import open_dataset, quiet_pydicom
from dicomtab.summary import summarize


class _BufferProxy(Protocol):
    def to_bytes(self) -> bytes: ...


@dataclass
class _Instance:
    name: str
    data: bytes
    summary: dict[str, Any]


class Session:
    """The files opened in one tab, kept in memory only, keyed by instance id."""

    def __init__(self) -> None:
        self._instances: dict[str, _Instance] = {}
        self._next = 1

    def open(self, data: bytes, name: str) -> dict[str, Any]:
        """Parse a file's tags (not its pixels) and remember it; return id and summary."""
        opened = open_dataset(data, name, stop_before_pixels=True)
        instance_id = f"i{self._next}"
        self._next += 1
        summary = {"instanceId": instance_id, "fileName": name, **summarize(opened)}
        self._instances[instance_id] = _Instance(name=name, data=data, summary=summary)
        return summary

    def instances(self) -> list[dict[str, Any]]:
        """Summaries of every open instance, in the order they were opened."""
        return [instance.summary for instance in self._instances.values()]

    def get(self, instance_id: str) -> _Instance:
        """The instance with this id, or a UsageError."""
        try:
            return self._instances[instance_id]
        except KeyError:
            raise UsageError(f"No open instance has the id {instance_id!r}.") from None

    def adopt(self, other: Session) -> None:
        """Take over the instances of ``other``, a session of an earlier import of this module
        (see :mod:`dicomtab.numpy_later`); they keep their ids."""
        self._instances = {
            key: _Instance(name=old.name, data=old.data, summary=old.summary)
            for key, old in other._instances.items()
        }
        self._next = other._next


SESSION = Session()


def _as_bytes(data: bytes | bytearray | memoryview | _BufferProxy) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    return data.to_bytes()  # a JS Uint8Array proxied by Pyodide


def _failed(code: str, message: str) -> dict[str, Any]:
    return {"status": "failed", "error": {"code": code, "message": message}}


def _run(action: Any, *args: Any) -> str:
    """Run ``action`` and return its result (or failure) as a JSON string."""
    try:
        # pydicom decodes values lazily and warns about bad ones by quoting them.
        with quiet_pydicom():
            result = {"status": "success", "payload": action(*args)}
    except DicomtabError as exc:
        result = _failed(exc.code, exc.message)
    except Exception as exc:
        # The message of an unexpected exception may quote file content: print only where
        # it happened, and give the user the class name.
        print(f"dicomtab internal error {type(exc).__name__}, at:", file=sys.stderr)
        for frame in traceback.extract_tb(exc.__traceback__):
            print(f"  {frame.filename}:{frame.lineno} in {frame.name}", file=sys.stderr)
        result = _failed(
            "internal", f"Internal error ({type(exc).__name__}); the file was not processed."
        )
    return json.dumps(result, ensure_ascii=False)


def open_file(data: bytes | bytearray | memoryview | _BufferProxy, name: str) -> str:
    """Open one file (its bytes and its display name); JSON result with the summary."""
    return _run(lambda: SESSION.open(_as_bytes(data), name))


def list_instances() -> str:
    """JSON result with the summaries of every open instance."""
    return _run(SESSION.instances)


def resume_after_snapshot() -> None:
    """Undo what a memory snapshot froze; the worker calls this once after restoring one.

    The snapshot is Python's memory as the build left it, identical for every visitor:
    ``random`` would replay the same sequence everywhere, and the import system's directory
    caches describe the build's files. ``os.urandom`` and ``secrets`` ask the browser every
    time, and local times (``time.localtime``, ``datetime.now().astimezone()``) take the
    browser's clock and UTC offset on every call. Only the zone's *name* (``time.tzname``,
    ``%Z``) and ``time.timezone``, fixed when the interpreter started (Pyodide has no
    ``time.tzset``), stay the build's "UTC"; nothing in the core uses them.
    """
    # Only the folders' finders: importlib.invalidate_caches() would also make the stdlib's
    # zipimporter re-read its whole directory, 0.3 s of Python in the browser.
    for finder in list(sys.path_importer_cache.values()):
        if isinstance(finder, importlib.machinery.FileFinder):
            finder.invalidate_caches()
    random.seed()


def version() -> str:
    """The core's version, for the page's about line."""
    return __version__


# -- Tag inspector (issue #4) -------------------------------------------------------------
# Thin wrappers over dicomtab.inspect.api. The inspector is imported on first use (inside
# _run, so that even a failed import comes back as a result) and opening files, the worker's
# start-up path, does not pay for it.


def _inspector() -> Any:
    from dicomtab.inspect import api

    return api


def open_damaged(data: bytes | bytearray | memoryview | _BufferProxy, name: str) -> str:
    """Open a file ``open_file`` refused as truncated/damaged, for the tag inspector only."""
    return _run(lambda: _inspector().open_damaged(SESSION, _as_bytes(data), name))


def tags(instance_id: str, binary: str = "inline", include_meta: bool = False,
         phi_only: bool = False) -> str:
    """JSON result with the instance's DICOM JSON model (binary "inline" or "omit")."""
    return _run(lambda: _inspector().tags(SESSION, instance_id, binary, include_meta, phi_only))


def phi_summary(instance_id: str) -> str:
    """JSON result with the counts per PHI category and the pixel warnings."""
    return _run(lambda: _inspector().phi_summary(SESSION, instance_id))


def tree(instance_id: str, phi_only: bool = False) -> str:
    """JSON result with the element tree as rows."""
    return _run(lambda: _inspector().tree(SESSION, instance_id, phi_only))


def value_of(instance_id: str, path: str) -> str:
    """JSON result with the full value of the element at ``path``."""
    return _run(lambda: _inspector().value_of(SESSION, instance_id, path))


def search(instance_id: str, query: str) -> str:
    """JSON result with the paths of elements matching ``query``."""
    return _run(lambda: _inspector().search(SESSION, instance_id, query))


def diff(id_a: str, id_b: str) -> str:
    """JSON result with the added, removed and changed elements from ``id_a`` to ``id_b``."""
    return _run(lambda: _inspector().diff(SESSION, id_a, id_b))


def series_diff(instance_ids: Any) -> str:
    """JSON result with the elements that vary / are constant across these instances."""
    return _run(lambda: _inspector().series(SESSION, list(instance_ids)))


def export_csv(instance_id: str, phi_only: bool = False) -> str:
    """JSON result whose payload is the flat view as CSV text."""
    return _run(lambda: _inspector().export_csv(SESSION, instance_id, phi_only))


def export_dump(instance_id: str, phi_only: bool = False) -> str:
    """JSON result whose payload is the dcmdump-style text."""
    return _run(lambda: _inspector().export_dump(SESSION, instance_id, phi_only))
