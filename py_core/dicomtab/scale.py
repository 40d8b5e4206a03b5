"""De-identification at archive scale: the CLI's batch, spread over a Dask cluster.

``dicomtab deid … --workers N`` (a local cluster of N processes) or ``--scheduler ADDRESS``
(an existing ``dask.distributed`` cluster: started by hand, on Kubernetes or an HPC queue
through Dask's own deployers) cuts the inputs into chunks; each chunk is a task that runs the
same :class:`~dicomtab.deid.batch.Batch` as the CLI and the tab, so pseudonyms, UIDs and date
shifts come from the key and never from the order of files or the worker that did them, and
the outputs are the bytes one process would write. The driver merges the chunks' outcomes, in
the order of the inputs, into one :class:`~dicomtab.deid.batch.BatchResult`: the release
record, the crosswalk and the audit are made from it exactly as for one process.

Each output is written under a temporary name and linked into place only if no file is there
yet, so a partial file is never left (:mod:`dicomtab.deid.folders`; in an object store, an
object appears only once written whole). A chunk is retried elsewhere when its worker dies: what
the dead worker already wrote is found in place with the same bytes and kept. Two inputs that
are the same instance give one output; the other is reported, as in one process.

Inputs and the output folder may also be fsspec URLs (:func:`url_sources`; an object store,
or any file system fsspec reaches): the workers read and write them themselves.

Dask is an optional extra (``pip install 'dicomtab[scale]'``); nothing else imports this
module. The key travels to the workers with each task: on a cluster beyond one machine, use
Dask's TLS (its ``distributed.comm`` security settings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dicomtab.deid.batch import Batch, BatchResult, FileOutcome, digest_of, forget
from dicomtab.deid.folders import folder_at
from dicomtab.deid.inputs import Source
from dicomtab.deid.journal import Journal, job_fingerprint
from dicomtab.deid.keys import Key
from dicomtab.deid.pipeline import Storing, read_ahead, worker_thread
from dicomtab.deid.profile import Profile
from dicomtab.deid.regions import Templates
from dicomtab.errors import PolicyError, UsageError

#: Inputs per task: enough to keep a task's overhead (a few ms in Dask) small beside its
#: files, few enough that a lost worker costs little and progress moves.
CHUNK = 16


@dataclass(frozen=True)
class Job:
    """What every task needs besides its inputs (sent to the workers with each task)."""

    outdir: str
    profile: Profile
    key: Key
    verify: bool
    allow_damaged: bool
    templates: Templates
    #: Where the journal keeps each chunk's crosswalk pairs (original identifiers: never in
    #: the output folder); None: not kept, and a resumed run redoes what it would need.
    pairs_journal: str | None = None
    #: The job's fingerprint in the journal (journal.job_fingerprint).
    fingerprint: str = ""


@dataclass
class Done:
    """One input's outcome, with its place among the inputs and its crosswalk pairs."""

    index: int
    outcome: FileOutcome
    pairs: dict[str, str]


def run_chunk(job: Job, chunk: list[tuple[int, Source]]) -> list[Done]:
    """De-identify, verify and store one chunk of inputs (runs on a worker). As in one process
    (dicomtab.deid.pipeline), the next inputs are read and the last outputs hashed and stored
    on threads while one input is processed."""
    batch = Batch(job.profile, job.key, verify=job.verify, allow_damaged=job.allow_damaged,
                  templates=job.templates)
    outdir = folder_at(job.outdir)
    done: list[Done] = []
    #: whether each output stored is its own (store_once), by input index
    placed: dict[int, bool] = {}

    def store(index: int, outcome: FileOutcome, data: bytes) -> Callable[[], None]:
        def run() -> None:
            digest_of(outcome, data)
            placed[index] = outdir.store_once(outcome.output or "", data)
        return run

    def settle(entry: tuple[int, str, FileOutcome, dict[str, str]],
               error: OSError | None) -> None:
        index, name, outcome, pairs = entry
        if error is not None:
            outcome.error = {"code": "write-failed", "message":
                             f"{name}: the output could not be stored "
                             f"({error.strerror or type(error).__name__})"}
            forget(outcome)
            pairs = {}
        elif not placed.get(index, True):
            # Another input is the same instance, with other bytes, and was stored first.
            # (With the same bytes both succeed here; the merge, in input order, reports the
            # later one, as one process does.)
            outcome.error = PolicyError(
                f"{name} is the same instance (SOP Instance UID) as another input; it was not "
                "written twice").to_dict()
            forget(outcome)
            pairs = {}
        done.append(Done(index, outcome, pairs))

    storing: Storing[tuple[int, str, FileOutcome, dict[str, str]]] = Storing(settle)
    with worker_thread("dicomtab-read") as reader:
        try:
            items = read_ahead([source.item() for _, source in chunk], reader)
            for (index, source), item in zip(chunk, items, strict=True):
                outcome, data = batch.process(item, digest=False)
                pairs = batch.pairs_of(outcome)
                storing.add((index, source.name, outcome, pairs),
                            None if data is None or outcome.output is None
                            else store(index, outcome, data))
            storing.settle_all()
        finally:
            storing.close()
    names = {index: source.name for index, source in chunk}
    Journal(outdir, job.key, None if job.pairs_journal is None else Path(job.pairs_journal),
            job.fingerprint).record([(names[d.index], d.outcome, d.pairs) for d in done])
    return done


def url_sources(url: str) -> list[Source]:
    """Every object under an fsspec URL (a "folder" recursively, or one object), in name
    order: inputs in an object store or any file system fsspec reaches."""
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise UsageError("inputs given as URLs need fsspec: pip install 'dicomtab[scale]'"
                         ) from None
    try:
        fs, root = url_to_fs(url)
        if fs.isdir(root):
            found = sorted(fs.find(root))
        elif fs.isfile(root):
            found = [root]
        else:
            raise PolicyError(f"input {url} does not exist")
    except (OSError, ValueError) as exc:
        raise PolicyError(f"input {url} could not be listed ({type(exc).__name__})") from None
    return [Source(fs.unstrip_protocol(path)) for path in found]


def client_for(workers: int, scheduler: str | None) -> Any:
    """A ``dask.distributed`` client: of the cluster at ``scheduler``, or of a new local
    cluster of ``workers`` single-threaded processes (the core holds Python's lock)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("--workers and --scheduler need Dask: pip install 'dicomtab[scale]'"
                         ) from None
    if scheduler:
        return Client(scheduler)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster)


def deidentify_at_scale(
    inputs: list[Source],
    outdir: Path | str,
    profile: Profile,
    key: Key,
    *,
    client: Any = None,
    verify: bool = True,
    allow_damaged: bool = False,
    templates: Templates | None = None,
    chunk: int = CHUNK,
    progress: Callable[[FileOutcome], None] | None = None,
    resume: bool = False,
    pairs_journal: Path | None = None,
) -> BatchResult:
    """De-identify ``inputs`` into ``outdir`` (a folder, or an fsspec URL) on the cluster of
    ``client`` (None: in this process, chunk after chunk); the merged result.

    The result is what :func:`dicomtab.deid.batch.run_batch` gives for the same inputs, in
    their order; ``progress`` is called with each outcome as its chunk comes back. A journal
    in ``outdir`` records each chunk as it is done, and is removed once all are: with
    ``resume``, the inputs an interrupted run into ``outdir`` did (their outputs in place, as
    recorded) are not done again. ``pairs_journal``: a folder outside ``outdir`` where the
    journal keeps the crosswalk pairs, for a run that writes a crosswalk (without it, a
    resumed result's crosswalk holds only the pairs of the inputs done again).
    """
    fingerprint = job_fingerprint(profile, templates, verify=verify, allow_damaged=allow_damaged)
    job = Job(str(outdir), profile, key, verify, allow_damaged, templates or Templates(),
              None if pairs_journal is None else str(pairs_journal), fingerprint)
    journal = Journal(folder_at(outdir), key, pairs_journal, fingerprint)
    before = journal.done_before([s.name for s in inputs]) if resume else {}
    done = [Done(index, outcome, pairs) for index, (outcome, pairs) in before.items()]
    if progress is not None:
        for item in done:
            progress(item.outcome)
    indexed = [(i, s) for i, s in enumerate(inputs) if i not in before]
    chunks = [indexed[i:i + chunk] for i in range(0, len(indexed), chunk)]
    for part in _run_all(client, job, chunks):
        done.extend(part)
        if progress is not None:
            for item in part:
                progress(item.outcome)
    batch = Batch(profile, key, verify=verify, allow_damaged=allow_damaged, templates=templates)
    for item in sorted(done, key=lambda d: d.index):
        batch.add(item.outcome, item.pairs)
    # Every input is done: the release record made from this result replaces the journal.
    journal.remove()
    return batch.result


def _run_all(client: Any, job: Job, chunks: list[list[tuple[int, Source]]]) -> Any:
    """Each chunk's outcomes, as the chunks are done."""
    if client is None:
        for part in chunks:
            yield run_chunk(job, part)
        return
    from dask.distributed import as_completed

    # retries: a chunk whose worker died runs again elsewhere (store_once keeps what it wrote).
    futures = [client.submit(run_chunk, job, part, pure=False, retries=3) for part in chunks]
    for future in as_completed(futures):
        yield future.result()
