"""Put the text detector's model (pinned in pins.json, "ocr") where CPython's core reads it.

``build/build_site.py`` does this as part of every build; this script is for using the CLI's
burned-in text detection without building the site: ``python build/fetch_text_detector.py``.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from artifacts import DEFAULT_CACHE, ArtifactStore, BuildError  # noqa: E402
from codecs_dist import text_detector_model  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    pins = json.loads((ROOT / "build" / "pins.json").read_text())
    try:
        model = text_detector_model(ArtifactStore(DEFAULT_CACHE, []), pins)
    except BuildError as exc:
        print(f"failed: {exc}", file=sys.stderr)
        return 1
    target = ROOT / "py_core" / "dicomtab" / "data" / pins["ocr"]["model"]["name"]
    shutil.copyfile(model, target)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
