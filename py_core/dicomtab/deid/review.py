"""Images and recordings that identify a person by themselves: flagged, never passed as clean.

HIPAA's Safe Harbor lists "full-face photographs and any comparable images" and "biometric
identifiers, including finger and voice prints". No header cleaning changes what pixels or
samples show, and this tool does not deface or alter them. A profile that applies Clean
Recognizable Visual Features (PS3.15 E.3.2) therefore has such files flagged for review: the
file is written, the flag is in the audit and the release record, and ``verify`` reports it for
Safe Harbor outputs, so the release does not pass.

The rules are data (below), read from attributes that name what was imaged, never from values
that identify anyone:

- a head CT, MR or PET (a surface rendering of the volume shows the face): Body Part Examined,
  the Anatomic Region Sequence's code, or a head word in the study or series description or the
  protocol name;
- a photograph: the VL Photographic or Video Photographic SOP classes, or modality XC;
- a voice recording: the Basic Voice Audio Waveform SOP class.
"""

from __future__ import annotations

import re

from pydicom.dataset import Dataset

from dicomtab.deid.elements import values_of

#: Cross-sectional modalities whose volumes of the head can be rendered into a face.
VOLUME_MODALITIES = frozenset({"CT", "MR", "PT"})
#: Body Part Examined values (PS3.16 Annex L and common variants) that include the face.
HEAD_BODY_PARTS = frozenset({
    "HEAD", "BRAIN", "SKULL", "FACE", "HEADNECK", "HEAD NECK", "HEAD_NECK", "ORBIT", "EYE",
    "NOSE", "EAR", "JAW", "MANDIBLE", "MAXILLA", "TMJ", "SINUS", "PARANASALSINUS", "IAC",
    "PITUITARY", "SELLA", "CEREBRUM",
})
#: Anatomic Region Sequence codes for the head, brain, face, head and neck (SNOMED CT and the
#: older SNOMED-RT designators).
HEAD_CODES = frozenset({"69536005", "12738006", "89545001", "774007", "T-D1100", "T-A0100"})
#: Words of descriptions and protocol names that mean the head is in the volume.
HEAD_WORDS = re.compile(
    r"(?<![A-Z])(HEAD|BRAIN|SKULL|FACE|FACIAL|CRANI[A-Z]*|SINUS(?:ES)?|ORBITS?|MAXILLO[A-Z]*|"
    r"DENTAL|CBCT|PITUITARY|SELLA|IAC|TMJ|NEURO ?HEAD|CEREBR[A-Z]*)(?![A-Z])"
)
DESCRIPTION_KEYWORDS = ("StudyDescription", "SeriesDescription", "ProtocolName",
                        "PerformedProcedureStepDescription")

#: SOP classes and modalities of photographs (VL Photographic, Video Photographic; XC is
#: External-camera Photography).
PHOTO_SOP_CLASSES = frozenset({"1.2.840.10008.5.1.4.1.1.77.1.4",
                               "1.2.840.10008.5.1.4.1.1.77.1.4.1"})
PHOTO_MODALITIES = frozenset({"XC"})
#: Basic Voice Audio Waveform Storage: a recording of someone's voice.
VOICE_SOP_CLASSES = frozenset({"1.2.840.10008.5.1.4.1.1.9.4.1"})

FACE_FLAG = "face-review"
VOICE_FLAG = "voice-review"
#: The output was made from a damaged input (damaged files allowed): what could be read, so
#: a person must look at it before it is released.
DAMAGED_FLAG = "damaged-input-review"


def _text(ds: Dataset, keyword: str) -> str:
    return " ".join(str(v) for v in values_of(ds.get(keyword, ""))).upper()


def _head_region(ds: Dataset) -> bool:
    if _text(ds, "BodyPartExamined").strip() in HEAD_BODY_PARTS:
        return True
    for item in ds.get("AnatomicRegionSequence") or []:
        if str(item.get("CodeValue", "")).strip() in HEAD_CODES:
            return True
    return any(HEAD_WORDS.search(_text(ds, k)) for k in DESCRIPTION_KEYWORDS)


def may_show_face(ds: Dataset) -> bool:
    """Whether the image may show a face: a photograph, or a head CT/MR/PET volume."""
    sop_class = str(ds.get("SOPClassUID", "")).strip()
    modality = _text(ds, "Modality").strip()
    if sop_class in PHOTO_SOP_CLASSES or modality in PHOTO_MODALITIES:
        return True
    return modality in VOLUME_MODALITIES and _head_region(ds)


def review_flags(ds: Dataset) -> list[str]:
    """The flags for what this file shows or plays that identifies by itself."""
    flags = []
    if may_show_face(ds):
        flags.append(FACE_FLAG)
    if str(ds.get("SOPClassUID", "")).strip() in VOICE_SOP_CLASSES:
        flags.append(VOICE_FLAG)
    return flags
