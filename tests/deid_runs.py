"""One de-identification run through the CLI, and one as the tab's worker makes it.

Both return the files written (path inside the output -> bytes) and the release record, so
tests can prove the tab and ``dicomtab deid`` give identical results.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

from dicomtab.cli.main import main
from dicomtab.deid.release import RECORD_NAME

#: pydicom's bundled files in other transfer syntaxes than the generated sets' (implicit and
#: big-endian VR, deflated, RLE, JPEG baseline, JPEG 2000), de-identified alongside them.
OTHER_SYNTAXES = ("rtplan.dcm", "MR_small_bigendian.dcm", "image_dfl.dcm", "SC_rgb_rle.dcm",
                  "SC_rgb_jpeg_dcmtk.dcm", "JPEG2000.dcm")

#: A key file's text, as ``dicomtab keygen`` writes one (fixed, so runs can be compared).
KEY_TEXT = bytes(range(32)).hex() + "\n"


def cli_run(inputs: list[Path], out: Path, profile: str, *, crosswalk: bool = False,
            allow_damaged: bool = False, regions: tuple[Path, ...] = (),
            workers: int = 1) -> tuple[dict[str, bytes], dict[str, Any]]:
    """``dicomtab deid INPUTS -o OUT/files`` with KEY_TEXT; crosswalk in OUT/crosswalk.csv;
    ``workers`` > 1: on a local Dask cluster (``--workers``)."""
    out.mkdir(parents=True)
    keyfile = out / "run.key"
    keyfile.write_text(KEY_TEXT, encoding="ascii")
    files = out / "files"
    argv = ["deid", *map(str, inputs), "-o", str(files), "--key-file", str(keyfile),
            "--profile", profile]
    if crosswalk:
        argv += ["--crosswalk", str(out / "crosswalk.csv")]
    if allow_damaged:
        argv.append("--allow-damaged")
    for path in regions:
        argv += ["--regions", str(path)]
    if workers > 1:
        argv += ["--workers", str(workers)]
    assert main(argv) in (0, 1)
    record = json.loads((files / f"{RECORD_NAME}.json").read_text(encoding="utf-8"))
    written = {p.relative_to(files).as_posix(): p.read_bytes()
               for p in files.rglob("*.dcm")}
    return written, record


def tab_run(worker_api: ModuleType, inputs: list[Path], profile: str, *, crosswalk: bool = False,
            allow_damaged: bool = False, regions: tuple[Path, ...] = (),
            ) -> tuple[dict[str, bytes], dict[str, Any], str | None]:
    """Open ``inputs`` and de-identify them through the worker's calls, in the page's order
    (open, begin, each file then stored, finish, crosswalk, end). A file refused as damaged
    is opened for the inspector and taken too, as the page does (refused unless
    ``allow_damaged``)."""
    ids = []
    for path in inputs:
        opened = json.loads(worker_api.open_file(path.read_bytes(), path.name))
        if opened["status"] == "success":
            ids.append(opened["payload"]["instanceId"])
        elif opened["error"]["code"] in ("truncated", "malformed"):
            damaged = json.loads(worker_api.open_damaged(path.read_bytes(), path.name))
            if damaged["status"] == "success":
                ids.append(damaged["payload"]["instanceId"])
    options = json.dumps({"verify": True, "crosswalk": crosswalk, "allowDamaged": allow_damaged,
                          "regions": [{"name": p.name, "text": p.read_text(encoding="utf-8")}
                                      for p in regions]})
    begun = json.loads(worker_api.deid_begin(json.dumps({"builtin": profile}),
                                             KEY_TEXT.encode(), "run.key", options))
    assert begun["status"] == "success", begun
    written = {}
    for instance_id in ids:
        text, data = worker_api.deid_file(instance_id)
        outcome = json.loads(text)["payload"]
        if data is not None:
            written[outcome["output"]] = bytes(data)
            json.loads(worker_api.deid_stored(outcome["output"], True))
    finished = json.loads(worker_api.deid_finish())["payload"]
    walk = json.loads(worker_api.deid_crosswalk())["payload"] if crosswalk else None
    worker_api.deid_end()
    return written, finished["record"], walk
