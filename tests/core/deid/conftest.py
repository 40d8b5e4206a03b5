"""Fixtures for the de-identification tests: a key, the PHI-seeded sets, batch outputs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dicomtab.deid.batch import BatchResult, collect_inputs, run_batch
from dicomtab.deid.keys import Key
from dicomtab.deid.profile import load_profile
from dicomtab.deid.verify import Originals, collect_originals
from tests.core.deid.hipaa_set import write_hipaa_set
from tests.core.deid.phi_set import write_set

KEY = Key(bytes(range(32)))
OTHER_KEY = Key(bytes(range(1, 33)))

Out = tuple[Path, BatchResult]
#: (set, profile) -> the batch's output folder and result; every batch is verified.
Batches = Callable[[str, str], Out]


@pytest.fixture(scope="session")
def key() -> Key:
    return KEY


@pytest.fixture(scope="session")
def phi_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The PHI-seeded set written to disk once (read-only for the tests)."""
    folder = tmp_path_factory.mktemp("phi") / "input"
    write_set(folder)
    return folder


@pytest.fixture(scope="session")
def hipaa_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HIPAA set (ages over 89, ZIP codes, identifier shapes in text, faces) on disk."""
    folder = tmp_path_factory.mktemp("hipaa") / "input"
    write_hipaa_set(folder)
    return folder


@pytest.fixture(scope="session")
def originals(phi_dir: Path) -> Originals:
    found, problems = collect_originals(collect_inputs([phi_dir]))
    assert problems == []
    return found


@pytest.fixture(scope="session")
def all_originals(phi_dir: Path, hipaa_dir: Path) -> Originals:
    found, problems = collect_originals(collect_inputs([phi_dir, hipaa_dir]))
    assert problems == []
    return found


@pytest.fixture(scope="session")
def batches(tmp_path_factory: pytest.TempPathFactory, phi_dir: Path, hipaa_dir: Path) -> Batches:
    """Run a profile on a set ("phi" or "hipaa") once per session."""
    done: dict[tuple[str, str], Out] = {}
    sets = {"phi": phi_dir, "hipaa": hipaa_dir}

    def run(which: str, profile: str) -> Out:
        if (which, profile) not in done:
            out = tmp_path_factory.mktemp(f"out-{profile}-{which}")
            batch = run_batch(collect_inputs([sets[which]]), out, load_profile(profile), KEY,
                              verify=True)
            done[(which, profile)] = (out, batch)
        return done[(which, profile)]

    return run


@pytest.fixture(scope="session")
def basic_out(batches: Batches) -> Out:
    return batches("phi", "basic")


@pytest.fixture(scope="session")
def research_out(batches: Batches) -> Out:
    return batches("phi", "research")
