"""Corrupt codestreams through the WebAssembly codecs: a clear message naming the transfer
syntax, and the codecs (and the worker) still decode the next good file exactly.

Each file is one of pydicom's compressed samples with its frame cut in half, as a broken
transfer or a damaged archive leaves it. libjpeg (CPython) and jpeg-lossless-decoder-js
(browser) fill in what is missing of a cut lossless JPEG rather than fail; that case is only
required not to break anything.
"""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from playwright.sync_api import Page, expect
from pydicom.encaps import encapsulate, generate_frames

from dicomtab.pixels.decoders import is_lossless
from dicomtab.pixels.frames import frame_digest
from tests.browser.conftest import open_files, select_in_viewer
from tests.conftest import bundled

#: Sample → the syntax's name as the message gives it (None: the codec may fill in instead).
SAMPLES = {
    "MR_small_jp2klossless.dcm": "JPEG 2000 Image Compression (Lossless Only)",
    "MR_small_jpeg_ls_lossless.dcm": "JPEG-LS Lossless Image Compression",
    "SC_rgb_jpeg_dcmtk.dcm": "JPEG Baseline (Process 1)",
    "JPGExtended.dcm": "JPEG Extended (Process 2 and 4)",
    "SC_rgb_jpeg_gdcm.dcm": None,
}


def _cut(source: Path, target: Path) -> None:
    ds = pydicom.dcmread(source)
    frame = next(generate_frames(ds.PixelData, number_of_frames=1))
    half = frame[: len(frame) // 2]
    ds.PixelData = encapsulate([half + b"\0" * (len(half) % 2)])
    ds.save_as(target)


@pytest.fixture
def opened(app: Page, tmp_path: Path) -> list[dict]:
    cut = []
    for name in SAMPLES:
        cut.append(tmp_path / f"cut-{name}")
        _cut(bundled(name), cut[-1])
    good = [bundled(name) for name in SAMPLES]
    open_files(app, [*cut, *good], expect_total=2 * len(SAMPLES))
    return app.evaluate("window.dicomtab.instances()")


def _digests(app: Page, ids: list[str]) -> list[dict]:
    return app.evaluate(
        """async (ids) => {
            const out = [];
            for (const id of ids) {
                try { out.push({digest: await window.dicomtab.frameDigest(id, 0)}); }
                catch (error) { out.push({error: error.message}); }
            }
            return out;
        }""",
        ids,
    )


def test_cut_codestreams_say_so_and_the_codecs_keep_working(app: Page, opened: list[dict]) -> None:
    ids = {i["fileName"]: i["instanceId"] for i in opened}
    intact = [ids[name] for name in SAMPLES]
    before = _digests(app, intact)
    cut = dict(zip(SAMPLES, _digests(app, [ids[f"cut-{name}"] for name in SAMPLES]), strict=True))
    after = dict(zip(SAMPLES, _digests(app, intact), strict=True))
    for (name, syntax), first in zip(SAMPLES.items(), before, strict=True):
        if syntax is not None:
            assert cut[name] == {"error": f"Frame 1 could not be decoded as {syntax}: the pixel "
                                          "data is truncated or corrupt."}, name
        # After the failure the same codec decodes the intact file exactly as before it.
        assert "digest" in first and after[name] == first, name
        if is_lossless(pydicom.dcmread(bundled(name)).file_meta.TransferSyntaxUID):
            assert first["digest"] == frame_digest(pydicom.dcmread(bundled(name)), 0), name


def test_the_viewer_shows_the_message_over_the_canvas(app: Page, opened: list[dict]) -> None:
    ids = {i["fileName"]: i["instanceId"] for i in opened}
    select_in_viewer(app, ids["cut-MR_small_jp2klossless.dcm"])
    expect(app.get_by_test_id("viewer-error")).to_contain_text("JPEG 2000 Image Compression")
    expect(app.get_by_test_id("inspector")).to_have_attribute("data-loaded", ids["cut-MR_small_jp2klossless.dcm"])
    select_in_viewer(app, ids["MR_small_jp2klossless.dcm"])
    expect(app.get_by_test_id("viewer-error")).to_be_hidden()
