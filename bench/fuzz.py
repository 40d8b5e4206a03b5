"""Mutation fuzzing of every entry point that reads a file, in a child process with limits.

    python bench/fuzz.py [--cases 10000] [--seed 1] [--timeout 10] [--memory-mb 3072]

The corpus is pydicom's bundled test files that open, plus the generated PHI-seeded sets.
Each case takes one corpus file and one seeded mutation (bit flips, truncation, a corrupted
length or VR, swapped tags, a swapped transfer syntax, deep nesting, a huge declared size)
and runs, in a child process with an address-space limit and a per-case timeout:
open/summary, the inspector's tree, tags and exports, the PHI summary, frame 0's pixels,
de-identification (basic profile, verified; once as refused by default and once with damaged
files allowed) with each output read back, and verify.

Each case is classified as the worst of:
- ``ok``: every entry point succeeded or gave a typed error;
- ``unexpected``: an entry point reported an internal error (an exception nobody foresaw);
- ``hang``: the case ran past the timeout;
- ``memory``: the child ran out of memory or died;
- ``partial``: de-identification wrote an output that is not readable DICOM;
- ``seeded``: an identifying value seeded into the PHI sets is still in an output.

Prints the table; ``tests/core/test_fuzz.py`` runs a few hundred cases with a fixed seed.
"""

from __future__ import annotations

import argparse
import json
import random
import struct
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# multiprocessing and resource are imported where used: the mutations and the entry points
# also run inside the site's WebAssembly Python (tests/build/pyodide/fuzz_in_pyodide.py).

KINDS = ("ok", "unexpected", "hang", "memory", "partial", "seeded")
MUTATIONS = ("bit-flips", "truncate", "length", "vr", "swap-tags", "transfer-syntax",
             "deep-nesting", "huge-size")


@dataclass(frozen=True)
class Case:
    """One fuzz case: a corpus file (by index), a mutation and its seed."""

    index: int
    source: int
    mutation: str
    seed: int


def corpus(folder: Path) -> tuple[list[tuple[str, bytes]], list[bytes]]:
    """(name, bytes) of every corpus file, and the seeded values to look for in outputs."""
    import pydicom
    from tests.core.deid.hipaa_set import write_hipaa_set
    from tests.core.deid.phi_set import SEEDED_VALUES, write_set

    files = sorted((Path(pydicom.__file__).parent / "data" / "test_files").glob("*.dcm"))
    out = [(p.name, p.read_bytes()) for p in files if p.stat().st_size < 2_000_000]
    out += [(p.name, p.read_bytes()) for p in sorted(write_set(folder / "phi").values())]
    out += [(p.name, p.read_bytes()) for p in sorted(write_hipaa_set(folder / "hipaa").values())]
    seeded = [v.encode(enc) for v in SEEDED_VALUES for enc in ("utf-8", "latin-1")
              if _encodable(v, enc) and len(v) >= 5]
    return out, sorted(set(seeded))


def _encodable(value: str, encoding: str) -> bool:
    try:
        value.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False


def mutate(data: bytes, mutation: str, rng: random.Random) -> bytes:
    """``data`` damaged one way (see MUTATIONS); deterministic for a given ``rng``."""
    buf = bytearray(data)
    body = range(132, len(buf)) if len(buf) > 140 else range(len(buf))
    if mutation == "bit-flips":
        for _ in range(rng.randint(1, 8)):
            at = rng.choice(body)
            buf[at] ^= 1 << rng.randrange(8)
    elif mutation == "truncate":
        del buf[rng.randrange(len(buf)):]
    elif mutation == "length":
        at = _header(buf, rng)
        if at is not None:
            buf[at + 6: at + 8] = struct.pack("<H", rng.choice((0, 1, 3, 0xFFFF, rng.randrange(65536))))
    elif mutation == "vr":
        at = _header(buf, rng)
        if at is not None:
            buf[at + 4: at + 6] = rng.choice((b"ZZ", b"UN", b"SQ", b"OB", b"US", b"FD", b"AT", b"XX"))
    elif mutation == "swap-tags":
        first, second = _header(buf, rng), _header(buf, rng)
        if first is not None and second is not None:
            buf[first: first + 4], buf[second: second + 4] = buf[second: second + 4], buf[first: first + 4]
    elif mutation == "transfer-syntax":
        at = data.find(b"\x02\x00\x10\x00UI")
        if at >= 0:
            length = struct.unpack_from("<H", buf, at + 6)[0]
            uid = rng.choice((b"1.2.840.10008.1.2", b"1.2.840.10008.1.2.2", b"1.2.840.10008.1.2.1.99",
                              b"1.2.840.10008.1.2.4.90", b"1.2.840.10008.1.2.5"))
            uid = uid + b"\x00" * (len(uid) % 2)
            buf[at + 6: at + 8 + length] = struct.pack("<H", len(uid)) + uid
    elif mutation == "deep-nesting":
        inner = b""
        for _ in range(rng.choice((70, 500, 3000))):
            item = b"\xfe\xff\x00\xe0" + struct.pack("<I", len(inner)) + inner
            inner = b"\x08\x00\x15\x11SQ\x00\x00" + struct.pack("<I", len(item)) + item
        buf += inner
    elif mutation == "huge-size":
        at = _header(buf, rng)
        if at is not None:
            buf[at + 8: at + 12] = struct.pack("<I", rng.choice((0x7FFFFFF0, 0xFFFFFFFE)))
    return bytes(buf)


def _header(buf: bytearray, rng: random.Random) -> int | None:
    """The offset of a random explicit VR element header past the file meta (or None)."""
    starts = [i for i in range(132, min(len(buf) - 12, 20000), 2)
              if buf[i + 4: i + 6].isalpha() and buf[i + 4: i + 6].isupper()]
    return rng.choice(starts) if starts else None


# -- the child --------------------------------------------------------------------------------

def _entry_points(data: bytes, name: str, seeded: list[bytes]) -> str:
    """Run every entry point on one case; the worst outcome (see KINDS)."""
    from dicomtab import worker_api
    from dicomtab.deid.batch import Batch
    from dicomtab.deid.inputs import InputItem
    from dicomtab.deid.keys import Key
    from dicomtab.deid.profile import load_profile
    from dicomtab.deid.verify import verify_items
    from dicomtab.errors import DicomtabError
    from dicomtab.reading import read_dataset

    worker_api.SESSION = worker_api.Session()
    worst = "ok"

    def check(result: str) -> dict | None:
        nonlocal worst
        parsed = json.loads(result)
        if parsed["status"] == "failed" and parsed["error"]["code"] == "internal":
            worst = "unexpected"
        return parsed.get("payload") if parsed["status"] == "success" else None

    opened = check(worker_api.open_file(data, name)) or check(worker_api.open_damaged(data, name))
    if opened is not None:
        instance = opened["instanceId"]
        for call in (worker_api.tree, worker_api.phi_summary, worker_api.export_csv,
                     worker_api.export_dump, worker_api.tags, worker_api.frame):
            check(call(instance))
    # De-identified as refused by default, and as processed when damaged files are allowed.
    for allow in (False, True):
        batch = Batch(load_profile("basic"), Key(bytes(range(32))), verify=True,
                      allow_damaged=allow)
        outcome, output = batch.process(InputItem(name, lambda: data))
        if outcome.error is not None and outcome.error["code"] == "internal":
            worst = "unexpected"
        if output is not None:
            try:
                read_dataset(output, "output.dcm")
            except DicomtabError:
                return "partial"
            if any(value in output for value in seeded):
                return "seeded"
    try:
        verify_items([InputItem(name, lambda: data)])
    except Exception:
        worst = "unexpected"
    return worst


def _child(connection: object, cases: list[tuple[str, bytes]], seeded: list[bytes],
           memory_mb: int) -> None:
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        job = connection.recv()  # type: ignore[attr-defined]
        if job is None:
            return
        index, source, mutation, seed = job
        name, data = cases[source]
        connection.send((index, run_case(data, name, mutation, seed, seeded)))  # type: ignore[attr-defined]


def run_case(data: bytes, name: str, mutation: str, seed: int, seeded: list[bytes]) -> str:
    """One case in this process: the mutated file through every entry point; its kind."""
    from dicomtab.reading import quiet_pydicom

    mutated = mutate(data, mutation, random.Random(seed))
    try:
        with quiet_pydicom():
            return _entry_points(mutated, name, seeded)
    except MemoryError:
        return "memory"
    except Exception:
        return "unexpected"


def run(cases: int, seed: int, timeout: float, memory_mb: int) -> tuple[Counter[str], dict[str, list[str]]]:
    """Run ``cases`` cases; the count per kind and a few examples of each bad kind."""
    import multiprocessing as mp

    with tempfile.TemporaryDirectory() as tmp:
        files, seeded = corpus(Path(tmp))
    rng = random.Random(seed)
    jobs = [Case(i, rng.randrange(len(files)), rng.choice(MUTATIONS), rng.randrange(2**31))
            for i in range(cases)]
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    context = mp.get_context("fork")
    child, parent_end = None, None
    for job in jobs:
        if child is None or not child.is_alive():
            parent_end, child_end = context.Pipe()
            child = context.Process(target=_child, args=(child_end, files, seeded, memory_mb), daemon=True)
            child.start()
        assert parent_end is not None
        parent_end.send((job.index, job.source, job.mutation, job.seed))
        if parent_end.poll(timeout):
            try:
                _, kind = parent_end.recv()
            except EOFError:
                kind = "memory"
        else:
            kind = "hang"
        if kind in ("hang", "memory"):
            child.kill()
            child.join()
            child = None
        counts[kind] += 1
        if kind != "ok":
            examples.setdefault(kind, []).append(f"{files[job.source][0]} {job.mutation} seed {job.seed}")
    if child is not None and parent_end is not None:
        parent_end.send(None)
        child.join(5)
    return counts, examples


def table(counts: Counter[str], cases: int, seconds: float) -> str:
    rows = [f"{cases} cases in {seconds:.0f} s", f"{'outcome':<12}{'cases':>8}{'share':>9}"]
    rows += [f"{kind:<12}{counts[kind]:>8}{100 * counts[kind] / max(cases, 1):>8.2f}%" for kind in KINDS]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.machine import describe

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--memory-mb", type=int, default=3072)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts, examples = run(args.cases, args.seed, args.timeout, args.memory_mb)
    print(describe())
    print(table(counts, args.cases, time.perf_counter() - started))
    for kind, found in examples.items():
        print(f"{kind}: " + "; ".join(found[:5]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
