"""Keyed, repeatable UID remapping that leaves well-known UIDs alone."""

from __future__ import annotations

from pydicom._uid_dict import UID_dictionary

from dicomtab.deid.keys import Key

#: Everything under the DICOM root is defined by the standard (SOP classes, transfer syntaxes,
#: coding schemes, well-known frames of reference...) and identifies no one.
STANDARD_ROOT = "1.2.840.10008."


def is_well_known(uid: str) -> bool:
    """True for UIDs defined by the standard or listed in pydicom's UID dictionary."""
    uid = uid.strip().rstrip("\x00")
    return uid.startswith(STANDARD_ROOT) or uid in UID_dictionary


def keyed_uid(key: Key, uid: str) -> str:
    """``2.25.<int>`` from the first 128 bits of HMAC(key, uid): the same for the same key.

    2.25 is the UUID-derived arc (ISO/IEC 9834-8), so no registered root is needed; 128 bits
    keep collisions negligible and the result within the 64-character UI limit.
    """
    digest = key.digest("uid", uid.strip().rstrip("\x00"))
    return "2.25." + str(int.from_bytes(digest[:16], "big"))


class UidMapper:
    """Maps UIDs with one key; remembers what it mapped for an optional crosswalk."""

    def __init__(self, key: Key) -> None:
        self._key = key
        self.seen: dict[str, str] = {}

    def map(self, uid: str) -> str:
        """The replacement for ``uid`` (itself when well-known or empty)."""
        clean = uid.strip().rstrip("\x00")
        if not clean or is_well_known(clean):
            return clean
        new = self.seen.get(clean)
        if new is None:
            new = self.seen[clean] = keyed_uid(self._key, clean)
        return new
