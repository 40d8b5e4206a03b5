"""What the browser worker's start-up relies on: resuming after a snapshot, numpy later.

The worker restores Python from a memory snapshot made at build time and starts it without
numpy (see web/app/worker/worker.js); these are the core's halves of that, tested under CPython.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pydicom

from dicomtab import worker_api
from tests.conftest import bundled

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
sys.modules["numpy"] = None  # not installed yet, as in the worker at start-up
import pydicom.config
import dicomtab.worker_api as api
started_without = not pydicom.config.have_numpy
data = open(sys.argv[1], "rb").read()
opened = json.loads(api.open_file(data, "first.dcm"))["payload"]["instanceId"]
damaged = json.loads(api.open_damaged(data[: len(data) // 2], "cut.dcm"))["payload"]["instanceId"]
damaged_rows = len(json.loads(api.tree(damaged))["payload"]["rows"])
del sys.modules["numpy"]  # the worker has now installed it (pyodide.loadPackage)

from dicomtab.numpy_later import reimport_with_numpy

new_api = reimport_with_numpy()
import pydicom  # the module object pydicom is now the fresh import
from io import BytesIO

pixels = pydicom.dcmread(BytesIO(data)).pixel_array
print(json.dumps({
    "started_without": started_without,
    "have_numpy": pydicom.config.have_numpy,
    "same_module_again": reimport_with_numpy() is new_api,
    "kept": [i["instanceId"] for i in json.loads(new_api.list_instances())["payload"]],
    "first_id": opened,
    "next_id": json.loads(new_api.open_file(data, "second.dcm"))["payload"]["instanceId"],
    "damaged": damaged,
    "damaged_rows_before": damaged_rows,
    "damaged_rows_after": len(json.loads(new_api.tree(damaged))["payload"]["rows"]),
    "shape": list(pixels.shape), "sum": int(pixels.sum()), "dtype": str(pixels.dtype),
}))
"""


def test_resume_after_snapshot_reseeds_random() -> None:
    import random

    random.seed(1234)  # what every visitor's snapshot would otherwise replay
    frozen = random.random()
    random.seed(1234)
    worker_api.resume_after_snapshot()
    assert random.random() != frozen


def test_pixels_decode_after_numpy_is_installed_late() -> None:
    # In a fresh interpreter: numpy is hidden before pydicom is first imported, exactly as
    # the worker starts, which cannot be undone inside this process.
    sample = bundled("CT_small.dcm")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(sample)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "py_core"), "PATH": ""},
        check=True,
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    reference = pydicom.dcmread(sample).pixel_array  # this process has numpy all along
    assert outcome["started_without"] and outcome["have_numpy"] and outcome["same_module_again"]
    assert outcome["kept"] == [outcome["first_id"]] == ["i1"]
    assert outcome["next_id"] == "i2"
    # A file the inspector opened as damaged survives the reimport, same id, same rows.
    assert outcome["damaged"] == "d1"
    assert outcome["damaged_rows_after"] == outcome["damaged_rows_before"] > 10
    assert outcome["shape"] == list(reference.shape)
    assert outcome["dtype"] == str(reference.dtype)
    assert outcome["sum"] == int(reference.sum())
