"""The inspector's entry points for the browser worker: session + ids in, JSON-able data out.

:mod:`dicomtab.worker_api` wraps each of these in its ``_run`` (JSON string, typed errors as
data); they are plain functions so that they are tested here without the worker.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from typing import Any
from weakref import WeakKeyDictionary

from dicomtab.errors import DicomtabError, UsageError
from dicomtab.inspect import classify
from dicomtab.inspect import dicomdir as dicomdir_module
from dicomtab.inspect import diff as diff_module
from dicomtab.inspect import search as search_module
from dicomtab.inspect import tree as tree_module
from dicomtab.inspect.export_json import to_json_model
from dicomtab.inspect.export_text import dump, to_csv
from dicomtab.inspect.partial import Inspected, load, of_instance
from dicomtab.inspect.study_phi import Source, StudyPhi
from dicomtab.inspect.study_phi_export import to_csv as report_csv
from dicomtab.inspect.study_phi_export import to_html as report_html
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


# -- The study-level PHI report (dicomtab.inspect.study_phi) -----------------------------

#: The last report of each session and the ids it covers: a row's values are asked for right
#: after it, from the same files.
_LAST_REPORT: WeakKeyDictionary[Session, tuple[tuple[str, ...], StudyPhi]] = WeakKeyDictionary()


def _report_ids(session: Session, instance_ids: Iterable[str] | None, study_of: str | None
                ) -> tuple[str, ...]:
    """The ids a report covers: those given (or every open file, damaged ones after the
    others), narrowed to the study of ``study_of`` when given."""
    if instance_ids is None:
        ids = [s["instanceId"] for s in session.instances()] + session.damaged_ids()
    else:
        ids = [str(i) for i in instance_ids]
    if study_of is None:
        return tuple(ids)
    studies = {s["instanceId"]: s["study"]["uid"] for s in session.instances()}

    def study(instance_id: str) -> str | None:
        if instance_id in studies:
            return studies[instance_id]
        try:
            uid = _get(session, instance_id).dataset.get("StudyInstanceUID")
        except DicomtabError:
            return None
        return (str(uid).strip() or None) if uid is not None else None

    wanted = study(str(study_of))
    if wanted is None:
        return (str(study_of),)
    return tuple(i for i in ids if study(i) == wanted)


def _sources(session: Session, ids: tuple[str, ...]) -> Iterator[Source]:
    for instance_id in ids:
        try:
            inspected = _get(session, instance_id)
        except DicomtabError as exc:
            yield Source(instance_id, instance_id, None, exc.message, exc.code)
            continue
        yield Source(instance_id, inspected.name, inspected)


def _report(session: Session, instance_ids: Iterable[str] | None, study_of: str | None) -> StudyPhi:
    ids = _report_ids(session, instance_ids, study_of)
    if not ids:
        raise UsageError("Open some files first: the report covers the open files.")
    kept = _LAST_REPORT.get(session)
    if kept is not None and kept[0] == ids:
        return kept[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom's warnings quote values
        report = StudyPhi(_sources(session, ids))
    _LAST_REPORT[session] = (ids, report)
    return report


def study_phi(session: Session, instance_ids: Iterable[str] | None = None,
              study_of: str | None = None) -> dict[str, Any]:
    """The study PHI report over these instances (all open ones by default; the study of
    ``study_of`` only, when given): counts, never a value."""
    return _report(session, instance_ids, study_of).to_dict()


def study_phi_values(session: Session, key: str, instance_ids: Iterable[str] | None = None,
                     study_of: str | None = None) -> dict[str, Any]:
    """The distinct values of one row of that report (the user asked to see them)."""
    return _report(session, instance_ids, study_of).values(key)


def study_phi_export(session: Session, form: str, values: bool = False,
                     instance_ids: Iterable[str] | None = None,
                     study_of: str | None = None) -> str:
    """That report as CSV (``form`` "csv") or a printable HTML page ("html")."""
    writers = {"csv": report_csv, "html": report_html}
    if form not in writers:
        raise UsageError("The report is exported as csv or html.")
    return writers[form](_report(session, instance_ids, study_of), values=bool(values))
