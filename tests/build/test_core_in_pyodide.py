"""The core, as shipped, runs in the site's own WebAssembly Python (under Node here).

The browser tests cover what the page wires up today; this covers what the worker can call
before any page uses it: the HIPAA Safe Harbor release, in memory, in CPython 3.12 on wasm.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.build.conftest import DIST
from tests.conftest import bundled

HERE = Path(__file__).resolve().parent / "pyodide"


def test_safe_harbor_release_runs_in_the_shipped_runtime() -> None:
    assert (DIST / "index.html").exists(), "dist/ is not built: run ./dev build"
    node = shutil.which("node")
    assert node, "Node.js is needed (the build needs it too)"
    result = subprocess.run(
        [node, str(HERE / "run_core.mjs"), str(DIST), str(HERE / "safe_harbor_in_memory.py"),
         str(bundled("CT_small.dcm"))],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["python"].startswith("3.12") and out["platform"] == "emscripten"
    assert out["numpy_loaded"] is True  # verification's byte scan (dicomtab.deid.bytescan)
    assert out["name"].startswith("ANON^") and out["identity_removed"] == "YES"
    assert out["study_date"] == "20040101"  # Safe Harbor: the year only (CT_small: 20040119)
    assert out["sop_uid"].startswith("2.25.")
    assert out["manifest_problems"] == []
    assert out["fingerprint_matches"] is True and out["record_holds_key"] is False
    assert out["record_text_has_original_name"] is False
    assert out["output_has_original_name"] is False
