"""The fuzz harness's cases in the site's own WebAssembly Python (under Node): the worker
meets damaged files the way CPython does, with typed errors only."""

from __future__ import annotations

import io
import json
import random
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from bench import fuzz

from tests.build.conftest import DIST

HERE = Path(__file__).resolve().parent / "pyodide"
CASES = 120


def test_a_fuzz_sample_ends_in_typed_errors_in_the_shipped_runtime(tmp_path: Path) -> None:
    assert (DIST / "index.html").exists(), "dist/ is not built: run ./dev build"
    node = shutil.which("node")
    assert node, "Node.js is needed (the build needs it too)"
    with tempfile.TemporaryDirectory() as folder:
        files, seeded = fuzz.corpus(Path(folder))
    rng = random.Random(11)
    cases = [(rng.randrange(len(files)), rng.choice(fuzz.MUTATIONS), rng.randrange(2**31))
             for _ in range(CASES)]
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.write(fuzz.__file__, "fuzz.py")
        archive.writestr("names.json", json.dumps([name for name, _ in files]))
        for i, (_, data) in enumerate(files):
            archive.writestr(f"corpus/{i}", data)
        archive.writestr("seeded.json", json.dumps([v.hex() for v in seeded]))
        archive.writestr("cases.json", json.dumps(cases))
    (tmp_path / "cases.zip").write_bytes(bundle.getvalue())
    result = subprocess.run(
        [node, str(HERE / "run_core.mjs"), str(DIST), str(HERE / "fuzz_in_pyodide.py"),
         str(tmp_path / "cases.zip")],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["counts"] == {"ok": CASES}, out
