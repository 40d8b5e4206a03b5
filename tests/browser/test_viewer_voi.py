"""The viewer's VOI module (web/app/page/viewer/voi.js) against the reference display_uint8, value
by value, at the edges where rounding or a comparison could differ: window ends, width 1,
halves (numpy rounds them to even), values outside a VOI LUT, NaN, integer data through the
lookup table and float data through the formula."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import Browser, Page

from dicomtab.pixels.voi import display_uint8

WINDOWS = [(40.0, 80.0), (0.5, 1.0), (-600.0, 1500.0), (100.25, 2.5), (3.0, 1.0), (2047.5, 4096.0)]
TABLE = {"first": -20, "bits": 10, "data": [int(v) for v in np.linspace(0, 1023, 301) ** 1.2 / 1023**0.2]}


def _values(kind: str) -> np.ndarray:
    base = np.linspace(-3000, 3000, 24001)
    edges = []
    for c, w in WINDOWS:
        for e in (c - 0.5 - (w - 1) / 2, c - 0.5 + (w - 1) / 2, c - w / 2, c + w / 2, c, c - 0.5):
            edges += [e, np.nextafter(e, -np.inf), np.nextafter(e, np.inf), e + 0.5, e - 0.5]
    halves = np.arange(-40, 300) + 0.5
    values = np.concatenate([base, edges, halves])
    if kind == "int32":
        return np.unique(np.round(values)).astype(np.int32)
    out = values.astype(np.float32)
    return np.concatenate([out, np.array([np.nan], dtype=np.float32)])


@pytest.fixture(scope="module")
def page(browser: Browser, site_url: str) -> Iterator[Page]:
    """The site's page; the module is imported as the page imports it (no Python needed)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(site_url)
    yield page
    context.close()


def _render(page: Page, values: np.ndarray, vois: list[dict[str, Any]]) -> list[np.ndarray]:
    """Grey bytes of `values` under each VOI, by voi.js's renderGrey."""
    kind = "int32" if values.dtype == np.int32 else "float32"
    out = page.evaluate(
        """async ([kind, b64, vois]) => {
            const { renderGrey } = await import('./app/page/viewer/voi.js');
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const values = kind === 'int32' ? new Int32Array(bytes.buffer) : new Float32Array(bytes.buffer);
            let min = Infinity, max = -Infinity;
            for (const v of values) { if (v < min) min = v; if (v > max) max = v; }
            const words = new Uint32Array(values.length);
            return vois.map((voi) => {
                renderGrey(values, min, max, voi, words);
                const grey = Uint8Array.from(words, (w) => w & 0xff);
                let s = '';
                for (let i = 0; i < grey.length; i += 8192) s += String.fromCharCode(...grey.subarray(i, i + 8192));
                return btoa(s);
            });
        }""",
        [kind, base64.b64encode(values.astype("<i4" if kind == "int32" else "<f4").tobytes()).decode(), vois],
    )
    return [np.frombuffer(base64.b64decode(b), dtype=np.uint8) for b in out]


@pytest.mark.parametrize("kind", ["int32", "float32"])
def test_windows_equal_the_reference(page: Page, kind: str) -> None:
    values = _values(kind)
    vois = [
        {"center": c, "width": w, "fn": fn, "table": None, "invert": invert}
        for fn in ("LINEAR", "LINEAR_EXACT", "SIGMOID")
        for c, w in WINDOWS
        for invert in (False, True)
    ]
    for voi, got in zip(vois, _render(page, values, vois), strict=True):
        with np.errstate(invalid="ignore", over="ignore"):
            want = display_uint8(values, center=voi["center"], width=voi["width"],
                                 function=voi["fn"], invert=voi["invert"])
        bad = np.flatnonzero(got != want)
        assert bad.size == 0, (voi, values[bad[:5]], got[bad[:5]], want[bad[:5]])


@pytest.mark.parametrize("kind", ["int32", "float32"])
def test_voi_lut_table_equals_the_reference(page: Page, kind: str) -> None:
    values = _values(kind)
    values = values[np.isfinite(values)]
    vois = [{"center": 0, "width": 1, "fn": "LINEAR", "table": TABLE, "invert": invert} for invert in (False, True)]
    for voi, got in zip(vois, _render(page, values, vois), strict=True):
        want = display_uint8(values, table=TABLE, invert=voi["invert"])
        bad = np.flatnonzero(got != want)
        assert bad.size == 0, (values[bad[:5]], got[bad[:5]], want[bad[:5]])
