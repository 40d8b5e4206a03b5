"""Decoding parity: every frame the browser decodes equals CPython pydicom's pixel_array.

Every file of pydicom's bundled test set that CPython pydicom (with pylibjpeg & co.)
decodes, plus codestreams made here for the syntaxes pydicom bundles no sample of (JPEG
Lossless process 14, HTJ2K), is opened through the page's file input; the page's
``window.dicomtab.frameDigest`` of every frame must equal the digest of CPython's values.
For lossy syntaxes the browser's codec and CPython's may round differently: their values
are compared through ``frameValues`` (.npy) within a stated tolerance instead.
"""

from __future__ import annotations

import base64
import shutil
import warnings
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import Page
from pydicom.encaps import encapsulate
from pydicom.uid import UID

from dicomtab.errors import DicomtabError
from dicomtab.pixels import frames
from dicomtab.pixels.decoders import TRANSFER_SYNTAXES, is_lossless
from dicomtab.reading import open_dataset
from tests.browser.conftest import open_files
from tests.conftest import BUNDLED_DIR
from tests.core.pixels.helpers import make_image

#: Lossy syntaxes: largest difference allowed between two conforming decoders, as a share of
#: the stored range (JPEG's IDCT may be implemented in integer or float arithmetic).
LOSSY_TOLERANCE = 0.02


def _reference(path: Path) -> dict[str, Any] | None:
    """CPython's digest of every frame, or None when CPython does not decode the file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds = open_dataset(path.read_bytes(), path.name).dataset
            count = frames.number_of_frames(ds)
            info = frames.frame_info(ds, 0)
            values = [frames.decode_frame(ds, i)[0] for i in range(count)]
        except DicomtabError:
            return None
    return {
        "syntax": info.transfer_syntax,
        "digests": [frames.digest_of(v) for v in values],
        "values": values,
        "bitsStored": info.bits_stored,
    }


def _generated(folder: Path) -> list[Path]:
    """Samples of the syntaxes without a bundled file: JPEG Lossless p14 and HTJ2K."""
    imagecodecs = pytest.importorskip("imagecodecs")
    rows, columns = np.mgrid[0:48, 0:40]
    values = ((rows * 97 + columns * columns * 13 + (rows * columns) % 7) % 4096).astype(np.uint16)
    streams = {"1.2.840.10008.1.2.4.57": imagecodecs.ljpeg_encode(values, bitspersample=12)}
    for syntax in (u for u in TRANSFER_SYNTAXES if u.endswith((".201", ".202", ".203"))):
        streams[syntax] = imagecodecs.htj2k_encode(values)
    paths = []
    for syntax, stream in streams.items():
        ds = make_image(encapsulate([stream]), rows=48, columns=40, bits_stored=12)
        ds.file_meta.TransferSyntaxUID = UID(syntax)
        ds["PixelData"].VR = "OB"
        ds["PixelData"].is_undefined_length = True
        out = BytesIO()
        ds.save_as(out, enforce_file_format=True)
        path = folder / f"generated-{syntax}.dcm"
        path.write_bytes(out.getvalue())
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("parity")
    found = []
    bundled = sorted(p for p in BUNDLED_DIR.rglob("*") if p.is_file())
    for n, path in enumerate(bundled):
        reference = _reference(path)
        if reference is not None:
            # Unique names: the bundled set has equal file names in different folders.
            copy = folder / f"{n:03d}-{path.name}"
            shutil.copyfile(path, copy)
            found.append((copy, reference))
    for path in _generated(folder):
        reference = _reference(path)
        assert reference is not None, path.name
        found.append((path, reference))
    return found


def test_the_samples_cover_every_transfer_syntax(samples: list[tuple[Path, dict[str, Any]]]) -> None:
    assert {ref["syntax"] for _, ref in samples} == set(TRANSFER_SYNTAXES)
    assert len(samples) >= 80


def _values_from_npy(data_b64: str) -> np.ndarray:
    return np.load(BytesIO(base64.b64decode(data_b64)), allow_pickle=False)


def test_every_frame_decodes_in_the_browser_as_in_cpython(
    app: Page, samples: list[tuple[Path, dict[str, Any]]]
) -> None:
    decoders = {row["transferSyntax"]: row["codec"] for row in app.evaluate("window.dicomtab.pixelsReady")}
    assert all(decoders[uid] for uid in TRANSFER_SYNTAXES), f"syntaxes without a decoder: {decoders}"
    open_files(app, [path for path, _ in samples], expect_total=len(samples))
    opened = app.evaluate("window.dicomtab.instances()")
    assert [i["fileName"] for i in opened] == [path.name for path, _ in samples]
    jobs = [[i["instanceId"], len(ref["digests"])] for i, (_, ref) in zip(opened, samples, strict=True)]
    digests = app.evaluate(
        """async (jobs) => {
            const out = [];
            for (const [id, count] of jobs) {
                const frames = [];
                for (let i = 0; i < count; i++) {
                    try { frames.push(await window.dicomtab.frameDigest(id, i)); }
                    catch (error) { frames.push(`error: ${error.message}`); }
                }
                out.push(frames);
            }
            return out;
        }""",
        jobs,
    )
    mismatched, lossy_checked, worst_by_syntax = [], 0, {}
    for (path, ref), got, (instance_id, _) in zip(samples, digests, jobs, strict=True):
        for index, (want, have) in enumerate(zip(ref["digests"], got, strict=True)):
            if want == have:
                continue
            if is_lossless(ref["syntax"]) or have.startswith("error"):
                mismatched.append(f"{path.name} frame {index} ({ref['syntax']}): {have[:120]}")
                continue
            npy = app.evaluate(
                """async ([id, index]) => {
                    const buffer = await window.dicomtab.frameValues(id, index);
                    let text = '';
                    for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
                    return btoa(text);
                }""",
                [instance_id, index],
            )
            browser, cpython = _values_from_npy(npy), ref["values"][index]
            assert browser.shape == cpython.shape and browser.dtype == cpython.dtype, path.name
            allowed = max(1, round(LOSSY_TOLERANCE * (1 << ref["bitsStored"])))
            worst = int(np.abs(browser.astype(np.int64) - cpython.astype(np.int64)).max())
            worst_by_syntax[ref["syntax"]] = max(worst, worst_by_syntax.get(ref["syntax"], 0))
            if worst > allowed:
                mismatched.append(f"{path.name} frame {index} ({ref['syntax']}): differs by {worst} > {allowed}")
            lossy_checked += 1
    assert mismatched == []
    print(f"parity: {sum(len(r['digests']) for _, r in samples)} frames of {len(samples)} files; "
          f"{lossy_checked} lossy frames compared within tolerance; largest difference per "
          f"lossy syntax: {worst_by_syntax}")
