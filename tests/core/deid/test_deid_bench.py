"""The throughput bench's own code on five small files, so it cannot rot (bench/deid_bench.py).

The bench itself (500 CT-sized files, both tools, several runs) is run by hand, not here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pydicom
from bench import deid_bench


def test_generator_and_timing_on_five_small_files(tmp_path: Path) -> None:
    paths = deid_bench.generate(tmp_path / "in", 5, size=16)
    assert len(paths) == 5
    ds = pydicom.dcmread(paths[1])
    assert (ds.Rows, ds.Columns, ds.BitsAllocated) == (16, 16, 16)
    assert ds.PatientName and ds.ReferencedImageSequence and ds.PixelData
    key = tmp_path / "bench.key"
    key.write_text(os.urandom(32).hex(), encoding="ascii")
    measured = deid_bench.tools(key, ["basic"], workers=(1, 2), verify=True)
    names = [t.name for t in measured]
    assert names[:4] == ["dicomtab deid (basic)", "dicomtab deid (basic, 2 workers)",
                         "dicomtab deid (basic, verified)",
                         "dicomtab deid (basic, verified, 2 workers)"]
    deid_bench.measure(measured, tmp_path / "in", tmp_path, runs=1, expected=5)
    assert all(len(t.times) == 1 and t.times[0] > 0 for t in measured)
    table = deid_bench.table(measured, 5, 0.01)
    assert table.splitlines()[0].split() == ["tool", "seconds", "files/s", "MB/s", "vs",
                                             "dicognito", "scaling"]
    two = next(line for line in table.splitlines() if "(basic, 2 workers)" in line)
    assert two.endswith("%")  # its scaling efficiency against the one-process row
    assert "dicomtab deid (basic)" in table and "machine:" in deid_bench.machine()


def test_cpu_costs_are_measured_for_both_steps(tmp_path: Path) -> None:
    paths = deid_bench.generate(tmp_path / "in", 3, size=16)
    deid, verify = deid_bench.cpu_costs(paths, "basic", passes=1)
    assert deid > 0 and verify > 0
