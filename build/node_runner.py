"""Running the site's own Pyodide under Node.js at build time.

Two build steps need CPython 3.12 exactly as the browser runs it: compiling bytecode (the
builder's own CPython cannot write 3.12 ``.pyc``) and making the memory snapshot (only the
same Pyodide build can restore it). Both run the verified runtime files the site ships, under
Node, through a small ES module driver in ``build/``. Node is therefore required to build;
``.ci/run`` installs it and ``npm`` already fetches the runtime.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from artifacts import BuildError

BUILD_DIR = Path(__file__).resolve().parent
#: Pyodide 0.27 needs Node 18 or newer (global fetch, WebAssembly streaming, DecompressionStream).
MIN_NODE_MAJOR = 18


def node_executable() -> str:
    """The ``node`` to run, or a BuildError that says how to get one."""
    node = shutil.which("node")
    if node is None:
        raise BuildError(
            "Node.js is required to build the site (it runs Pyodide to precompile bytecode and "
            "make the start-up snapshot). Install it (Debian: apt-get install nodejs) and build again."
        )
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    try:
        major = int(version.lstrip("v").split(".")[0])
    except ValueError:
        major = 0
    if major < MIN_NODE_MAJOR:
        raise BuildError(
            f"Node.js {MIN_NODE_MAJOR} or newer is required; {node} is {version or 'unknown'}."
        )
    return node


def run_driver(driver: str, *args: str | Path, node_flags: tuple[str, ...] = ()) -> str:
    """Run ``build/<driver>`` under Node with ``args``; return its stdout, or raise BuildError."""
    command = [node_executable(), *node_flags, str(BUILD_DIR / driver), *map(str, args)]
    # The interpreter notes the local time zone when it starts; UTC makes that the same on
    # every build machine (the snapshot keeps it).
    result = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "TZ": "UTC"}
    )
    if result.returncode != 0:
        # Pyodide prints its whole minified glue on some errors; the end says what went wrong.
        raise BuildError(f"{driver} failed:\n{(result.stderr or result.stdout).strip()[-3000:]}")
    return result.stdout
