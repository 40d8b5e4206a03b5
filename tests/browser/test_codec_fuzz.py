"""Corrupt frames of every compressed syntax through the tab's WebAssembly codecs (a fixed
sample of bench/codec_fuzz.py): each gives a frame or a typed error naming its syntax, never
an internal error or a hang, and the codecs then decode the intact samples exactly as before."""

from __future__ import annotations

from pathlib import Path

from bench import codec_fuzz
from playwright.sync_api import Page


def test_corrupt_frames_of_every_syntax_give_a_frame_or_a_typed_error(
        app: Page, tmp_path: Path) -> None:
    syntaxes = len(codec_fuzz.make_samples(tmp_path))
    assert syntaxes >= 10  # the bundled eight, and the generated JPEG p14 and HTJ2K ones
    counts, examples = codec_fuzz.run(app, tmp_path, syntaxes * len(codec_fuzz.MUTATIONS), seed=5)
    assert counts["typed"] > 0 and counts["decoded"] > 0
    assert not examples, examples
