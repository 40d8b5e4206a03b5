"""Blanking burned-in text, per frame and per transfer syntax, under CPython and in the tab.

    python bench/redact_bench.py [--frames 8] [--runs 3] [--tab]

Each case is a multi-frame image (512 x 512 16-bit grey, 1024 x 768 8-bit RGB) in one
syntax; one box (the top 48 rows) is blanked on every frame with dicomtab.deid.redact, which
decodes, blanks and writes the pixel data as the syntax's policy says (in place; RLE encoded
again; decoded and written uncompressed). Prints the median time per frame over the runs.
With ``--tab`` the same files are also de-identified in headless Chromium (the built dist/)
through ``window.dicomtab.deidentify``, once with a redaction template and once without; the
difference per frame is the tab's cost of blanking (decoding with the WebAssembly codecs and
writing included). Needs the test extra (imagecodecs makes the compressed samples).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from io import BytesIO
from pathlib import Path

import numpy as np
import pydicom
from pydicom.encaps import encapsulate
from pydicom.uid import UID, RLELossless

ROOT = Path(__file__).resolve().parent.parent
SYNTAXES = {
    "native (Explicit VR LE)": "1.2.840.10008.1.2.1",
    "RLE Lossless": "1.2.840.10008.1.2.5",
    "JPEG-LS Lossless": "1.2.840.10008.1.2.4.80",
    "JPEG 2000 Lossless": "1.2.840.10008.1.2.4.90",
    "HTJ2K Lossless": "1.2.840.10008.1.2.4.201",
    "JPEG baseline": "1.2.840.10008.1.2.4.50",
}
SHAPES = {"512x512 grey 16-bit": (512, 512, 1), "1024x768 RGB 8-bit": (768, 1024, 3)}


def _image(rows: int, columns: int, samples: int, frames: int) -> np.ndarray:
    r, c = np.mgrid[0:rows, 0:columns]
    base = ((r * 7 + c * 3) % 4096) if samples == 1 else ((r + c) % 256)
    noise = np.random.default_rng(1).integers(0, 32, (frames, rows, columns))
    values = base[None] + noise
    if samples == 3:
        values = np.stack([values, values // 2, 255 - values % 256], -1)
        return (values % 256).astype(np.uint8)
    return (values % 4096).astype(np.uint16)


def make(shape: tuple[int, int, int], syntax: str, frames: int) -> bytes | None:
    """The image as a file, or None when the syntax does not take it (JPEG baseline, 16 bits)."""
    import imagecodecs
    from tests.core.pixels.helpers import make_image

    rows, columns, samples = shape
    if syntax.endswith(".4.50") and samples == 1:
        return None
    values = _image(rows, columns, samples, frames)
    bits = 8 if samples == 3 else 16
    ds = make_image(values.tobytes(), rows=rows, columns=columns, bits_allocated=bits,
                    bits_stored=8 if bits == 8 else 12, samples=samples,
                    photometric="RGB" if samples == 3 else "MONOCHROME2", frames=frames)
    encoders = {
        "1.2.840.10008.1.2.4.80": imagecodecs.jpegls_encode,
        "1.2.840.10008.1.2.4.90": lambda a: imagecodecs.jpeg2k_encode(a, level=0),
        "1.2.840.10008.1.2.4.201": imagecodecs.htj2k_encode,
        "1.2.840.10008.1.2.4.50": lambda a: imagecodecs.jpeg8_encode(a, level=90),
    }
    if syntax == str(RLELossless):
        ds.compress(RLELossless, values if frames > 1 else values[0], encoding_plugin="pydicom",
                    generate_instance_uid=False)
    elif syntax in encoders:
        ds.PixelData = encapsulate([bytes(encoders[syntax](f)) for f in values])
        ds["PixelData"].VR = "OB"
        ds["PixelData"].is_undefined_length = True
        ds.file_meta.TransferSyntaxUID = UID(syntax)
        if syntax.endswith(".4.50"):
            ds.PhotometricInterpretation = "YBR_FULL_422"
    out = BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def measure(frames: int, runs: int) -> list[tuple[str, str, float]]:
    from dicomtab.deid.redact import redact
    from dicomtab.deid.regions import Box

    rows = []
    for shape_name, shape in SHAPES.items():
        for syntax_name, syntax in SYNTAXES.items():
            data = make(shape, syntax, frames)
            if data is None:
                continue
            times = []
            for _ in range(runs):
                ds = pydicom.dcmread(BytesIO(data))
                started = time.perf_counter()
                redact(ds, [Box(0, 0, shape[1], 48)], "bench.dcm")
                times.append((time.perf_counter() - started) * 1000 / frames)
            rows.append((shape_name, syntax_name, statistics.median(times)))
    return rows


TEMPLATE = """{"format": "dicomtab-redaction-template", "version": 1, "templates": [
 {"name": "bench", "match": {}, "boxes": [{"x": 0, "y": 0, "width": %d, "height": 48}]}]}"""

TAB_RUN = """async ({key, ids, regions}) => {
    const started = performance.now();
    await window.dicomtab.deidentify({profile: 'basic', key, output: 'zip', instanceIds: ids,
                                      regions});
    return performance.now() - started;
}"""


def measure_tab(frames: int, runs: int, folder: Path) -> list[tuple[str, str, float]]:
    """Per case, the tab's extra time per frame when a template blanks a box on every frame."""
    from playwright.sync_api import sync_playwright
    from tests.browser.conftest import CHROMIUM_ARGS, SYSTEM_CHROMIUM
    from tests.deid_runs import KEY_TEXT

    from serve import serve_in_thread

    cases = []
    for shape_name, shape in SHAPES.items():
        for syntax_name, syntax in SYNTAXES.items():
            data = make(shape, syntax, frames)
            if data is not None:
                path = folder / f"case{len(cases)}.dcm"
                path.write_bytes(data)
                cases.append((shape_name, syntax_name, shape, path))
    rows = []
    server, url = serve_in_thread(ROOT / "dist")
    with sync_playwright() as playwright:
        executable = str(SYSTEM_CHROMIUM) if SYSTEM_CHROMIUM.exists() else None
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        page.evaluate("Promise.all([window.dicomtab.ready, window.dicomtab.pixelsReady])")
        page.get_by_test_id("file-input").set_input_files([str(c[3]) for c in cases])
        page.wait_for_function("(n) => window.dicomtab.instances().length === n",
                               arg=len(cases), timeout=0, polling=500)
        ids = {i["fileName"]: i["instanceId"] for i in page.evaluate("window.dicomtab.instances()")}
        for shape_name, syntax_name, shape, path in cases:
            regions = [{"name": "bench.json", "text": TEMPLATE % shape[1]}]
            times: dict[bool, list[float]] = {True: [], False: []}
            for _ in range(runs):
                for blank in (False, True):
                    with page.expect_download(timeout=0):
                        times[blank].append(page.evaluate(TAB_RUN, {
                            "key": KEY_TEXT, "ids": [ids[path.name]],
                            "regions": regions if blank else []}))
            extra = statistics.median(times[True]) - statistics.median(times[False])
            rows.append((shape_name, syntax_name, extra / frames))
        browser.close()
    server.shutdown()
    return rows


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from bench.machine import describe

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tab", action="store_true", help="also measure in the tab")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "build"))
    rows = measure(args.frames, args.runs)
    if args.tab:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            tab = {(a, b): ms for a, b, ms in measure_tab(args.frames, args.runs, Path(tmp))}
        rows = [(a, b, ms, tab.get((a, b))) for a, b, ms in rows]  # type: ignore[misc]
    print(f"redaction under CPython, {args.frames} frames, median of {args.runs} runs; {describe()}")
    print(f"| {'image':<20} | {'syntax':<24} | {'ms per frame':>12} | {'tab, ms per frame':>17} |")
    print(f"|{'-' * 22}|{'-' * 26}|{'-' * 14}|{'-' * 19}|")
    for shape_name, syntax_name, ms, *tab_ms in rows:
        in_tab = f"{tab_ms[0]:>17.1f}" if tab_ms and tab_ms[0] is not None else f"{'-':>17}"
        print(f"| {shape_name:<20} | {syntax_name:<24} | {ms:>12.1f} | {in_tab} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
