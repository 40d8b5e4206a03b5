"""The inspector's entry points for the browser worker: session + ids in, JSON-able data out.

:mod:`dicomtab.worker_api` wraps each of these in its ``_run`` (JSON string, typed errors as
data); they are plain functions so that they are tested here without the worker.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

from dicomtab.errors import UsageError
from dicomtab.inspect import classify
from dicomtab.inspect import dicomdir as dicomdir_module
from dicomtab.inspect import diff as diff_module
from dicomtab.inspect import search as search_module
from dicomtab.inspect import tree as tree_module
from dicomtab.inspect.export_json import to_json_model
from dicomtab.inspect.export_text import dump, to_csv
from dicomtab.inspect.partial import Inspected, load, of_instance
from dicomtab.reading import OpenedFile
from dicomtab.session import Session
from dicomtab.summary import summarize

#: Instances a series comparison accepts at once.
MAX_SERIES = 2000


def _get(session: Session, instance_id: str) -> Inspected:
    return of_instance(session.get(instance_id, damaged=True))


def _keep(inspected: Inspected, phi_only: bool) -> set[str] | None:
    if not phi_only:
        return None
    return classify.phi_paths(inspected.all_elements, tree_module.phi_of(inspected))


def open_damaged(session: Session, data: bytes, name: str) -> dict[str, Any]:
    """Open a file the session refused as truncated or damaged, for inspection only.

    A sound file is refused here (open it with ``open_file``); so are files with nothing
    to show (empty, not DICOM), with the same errors ``open_file`` gives.
    """
    inspected = load(data, name)
    if inspected.problem is None:
        raise UsageError(f"{name} is not damaged; open it as a normal file.")
    opened = OpenedFile(inspected.dataset, len(data), bool(inspected.meta), list(inspected.notes))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom's warnings quote values
        summary = summarize(opened)
    return session.add_damaged(data, name, {**summary, "problem": inspected.problem.to_dict()},
                               {"inspected": inspected})


def tags(
    session: Session,
    instance_id: str,
    binary: str = "inline",
    include_meta: bool = False,
    phi_only: bool = False,
) -> dict[str, Any]:
    """The DICOM JSON model of an instance (PS3.18 F)."""
    inspected = _get(session, instance_id)
    elements = inspected.all_elements if include_meta else inspected.elements
    return to_json_model(elements, binary=binary, keep=_keep(inspected, phi_only))


def phi_summary(session: Session, instance_id: str) -> dict[str, Any]:
    """Counts of elements per PHI category, and pixel warnings."""
    inspected = _get(session, instance_id)
    return classify.summary(
        inspected.all_elements, tree_module.phi_of(inspected), inspected.dataset
    )


def tree(session: Session, instance_id: str, phi_only: bool = False) -> dict[str, Any]:
    """The element tree as rows (see :mod:`dicomtab.inspect.tree`)."""
    return tree_module.tree(_get(session, instance_id), phi_only=bool(phi_only))


def value_of(session: Session, instance_id: str, path: str) -> dict[str, Any]:
    """The full value of one element."""
    return tree_module.value_of(_get(session, instance_id), path)


def search(session: Session, instance_id: str, query: str) -> dict[str, Any]:
    """Paths of the elements matching ``query``."""
    return search_module.search(_get(session, instance_id).all_elements, query)


def diff(session: Session, id_a: str, id_b: str) -> dict[str, Any]:
    """What differs between two instances (file meta included)."""
    a, b = _get(session, id_a), _get(session, id_b)
    return diff_module.diff(a.all_elements, b.all_elements)


def series(session: Session, instance_ids: Iterable[str]) -> dict[str, Any]:
    """Which elements vary across these instances (a series) and which are constant."""
    ids = [str(i) for i in instance_ids]
    if len(ids) < 2:
        raise UsageError("Choose at least two instances to compare.")
    if len(ids) > MAX_SERIES:
        raise UsageError(f"Compare at most {MAX_SERIES} instances at once.")
    # Each instance is parsed once (the store keeps only the last few); their element trees
    # share the session's bytes for binary values, so holding them all copies no pixel data.
    trees = [_get(session, i).elements for i in ids]
    return {"instanceIds": ids, **diff_module.series(trees)}


def export_csv(session: Session, instance_id: str, phi_only: bool = False) -> str:
    """The flat view as CSV text."""
    inspected = _get(session, instance_id)
    return to_csv(inspected, keep=_keep(inspected, phi_only))


def export_dump(session: Session, instance_id: str, phi_only: bool = False) -> str:
    """The dcmdump-style text."""
    inspected = _get(session, instance_id)
    return dump(inspected, keep=_keep(inspected, phi_only))


def dicomdir(session: Session, instance_id: str) -> dict[str, Any]:
    """The patient → study → series → instance tree a DICOMDIR's records describe.

    The DICOMDIR is an instance the session opened (``open_file``); see
    :func:`dicomtab.inspect.dicomdir.read_dicomdir` for the result.
    """
    if not isinstance(instance_id, str):
        raise UsageError("An instance id must be a string such as 'i1'.")
    instance = session.get(instance_id)
    return dicomdir_module.read_dicomdir(instance.data, instance.name)
