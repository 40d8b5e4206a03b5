"""Re-make docs/first-screen.png, the README's picture of the first screen at 1280 × 800.

The picture is made by docs/make_screenshots.py, with the README's other pictures; this is
its first screen alone::

    .venv/bin/python docs/make_first_screen.py [--site dist]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_screenshots import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main([*sys.argv[1:], "--only", "first-screen"]))
