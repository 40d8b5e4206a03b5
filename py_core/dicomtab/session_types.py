"""The worker session as the core's modules see it: open instances by id, each with a name
and its bytes. :class:`dicomtab.worker_api.Session` is the one implementation; modules that
take a session (the inspector's store, the tab's de-identification and verification) type
it with these protocols instead of importing the worker's API."""

from __future__ import annotations

from typing import Any, Protocol


class OpenInstance(Protocol):
    """One open file: its display name and its bytes (read again if they were dropped)."""

    name: str

    @property
    def data(self) -> bytes: ...


class OpenSession(Protocol):
    """The files open in a tab."""

    def get(self, instance_id: str) -> OpenInstance: ...

    def instances(self) -> list[dict[str, Any]]: ...
