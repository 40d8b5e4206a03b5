"""axe-core, pinned like every other download, to check the page's accessibility.

A test tool, never shipped in ``dist/``: tests/browser/test_accessibility.py injects
``axe.min.js`` into the page and runs it on each screen. The npm tarball named in the
``dev_tools`` section of ``pins.json`` comes through the same :class:`ArtifactStore` as the
runtime (cache, ``--source``, ``npm pack``; held to its sha256, refused by ``--offline`` if it
has to be fetched), and the one file the tests need is taken out of it and held to its own pin.

    python build/axe_tool.py [--cache DIR] [--source DIR_OR_URL ...] [--offline]

prints the path of ``axe.min.js``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from artifacts import ArtifactStore, from_tarball, npm_pack, tool_main

PINS = Path(__file__).resolve().parent / "pins.json"
#: The name of the extracted script in the cache.
SCRIPT_NAME = "axe.min.js"


def axe_pin(pins: dict | None = None) -> dict:
    """The ``dev_tools.axe-core`` pin: npm_spec, tarball, tarball_sha256, member, member_sha256."""
    return (pins if pins is not None else json.loads(PINS.read_text()))["dev_tools"]["axe-core"]


def axe_script(store: ArtifactStore, pins: dict | None = None) -> Path:
    """The path of the pinned ``axe.min.js``, taken out of its pinned tarball into the cache."""
    pin = axe_pin(pins)

    def tarball() -> Path:
        return store.get(
            pin["tarball"], pin["tarball_sha256"], npm_pack(pin["npm_spec"], pin["tarball"])
        )

    return store.get(
        SCRIPT_NAME, pin["member_sha256"], from_tarball(tarball, pin["member"], SCRIPT_NAME)
    )


def main() -> int:
    return tool_main(__doc__.split("\n\n")[0], axe_script)


if __name__ == "__main__":
    sys.exit(main())
