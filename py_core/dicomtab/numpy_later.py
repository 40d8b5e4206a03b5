"""numpy for pixels, installed after the core was imported without it.

The browser worker starts Python without numpy: reading tags and summaries never needs it,
and loading it (its compiled modules, ~0.7 s) plus importing it was a third of start-up.
pydicom, however, decides once, when it is imported, whether numpy is there
(``pydicom.config.have_numpy`` and a ``HAVE_NP`` flag in many pixel modules). So a worker that
needs pixels installs numpy (writes its files into site-packages), then calls
:func:`reimport_with_numpy` and uses the module it returns from then on, in place of the
``dicomtab.worker_api`` it held. Under CPython, where numpy is installed from the start, the
call changes nothing.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
from types import ModuleType


def _stale(name: str) -> bool:
    return name == "pydicom" or name.startswith(("pydicom.", "dicomtab."))


def _forget_folder_listings() -> None:
    """The worker has just written numpy's files into site-packages: make the import system
    list folders again. Only the folders' finders: ``importlib.invalidate_caches()`` also
    makes the stdlib's zip importer read its archive's index again (~0.15 s in the tab)."""
    for finder in list(sys.path_importer_cache.values()):
        if isinstance(finder, importlib.machinery.FileFinder):
            finder.invalidate_caches()


def reimport_with_numpy() -> ModuleType:
    """Import pydicom and the core anew so they use numpy; return the new ``worker_api``.

    The files open in the old session stay open in the new one (same ids, same summaries),
    those opened as damaged (``d1``...) too. What was parsed of them, by the old modules, is
    not taken over: the new session's cache is made again on demand under the new modules.

    Raises:
        ImportError: numpy is still not installed.
    """
    _forget_folder_listings()
    import numpy  # noqa: F401  (first: if numpy is missing, nothing is torn down)
    import pydicom.config

    old_api = importlib.import_module("dicomtab.worker_api")
    if pydicom.config.have_numpy:
        return old_api
    for name in [n for n in sys.modules if _stale(n)]:
        del sys.modules[name]
    new_api = importlib.import_module("dicomtab.worker_api")
    new_api.SESSION.adopt(old_api.SESSION)
    return new_api
