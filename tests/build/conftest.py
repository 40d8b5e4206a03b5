"""The builder's modules live in build/ (scripts, not a package): make them importable."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build"))
DIST = ROOT / "dist"
