"""How much the tab's caches may hold, by the device's memory.

Three caches hold what can be made again, each to a byte budget, least recently used first:
the files' bytes in the worker (read again from the browser's File, :mod:`dicomtab.file_bytes`),
their parses (made again from the bytes, :class:`dicomtab.session.ParsedCache`) and the page's
decoded frames (asked for again, ``web/app/page/viewer/frame-cache.js``). The defaults suit a device
of :data:`REFERENCE_GB`; the memory the browser reports (``navigator.deviceMemory``: 0.25 to 8
GB, rounded) scales them from half to double. The worker's two stay far inside the
WebAssembly heap's cap (2 GB and more) on any device.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dicomtab.file_bytes import DEFAULT_BUDGET
from dicomtab.session import DEFAULT_PARSED_BUDGET

#: The device memory the defaults are for, in GB.
REFERENCE_GB = 4.0
#: The bounds of the scaling.
SMALLEST, LARGEST = 0.5, 2.0
MB = 1024 * 1024


@dataclass(frozen=True)
class Budgets:
    """Byte budgets of the three caches."""

    file_bytes: int
    parsed: int
    frames: int

    def to_dict(self) -> dict[str, Any]:
        """The budgets as the page receives them (bytes)."""
        return {"fileBytes": self.file_bytes, "parsed": self.parsed, "frames": self.frames,
                "deviceScale": round(self.file_bytes / DEFAULT.file_bytes, 3)}


DEFAULT = Budgets(file_bytes=DEFAULT_BUDGET, parsed=DEFAULT_PARSED_BUDGET, frames=384 * MB)


def budgets_for(device_gb: Any) -> Budgets:
    """The budgets for a device of ``device_gb`` GB (the defaults when it is unknown)."""
    try:
        gb = float(device_gb)
    except (TypeError, ValueError):
        gb = 0.0
    scale = 1.0 if not math.isfinite(gb) or gb <= 0 else min(LARGEST, max(SMALLEST,
                                                                            gb / REFERENCE_GB))
    return Budgets(int(DEFAULT.file_bytes * scale), int(DEFAULT.parsed * scale),
                   int(DEFAULT.frames * scale))
