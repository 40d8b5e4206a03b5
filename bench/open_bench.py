"""The worker's cost per file when a folder opens, in CPython and in the tab's WebAssembly Python.

    python bench/open_bench.py [--folder DIR] [--count 1000] [--rounds 5] [--wasm] [--site dist]

Each file goes through the worker's open path (``worker_api.open_file_by_parts``) as the
worker hands it over: its first 64 KB and last 4 KB, read by the head reader before Python is
called, and a read
of any other bytes (none, for a CT slice). The folder is ``index_bench.py``'s (generated into
``--folder`` when it holds no ``.dcm`` file: ``--count`` CT slices of 512 x 512).

- CPython: thread CPU time per file, best of ``--rounds`` rounds over every file;
- ``--wasm``: the site's own Python (``--site``, built) under Node, as
  ``tests/build/pyodide/run_core.mjs`` boots it: the Node process's CPU time per file, best of
  ``--rounds`` rounds over the first 200 files.

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What the head reader reads of a file before Python is called (web/app/shared/protocol.js:
#: OPEN_HEAD_BYTES, OPEN_TAIL_BYTES).
FIRST_SLICE = 64 * 1024
LAST_SLICE = 4 * 1024
#: Files of the folder run in WebAssembly (each round re-opens them all).
WASM_FILES = 200

#: (name, first bytes, last bytes, size) of one file.
Slices = tuple[str, bytes, bytes, int]


def slices(folder: Path, limit: int | None = None) -> list[Slices]:
    """Each ``.dcm`` file's name, first and last bytes, and size, in name order."""
    out = []
    for path in sorted(folder.rglob("*.dcm"))[:limit]:
        data = path.read_bytes()
        out.append((f"{path.parent.name}/{path.name}", data[:FIRST_SLICE], data[-LAST_SLICE:],
                    len(data)))
    return out


def reader(first: bytes, last: bytes, size: int) -> Callable[[int, int], bytes]:
    """``read(start, end)`` as the worker's: from the slices it holds (nothing else is read
    for these files; a read outside them fails the bench)."""
    last_start = size - len(last)

    def read(start: int, end: int) -> bytes:
        if start >= last_start:
            return last[start - last_start:end - last_start]
        if end > len(first):
            raise AssertionError("the bench's files need only their first and last bytes")
        return first[start:end]
    return read


def one_round(files: list[Slices], cpu: Callable[[], float]) -> float:
    """Open every file in a new session; the CPU seconds per file by ``cpu()``."""
    from dicomtab import worker_api
    from dicomtab.session import Session

    def unread() -> bytes:
        raise AssertionError("the bench's files are never read whole")

    worker_api.SESSION = Session()
    start = cpu()
    for name, first, last, size in files:
        out = worker_api.open_file_by_parts(first, size, name, reader(first, last, size),
                                            unread)
        if not out.startswith('{"status": "success"'):
            raise AssertionError(out[:200])
    return (cpu() - start) / len(files)


def in_pyodide(archive: str, rounds: int) -> None:
    """Inside the site's WebAssembly Python: the rounds over the files of ``archive`` (made
    by :func:`wasm`), timed by the Node process's CPU time; prints one JSON line."""
    import js  # type: ignore[import-not-found]  # noqa: TID251 (Node's globals; bench only)

    def cpu() -> float:
        used = js.process.cpuUsage()
        return float(used.user + used.system) / 1e6

    with zipfile.ZipFile(archive) as bundle:
        files = [(name, bundle.read(f"{n}/first"), bundle.read(f"{n}/last"), size)
                 for n, (name, size) in enumerate(json.loads(bundle.read("files.json")))]
    best = min(one_round(files, cpu) for _ in range(rounds))
    print(json.dumps({"files": len(files), "ms_per_file": round(best * 1e3, 3)}))


def wasm(files: list[Slices], site: Path, rounds: int) -> float:
    """Milliseconds of CPU per file in the site's WebAssembly Python under Node."""
    node = shutil.which("node")
    if node is None:
        raise SystemExit("--wasm needs Node.js")
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("files.json", json.dumps([(name, size) for name, _, _, size in files]))
        for n, (_, first, last, _) in enumerate(files):
            archive.writestr(f"{n}/first", first)
            archive.writestr(f"{n}/last", last)
        archive.write(__file__, "open_bench.py")
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "files.zip").write_bytes(bundle.getvalue())
        script = Path(folder) / "run.py"
        # run_core.mjs writes its input to /tmp/input.dcm in Pyodide's file system.
        script.write_text(
            "import sys, types, zipfile\n"
            "module = types.ModuleType('open_bench')\n"
            "module.__file__ = 'open_bench.py'\n"
            "sys.modules['open_bench'] = module\n"
            "source = zipfile.ZipFile('/tmp/input.dcm').read('open_bench.py')\n"
            "exec(compile(source, 'open_bench.py', 'exec'), module.__dict__)\n"
            f"module.in_pyodide('/tmp/input.dcm', {rounds})\n")
        result = subprocess.run(
            [node, str(ROOT / "tests/build/pyodide/run_core.mjs"), str(site), str(script),
             str(Path(folder) / "files.zip")],
            capture_output=True, text=True, timeout=1800, check=False)
    if result.returncode != 0:
        raise SystemExit(result.stderr[-2000:])
    return float(json.loads(result.stdout.strip().splitlines()[-1])["ms_per_file"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "idx1000")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--wasm", action="store_true")
    parser.add_argument("--site", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.index_bench import generate
    from bench.machine import describe

    if not any(args.folder.rglob("*.dcm")):
        args.folder.mkdir(parents=True, exist_ok=True)
        generate(args.folder, args.count, 512, args.count)
    files = slices(args.folder)
    print(describe())
    best = min(one_round(files, time.thread_time) for _ in range(args.rounds))
    print(f"CPython {sys.version.split()[0]}: {best * 1e3:.3f} ms of thread CPU a file "
          f"(best of {args.rounds} rounds of {len(files)} files)")
    if args.wasm:
        ms = wasm(files[:WASM_FILES], args.site, args.rounds)
        print(f"WebAssembly ({args.site.name}/, under Node): {ms:.3f} ms of CPU a file "
              f"(best of {args.rounds} rounds of {min(len(files), WASM_FILES)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
