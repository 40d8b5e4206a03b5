"""Comparing instances: two element trees side by side, or a whole series at once.

Elements are matched by tag at each level; sequences are compared item by item (item 1 with
item 1, …), so a change deep in a sequence is reported at its own path. Values are compared
as encoded text (binary values byte for byte), so ``1.0`` and ``1.00`` differ, as they do in
the files. Values in the result are clipped like the tree's rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from dicomtab.inspect.nodes import Element, walk
from dicomtab.inspect.tree import MAX_TEXT, hex_preview

#: Characters of a value a series summary repeats per instance.
SERIES_TEXT = 64


def _shown(element: Element, limit: int = MAX_TEXT) -> str:
    if element.items is not None:
        return f"{len(element.items)} item(s)"
    if element.data is not None:
        more = " ..." if element.size > 16 else ""
        return f"{element.size} bytes: {hex_preview(element.data, 16)}{more}"
    text = element.text()
    return text if len(text) <= limit else text[:limit] + "..."


def _same_value(a: Element, b: Element) -> bool:
    if a.vr != b.vr:
        return False
    if a.data is not None or b.data is not None:
        return a.data is not None and b.data is not None and a.data == b.data
    return a.values == b.values


def _entry(change: str, path: str, a: Element | None, b: Element | None) -> dict[str, Any]:
    either = a if a is not None else b
    assert either is not None
    return {
        "change": change,
        "path": path,
        "tag": either.tag_text,
        "keyword": either.keyword,
        "name": either.name,
        "vr": [a.vr if a else None, b.vr if b else None],
        "a": _shown(a) if a is not None else None,
        "b": _shown(b) if b is not None else None,
    }


def _compare(a: list[Element], b: list[Element]) -> Iterator[dict[str, Any]]:
    left = {e.tag: e for e in a}
    right = {e.tag: e for e in b}
    for tag in sorted(left.keys() | right.keys()):
        ea, eb = left.get(tag), right.get(tag)
        if eb is None:
            assert ea is not None
            yield _entry("removed", ea.path, ea, None)
        elif ea is None:
            yield _entry("added", eb.path, None, eb)
        elif ea.items is not None and eb.items is not None:
            for index in range(max(len(ea.items), len(eb.items))):
                ia = ea.items[index] if index < len(ea.items) else None
                ib = eb.items[index] if index < len(eb.items) else None
                if ia is None or ib is None:
                    either = ia if ia is not None else ib
                    assert either is not None
                    path = either.path
                    change = "removed" if ib is None else "added"
                    yield {
                        "change": change,
                        "path": path,
                        "tag": "(FFFE,E000)",
                        "keyword": "Item",
                        "name": f"Item {index + 1}",
                        "vr": [None, None],
                        "a": f"{len(ia.elements)} element(s)" if ia else None,
                        "b": f"{len(ib.elements)} element(s)" if ib else None,
                    }
                    continue
                yield from _compare(ia.elements, ib.elements)
        elif not _same_value(ea, eb) or (ea.items is None) != (eb.items is None):
            yield _entry("changed", ea.path, ea, eb)


def diff(a: list[Element], b: list[Element]) -> dict[str, Any]:
    """Added (only in ``b``), removed (only in ``a``) and changed elements, in tag order."""
    changes = list(_compare(a, b))
    counts = {
        kind: sum(c["change"] == kind for c in changes) for kind in ("added", "removed", "changed")
    }
    return {"changes": changes, "counts": counts}


def _fingerprint(element: Element) -> Any:
    if element.data is not None:
        # Hash rather than hold every instance's pixel data in a dict key.
        return ("bytes", element.size, hashlib.sha256(element.data).hexdigest())
    return (element.vr, tuple(element.values))


def series(instances: list[list[Element]]) -> dict[str, Any]:
    """Which elements vary across a series' instances and which are the same in all.

    Sequences are compared through their content (leaf paths, item by item); an element
    missing from some instances varies. ``values`` lists each instance's value (None when
    absent), clipped, in the order the instances were given.
    """
    seen: dict[str, list[Element | None]] = {}
    for index, elements in enumerate(instances):
        for element in walk(elements):
            if element.items is not None and element.items:
                continue  # its items' elements are compared instead
            slots = seen.setdefault(element.path, [None] * len(instances))
            slots[index] = element
    constant, varying = [], []
    for path, slots in seen.items():
        first = next(e for e in slots if e is not None)
        base = {"path": path, "tag": first.tag_text, "keyword": first.keyword, "name": first.name}
        prints = {_fingerprint(e) if e is not None else None for e in slots}
        if len(prints) == 1:
            constant.append({**base, "value": _shown(first)})
        else:
            varying.append(
                {
                    **base,
                    "present": sum(e is not None for e in slots),
                    "distinct": len(prints - {None}),
                    "values": [_shown(e, SERIES_TEXT) if e is not None else None for e in slots],
                }
            )
    key = _path_key
    return {
        "instances": len(instances),
        "constant": sorted(constant, key=key),
        "varying": sorted(varying, key=key),
    }


def _path_key(entry: dict[str, Any]) -> list[int]:
    return [int(part, 16) if len(part) == 8 else int(part) for part in entry["path"].split("/")]
