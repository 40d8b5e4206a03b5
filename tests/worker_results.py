"""Reading what ``dicomtab.worker_api`` returns: JSON text, a success or a failure."""

from __future__ import annotations

import json
from typing import Any


def ok(result: str) -> Any:
    """The payload of a success (the test fails on a failure, showing it)."""
    parsed = json.loads(result)
    assert parsed["status"] == "success", parsed
    return parsed["payload"]


def failed(result: str) -> dict[str, str]:
    """The error (code and message) of a failure (the test fails on a success)."""
    parsed = json.loads(result)
    assert parsed["status"] == "failed", parsed
    return parsed["error"]
