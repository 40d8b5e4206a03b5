"""The JSDoc types of web/app hold: the pinned TypeScript (build/typescript_tool.py) checks them.

Two configurations, because the page and the workers see different globals:
``web/jsconfig.json`` (the page's modules, the DOM) and ``web/jsconfig.worker.json`` (the
workers and what only they import, the Web Worker globals); both are ``strict``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from artifacts import ArtifactStore, IntegrityError
from build_site import copy_shell
from typescript_tool import tsc_path, typescript_pin

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
CONFIGS = ("jsconfig.json", "jsconfig.worker.json")
ERROR = re.compile(r"error TS\d+:")
WORKER_ONLY = ("app/worker/",)


@pytest.fixture(scope="module")
def tsc() -> Path:
    if shutil.which("node") is None:
        pytest.fail("Node.js is needed to run TypeScript (./dev needs it for the build too)")
    return tsc_path(ArtifactStore())


@pytest.fixture(scope="module")
def checked(tsc: Path) -> dict[str, tuple[int, str, set[Path]]]:
    """Per config: tsc's exit code, its messages, and the files it read."""
    results = {}
    for config in CONFIGS:
        run = subprocess.run(
            ["node", str(tsc), "-p", str(WEB / config), "--pretty", "false", "--listFiles"],
            cwd=WEB,
            capture_output=True,
            text=True,
            timeout=120,
        )
        # --listFiles: every file read, one absolute path a line, among the messages.
        lines = (run.stdout + run.stderr).splitlines()
        listed = {line for line in lines if Path(line).is_absolute() and Path(line).is_file()}
        messages = "\n".join(line for line in lines if line not in listed)
        results[config] = (run.returncode, messages, {Path(line).resolve() for line in listed})
    return results


@pytest.mark.parametrize("config", CONFIGS)
def test_types_hold(checked: dict[str, tuple[int, str, set[Path]]], config: str) -> None:
    returncode, messages, _ = checked[config]
    assert returncode == 0 and not ERROR.search(messages), f"tsc -p web/{config}:\n{messages}"


def test_every_module_is_checked(checked: dict[str, tuple[int, str, set[Path]]]) -> None:
    page, worker = (checked[config][2] for config in CONFIGS)
    modules = {p.resolve() for p in (WEB / "app").rglob("*.js")}
    assert modules - page - worker == set()
    # The workers are checked against the worker's globals, not the page's.
    for name in WORKER_ONLY:
        in_page = {p for p in page if p.as_posix().startswith((WEB / name).as_posix())}
        assert in_page == set(), f"web/{name} is checked as page code"
        assert any(p.as_posix().startswith((WEB / name).as_posix()) for p in worker), name


def test_typescript_is_held_to_its_pin(tmp_path: Path) -> None:
    pin = typescript_pin()
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / pin["tarball"]).write_bytes(b"not typescript")
    with pytest.raises(IntegrityError, match=pin["tarball_sha256"]):
        tsc_path(ArtifactStore(cache, offline=True))


def test_the_type_checking_files_are_not_shipped(tmp_path: Path) -> None:
    copy_shell(tmp_path, "default-src 'self'")
    shipped = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert "app/page/main.js" in shipped
    assert [name for name in shipped if "jsconfig" in name or name.endswith(".ts")] == []


# One edit each to a copy of web/: a request sent with a payload its type does not take, a
# response read for a field it lacks, a worker handler reading a field its request lacks.
# protocol.js's RequestMap types both ends, so tsc must name each.
WRONG_MESSAGES = {
    "page-payload": ("jsconfig.json", "app/page/main.js",
                     "client.request(Request.CLOSE, { instanceIds: [...instanceIds] })",
                     "client.request(Request.CLOSE, { instanceId: [...instanceIds] })",
                     "'instanceId' does not exist in type '{ instanceIds: string[]; }'"),
    "page-response": ("jsconfig.json", "app/page/main.js",
                      "const { closed } = await client.request(Request.CLOSE,",
                      "const { closedIds: closed } = await client.request(Request.CLOSE,",
                      "Property 'closedIds' does not exist on type '{ closed: string[]; }'"),
    "worker-handler": ("jsconfig.worker.json", "app/worker/worker.js",
                       "[Request.DIFF]: ({ a, b }) => api.diff(a, b)",
                       "[Request.DIFF]: ({ a, other }) => api.diff(a, other)",
                       "Property 'other' does not exist on type '{ a: string; b: string; }'"),
}


@pytest.mark.parametrize("case", WRONG_MESSAGES)
def test_tsc_catches_a_message_that_does_not_fit_its_type(tsc: Path, tmp_path: Path, case: str) -> None:
    config, module, right, wrong, expected = WRONG_MESSAGES[case]
    web = tmp_path / "web"
    shutil.copytree(WEB, web)
    source = web / module
    text = source.read_text()
    assert text.count(right) == 1, f"{module} no longer has {right!r}: update this test"
    source.write_text(text.replace(right, wrong))
    run = subprocess.run(["node", str(tsc), "-p", str(web / config), "--pretty", "false"],
                         cwd=web, capture_output=True, text=True, timeout=120)
    errors = [line for line in (run.stdout + run.stderr).splitlines() if ERROR.search(line)]
    assert run.returncode != 0
    assert len(errors) == 1 and errors[0].startswith(f"{module}(") and expected in errors[0], errors
