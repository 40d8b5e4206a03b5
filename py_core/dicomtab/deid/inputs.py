"""One input file as the batch and ``verify`` see it: a name and a way to get its bytes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class InputItem:
    """One input file: a display name (the path the user gave) and how to get its bytes."""

    name: str
    read: Callable[[], bytes]
