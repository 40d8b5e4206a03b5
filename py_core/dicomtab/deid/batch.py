"""De-identify many files: inputs from files, folders (recursive) and ZIPs; outputs in a tree.

Output names carry no PHI: ``<patient pseudonym>/<new Study UID>/<new Series UID>/<new SOP
Instance UID>.dcm``. A file that cannot be processed is reported with a value-free reason and
the batch goes on. Each written file's sha256 is kept for the release record's manifest, and
with ``verify=True`` each output is checked against its own original as soon as it is written.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydicom.dataset import Dataset

from dicomtab.deid.damage import Damage, damage_of, drop_unreadable
from dicomtab.deid.elements import ValueStrings
from dicomtab.deid.engine import DeidResult, ElementRecord, deidentify, needs_pixel_review
from dicomtab.deid.folders import write_atomically
from dicomtab.deid.inputs import InputItem, Source
from dicomtab.deid.keys import Key
from dicomtab.deid.pixel_cleaning import PixelCleaning, clean_pixels
from dicomtab.deid.profile import Profile
from dicomtab.deid.regions import Templates, device_layouts
from dicomtab.deid.review import DAMAGED_FLAG
from dicomtab.deid.verify import Finding, verify_output
from dicomtab.deid.writer import encode
from dicomtab.errors import (
    NOT_CAUGHT,
    DicomtabError,
    MalformedFileError,
    OutOfMemoryError,
    PolicyError,
    TruncatedFileError,
    UnsupportedError,
)
from dicomtab.reading import open_dataset

if TYPE_CHECKING:
    from dicomtab.deid.journal import Journal


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
    #: Why the input was damaged, when it was processed as damaged (value-free).
    damaged: str | None = None
    #: What the pixel step did (PixelCleaning.to_dict()); None when no template applied.
    pixels: dict[str, Any] | None = None


@dataclass
class BatchResult:
    """All outcomes plus the original->new pairs a crosswalk would need (never audited)."""

    outcomes: list[FileOutcome] = field(default_factory=list)
    crosswalk: dict[str, str] = field(default_factory=dict)
    #: Whether each written file was verified against its original.
    verified: bool = False
    #: The redaction template files used (names and sha256), for the release record.
    pixel_templates: tuple[str, ...] = ()

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.error is not None]


def _zip_members(path: Path) -> Iterator[Source]:
    with zipfile.ZipFile(path) as zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
    for member in sorted(names):
        yield Source(str(path), member)


def input_sources(paths: list[Path]) -> list[Source]:
    """Every file under ``paths`` (folders recursively, ZIP members), in a stable order."""
    found: list[Source] = []
    for path in paths:
        if path.is_dir():
            found.extend(Source(str(p)) for p in sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
            found.extend(_zip_members(path))
        elif path.is_file():
            found.append(Source(str(path)))
        else:
            raise PolicyError(f"input {path} does not exist")
    return found


def collect_inputs(paths: list[Path]) -> list[InputItem]:
    """Every file under ``paths`` (folders recursively, ZIP members), in a stable order."""
    return [source.item() for source in input_sources(paths)]


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


def _read_for_deid(data: bytes, name: str,
                   allow_damaged: bool) -> tuple[Dataset, Damage | None]:
    """The data set to de-identify, and how it is damaged (None: sound).

    A damaged file is refused with a clear reason unless ``allow_damaged``; then what could
    be read is de-identified under the rules of :mod:`dicomtab.deid.damage`.
    """
    try:
        opened = open_dataset(data, name)
    except (TruncatedFileError, MalformedFileError) as exc:
        if not allow_damaged:
            raise
        # Imported here: only a damaged file needs the inspector's cut (its modules cost a
        # batch's start about 13 ms when compiled from source, 4 ms from byte code).
        from dicomtab.inspect.partial import readable_part

        try:
            dataset, problem, doubts = readable_part(data, name)
        except DicomtabError:
            raise exc from None
        drop_unreadable(dataset)
        if not any(int(tag) >> 16 != 0x0002 for tag in dataset.keys()):
            raise exc from None  # nothing before the damage: there is nothing to process
        return dataset, damage_of(data, dataset, problem.message, doubts)
    if opened.incomplete and not allow_damaged:
        # Its pixels (and whatever followed the cut) are gone: writing the rest as a whole
        # release would hide that. Processing what could be read is an explicit choice.
        raise TruncatedFileError(
            f"{name} describes an image but has no pixel data: it may be truncated, so "
            "it was not de-identified (allow damaged files to process what could be read)")
    if opened.suspect is not None and not allow_damaged:
        # A tag carrying another element's VR (swapped tags), or a text value holding element
        # headers (a damaged length): values may sit where the rules for their tags miss them.
        raise MalformedFileError(
            f"{name} is damaged: {opened.suspect.describe()}; it was not de-identified, "
            "since a value may sit where no rule for its tag expects it (allow damaged files "
            "to process it without the doubted elements)")
    if opened.suspect is not None:
        return opened.dataset, damage_of(data, opened.dataset,
                                         f"{name} is damaged: {opened.suspect.describe()}",
                                         opened.doubts)
    if opened.incomplete:
        return opened.dataset, damage_of(
            data, opened.dataset, f"{name} describes an image but has no pixel data")
    return opened.dataset, None


def _process(item: InputItem, profile: Profile, key: Key, allow_damaged: bool = False,
             templates: Templates | None = None, strings: ValueStrings | None = None,
             ) -> tuple[Dataset, DeidResult, bytes, Damage | None]:
    try:
        data = item.read()
    except OSError as exc:
        raise UnsupportedError(f"{item.name} could not be read ({exc.strerror})") from None
    source, damage = _read_for_deid(data, item.name, allow_damaged)
    cleaner = None
    # auto: the text detector on every file the burn-in heuristics flag.
    detect = profile.clean_pixels == "auto" and needs_pixel_review(source)
    if templates or detect:
        def cleaner(original: Dataset, out: Dataset) -> PixelCleaning | None:
            return clean_pixels(original, out, templates or Templates(), item.name,
                                detect=detect)
    result = deidentify(source, profile, key, damage=damage, pixel_cleaner=cleaner,
                        strings=strings)
    if not result.sop_instance_uid or "SOPClassUID" not in result.dataset:
        raise UnsupportedError(
            f"{item.name} has no SOP Class/Instance UID, so it is not a storable DICOM "
            "instance and cannot be written as one"
        )
    try:
        return source, result, encode(result.dataset), damage
    except Exception as exc:  # pydicom's writer raises many types; the name holds no PHI
        raise UnsupportedError(
            f"{item.name} could not be written after de-identification ({type(exc).__name__})"
        ) from None


class Batch:
    """One batch, one file at a time, wherever the outputs go.

    :meth:`process` reads, de-identifies, encodes and (with ``verify``) verifies one input and
    returns the output's bytes without storing them; the caller stores them (a folder, a ZIP
    stream, the page's folder handle) and then calls :meth:`add` with the outcome, or
    :meth:`store_failed` if storing did not complete. So a file enters the result, its
    manifest and its crosswalk only once it is de-identified, verified and stored.
    :func:`run_batch` (the CLI) and the browser worker (:mod:`dicomtab.deid.tab`) both use it.
    """

    def __init__(self, profile: Profile, key: Key, *, verify: bool,
                 allow_damaged: bool = False, templates: Templates | None = None) -> None:
        self.profile, self.key = profile, key
        #: Boxes of burned-in text to blank, by header match (see dicomtab.deid.regions):
        #: the known device layouts when the profile asks for them, then the user's.
        layouts = device_layouts() if profile.clean_pixels in ("templates", "auto") \
            else Templates()
        self.templates = layouts + (templates or Templates())
        #: Whether an image whose pixel data is missing (most likely cut) is processed anyway.
        self.allow_damaged = allow_damaged
        self.result = BatchResult(verified=verify, pixel_templates=self.templates.sources)
        self._written: set[str] = set()
        #: Outputs made by :meth:`process` and not yet added (or failed to be stored).
        self._claimed: set[str] = set()
        #: Enters every output still being stored (see dicomtab.deid.pipeline), so that the
        #: duplicate check sees them; None when each output is added before the next input.
        self.settle: Callable[[], None] | None = None
        self._pairs: dict[int, dict[str, str]] = {}
        #: What the values of the inputs and outputs decoded to, for the next files (the files
        #: of a series share most of them): read by the engine and by verification.
        self._strings = ValueStrings()

    def process(self, item: InputItem, *, digest: bool = True,
                ) -> tuple[FileOutcome, bytes | None]:
        """The outcome for ``item`` and its output's bytes (None when it failed).

        ``digest``: set the outcome's sha256 here; without it the caller sets it (with
        :func:`digest`) before adding the outcome, on whatever thread stores the output.
        """
        outcome = FileOutcome(item.name)
        try:
            source, result, data, damage = _process(item, self.profile, self.key,
                                                    self.allow_damaged, self.templates,
                                                    self._strings)
            rel = output_relpath(result).as_posix()
            if rel in self._claimed and self.settle is not None:
                self.settle()
            if rel in self._written:
                raise _same_instance(item.name)
            outcome.output = rel
            outcome.records, outcome.flags = result.records, result.flags
            outcome.pixels = result.pixels.to_dict() if result.pixels else None
            if damage is not None:
                outcome.flags = [*outcome.flags, DAMAGED_FLAG]
                outcome.damaged = damage.reason
            outcome.size = len(data)
            if digest:
                digest_of(outcome, data)
            if self.result.verified:
                # Checked as encoded (result.dataset), its bytes searched and walked.
                outcome.findings = verify_output(
                    source, data, rel, hunted=damage.identifiers if damage else (),
                    written=result.dataset, strings=self._strings)
            pairs = dict(result.uid_map)
            for old, new in (result.patient, result.patient_name):
                if old:
                    pairs[old] = new
            self._pairs[id(outcome)] = pairs
            self._claimed.add(rel)
            return outcome, data
        except DicomtabError as exc:
            outcome.error = exc.to_dict()
        except MemoryError:
            outcome.error = OutOfMemoryError.for_file(item.name).to_dict()
        except NOT_CAUGHT:
            raise
        except BaseException as exc:  # a bug or a native panic must not stop the batch or leak values
            outcome.error = {
                "code": "internal",
                "message": f"{item.name} could not be processed ({type(exc).__name__})",
            }
        forget(outcome)
        return outcome, None

    def store_failed(self, outcome: FileOutcome, reason: str) -> None:
        """Record that ``outcome``'s output could not be stored (``reason``: value-free)."""
        outcome.error = {"code": "write-failed",
                         "message": f"{outcome.source}: the output could not be stored ({reason})"}
        self._claimed.discard(outcome.output or "")
        forget(outcome)
        self.add(outcome)

    def pairs_of(self, outcome: FileOutcome) -> dict[str, str]:
        """The crosswalk pairs of ``outcome`` (from :meth:`process`), handed over: for a
        batch run in parts (dicomtab.scale), whose results another Batch adds up."""
        return self._pairs.pop(id(outcome), {})

    def add(self, outcome: FileOutcome, pairs: dict[str, str] | None = None) -> None:
        """Enter ``outcome`` into the result (after its output, if any, was stored), with its
        crosswalk pairs (by default those :meth:`process` kept for it)."""
        if pairs is None:
            pairs = self._pairs.pop(id(outcome), {})
        self._claimed.discard(outcome.output or "")
        if outcome.output is not None and outcome.output in self._written:
            # Only when parts are added up (an earlier input of another part wrote it).
            outcome.error = _same_instance(outcome.source).to_dict()
            forget(outcome)
        if outcome.output is not None:
            self._written.add(outcome.output)
            self.result.crosswalk.update(pairs)
        self.result.outcomes.append(outcome)


def digest_of(outcome: FileOutcome, data: bytes) -> None:
    """Set ``outcome``'s sha256, that of its output's bytes ``data``."""
    outcome.sha256 = hashlib.sha256(data).hexdigest()


def _same_instance(name: str) -> PolicyError:
    return PolicyError(f"{name} is the same instance (SOP Instance UID) as an earlier input; "
                       "it was not written twice")


def forget(outcome: FileOutcome) -> None:
    """A failed file leaves nothing behind: no output, manifest entry or findings."""
    outcome.output = outcome.sha256 = outcome.size = None
    outcome.records, outcome.flags, outcome.findings = [], [], []
    outcome.damaged = outcome.pixels = None


#: An input on its way into the result: its name, outcome, crosswalk pairs, and whether it was
#: done in this run (not taken from the journal of an interrupted one).
_Settled = tuple[str, FileOutcome, dict[str, str], bool]


def run_batch(
    items: list[InputItem],
    outdir: Path,
    profile: Profile,
    key: Key,
    progress: Callable[[FileOutcome], None] | None = None,
    *,
    verify: bool = False,
    sink: Callable[[str, bytes], None] | None = None,
    allow_damaged: bool = False,
    templates: Templates | None = None,
    journal: Journal | None = None,
    resume: bool = False,
) -> BatchResult:
    """De-identify ``items`` into ``outdir``; a failing file is recorded, the rest go on.

    ``verify``: check each output against its own original (see
    :func:`dicomtab.deid.verify.verify_output`) before it is written; the findings go into
    its outcome. ``sink``: called with each output's path (``patient/study/series/
    instance.dcm``) and bytes instead of writing under ``outdir``. ``allow_damaged``:
    process an image whose pixel data is missing (refused by default). ``journal``: record
    the finished inputs as the batch goes (removed once it is complete); with ``resume``,
    the inputs it says an interrupted run did are not done again.
    """
    from dicomtab.deid.journal import GROUP, job_fingerprint
    from dicomtab.deid.pipeline import Storing, read_ahead, worker_thread

    batch = Batch(profile, key, verify=verify, allow_damaged=allow_damaged, templates=templates)
    if journal is not None:
        journal = journal.for_job(job_fingerprint(profile, templates, verify=verify,
                                                  allow_damaged=allow_damaged))
    before = journal.done_before([i.name for i in items]) if journal and resume else {}
    finished: list[tuple[str, FileOutcome, dict[str, str]]] = []

    def settle(entry: _Settled, error: OSError | None) -> None:
        name, outcome, pairs, done_now = entry
        if error is not None:
            batch.store_failed(outcome, error.strerror or type(error).__name__)
        else:
            batch.add(outcome, pairs)
        if journal is not None and done_now:  # what the journal gave back is there already
            finished.append((name, outcome, pairs))
            if len(finished) >= GROUP:
                journal.record(finished)
                finished.clear()
        if progress is not None:
            progress(outcome)

    made: set[Path] = set()  # the output folders made so far (used by the storing thread)

    def store(outcome: FileOutcome, data: bytes) -> Callable[[], None]:
        rel = outcome.output or ""

        def run() -> None:
            digest_of(outcome, data)
            if sink is not None:
                sink(rel, data)
            else:
                write_atomically(outdir / rel, data, made=made)
        return run

    storing: Storing[_Settled] = Storing(settle)
    # A later input may be the same instance as one still being stored: the duplicate check
    # waits for it, so the outcome is the one storing each output in turn gives.
    batch.settle = storing.settle_all
    with worker_thread("dicomtab-read") as reader:
        try:
            pending = [item for index, item in enumerate(items) if index not in before]
            fresh = read_ahead(pending, reader)
            for index, item in enumerate(items):
                if index in before:
                    outcome, pairs = before[index]
                    storing.add((item.name, outcome, pairs, False), None)
                    continue
                outcome, data = batch.process(next(fresh), digest=False)
                pairs = batch.pairs_of(outcome)
                storing.add((item.name, outcome, pairs, True),
                            None if data is None or outcome.output is None
                            else store(outcome, data))
            storing.settle_all()
        finally:
            storing.close()
            batch.settle = None
    if journal is not None:
        journal.remove()  # complete: the release record made from the result replaces it
    return batch.result


def crosswalk_csv(crosswalk: dict[str, str]) -> str:
    """Original->new identifiers as CSV text, ``id_old,id_new`` (the tab offers it as a
    download; the CLI writes it with :func:`write_crosswalk`)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["id_old", "id_new"])
    for old, new in sorted(crosswalk.items()):
        writer.writerow([old, new])
    return buffer.getvalue()


def write_crosswalk(path: Path, crosswalk: dict[str, str]) -> None:
    """Original->new identifiers as CSV ``id_old,id_new``; only written when asked for."""
    path.write_bytes(crosswalk_csv(crosswalk).encode("utf-8"))
