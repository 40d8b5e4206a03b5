"""Runs inside the shipped WebAssembly Python: a Safe Harbor release with no file system use
beyond reading the input, as the browser worker would do it. Prints one JSON line."""

import hashlib
import json
import sys
from importlib import resources
from pathlib import Path

import pydicom

from dicomtab.deid.batch import run_batch
from dicomtab.deid.inputs import InputItem
from dicomtab.deid.keys import Key
from dicomtab.deid.profile import profile_from_bytes
from dicomtab.deid.release import build_record, compare_manifest, record_text

data = Path("/tmp/input.dcm").read_bytes()
raw = resources.files("dicomtab").joinpath("profiles", "hipaa-safe-harbor.json").read_bytes()
profile = profile_from_bytes(raw, "hipaa-safe-harbor.json")
key = Key(bytes(range(32)))
outputs: dict[str, bytes] = {}
batch = run_batch([InputItem("ct.dcm", lambda: data)], Path("/tmp/unused"), profile, key,
                  verify=True, sink=outputs.__setitem__)
record = build_record(batch, profile, key, operator="worker")
[(name, blob)] = outputs.items()
import io  # noqa: E402

ds = pydicom.dcmread(io.BytesIO(blob))
manifest = {n: hashlib.sha256(b).hexdigest() for n, b in outputs.items()}
print(json.dumps({
    "python": sys.version.split()[0],
    "platform": sys.platform,
    "numpy_loaded": "numpy" in sys.modules,
    "name": str(ds.PatientName),
    "study_date": ds.StudyDate,
    "identity_removed": ds.PatientIdentityRemoved,
    "method": str(ds.DeidentificationMethod),
    "sop_uid": str(ds.SOPInstanceUID),
    "manifest_problems": compare_manifest(record, manifest),
    "fingerprint_matches": record["key"]["fingerprint"] == key.fingerprint(),
    "record_holds_key": bytes(range(32)).hex() in json.dumps(record),
    "record_text_has_original_name": "CompressedSamples" in record_text(record),
    "output_has_original_name": b"CompressedSamples" in blob,
}))
