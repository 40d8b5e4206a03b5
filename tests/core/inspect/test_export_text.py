"""The dcmdump-style dump and the CSV flat view."""

from __future__ import annotations

import csv
import io
import re

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from dicomtab.inspect.classify import classify_all, phi_paths
from dicomtab.inspect.export_text import CSV_COLUMNS, LINE_LIMIT, dump, to_csv
from dicomtab.inspect.partial import Inspected, load
from tests.conftest import bundled
from tests.core.inspect.conftest import LONG_TEXT, MARKUP, to_bytes


def _small(**values: object) -> Inspected:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.8.498.300"
    for keyword, value in values.items():
        setattr(ds, keyword, value)
    return load(to_bytes(ds), "small.dcm")


def test_the_dcmdump_line_layout() -> None:
    text = dump(_small(PatientName="Doe^John", Rows=512))
    assert "(0010,0010) PN [Doe^John]                               #   8, 1 PatientName\n" in text
    assert "(0028,0010) US 512                                      #   2, 1 Rows\n" in text
    assert text.startswith("\n# Dicom-File-Format\n\n# Dicom-Meta-Information-Header\n")
    assert "# Dicom-Data-Set\n# Used TransferSyntax: Explicit VR Little Endian\n" in text


def test_empty_values_and_bundled_lines() -> None:
    text = dump(load(bundled("CT_small.dcm").read_bytes(), "ct"))
    assert "(0008,0060) CS [CT]                                     #   2, 1 Modality\n" in text
    assert (
        "(0008,0090) PN (no value available)                     #   0, 0 ReferringPhysicianName\n"
        in text
    )
    assert (
        "(0002,0001) OB 00\\01                                    #   2, 1 FileMetaInformationVersion\n"
        in text
    )
    assert "(0009,0010) LO [GEMS_IDEN_01]" in text and text.count("PrivateCreator") >= 3
    pixel = next(line for line in text.splitlines() if line.startswith("(7fe0,0010)"))
    assert pixel.startswith("(7fe0,0010) OW ") and pixel.endswith("# 32768, 1 PixelData")


def test_sequences_items_and_delimiters_like_dcmdump() -> None:
    text = dump(load(bundled("rtplan.dcm").read_bytes(), "rtplan"))
    expected = [
        "(300a,0010) SQ (Sequence with explicit length #=2)      # 324, 1 DoseReferenceSequence",
        "  (fffe,e000) na (Item with explicit length #=7)          # 170, 1 Item",
        "    (300a,0012) IS [1]                                      #   2, 1 DoseReferenceNumber",
        "  (fffe,e00d) na (ItemDelimitationItem for re-encoding)   #   0, 0 ItemDelimitationItem",
        "(fffe,e0dd) na (SequenceDelimitationItem for re-encod.) #   0, 0 SequenceDelimitationItem",
    ]
    lines = text.splitlines()
    start = lines.index(expected[0])
    assert lines[start + 1 : start + 3] == expected[1:3]
    assert expected[3] in lines and expected[4] in lines


def test_undefined_lengths_and_pixel_sequences() -> None:
    text = dump(load(bundled("JPEG2000.dcm").read_bytes(), "j2k"))
    assert (
        "(0008,2112) SQ (Sequence with undefined length #=1)     # u/l, 1 SourceImageSequence"
        in text
    )
    assert "  (fffe,e000) na (Item with undefined length #=3)         # u/l, 1 Item" in text
    assert (
        "  (fffe,e00d) na (ItemDelimitationItem)                   #   0, 0 ItemDelimitationItem"
        in text
    )
    assert "(7fe0,0010) OB (PixelSequence #=2)                      # u/l, 1 PixelData" in text
    assert "  (fffe,e000) pi (no value available)                     #   0, 1 Item" in text
    assert re.search(r"^  \(fffe,e000\) pi ff\\4f\\ff\\51.*\.\.\. # 250, 1 Item$", text, re.M)


def test_values_are_verbatim_but_control_characters_are_escaped(sample: Inspected) -> None:
    text = dump(sample)
    assert f"[{MARKUP}^Jane]" in text
    assert "\x1b" not in text and "\r" not in text
    assert "[Chest \\x1b[31mRED\\x1b[0m\\x0d\\x0asecond line]" in text
    assert re.fullmatch(r"[^\x00-\x09\x0b-\x1f\x7f]*", text)


def test_long_values_are_shortened_like_dcmdump(sample: Inspected) -> None:
    line = next(line for line in dump(sample).splitlines() if "ImageComments" in line)
    value = line[len("(0020,4000) LT ") : line.index(" # ")].rstrip()
    assert len(value) == LINE_LIMIT and value.endswith("...") and value.startswith("[word")
    assert "# 1500, 1 ImageComments" in line


def test_private_names(sample: Inspected) -> None:
    text = dump(sample)
    assert "(0011,0010) LO [ACME 1.0]" in text
    assert re.search(r"^\(0011,1001\) LO \[secret note\] +#  12, 1 PrivateTag$", text, re.M)
    assert re.search(r"^\(0029,1010\) OB .* # 100, 1 CSAImageHeaderInfo$", text, re.M)


def test_a_damaged_file_says_where_it_stopped() -> None:
    text = dump(load(bundled("MR_truncated.dcm").read_bytes(), "MR_truncated.dcm"))
    assert text.splitlines()[-1].startswith("# dicomtab: MR_truncated.dcm is truncated")
    assert "(7FE0,0010), byte 1488" in text


def test_phi_only_dump(sample: Inspected) -> None:
    keep = phi_paths(sample.all_elements, classify_all(sample.all_elements))
    text = dump(sample, keep=keep)
    assert "PatientName" in text and " Rows\n" not in text and "RequestedProcedureID" in text


def test_csv_flat_view(sample: Inspected) -> None:
    table = list(csv.reader(io.StringIO(to_csv(sample))))
    assert tuple(table[0]) == CSV_COLUMNS
    rows = {row[0]: row for row in table[1:]}
    assert rows["00100010"][1:] == [
        "(0010,0010)",
        "PatientName",
        "Patient's Name",
        "PN",
        "1",
        str(len(MARKUP + "^Jane") + 1),
        MARKUP + "^Jane",
        "direct-identifier",
        "Z",
    ]
    assert rows["00204000"][7] == LONG_TEXT.rstrip()  # full values in the CSV
    assert rows["0008103E"][7] == MARKUP
    assert rows["00400275/0/00401001"][7] == "RP-9"
    assert rows["00400275"][7] == "2 item(s)"
    assert rows["7FE00010"][7].startswith("16 bytes: 00 01 02")
    assert rows["00111001"][8:] == ["private", "X"]


def test_csv_cells_cannot_become_formulas() -> None:
    inspected = _small(
        StudyDescription='=HYPERLINK("http://x")',
        SeriesDescription="+1+2",
        ImageComments="-2+3*cmd",
        SliceThickness="-1.5",
    )
    rows = {row[2]: row for row in csv.reader(io.StringIO(to_csv(inspected)))}
    assert rows["StudyDescription"][7] == '\'=HYPERLINK("http://x")'
    assert rows["SeriesDescription"][7] == "'+1+2"
    assert rows["ImageComments"][7] == "'-2+3*cmd"
    assert rows["SliceThickness"][7] == "-1.5"  # a plain number stays as it is
