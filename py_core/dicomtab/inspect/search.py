"""Finding elements by tag, keyword, name or value, at any depth.

A query that spells a tag (``00100010``, ``0010,0010``, ``(0010,0010)``, spaces allowed)
matches that tag; every query is also matched, case-insensitively, as a substring of
keywords, names (private dictionary names included) and values. Binary values are not
searched. Results are paths in file order, with the paths to expand to reach each one.
"""

from __future__ import annotations

import re
from typing import Any

from dicomtab.errors import UsageError
from dicomtab.inspect.nodes import Element, walk

_TAG = re.compile(r"^\(?\s*([0-9A-Fa-f]{4})\s*[,\s]?\s*([0-9A-Fa-f]{4})\s*\)?$")

#: Matches returned at most; ``truncated`` says when there were more.
MAX_MATCHES = 1000
#: Longest query accepted (a query is typed or pasted by a person).
MAX_QUERY = 1000


def parse_tag(query: str) -> int | None:
    """The tag a query spells, in any of the usual notations, or None."""
    match = _TAG.match(query.strip())
    if match is None:
        return None
    return int(match.group(1) + match.group(2), 16)


def ancestors(path: str) -> list[str]:
    """Paths of the sequences and items containing ``path``, outermost first."""
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def _matches(element: Element, tag: int | None, needle: str) -> list[str]:
    fields = []
    if tag is not None and element.tag == tag:
        fields.append("tag")
    if needle in element.keyword.casefold():
        fields.append("keyword")
    if needle in element.name.casefold():
        fields.append("name")
    if element.values and needle in element.text().casefold():
        fields.append("value")
    return fields


def search(elements: list[Element], query: str) -> dict[str, Any]:
    """Every element matching ``query``; see the module docstring for what matches."""
    if not isinstance(query, str) or not query.strip():
        raise UsageError("Type a tag, keyword, name or part of a value to search for.")
    if len(query) > MAX_QUERY:
        raise UsageError(f"Search for at most {MAX_QUERY} characters.")
    tag = parse_tag(query)
    needle = query.strip().casefold()
    matches: list[dict[str, Any]] = []
    total = 0
    for element in walk(elements):
        fields = _matches(element, tag, needle)
        if not fields:
            continue
        total += 1
        if len(matches) < MAX_MATCHES:
            matches.append(
                {
                    "path": element.path,
                    "tag": element.tag_text,
                    "keyword": element.keyword,
                    "name": element.name,
                    "matched": fields,
                    "expand": ancestors(element.path),
                }
            )
    return {
        "query": query,
        "tag": f"{tag:08X}" if tag is not None else None,
        "matches": matches,
        "total": total,
        "truncated": total > len(matches),
    }
