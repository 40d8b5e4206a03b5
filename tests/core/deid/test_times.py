"""Times of day under Retain Longitudinal Temporal Information with Modified Dates: a
whole-day shift keeps them, so every interval keeps its length, across midnight too; a
profile that deems the time of day identifying removes them instead."""

from __future__ import annotations

import datetime as dt

import pytest
from pydicom.dataset import Dataset

from dicomtab.deid.engine import deidentify
from dicomtab.deid.keys import Key
from dicomtab.deid.profile import profile_from_dict
from dicomtab.errors import PolicyError

SHIFT = {"name": "shift", "options": ["retain_long_modified_dates"]}


def _study() -> Dataset:
    ds = Dataset()
    ds.PatientID, ds.Modality = "PID-1", "CT"
    ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4"
    ds.StudyDate, ds.StudyTime = "20240310", "235000"
    ds.AcquisitionDateTime = "20240311001000.250000+0100"
    ds.ContentDate, ds.ContentTime = "20240311", "001500"
    return ds


def _instant(date: str, time: str) -> dt.datetime:
    return dt.datetime.strptime(date + time[:6], "%Y%m%d%H%M%S")


def test_a_whole_day_shift_keeps_every_interval_across_midnight() -> None:
    source = _study()
    out = deidentify(source, profile_from_dict(SHIFT), Key(bytes(32))).dataset
    assert out.StudyDate != source.StudyDate and out.StudyTime == "235000"
    before = _instant(source.ContentDate, source.ContentTime) - _instant(source.StudyDate,
                                                                          source.StudyTime)
    after = _instant(out.ContentDate, out.ContentTime) - _instant(out.StudyDate, out.StudyTime)
    assert after == before == dt.timedelta(minutes=25)
    acquired = _instant(out.AcquisitionDateTime[:8], out.AcquisitionDateTime[8:14])
    assert acquired - _instant(out.StudyDate, out.StudyTime) == dt.timedelta(minutes=20)
    assert out.AcquisitionDateTime.endswith("001000.250000+0100")


def test_times_can_be_removed_instead() -> None:
    out = deidentify(_study(), profile_from_dict({**SHIFT, "modified_times": "remove"}),
                     Key(bytes(32))).dataset
    kept = deidentify(_study(), profile_from_dict(SHIFT), Key(bytes(32))).dataset
    assert out.StudyTime == "" and out.ContentTime == ""
    assert out.StudyDate == kept.StudyDate  # the same shift
    assert out.AcquisitionDateTime == kept.AcquisitionDateTime[:8]


def test_a_bad_setting_is_named() -> None:
    with pytest.raises(PolicyError) as caught:
        profile_from_dict({**SHIFT, "modified_times": "shift"})
    assert "modified_times must be one of keep, remove" in caught.value.message
