"""The order of a series' instances as a stack of slices, for scrolling through it.

Radiology viewers order a stack by where each slice lies along the stack's normal, not by
Instance Number, which scanners number in acquisition order (often reversed, sometimes
interleaved). The normal is the cross product of the row and column direction cosines of
Image Orientation (Patient); a slice's position along it is the dot product of the normal
with Image Position (Patient) (PS3.3 C.7.6.2.1.1). When some instance lacks that geometry or
the slices are not parallel, Instance Number decides; failing that, the order given.

Works on the instance summaries (:mod:`dicomtab.summary` records the geometry when a file is
opened), so ordering a 1,000-slice series re-parses nothing and needs no numpy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pydicom.dataset import Dataset

#: Normals closer than this (1 − |cos angle|) count as parallel: scanners write cosines
#: rounded to a few decimals.
PARALLEL_TOLERANCE = 1e-3
#: The elements :func:`geometry` reads.
GEOMETRY_KEYWORDS = ("ImagePositionPatient", "ImageOrientationPatient")


def _numbers(value: Any, count: int) -> list[float] | None:
    try:
        numbers = [float(v) for v in value]
    except (TypeError, ValueError):
        return None
    if len(numbers) != count or not all(math.isfinite(n) for n in numbers):
        return None
    return numbers


def geometry(ds: Dataset) -> dict[str, list[float] | None]:
    """Image Position and Orientation (Patient) of a single-frame image, where present.

    For an enhanced multi-frame object they live per frame in functional groups; a stack of
    such objects is not scrolled instance by instance, so they are not looked for there.
    """
    position, orientation = GEOMETRY_KEYWORDS
    return {
        "position": _numbers(ds.get(position), 3),
        "orientation": _numbers(ds.get(orientation), 6),
    }


def _normal(orientation: Sequence[float]) -> tuple[float, float, float] | None:
    r, c = orientation[:3], orientation[3:]
    n = (r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0])
    length = math.sqrt(sum(x * x for x in n))
    return None if length < 1e-6 else (n[0] / length, n[1] / length, n[2] / length)


def _by_position(summaries: Sequence[dict[str, Any]]) -> list[str] | None:
    normal = None
    keyed = []
    for summary in summaries:
        geo = summary.get("geometry") or {}
        position, orientation = geo.get("position"), geo.get("orientation")
        if not position or not orientation:
            return None
        n = _normal(orientation)
        if n is None:
            return None
        if normal is None:
            normal = n
        elif 1 - abs(sum(a * b for a, b in zip(n, normal, strict=True))) > PARALLEL_TOLERANCE:
            return None  # not one stack of parallel slices
        keyed.append((sum(a * b for a, b in zip(normal, position, strict=True)), summary))
    keyed.sort(key=lambda pair: pair[0])
    return [s["instanceId"] for _, s in keyed]


def stack_order(summaries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """``{order: [instance ids], sortedBy: 'position' | 'instance-number' | 'as-given'}``."""
    if len(summaries) > 1:
        order = _by_position(summaries)
        if order is not None:
            return {"order": order, "sortedBy": "position"}
        numbers = [(s.get("instance") or {}).get("number") for s in summaries]
        if all(isinstance(n, int) for n in numbers):
            ranked = sorted(zip(numbers, range(len(summaries)), summaries, strict=True),
                            key=lambda t: (t[0], t[1]))
            return {"order": [s["instanceId"] for _, _, s in ranked],
                    "sortedBy": "instance-number"}
    return {"order": [s["instanceId"] for s in summaries], "sortedBy": "as-given"}
