"""Fixtures for the de-identification tests: a key, the PHI-seeded set, batch outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from dicomtab.deid.batch import BatchResult, collect_inputs, run_batch
from dicomtab.deid.keys import Key
from dicomtab.deid.profile import load_profile
from dicomtab.deid.verify import Originals, collect_originals
from tests.core.deid.phi_set import write_set

KEY = Key(bytes(range(32)))
OTHER_KEY = Key(bytes(range(1, 33)))


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
def originals(phi_dir: Path) -> Originals:
    found, problems = collect_originals(collect_inputs([phi_dir]))
    assert problems == []
    return found


def _run(tmp_path_factory: pytest.TempPathFactory, phi_dir: Path, profile: str,
         key: Key = KEY) -> tuple[Path, BatchResult]:
    out = tmp_path_factory.mktemp(f"out-{profile}")
    batch = run_batch(collect_inputs([phi_dir]), out, load_profile(profile), key)
    return out, batch


@pytest.fixture(scope="session")
def basic_out(tmp_path_factory: pytest.TempPathFactory, phi_dir: Path) -> tuple[Path, BatchResult]:
    return _run(tmp_path_factory, phi_dir, "basic")


@pytest.fixture(scope="session")
def research_out(
    tmp_path_factory: pytest.TempPathFactory, phi_dir: Path
) -> tuple[Path, BatchResult]:
    return _run(tmp_path_factory, phi_dir, "research")
