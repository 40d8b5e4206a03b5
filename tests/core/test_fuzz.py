"""The fuzz harness (bench/fuzz.py) on a few hundred mutated files, with a fixed seed.

Every entry point that reads a file (open, inspector, exports, pixels, de-identification with
its output read back, verify) must end in a success or a typed error: no internal error, no
hang, no memory blow-up, no unreadable output, no seeded identifying value in an output.
``python bench/fuzz.py`` runs 10,000 cases and prints the table the README shows.
"""

from __future__ import annotations

import random

from bench import fuzz


def test_every_mutation_changes_the_file_deterministically() -> None:
    data = bytes(range(256)) * 40
    for mutation in fuzz.MUTATIONS:
        first = fuzz.mutate(data, mutation, random.Random(3))
        assert first == fuzz.mutate(data, mutation, random.Random(3)), mutation
    assert fuzz.mutate(data, "truncate", random.Random(3)) != data


def test_three_hundred_mutated_files_reach_no_bad_state() -> None:
    counts, examples = fuzz.run(cases=300, seed=7, timeout=10, memory_mb=3072)
    assert sum(counts.values()) == 300 and counts["ok"] == 300, examples


def test_the_harness_sees_hangs_and_unexpected_errors(monkeypatch: object) -> None:
    """The classification itself: a case that never answers is a hang, one that raises an
    error nobody foresaw is unexpected (the harness must be able to fail)."""
    import time

    def hangs(data: bytes, name: str, seeded: list[bytes]) -> str:
        time.sleep(30)
        return "ok"

    monkeypatch.setattr(fuzz, "_entry_points", hangs)  # type: ignore[attr-defined]
    counts, _ = fuzz.run(cases=2, seed=1, timeout=0.5, memory_mb=3072)
    assert counts["hang"] == 2

    def raises(data: bytes, name: str, seeded: list[bytes]) -> str:
        raise RuntimeError("nobody foresaw this")

    monkeypatch.setattr(fuzz, "_entry_points", raises)  # type: ignore[attr-defined]
    counts, _ = fuzz.run(cases=2, seed=1, timeout=5, memory_mb=3072)
    assert counts["unexpected"] == 2
