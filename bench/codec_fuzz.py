"""Mutation fuzzing of the tab's WebAssembly codecs: corrupt frames of every compressed syntax.

    python bench/codec_fuzz.py [--cases 600] [--seed 1] [--site dist]

One sample per compressed transfer syntax the tab decodes (pydicom's bundled files, and
codestreams made with imagecodecs for JPEG Lossless process 14 and HTJ2K, which pydicom has
no sample of) gets its first frame mutated: bit flips, a cut, a run of zeros or of random
bytes, damaged markers at the start, garbage appended, an empty frame. Each case is opened
through the page's file input and its frame decoded in the worker
(``window.dicomtab.frameDigest``), with a 10 s limit. A case is:

- ``decoded``: the codec produced a frame (it may fill in what was lost);
- ``typed``: a typed error naming the syntax ("Frame 1 could not be decoded as ...");
- ``unexpected``: any other error (an internal error, a codec's raw message);
- ``hang``: no answer within 10 s;
- ``broken``: afterwards the intact sample no longer decodes as before (a codec's state was
  corrupted), or the page crashed.

Prints the table; ``tests/browser/test_codec_fuzz.py`` runs a small fixed-seed sample.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pydicom
from pydicom.encaps import encapsulate, generate_frames

ROOT = Path(__file__).resolve().parent.parent

#: Bundled samples by transfer syntax (the generated ones are added by make_samples).
BUNDLED = {
    "1.2.840.10008.1.2.4.50": "SC_rgb_jpeg_dcmtk.dcm",
    "1.2.840.10008.1.2.4.51": "JPGExtended.dcm",
    "1.2.840.10008.1.2.4.70": "SC_rgb_jpeg_gdcm.dcm",
    "1.2.840.10008.1.2.4.80": "MR_small_jpeg_ls_lossless.dcm",
    "1.2.840.10008.1.2.4.81": "JPEGLSNearLossless_16.dcm",
    "1.2.840.10008.1.2.4.90": "MR_small_jp2klossless.dcm",
    "1.2.840.10008.1.2.4.91": "JPEG2000.dcm",
    "1.2.840.10008.1.2.5": "MR_small_RLE.dcm",
}
MUTATIONS = ("flip", "cut", "zeros", "garbage", "markers", "append", "empty")
KINDS = ("decoded", "typed", "unexpected", "hang", "broken")
#: How a typed pixel error starts (dicomtab.pixels: the syntax is named after it).
TYPED = "Frame 1 could not be decoded as "
TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Case:
    path: Path
    syntax: str
    mutation: str


def make_samples(folder: Path) -> dict[str, Path]:
    """One intact sample per syntax in ``folder``, by transfer syntax UID."""
    from tests.conftest import bundled

    samples = {}
    for syntax, name in BUNDLED.items():
        samples[syntax] = folder / f"intact-{name}"
        samples[syntax].write_bytes(bundled(name).read_bytes())
    try:
        from tests.browser.test_pixel_parity import _generated
    except ImportError:  # without imagecodecs: the bundled syntaxes only
        return samples
    for path in _generated(folder):
        syntax = path.stem.removeprefix("generated-")
        samples[syntax] = path
    return samples


def mutate(frame: bytes, mutation: str, rng: random.Random) -> bytes:
    """``frame`` damaged by ``mutation`` (see MUTATIONS)."""
    data = bytearray(frame)
    size = len(data)
    if mutation == "flip":
        for _ in range(rng.randint(1, 16)):
            at = rng.randrange(size)
            data[at] ^= 1 << rng.randrange(8)
    elif mutation == "cut":
        del data[rng.randint(1, max(1, size - 1)):]
    elif mutation in ("zeros", "garbage"):
        start = rng.randrange(size)
        length = rng.randint(1, max(1, size // 4))
        fill = bytes(length) if mutation == "zeros" else rng.randbytes(length)
        data[start: start + length] = fill[: size - start]
    elif mutation == "markers":
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(min(size, 64))
            data[at] = rng.randrange(256)
    elif mutation == "append":
        data += rng.randbytes(rng.randint(1, 4096))
    elif mutation == "empty":
        data = bytearray(2)
    return bytes(data + b"\0" * (len(data) % 2))


def make_cases(folder: Path, samples: dict[str, Path], count: int, seed: int) -> list[Case]:
    """``count`` mutated files in ``folder``, cycling over the syntaxes and mutations."""
    rng = random.Random(seed)
    syntaxes = sorted(samples)
    cases = []
    for n in range(count):
        syntax = syntaxes[n % len(syntaxes)]
        mutation = MUTATIONS[(n // len(syntaxes)) % len(MUTATIONS)]
        ds = pydicom.dcmread(samples[syntax])
        count_frames = int(ds.get("NumberOfFrames", 1) or 1)
        frames = list(generate_frames(ds.PixelData, number_of_frames=count_frames)) \
            if ds.file_meta.TransferSyntaxUID.is_encapsulated else []
        frames[0] = mutate(frames[0], mutation, rng)
        ds.PixelData = encapsulate(frames)
        path = folder / f"case-{n:05d}.dcm"
        ds.save_as(path)
        cases.append(Case(path, syntax, mutation))
    return cases


DECODE = """async ({ids, timeout}) => {
    const out = [];
    for (const id of ids) {
        const limit = new Promise((resolve) => setTimeout(() => resolve({hang: true}), timeout));
        const decoded = window.dicomtab.frameDigest(id, 0).then(
            (digest) => ({digest}), (error) => ({error: String(error && error.message)}));
        out.push(await Promise.race([decoded, limit]));
    }
    return out;
}"""


def classify(result: dict[str, object]) -> str:
    """The kind (see KINDS) of one frameDigest result."""
    if result.get("hang"):
        return "hang"
    if "digest" in result:
        return "decoded"
    message = str(result.get("error", ""))
    return "typed" if message.startswith(TYPED) and "internal" not in message else "unexpected"


def run(page: object, folder: Path, count: int, seed: int,
        batch: int = 50) -> tuple[Counter[str], dict[str, list[str]]]:
    """Fuzz through an open page (``window.dicomtab`` ready): the count per kind, and a few
    examples of each kind other than decoded and typed."""
    from tests.browser.conftest import open_files

    samples = make_samples(folder)
    intact = list(samples.values())
    open_files(page, intact, expect_total=len(intact))  # type: ignore[arg-type]
    ids = [i["instanceId"] for i in page.evaluate("window.dicomtab.instances()")]  # type: ignore[attr-defined]
    before = page.evaluate(DECODE, {"ids": ids, "timeout": TIMEOUT_MS})  # type: ignore[attr-defined]
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    cases = make_cases(folder, samples, count, seed)
    crashed: list[bool] = []
    page.on("crash", lambda _page: crashed.append(True))  # type: ignore[attr-defined]
    opened = len(intact)
    for start in range(0, len(cases), batch):
        chunk = cases[start: start + batch]
        opened += len(chunk)
        open_files(page, [c.path for c in chunk], expect_total=opened)  # type: ignore[arg-type]
        by_name = {i["fileName"]: i["instanceId"]
                   for i in page.evaluate("window.dicomtab.instances()")}  # type: ignore[attr-defined]
        results = page.evaluate(DECODE, {"ids": [by_name[c.path.name] for c in chunk],  # type: ignore[attr-defined]
                                         "timeout": TIMEOUT_MS})
        for case, result in zip(chunk, results, strict=True):
            kind = classify(result)
            counts[kind] += 1
            if kind not in ("decoded", "typed"):
                examples.setdefault(kind, []).append(
                    f"{case.syntax} {case.mutation} {case.path.name}: {str(result)[:120]}")
        after = page.evaluate(DECODE, {"ids": ids, "timeout": TIMEOUT_MS})  # type: ignore[attr-defined]
        if after != before or crashed:
            counts["broken"] += 1
            changed = [path.name for path, b, a in zip(intact, before, after, strict=True) if a != b]
            examples.setdefault("broken", []).append(
                f"after cases {start}-{start + len(chunk) - 1}: {changed or 'page crashed'} "
                f"{[a for b, a in zip(before, after, strict=True) if a != b][:2]}")
            break
    return counts, examples


def table(counts: Counter[str], cases: int) -> str:
    rows = [f"{cases} corrupt frames", f"{'outcome':<12}{'cases':>8}{'share':>9}"]
    rows += [f"{kind:<12}{counts[kind]:>8}{100 * counts[kind] / max(cases, 1):>8.2f}%"
             for kind in KINDS]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT / "build"))
    sys.path.insert(0, str(ROOT))
    from bench.machine import describe
    from playwright.sync_api import sync_playwright
    from tests.browser.conftest import CHROMIUM_ARGS, SYSTEM_CHROMIUM

    from serve import serve_in_thread

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--site", type=Path, default=ROOT / "dist", help="built site (default dist/)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        server, url = serve_in_thread(args.site)
        with sync_playwright() as playwright:
            executable = str(SYSTEM_CHROMIUM) if SYSTEM_CHROMIUM.exists() else None
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url)
            page.evaluate("Promise.all([window.dicomtab.ready, window.dicomtab.pixelsReady])")
            counts, examples = run(page, Path(tmp), args.cases, args.seed)
            version = browser.version
            browser.close()
        server.shutdown()
    print(f"Chromium {version} headless; {describe()}")
    print(table(counts, args.cases))
    for kind, found in examples.items():
        print(f"{kind}: " + "; ".join(found[:5]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
