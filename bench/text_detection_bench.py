"""Finding burned-in text: dicomtab's detector (PP-OCRv4 det) against Tesseract, and its speed.

    python bench/text_detection_bench.py [--runs 3] [--tab] [--no-tesseract]

Images: 512 x 512 grey and 1024 x 768 RGB frames like an ultrasound (a sector of speckle,
dark around it) with a name, an ID, a birth date, an institution and a time drawn in Pillow's
font at 9, 12, 16 and 24 pixels, in full and in 60 % brightness (16 images), and 5 of
pydicom's bundled images that show no text (CT, MR, an RGB test pattern, CR). For each engine:

* glyph recall: the share of glyph pixels inside the engine's boxes (mean, and the number of
  images where every glyph pixel is covered: what redaction needs);
* false area: the share of a text-free image the engine boxes (mean over the 5);
* time per frame (median over ``--runs``), for each size, once loaded.

Tesseract runs as Debian's tesseract-ocr 5 through pytesseract (sparse text, page
segmentation mode 11), its word boxes grown by 2 pixels. With ``--tab`` the detector is also
timed in headless Chromium (the built dist/, onnxruntime-web) through
``window.dicomtab.detectText``; the first call's time (loading the runtime and the model) is
printed apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SIZES = (9, 12, 16, 24)
INKS = (1.0, 0.6)
SHAPES = {"512x512 grey": (512, 512, "mono2-8"), "1024x768 RGB": (768, 1024, "rgb")}
NEGATIVES = ("CT_small.dcm", "MR_small.dcm", "SC_rgb.dcm", "MR2_UNCR.dcm", "RG1_UNCR.dcm")


def pictures() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(shape name, 8-bit RGB picture, glyph mask) for every case."""
    from tests.burned_in import drawn_values

    out = []
    for name, (rows, columns, kind) in SHAPES.items():
        for size in SIZES:
            for ink in INKS:
                values, masks = drawn_values(kind, rows, columns, 1, size, ink)
                picture = values[0].astype(np.uint8)
                if picture.ndim == 2:
                    picture = np.repeat(picture[:, :, None], 3, axis=2)
                out.append((name, picture, masks[0]))
    return out


def negatives() -> list[np.ndarray]:
    import pydicom
    from pydicom.data import get_testdata_file

    from dicomtab.pixels.text_detection import display_rgb8

    out = []
    for name in NEGATIVES:
        ds = pydicom.dcmread(get_testdata_file(name))
        frame = ds.pixel_array
        if frame.ndim == 4 or (frame.ndim == 3 and frame.shape[-1] != 3):
            frame = frame[0]
        out.append(display_rgb8(frame, str(ds.PhotometricInterpretation)))
    return out


def dicomtab_boxes(picture: np.ndarray) -> list[tuple[int, int, int, int]]:
    from dicomtab.pixels.text_detection import detect_in_picture

    return [(b.x, b.y, b.width, b.height) for b in detect_in_picture(picture)]


def tesseract_boxes(picture: np.ndarray) -> list[tuple[int, int, int, int]]:
    import pytesseract
    from PIL import Image

    data = pytesseract.image_to_data(Image.fromarray(picture), config="--psm 11",
                                     output_type=pytesseract.Output.DICT)
    return [(data["left"][i] - 2, data["top"][i] - 2, data["width"][i] + 4, data["height"][i] + 4)
            for i in range(len(data["level"]))
            if data["level"][i] == 5 and data["text"][i].strip()]


def covered(shape: tuple[int, ...], boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    mask = np.zeros(shape[:2], dtype=bool)
    for x, y, w, h in boxes:
        mask[max(0, y): y + h, max(0, x): x + w] = True
    return mask


def measure(engine, cases, text_free, runs: int) -> dict:
    recall, complete, times = [], 0, {name: [] for name in SHAPES}
    for name, picture, glyphs in cases:
        for _ in range(runs):
            start = time.perf_counter()
            boxes = engine(picture)
            times[name].append(time.perf_counter() - start)
        share = float((covered(picture.shape, boxes) & glyphs).sum() / glyphs.sum())
        recall.append(share)
        complete += share == 1.0
    false_area = [float(covered(p.shape, engine(p)).mean()) for p in text_free]
    return {"recall": statistics.mean(recall), "complete": complete, "cases": len(cases),
            "false": statistics.mean(false_area),
            "ms": {name: statistics.median(t) * 1000 for name, t in times.items()}}


def tab_times(cases, runs: int) -> tuple[float, dict[str, float]]:
    """(first call in ms, median ms per frame for each shape) in headless Chromium."""
    import subprocess
    import tempfile

    import pydicom
    from playwright.sync_api import sync_playwright
    from tests.browser.conftest import CHROMIUM_ARGS, SYSTEM_CHROMIUM, open_files
    from tests.core.pixels.helpers import make_image

    folder = Path(tempfile.mkdtemp())
    paths = []
    for n, (name, picture, _glyphs) in enumerate(cases[::len(SIZES) * len(INKS)]):
        ds = make_image(picture.tobytes(), rows=picture.shape[0], columns=picture.shape[1],
                        bits_allocated=8, samples=3, photometric="RGB", Modality="US")
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = f"1.2.826.0.1.3680043.9.9999.7.{n}"
        path = folder / f"{name.split()[0]}.dcm"
        ds.save_as(path, enforce_file_format=True)
        pydicom.dcmread(path)  # valid
        paths.append((name, path))
    server = subprocess.Popen([sys.executable, str(ROOT / "build" / "serve.py"), "--port", "8791"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)
        with sync_playwright() as playwright:
            executable = str(SYSTEM_CHROMIUM) if SYSTEM_CHROMIUM.exists() else None
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto("http://127.0.0.1:8791/")
            page.evaluate("window.dicomtab.ready")
            open_files(page, [p for _, p in paths], expect_total=len(paths))
            ids = {s["fileName"]: s["instanceId"] for s in page.evaluate("window.dicomtab.instances()")}
            timed = "async (id) => { const t = performance.now(); await window.dicomtab.detectText(id, 0); return performance.now() - t; }"
            first = page.evaluate(timed, ids[paths[0][1].name])
            out = {name: statistics.median(page.evaluate(timed, ids[path.name]) for _ in range(runs))
                   for name, path in paths}
            browser.close()
    finally:
        server.kill()
    return first, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tab", action="store_true", help="also time the detector in the tab")
    parser.add_argument("--no-tesseract", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "build"))
    cases, text_free = pictures(), negatives()
    engines = {"dicomtab (PP-OCRv4 det, onnxruntime)": dicomtab_boxes}
    if not args.no_tesseract:
        engines["Tesseract 5 (pytesseract, psm 11)"] = tesseract_boxes
    print(f"{len(cases)} images with text, {len(text_free)} without; times are medians of {args.runs}")
    print(f"{'engine':40} {'glyph recall':>12} {'all covered':>12} {'false area':>11} "
          + " ".join(f"{name + ' ms':>18}" for name in SHAPES))
    for label, engine in engines.items():
        engine(cases[0][1])  # load it first
        r = measure(engine, cases, text_free, args.runs)
        print(f"{label:40} {r['recall']:12.3f} {r['complete']:>7}/{r['cases']:<4} {r['false']:11.3f} "
              + " ".join(f"{r['ms'][name]:18.0f}" for name in SHAPES))
    if args.tab:
        first, times = tab_times(cases, args.runs)
        print(f"{'dicomtab in the tab (onnxruntime-web)':40} {'':>12} {'':>12} {'':>11} "
              + " ".join(f"{times[name]:18.0f}" for name in SHAPES))
        print(f"first detection in the tab, loading onnxruntime-web and the model: {first:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
