"""De-identification throughput: ``dicomtab deid`` against ``dicognito`` on the same files.

    python bench/deid_bench.py [--count 500] [--size 512] [--runs 3] [--profiles basic,research]
                               [--workers 1,2] [--verify]

Generates a batch of CT-like instances with pydicom (``--size`` x ``--size`` 16-bit pixels and
a full header seeded with made-up PHI: names, IDs, dates, addresses, UIDs, nested sequences, a
private block) in a temporary folder, then runs each tool's command line on the whole folder,
``--runs`` times each, interleaved, with a fresh output folder every run. Prints the machine,
the batch, and one row per tool: median seconds, files/s, MB/s (input bytes) and speed relative
to dicognito. Both tools run as a user would run them: one process for the whole batch,
interpreter start-up included.

With ``--verify``, also the CPU time a file of de-identifying and of verifying, each on one
thread. ``--workers 1,2`` runs dicomtab once per number of local worker processes (``deid --workers
N``, a Dask cluster: the ``scale`` extra) and adds each row's scaling efficiency (its files/s
over N times the one-process files/s). ``--verify`` adds rows with verification on (each
output checked against its original, every element and every byte), as ``deid`` runs by
default.

dicognito (the ``bench`` extra) changes names, IDs, dates and UIDs in place; dicomtab applies
the whole PS3.15 Table E.1-1, scrubs kept text, writes the CID 7050 marking and a new file
meta group. Not part of the test suite; ``tests/core/deid/test_deid_bench.py`` runs this code
on a few small files so it cannot rot.
"""

from __future__ import annotations

import argparse
import copy
import importlib.metadata
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset

# Run as a script (python bench/deid_bench.py) or imported as bench.deid_bench by the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.machine import cpu_model  # noqa: E402
from pydicom.sequence import Sequence  # noqa: E402
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian  # noqa: E402

ROOT = "1.2.826.0.1.3680043.9.7777."  # made-up, never well-known
FAMILY = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"]
GIVEN = ["Jürgen", "Anna", "Klaus", "Maria", "Peter", "Sabine", "Thomas", "Ursula"]
PER_SERIES = 50  # instances per series; 10 series (5 patients) make the default 500


def _phantom(size: int) -> np.ndarray:
    """A CT-like slice: air around a water-filled disc with some noise (stored values)."""
    y, x = np.mgrid[0:size, 0:size]
    r = np.hypot(x - size / 2, y - size / 2)
    image = np.where(r < size * 0.42, 1024 + 40, 24).astype(np.float32)
    image += np.random.default_rng(0).normal(0, 12, (size, size)).astype(np.float32)
    return np.clip(image, 0, 4095).astype(np.uint16)


def _patient(ds: Dataset, p: int) -> None:
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.PatientName = f"{FAMILY[p % len(FAMILY)]}^{GIVEN[p % len(GIVEN)]}"
    ds.PatientID = f"PID-{p:04d}-4711"
    ds.IssuerOfPatientID = "HOSP-ISSUER"
    ds.PatientBirthDate = f"19{50 + p % 40:02d}0412"
    ds.PatientSex = "MF"[p % 2]
    ds.PatientAge = f"{60 + p % 20:03d}Y"
    ds.PatientWeight = "81.5"
    ds.PatientAddress = f"Hauptstraße {p + 1}, Berlin"
    ds.OtherPatientIDsSequence = Sequence([Dataset()])
    ds.OtherPatientIDsSequence[0].PatientID = f"ALT-{p:04d}"
    ds.OtherPatientIDsSequence[0].TypeOfPatientID = "TEXT"


def _series_template(p: int, s: int) -> Dataset:
    ds = Dataset()
    _patient(ds, p)
    study = f"{ROOT}{p}.1"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study, f"{study}.{s}"
    ds.FrameOfReferenceUID = f"{study}.0"
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = f"2024{1 + p % 12:02d}10"
    ds.StudyTime, ds.SeriesTime, ds.AcquisitionTime, ds.ContentTime = (
        "101500", "102000", "102100", "102200")
    ds.AcquisitionDateTime = ds.AcquisitionDate + "102100.000000"
    ds.AccessionNumber = f"ACC-{p:04d}-{s}"
    ds.StudyID = f"STU{p}"
    ds.ReferringPhysicianName = "Wagner^Klaus"
    ds.StudyDescription = "CT chest with contrast"
    ds.SeriesDescription = "Axial 1mm"
    ds.ProtocolName = "Chest routine"
    ds.SeriesNumber = s
    ds.Modality = "CT"
    ds.SOPClassUID = CTImageStorage
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.InstitutionName = "Elsewhere General Hospital"
    ds.InstitutionAddress = "1 Hospital Road"
    ds.StationName = "CTSCAN01"
    ds.DeviceSerialNumber = "SN-998877"
    ds.Manufacturer, ds.ManufacturerModelName = "ACME Imaging", "Model 9"
    ds.SoftwareVersions = "1.2.3"
    ds.OperatorsName = "Schmidt^Anna"
    ds.PerformingPhysicianName = "Becker^Peter"
    ds.BodyPartExamined = "CHEST"
    ds.KVP, ds.XRayTubeCurrent, ds.ExposureTime = "120", 250, 500
    ds.ConvolutionKernel = "B30f"
    ds.SliceThickness = "1"
    ds.PixelSpacing = [0.7, 0.7]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PositionReferenceIndicator = ""
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = "-1024", "1", "HU"
    ds.WindowCenter, ds.WindowWidth = "40", "400"
    ds.BurnedInAnnotation = "NO"
    request = Dataset()
    request.RequestedProcedureID, request.ScheduledProcedureStepID = "RP-5555", "SPS-6666"
    request.AccessionNumber = ds.AccessionNumber
    ds.RequestAttributesSequence = Sequence([request])
    block = ds.private_block(0x0029, "ACME PHI 1.0", create=True)
    block.add_new(0x10, "LO", str(ds.PatientName))
    safe = ds.private_block(0x0019, "GEMS_ACQU_01", create=True)
    safe.add_new(0x23, "DS", "39.37")
    return ds


def generate(folder: Path, count: int, *, size: int = 512) -> list[Path]:
    """Write ``count`` CT-like instances into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    base = _phantom(size)
    paths: list[Path] = []
    template = Dataset()
    for i in range(count):
        s, n = divmod(i, PER_SERIES)
        if n == 0:
            template = _series_template(s // 2, s + 1)
        ds = copy.deepcopy(template)  # Dataset.copy() is shallow
        ds.SOPInstanceUID = f"{template.SeriesInstanceUID}.{n + 1}"
        ds.InstanceNumber = n + 1
        ds.ImagePositionPatient = [-180.0, -180.0, float(n)]
        ds.ImageComments = f"Patient {ds.PatientName.family_name} slice {n + 1}"
        if n:
            previous = Dataset()
            previous.ReferencedSOPClassUID = CTImageStorage
            previous.ReferencedSOPInstanceUID = f"{template.SeriesInstanceUID}.{n}"
            ds.ReferencedImageSequence = Sequence([previous])
        ds.Rows = ds.Columns = size
        ds.PixelData = (base + np.uint16(n % 7)).tobytes()
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta = meta
        path = folder / f"s{s:03d}" / f"i{n:04d}.dcm"
        path.parent.mkdir(exist_ok=True)
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


def machine() -> str:
    """One line naming the machine and the software versions measured."""
    cpu = cpu_model()
    versions = ", ".join(f"{name} {_version(name)}" for name in ("dicomtab", "pydicom",
                                                                  "dicognito"))
    return (f"machine: {platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} "
            f"cores; Python {platform.python_version()}; {versions}")


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@dataclass
class Tool:
    """A command line run on a whole input folder, writing into an output folder; ``workers``:
    dicomtab's local worker processes (1: no Dask)."""

    name: str
    command: Callable[[Path, Path], list[str]]
    times: list[float] = field(default_factory=list)
    workers: int = 1
    #: The one-process row this row scales (same profile and verification).
    base: str = ""


def _dicomtab(key_file: Path, profile: str, workers: int, verify: bool) -> Tool:
    extra = ([] if verify else ["--no-verify"]) + (["--workers", str(workers)] if workers > 1
                                                   else [])
    label = f"{profile}{', verified' if verify else ''}"
    suffix = f", {workers} workers" if workers > 1 else ""
    return Tool(f"dicomtab deid ({label}{suffix})",
                lambda src, out: [sys.executable, "-m", "dicomtab.cli.main", "deid", str(src),
                                  "-o", str(out), "--key-file", str(key_file), "--profile",
                                  profile, *extra],
                workers=workers, base=f"dicomtab deid ({label})")


def tools(key_file: Path, profiles: list[str], workers: tuple[int, ...] = (1,),
          verify: bool = False) -> list[Tool]:
    """dicomtab once per profile and number of workers (without verification, as dicognito
    checks nothing after writing; and with it if ``verify``), then dicognito if installed.
    The release record (with every output's sha256) is written in every run."""
    found = [_dicomtab(key_file, profile, n, checked)
             for checked in ((False, True) if verify else (False,))
             for profile in profiles for n in workers]
    if _version("dicognito") != "not installed":
        found.append(Tool(f"dicognito {_version('dicognito')}",
                          lambda src, out: [sys.executable, "-m", "dicognito", "--quiet",
                                            "--seed", "bench", "-o", str(out), str(src)]))
    return found


def run_once(tool: Tool, src: Path, work: Path, expected: int) -> float:
    """Seconds for one run of ``tool`` on ``src``; checks every file was written."""
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    done = subprocess.run(tool.command(src, out), capture_output=True, check=False)
    seconds = time.perf_counter() - start
    written = sum(1 for p in out.rglob("*") if p.is_file()
                  and not p.name.startswith("release-record.")) if out.exists() else 0
    if done.returncode != 0 or written != expected:
        raise SystemExit(f"{tool.name} failed (exit {done.returncode}, {written} of {expected} "
                         "files written)")
    shutil.rmtree(out, ignore_errors=True)
    return seconds


def measure(measured: list[Tool], src: Path, work: Path, runs: int, expected: int) -> None:
    """Run every tool ``runs`` times, interleaved so drifts in machine load hit all alike."""
    for _ in range(runs):
        for tool in measured:
            tool.times.append(run_once(tool, src, work, expected))


def table(measured: list[Tool], files: int, megabytes: float) -> str:
    """The result table: median seconds, files/s, MB/s, speed relative to dicognito and, for
    a row with several workers, its scaling efficiency."""
    reference = next((t for t in measured if t.name.startswith("dicognito")), None)
    ref = statistics.median(reference.times) if reference else None
    medians = {t.name: statistics.median(t.times) for t in measured}
    width = max(len(t.name) for t in measured)
    lines = [f"{'tool':<{width}} {'seconds':>8} {'files/s':>8} {'MB/s':>7} {'vs dicognito':>13}"
             f" {'scaling':>8}"]
    for tool in measured:
        seconds = medians[tool.name]
        ratio = f"{ref / seconds:.2f}x" if ref else "n/a"
        one = medians.get(tool.base)
        scaling = f"{one / seconds / tool.workers:.0%}" if tool.workers > 1 and one else ""
        lines.append(f"{tool.name:<{width}} {seconds:8.2f} {files / seconds:8.1f} "
                     f"{megabytes / seconds:7.1f} {ratio:>13} {scaling:>8}")
    return "\n".join(lines)


def cpu_costs(paths: list[Path], profile_name: str, passes: int = 3) -> tuple[float, float]:
    """Thread CPU milliseconds a file, best of ``passes`` over ``paths``: de-identifying (read,
    de-identify, encode) and verifying the output as a batch does (every element of the data set
    encoded, every byte of the output, against its original's values)."""
    from dicomtab.deid.batch import Batch, _process
    from dicomtab.deid.elements import ValueStrings
    from dicomtab.deid.inputs import InputItem
    from dicomtab.deid.keys import Key
    from dicomtab.deid.profile import load_profile
    from dicomtab.deid.verify import verify_output

    profile, key = load_profile(profile_name), Key(os.urandom(32))
    templates = Batch(profile, key, verify=True).templates
    items = [InputItem(p.name, p.read_bytes) for p in paths]
    outputs = []
    best_deid = best_verify = float("inf")
    for _ in range(passes):
        strings = ValueStrings()  # one a batch, for its inputs and outputs
        start = time.thread_time()
        outputs = [_process(item, profile, key, False, templates, strings) for item in items]
        best_deid = min(best_deid, time.thread_time() - start)
        start = time.thread_time()
        for (source, result, data, _damage), item in zip(outputs, items, strict=True):
            verify_output(source, data, item.name, written=result.dataset, strings=strings)
        best_verify = min(best_verify, time.thread_time() - start)
    return best_deid / len(items) * 1000, best_verify / len(items) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="instances (default 500)")
    parser.add_argument("--size", type=int, default=512, help="rows = columns (default 512)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per tool (median)")
    parser.add_argument("--profiles", default="basic,research", help="dicomtab profiles")
    parser.add_argument("--workers", default="1",
                        help="numbers of local worker processes for dicomtab, e.g. 1,2")
    parser.add_argument("--verify", action="store_true",
                        help="also run dicomtab with verification on")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="deid-bench-") as tmp:
        work = Path(tmp)
        src = work / "in"
        paths = generate(src, args.count, size=args.size)
        megabytes = sum(p.stat().st_size for p in paths) / 1e6
        key = work / "bench.key"
        key.write_text(os.urandom(32).hex() + "\n", encoding="ascii")
        measured = tools(key, args.profiles.split(","),
                         tuple(int(n) for n in args.workers.split(",")), args.verify)
        warm = sorted(p.parent for p in paths)[0]
        for tool in measured:  # warm-up on one series: byte-code caches, page cache
            run_once(tool, warm, work, sum(1 for p in paths if p.parent == warm))
        measure(measured, src, work, args.runs, len(paths))
        if args.verify:
            costs = cpu_costs(sorted(paths)[:100], args.profiles.split(",")[0])
    print(machine())
    print(f"batch: {len(paths)} CT-like instances ({args.size}x{args.size} 16-bit, full header "
          f"with PHI), {megabytes:.1f} MB; median of {args.runs} runs per tool, one command "
          "per run (a local cluster's start included)")
    print(table(measured, len(paths), megabytes))
    if args.verify:
        deid, verify = costs
        print(f"CPU a file ({args.profiles.split(',')[0]}, one thread, best of 3 passes over "
              f"{min(len(paths), 100)} files): de-identification {deid:.2f} ms, verification "
              f"{verify:.2f} ms ({verify / deid:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
