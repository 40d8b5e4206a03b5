"""De-identify many files: inputs from files, folders (recursive) and ZIPs; outputs in a tree.

Output names carry no PHI: ``<patient pseudonym>/<new Study UID>/<new Series UID>/<new SOP
Instance UID>.dcm``. A file that cannot be processed is reported with a value-free reason and
the batch goes on. Each written file's sha256 is kept for the release record's manifest, and
with ``verify=True`` each output is checked against its own original as soon as it is written.
"""

from __future__ import annotations

import csv
import hashlib
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydicom.dataset import Dataset

from dicomtab.deid.engine import DeidResult, ElementRecord, deidentify
from dicomtab.deid.inputs import InputItem
from dicomtab.deid.keys import Key
from dicomtab.deid.profile import Profile
from dicomtab.deid.verify import Finding, verify_output
from dicomtab.deid.writer import encode
from dicomtab.errors import DicomtabError, PolicyError, UnsupportedError
from dicomtab.reading import read_dataset


@dataclass
class FileOutcome:
    """What happened to one input."""

    source: str
    output: str | None = None
    error: dict[str, str] | None = None
    records: list[ElementRecord] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    #: sha256 and size of the written file (for the release record's manifest).
    sha256: str | None = None
    size: int | None = None
    #: What verification found in the written file (paths relative to the output folder).
    findings: list[Finding] = field(default_factory=list)


@dataclass
class BatchResult:
    """All outcomes plus the original->new pairs a crosswalk would need (never audited)."""

    outcomes: list[FileOutcome] = field(default_factory=list)
    crosswalk: dict[str, str] = field(default_factory=dict)
    #: Whether each written file was verified against its original.
    verified: bool = False

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.error is not None]


def _zip_members(path: Path) -> Iterator[InputItem]:
    with zipfile.ZipFile(path) as zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]

    def reader(member: str) -> Callable[[], bytes]:
        def read() -> bytes:
            with zipfile.ZipFile(path) as zf:
                return zf.read(member)

        return read

    for member in sorted(names):
        yield InputItem(f"{path}:{member}", reader(member))


def _file(path: Path) -> InputItem:
    return InputItem(str(path), path.read_bytes)


def collect_inputs(paths: list[Path]) -> list[InputItem]:
    """Every file under ``paths`` (folders recursively, ZIP members), in a stable order."""
    items: list[InputItem] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                items.append(_file(child))
        elif path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
            items.extend(_zip_members(path))
        elif path.is_file():
            items.append(_file(path))
        else:
            raise PolicyError(f"input {path} does not exist")
    return items


def _inside(child: Path, parent: Path) -> bool:
    child, parent = child.resolve(), parent.resolve()
    return child == parent or parent in child.parents


def check_output_location(outdir: Path, inputs: list[Path], *others: Path | None) -> None:
    """Refuse an output folder inside an input folder, or side files inside the output."""
    for path in inputs:
        folder = path if path.is_dir() else None
        if folder is not None and _inside(outdir, folder):
            raise PolicyError(
                f"the output folder {outdir} is inside the input folder {folder}; "
                "choose an output folder outside every input"
            )
        if _inside(path, outdir):
            raise PolicyError(f"the input {path} is inside the output folder {outdir}")
    for other in others:
        if other is not None and _inside(other, outdir):
            raise PolicyError(
                f"{other} is inside the output folder; crosswalk and audit files must be "
                "kept apart from the de-identified set"
            )


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def output_relpath(result: DeidResult) -> Path:
    """Where a result goes inside the output folder; only pseudonyms and new UIDs."""
    ds = result.dataset
    patient = _UNSAFE.sub("_", result.patient[1]) or "patient"
    parts = [
        patient,
        str(ds.get("StudyInstanceUID", "") or "study"),
        str(ds.get("SeriesInstanceUID", "") or "series"),
        f"{result.sop_instance_uid}.dcm",
    ]
    return Path(*parts)


def process_one(item: InputItem, profile: Profile, key: Key) -> tuple[DeidResult, bytes]:
    """Read, de-identify and encode one input; raises DicomtabError with a value-free reason."""
    _, result, data = _process(item, profile, key)
    return result, data


def _process(item: InputItem, profile: Profile, key: Key) -> tuple[Dataset, DeidResult, bytes]:
    try:
        data = item.read()
    except OSError as exc:
        raise UnsupportedError(f"{item.name} could not be read ({exc.strerror})") from None
    source = read_dataset(data, item.name)
    result = deidentify(source, profile, key)
    if not result.sop_instance_uid or "SOPClassUID" not in result.dataset:
        raise UnsupportedError(
            f"{item.name} has no SOP Class/Instance UID, so it is not a storable DICOM "
            "instance and cannot be written as one"
        )
    try:
        return source, result, encode(result.dataset)
    except Exception as exc:  # pydicom's writer raises many types; the name holds no PHI
        raise UnsupportedError(
            f"{item.name} could not be written after de-identification ({type(exc).__name__})"
        ) from None


def run_batch(
    items: list[InputItem],
    outdir: Path,
    profile: Profile,
    key: Key,
    progress: Callable[[FileOutcome], None] | None = None,
    *,
    verify: bool = False,
    sink: Callable[[str, bytes], None] | None = None,
) -> BatchResult:
    """De-identify ``items`` into ``outdir``; a failing file is recorded, the rest go on.

    ``verify``: check each written file against its own original (see
    :func:`dicomtab.deid.verify.verify_output`); the findings go into its outcome.
    ``sink``: called with each output's path (``patient/study/series/instance.dcm``) and bytes
    instead of writing under ``outdir`` (e.g. the browser worker, which has no file system).
    """
    batch = BatchResult(verified=verify)
    written: set[Path] = set()
    for item in items:
        outcome = FileOutcome(item.name)
        try:
            source, result, data = _process(item, profile, key)
            rel = output_relpath(result)
            if rel in written:
                raise PolicyError(
                    f"{item.name} is the same instance (SOP Instance UID) as an earlier input; "
                    "it was not written twice"
                )
            if sink is not None:
                sink(rel.as_posix(), data)
            else:
                target = outdir / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            written.add(rel)
            outcome.output = rel.as_posix()
            outcome.records, outcome.flags = result.records, result.flags
            outcome.sha256, outcome.size = hashlib.sha256(data).hexdigest(), len(data)
            if verify:
                outcome.findings = verify_output(source, data, rel.as_posix())
            if result.patient[0]:
                batch.crosswalk[result.patient[0]] = result.patient[1]
            if result.patient_name[0]:
                batch.crosswalk[result.patient_name[0]] = result.patient_name[1]
            batch.crosswalk.update(result.uid_map)
        except DicomtabError as exc:
            outcome.error = exc.to_dict()
        except Exception as exc:  # an unforeseen bug must not stop the batch or leak values
            outcome.error = {
                "code": "internal",
                "message": f"{item.name} could not be processed ({type(exc).__name__})",
            }
        batch.outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return batch


def write_crosswalk(path: Path, crosswalk: dict[str, str]) -> None:
    """Original->new identifiers as CSV ``id_old,id_new``; only written when asked for."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id_old", "id_new"])
        for old, new in sorted(crosswalk.items()):
            writer.writerow([old, new])
