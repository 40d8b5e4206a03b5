"""The one secret that makes pseudonyms, UIDs and date shifts repeatable across batches.

Every derived value is an HMAC-SHA256 of the original under this key, with a purpose label so
that, say, a UID and a patient ID that happen to be equal never map to related outputs. Without
the key the mapping cannot be recomputed or reversed; an unkeyed hash of a patient ID could be
brute-forced, so there is deliberately no key-less mode.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from dicomtab.errors import PolicyError

KEY_BYTES = 32

#: The message whose HMAC under the key is the key's fingerprint.
FINGERPRINT_LABEL = "dicomtab key fingerprint v1"

HOW_TO_CREATE = (
    "create one with 'dicomtab keygen KEYFILE', keep it secret, and pass the same file with "
    "--key-file to every batch that must stay consistent"
)
#: Where a key file comes from, for messages about a bad one (the CLI and the page alike).
KEY_FILE_HINT = "a key file is made by 'dicomtab keygen' or by the page's \"Create a new key\""


class Key:
    """A secret key; ``digest(purpose, value)`` is its only use."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise PolicyError("the de-identification key must be at least 16 bytes")
        self._secret = secret

    def digest(self, purpose: str, value: str) -> bytes:
        """HMAC-SHA256 of ``value`` under the key, separated by ``purpose``."""
        message = purpose.encode("ascii") + b"\x00" + value.encode("utf-8")
        return hmac.new(self._secret, message, hashlib.sha256).digest()

    def fingerprint(self) -> str:
        """A short name for the key, for records: ``1a2b-3c4d-5e6f-7a8b``.

        The first 64 bits of HMAC-SHA256(key, a fixed label): the same key always gives the same
        fingerprint, two keys practically never share one, and nothing about the key can be
        worked out from it (it is neither the key nor a hash of the key alone, and it is not
        any value the key is used to derive: its purpose label differs from theirs).
        """
        digest = self.digest("fingerprint", FINGERPRINT_LABEL).hex()[:16]
        return "-".join(digest[i : i + 4] for i in range(0, 16, 4))

    def __repr__(self) -> str:  # never show the secret in tracebacks or logs
        return "Key(<secret>)"


def new_key_text() -> str:
    """The text of a new key file: 32 random bytes as hex and a newline (``keygen``'s format,
    also what the page offers as a download)."""
    return secrets.token_hex(KEY_BYTES) + "\n"


def generate_key_file(path: Path) -> None:
    """Write a new random key (hex) to ``path``, readable by the owner only; never overwrite."""
    if path.exists():
        raise PolicyError(f"{path} already exists; refusing to overwrite a key")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(new_key_text())


def key_from_bytes(raw: bytes, source: str) -> Key:
    """The key held by a key file's bytes (hex text as written by keygen, or raw bytes);
    ``source`` names the file in messages."""
    if not raw.strip():
        raise PolicyError(f"key file {source} is empty; {KEY_FILE_HINT}")
    try:
        secret = bytes.fromhex(raw.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        secret = raw
    if len(secret) < 16:
        raise PolicyError(f"key file {source} holds less than 16 bytes of key; {KEY_FILE_HINT}")
    return Key(secret)


def read_key_file(path: Path | None) -> Key:
    """The key stored in ``path`` (hex text as written by keygen, or raw bytes)."""
    if path is None:
        raise PolicyError("a key file is required (--key-file); " + HOW_TO_CREATE)
    if not path.is_file():
        raise PolicyError(f"key file {path} does not exist; " + HOW_TO_CREATE)
    return key_from_bytes(path.read_bytes(), str(path))
