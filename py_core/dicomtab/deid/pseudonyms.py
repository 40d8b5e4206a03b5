"""Keyed pseudonyms: the same patient gets the same replacement in every batch with a key."""

from __future__ import annotations

from pydicom.dataset import Dataset

from dicomtab.deid.keys import Key


def patient_key(ds: Dataset) -> str:
    """What identifies "the same patient": ID plus issuer, else the name, else nothing.

    The ID comes first because two patients may share a name; the issuer separates equal IDs
    from different hospitals.
    """
    pid = str(ds.get("PatientID", "") or "").strip()
    if pid:
        return "id:" + pid + "\x00" + str(ds.get("IssuerOfPatientID", "") or "").strip()
    name = str(ds.get("PatientName", "") or "").strip()
    return "name:" + name if name else "unknown"


def template_fields(key: Key, pkey: str) -> dict[str, str]:
    """Values for the ``{hashN}`` placeholders of replacement templates."""
    digest = key.digest("pseudonym", pkey).hex().upper()
    return {"hash8": digest[:8], "hash12": digest[:12], "hash16": digest[:16]}


def render(template: str, fields: dict[str, str]) -> str:
    """Fill a validated template."""
    return template.format(**fields)
