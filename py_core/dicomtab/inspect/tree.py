"""The tag tree as rows for the page: one JSON-able dict per element, item or problem.

Rows come in file order (file meta first), each with its ``depth`` and ``parent`` path, so
the page can indent, fold and expand without rebuilding the tree. Values are text, clipped
to :data:`MAX_TEXT` characters with ``truncated`` set; :func:`value_of` gives a full value.
"""

from __future__ import annotations

from typing import Any

from dicomtab.errors import UsageError
from dicomtab.inspect.classify import Phi, classify_all, phi_paths
from dicomtab.inspect.nodes import Element, Item
from dicomtab.inspect.partial import Inspected

#: Characters of a value a row carries; the rest is fetched with value_of().
MAX_TEXT = 256
#: Values of a multi-valued element a row lists one by one.
MAX_VALUES = 64
#: Bytes of a binary value shown as hex in a row.
PREVIEW_BYTES = 32
#: Bytes of a binary value value_of() returns as hex (pixel data can be hundreds of MB).
MAX_HEX_BYTES = 64 * 1024


def phi_of(inspected: Inspected) -> dict[str, Phi]:
    """Path → classification, computed once per instance."""
    phi = inspected.cache.get("phi")
    if phi is None:
        phi = inspected.cache["phi"] = classify_all(inspected.all_elements)
    return phi


def parent_path(path: str) -> str | None:
    """The path of the item or sequence containing ``path`` (None at the top level)."""
    return path.rsplit("/", 1)[0] if "/" in path else None


def hex_preview(data: bytes | memoryview, limit: int = PREVIEW_BYTES) -> str:
    """The first ``limit`` bytes as spaced hex pairs."""
    return bytes(data[:limit]).hex(" ")


def _clip(text: str, limit: int = MAX_TEXT) -> tuple[str, bool]:
    if len(text) <= limit:
        return text, False
    return text[:limit], True


def element_row(element: Element, phi: Phi) -> dict[str, Any]:
    """The row of one element."""
    row: dict[str, Any] = {
        "kind": "sequence" if element.is_sequence else "element",
        "path": element.path,
        "parent": parent_path(element.path),
        "depth": element.depth,
        "tag": element.tag_text,
        "keyword": element.keyword,
        "name": element.name,
        "vr": element.vr,
        "vm": element.vm,
        "length": element.length,
        "meta": element.meta,
        "private": element.is_private,
        "privateCreator": element.private_creator,
        "isPrivateCreator": element.is_private_creator,
        "phi": phi.to_dict(),
        "binary": element.is_binary,
        "damaged": element.damaged,
        "note": element.note,
    }
    if element.items is not None:
        row.update(value="", values=[], truncated=False, items=len(element.items))
    elif element.data is not None:
        row.update(
            value=hex_preview(element.data),
            values=[],
            truncated=element.size > PREVIEW_BYTES,
            size=element.size,
            fragments=len(element.fragments) if element.fragments is not None else None,
        )
    else:
        value, clipped = _clip(element.text())
        values = [_clip(v)[0] for v in element.values[:MAX_VALUES]]
        clipped = (
            clipped
            or len(element.values) > MAX_VALUES
            or any(len(v) > MAX_TEXT for v in element.values[:MAX_VALUES])
        )
        row.update(value=value, values=values, truncated=clipped)
    return row


def item_row(item: Item) -> dict[str, Any]:
    """The row of one sequence item (numbered from 1 for people, indexed from 0 in paths)."""
    return {
        "kind": "item",
        "path": item.path,
        "parent": parent_path(item.path),
        "depth": item.depth,
        "tag": "(FFFE,E000)",
        "keyword": "Item",
        "name": f"Item {item.index + 1}",
        "number": item.index + 1,
        "elements": len(item.elements),
        "length": item.length,
    }


def problem_row(inspected: Inspected) -> dict[str, Any] | None:
    """A row standing where parsing of a damaged file stopped."""
    if inspected.problem is None:
        return None
    problem = inspected.problem.to_dict()
    return {
        "kind": "problem",
        "path": None,
        "parent": None,
        "depth": 0,
        "problemKind": problem["kind"],
        "tag": problem["tag"],
        "offset": problem["offset"],
        "detail": problem["detail"],
        "message": problem["message"],
        # The partly read element (a sequence cut inside), when the tree shows one.
        "damagedPath": problem["path"],
    }


def rows(inspected: Inspected, *, phi_only: bool = False) -> list[dict[str, Any]]:
    """Every row in file order; with ``phi_only`` identifying elements and their containers."""
    phi = phi_of(inspected)
    keep = phi_paths(inspected.all_elements, phi) if phi_only else None
    out: list[dict[str, Any]] = []

    def add(elements: list[Element]) -> None:
        for element in elements:
            if keep is not None and element.path not in keep:
                continue
            out.append(element_row(element, phi[element.path]))
            for item in element.items or ():
                if keep is not None and item.path not in keep:
                    continue
                out.append(item_row(item))
                add(item.elements)

    add(inspected.all_elements)
    problem = problem_row(inspected)
    if problem is not None:
        out.append(problem)
    return out


def tree(inspected: Inspected, *, phi_only: bool = False) -> dict[str, Any]:
    """The payload of the page's tag tree."""
    return {
        "fileName": inspected.name,
        "transferSyntax": inspected.transfer_syntax,
        "rows": rows(inspected, phi_only=phi_only),
        "problem": inspected.problem.to_dict() if inspected.problem else None,
        "notes": list(inspected.notes),
    }


def _find(inspected: Inspected, path: str) -> Element | Item:
    found = inspected.find(path) if isinstance(path, str) else None
    if found is None:
        raise UsageError(f"This instance has no element at path {str(path)[:80]!r}.")
    return found


def value_of(inspected: Inspected, path: str) -> dict[str, Any]:
    """The full value of the element at ``path``: all its text, or hex of its bytes.

    Binary values are returned as hex up to :data:`MAX_HEX_BYTES` (``truncated`` says if
    there is more); sequences have no value of their own (their items are rows).
    """
    element = _find(inspected, path)
    if isinstance(element, Item) or element.is_sequence:
        raise UsageError("A sequence or item has no value of its own; its elements are rows.")
    out: dict[str, Any] = {
        "path": element.path,
        "tag": element.tag_text,
        "vr": element.vr,
        "vm": element.vm,
    }
    if element.data is not None:
        out.update(
            size=element.size,
            hex=hex_preview(element.data, MAX_HEX_BYTES),
            truncated=element.size > MAX_HEX_BYTES,
        )
    else:
        out.update(value=element.text(), values=list(element.values), truncated=False)
    return out
