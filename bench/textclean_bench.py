"""Recall and utility of the free-text cleaner, measured (not guessed).

    python bench/textclean_bench.py [--descriptors 1000] [--seed 1] [--pyodide]

Recall: descriptors as scanners and RIS write them, each with one injected identifier that
no other element of the file holds (Faker makes the names, addresses, cities, phones,
e-mails and companies; this script the IDs and dates in many formats; names that are also
English words are drawn on purpose). A descriptor leaks when any identifying token of the
injected value is still in the cleaned text. Reported per category and per profile mode
(``allowlist``; ``patterns``, the previous behaviour, for comparison).

Utility: genuine descriptors without PHI (:data:`CLINICAL`, plus every descriptor of
pydicom's test files, and of ``pydicom-data``'s when that package is installed); the share of
their word tokens kept unchanged, and what was lost.

Speed: the cleaner's cost per descriptor and the vocabulary's load under CPython; with
``--pyodide`` also in the tab's own runtime (the built dist/ under Node, as the tests run it).

Needs the ``test`` extra (Faker).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Series and study descriptions, protocol names and reasons as scanners, modalities and RIS
#: print them (no person, place or date in any).
CLINICAL = """
AX T1 SE|SAG T2 FSE FS|COR STIR|DWI b1000|ADC|3D TOF MRA|AX T2 FLAIR|AX SWI|SAG T1 MPRAGE
t1_mprage_sag_p2_iso|t2_tse_tra_p2|ep2d_diff_3scan_trace|t1_vibe_fs_tra_bh_dyn|localizer
CT CHEST W CONTRAST|CT ABD PELVIS W IV CONTRAST|CTA CHEST PE PROTOCOL|CT HEAD WO CONTRAST
CT CAP W CONTRAST 5MM|Chest 1.0 B70f|Abdomen 3.0 I30f 3|Thorax^1HR_ThoraxRoutine_Adult (Adult)
Dose Report|Patient Protocol|Topogram 0.6 T20s|Scout|AXIAL 2.5MM STD|CORONAL MPR 3MM
SAGITTAL MPR BONE|MIP 10MM|VRT|CTA HEAD AND NECK|CT PERFUSION BRAIN|CT CORONARY CALCIUM SCORE
NM BONE SCAN WHOLE BODY|PET/CT Skull Base to Mid Thigh|SPECT MPI REST|US ABDOMEN COMPLETE
US RENAL BILATERAL|US PELVIS TRANSVAGINAL|US THYROID|ECHO TTE COMPLETE|XR CHEST 2 VIEWS
XR L KNEE 3 VIEWS|XR C Spine Comp Min 4 Views|XR HAND RIGHT 3 VIEWS|MAMMO SCREENING BILAT TOMO
MAMMO DIAGNOSTIC LEFT|MR BRAIN W WO CONTRAST|MR LUMBAR SPINE WO CONTRAST|MR KNEE RIGHT WO
MRCP|MRA RUNOFF|MR CARDIAC FUNCTION|MR PROSTATE MULTIPARAMETRIC|Routine Brain|Whole Body Bone
FAST LOCALIZER|Cervical LAT|Cervical OBLI 1|Liver Segmentation|SmartScore - Gated 0.5 sec
headache, rule out hemorrhage|shortness of breath, evaluate for pulmonary embolism
right lower quadrant pain, rule out appendicitis|follow up lung nodule|staging breast cancer
trauma, fall from height|chest pain|abdominal pain and vomiting|post operative evaluation
CT, HEAD/BRAIN WO CONTRAST|Brain-MRA|Carotids|abdomen^liver|5/5mm Plain|Precision V
T/S/C RF FAST PILOT|ANGIO Projected from C|SAG T1 PRE|AX T1 POST GAD FS|COR T2 HASTE
DIXON IN PHASE|DIXON OPP PHASE|AX LAVA DYNAMIC|SAG CUBE T2|AX PROPELLER T2|FIESTA CINE SAX
4CH CINE|SAX CINE|LGE PSIR|T1 MAP MOLLI|T2* MAP|Perfusion rest|Perfusion stress
""".replace("\n", "|").split("|")
CLINICAL = [c.strip() for c in CLINICAL if c.strip()]
#: Words in or around a clinical phrase that an injection may sit between.
_PHRASES = ["CT chest", "MRI brain", "US abdomen", "follow up", "pain", "history of",
            "reviewed with", "per request of", "comparison", "prior study"]
#: Given names that are also English words (and surnames that are).
WORD_NAMES = ["Rose", "Hunter", "Bill", "Price", "Young", "Mark", "Grace", "Hope", "Faith",
              "Joy", "Rich", "Summer", "Dawn", "Bishop", "Baker", "Long", "Wood", "Stone"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


def _date(rng: random.Random) -> str:
    y, m, d = rng.randint(1930, 2025), rng.randint(1, 12), rng.randint(1, 28)
    month = _MONTHS[m - 1]
    return rng.choice([f"{m:02d}/{d:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{month} {d}, {y}",
                       f"{d}-{month[:3]}-{y}", f"{m}/{d}/{y % 100:02d}", f"{d} {month} {y}",
                       f"{y}{m:02d}{d:02d}", f"{d}.{m:02d}.{y}", f"{m}/{d}"])


def injections(fake: object, rng: random.Random) -> dict[str, Callable[[], tuple[str, list[str]]]]:
    """Category -> a maker of (text, identifying tokens)."""
    f: object = fake

    def name() -> str:
        first = rng.choice(WORD_NAMES) if rng.random() < 0.4 else f.first_name()  # type: ignore[attr-defined]
        last = rng.choice(WORD_NAMES) if rng.random() < 0.3 else f.last_name()  # type: ignore[attr-defined]
        return f"{first} {last}"

    def tokens(text: str, ignore: tuple[str, ...] = ()) -> list[str]:
        return [t for t in re.findall(r"[A-Za-z0-9]+", text) if len(t) > 1 and t not in ignore]

    def relative() -> tuple[str, list[str]]:
        who = name()
        return f"{rng.choice(['wife', 'husband', 'son', 'daughter', 'mother'])} {who}", tokens(who)

    def doctor() -> tuple[str, list[str]]:
        who = f.last_name()  # type: ignore[attr-defined]
        return f"{rng.choice(['Dr.', 'Dr', 'per Dr.', 'referred by Dr.'])} {who}", tokens(who)

    def person() -> tuple[str, list[str]]:
        who = name()
        return f"patient {who}", tokens(who)

    def address() -> tuple[str, list[str]]:
        street = f.street_address()  # type: ignore[attr-defined]
        return street, tokens(street, ("Suite", "Apt"))

    def city() -> tuple[str, list[str]]:
        # A state is not an identifier (Safe Harbor keeps it); the city and ZIP code are.
        town, state, zipcode = f.city(), f.state_abbr(), f.zipcode()  # type: ignore[attr-defined]
        return f"{town}, {state} {zipcode}", tokens(f"{town} {zipcode}")

    def facility() -> tuple[str, list[str]]:
        place = f.last_name()  # type: ignore[attr-defined]
        kind = rng.choice(["Medical Center", "Hospital", "Clinic", "Memorial Hospital"])
        return f"{place} {kind}", tokens(place)

    def date() -> tuple[str, list[str]]:
        text = _date(rng)
        return text, [t for t in tokens(text) if not (t.isdigit() and len(t) == 4)] \
            if "/" not in text or text.count("/") > 1 else tokens(text)

    def phone() -> tuple[str, list[str]]:
        text = f.phone_number()  # type: ignore[attr-defined]
        return text, [t for t in tokens(text) if t.isdigit()]

    def email() -> tuple[str, list[str]]:
        text = f.email()  # type: ignore[attr-defined]
        return text, tokens(text.split("@")[0])

    def mrn() -> tuple[str, list[str]]:
        value = rng.choice([f"{rng.randint(10**6, 10**9)}", f"MRN{rng.randint(10**5, 10**8)}",
                            f"A{rng.randint(10**6, 10**8)}", f"{rng.randint(100, 999)}-"
                            f"{rng.randint(10**4, 10**5)}"])
        return f"{rng.choice(['MRN', 'acc', 'ID', '#'])} {value}", tokens(value)

    def age() -> tuple[str, list[str]]:
        years = rng.randint(90, 109)
        text = rng.choice([f"{years}-year-old", f"{years} yo", f"aged {years}",
                           f"{years} years old"])
        return text, [str(years)]

    def ssn() -> tuple[str, list[str]]:
        text = f.ssn()  # type: ignore[attr-defined]
        return text, tokens(text)

    return {"relative's name": relative, "doctor's name": doctor, "patient's name": person,
            "street address": address, "city, state, ZIP": city, "facility": facility,
            "date": date, "phone": phone, "e-mail": email, "MRN / accession": mrn, "SSN": ssn,
            "age over 89": age}


def recall(cases: int, seed: int) -> dict[str, dict[str, Counter[str]]]:
    """Per mode and category: descriptors made and descriptors that leaked."""
    from faker import Faker

    from dicomtab.deid.freetext import PATTERNS, Scrubber
    from dicomtab.deid.textclean import TextCleaner

    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    makers = injections(fake, rng)
    cleaners = {"allowlist": TextCleaner([]).clean,
                "patterns": lambda text: type("C", (), {"text": Scrubber([], PATTERNS).scrub(text)})}
    out: dict[str, dict[str, Counter[str]]] = {m: {} for m in cleaners}
    for n in range(cases):
        category = list(makers)[n % len(makers)]
        injected, identifying = makers[category]()
        text = f"{rng.choice(CLINICAL)} {rng.choice(_PHRASES)} {injected} {rng.choice(CLINICAL)}"
        for mode, clean in cleaners.items():
            left = set(re.findall(r"[A-Za-z0-9]+", clean(text).text))  # type: ignore[attr-defined]
            counts = out[mode].setdefault(category, Counter())
            counts["made"] += 1
            counts["leaked"] += any(t in left for t in identifying)
    return out


def recall_by_profile(cases: int, seed: int) -> dict[str, Counter[str]]:
    """Per built-in profile that keeps descriptors: each descriptor of :func:`recall`'s kind
    (within Study Description's 64 characters) put into a file and de-identified; how many
    leaked."""
    from faker import Faker
    from pydicom.dataset import Dataset

    from dicomtab.deid.engine import deidentify
    from dicomtab.deid.keys import Key
    from dicomtab.deid.profile import builtin_names, load_profile

    profiles = [load_profile(n) for n in builtin_names()]
    profiles = [p for p in profiles if p.has("clean_descriptors")]
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    makers = injections(fake, rng)
    out: dict[str, Counter[str]] = {p.name: Counter() for p in profiles}
    for n in range(cases):
        injected, identifying = makers[list(makers)[n % len(makers)]]()
        ds = Dataset()
        ds.PatientName, ds.PatientID, ds.Modality = "DOE^JANE", "PID-1", "CT"
        ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.2", f"1.2.3.{n}"
        # Whole words within LO's 64 characters: the injection, after a clinical phrase if
        # both fit (a value cut inside a word would test the cut, not the cleaner).
        text = f"{rng.choice(CLINICAL)} {injected}"
        ds.StudyDescription = text if len(text) <= 64 else injected[:64]
        for profile in profiles:
            kept = str(deidentify(ds, profile, Key(bytes(32))).dataset.get("StudyDescription", ""))
            left = set(re.findall(r"[A-Za-z0-9]+", kept))
            out[profile.name]["made"] += 1
            out[profile.name]["leaked"] += any(t in left for t in identifying
                                               if t in ds.StudyDescription)
    return out


_SPEED = """
import json, time
from dicomtab.deid.textclean import TextCleaner, vocabulary
t0 = time.perf_counter()
vocabulary()
t1 = time.perf_counter()
cleaner = TextCleaner([])
texts = json.loads(%r)
t2 = time.perf_counter()
for text in texts:
    cleaner.clean(text)
t3 = time.perf_counter()
print(json.dumps({"load_s": t1 - t0, "per_ms": 1000 * (t3 - t2) / len(texts)}))
"""


def speed(pyodide: bool) -> dict[str, dict[str, float]]:
    """Vocabulary load (s) and cleaning (ms per descriptor), under CPython and, with
    ``pyodide``, in the site's runtime under Node."""
    import json
    import subprocess
    import tempfile

    from dicomtab.deid.textclean import TextCleaner, vocabulary

    texts = [f"{c} follow up with wife Mary Hunter 555-123-4567" for c in CLINICAL] * 5
    vocabulary.cache_clear()
    t0 = time.perf_counter()
    vocabulary()
    t1 = time.perf_counter()
    cleaner = TextCleaner([])
    t2 = time.perf_counter()
    for text in texts:
        cleaner.clean(text)
    t3 = time.perf_counter()
    out = {"CPython": {"load_s": t1 - t0, "per_ms": 1000 * (t3 - t2) / len(texts)}}
    if pyodide:
        script = _SPEED % json.dumps(texts)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "speed.py"
            path.write_text(script, encoding="utf-8")
            sample = Path(tmp) / "empty.dcm"
            sample.write_bytes(b"")
            done = subprocess.run(
                ["node", str(ROOT / "tests/build/pyodide/run_core.mjs"), str(ROOT / "dist"),
                 str(path), str(sample)], capture_output=True, text=True, check=True)
        out["Pyodide (the tab's runtime)"] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def utility() -> tuple[int, int, Counter[str]]:
    """(word tokens, kept unchanged, the lost words and how often)."""
    import warnings

    import pydicom

    from dicomtab.deid.textclean import TextCleaner

    texts = list(CLINICAL)
    keywords = ("StudyDescription", "SeriesDescription", "ProtocolName", "ImageComments",
                "PerformedProcedureStepDescription", "RequestedProcedureDescription")
    folders = [Path(pydicom.__file__).parent / "data" / "test_files"]
    try:  # the pydicom-data wheel (34 MB of larger test files) installs "data_store"
        import data_store  # type: ignore[import-not-found]

        folders.append(Path(data_store.__file__).parent / "data")
    except ImportError:  # optional
        pass
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in sorted(p for folder in folders for p in folder.rglob("*")):
            try:
                ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
            except Exception:  # not DICOM: the corpus has other files
                continue
            texts += [str(ds.get(k)) for k in keywords if ds.get(k)]
    cleaner = TextCleaner([])
    total = kept = 0
    lost: Counter[str] = Counter()
    for text in dict.fromkeys(texts):
        before = re.findall(r"[A-Za-z0-9]+", text)
        after = set(re.findall(r"[A-Za-z0-9]+", cleaner.clean(text).text))
        total += len(before)
        for token in before:
            if token in after:
                kept += 1
            else:
                lost[token] += 1
    return total, kept, lost


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from bench.machine import describe

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--descriptors", type=int, default=1100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pyodide", action="store_true", help="also time it in dist/'s runtime")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = recall(args.descriptors, args.seed)
    seconds = time.perf_counter() - started
    print(f"free-text cleaner; {describe()}")
    print(f"recall: {args.descriptors} descriptors, one injected identifier each (seed {args.seed})")
    print(f"| {'identifier':<18} | {'made':>5} | {'left, allowlist':>15} | {'left, patterns':>14} |")
    print(f"|{'-' * 20}|{'-' * 7}|{'-' * 17}|{'-' * 16}|")
    for category, counts in results["allowlist"].items():
        other = results["patterns"][category]
        print(f"| {category:<18} | {counts['made']:>5} | {counts['leaked']:>15} | {other['leaked']:>14} |")
    print(f"by profile: {args.descriptors // 4} Study Descriptions de-identified by each "
          "built-in profile that keeps descriptors")
    print(f"| {'profile':<32} | {'made':>5} | {'left':>5} |")
    print(f"|{'-' * 34}|{'-' * 7}|{'-' * 7}|")
    for name, counts in recall_by_profile(args.descriptors // 4, args.seed).items():
        print(f"| {name:<32} | {counts['made']:>5} | {counts['leaked']:>5} |")
    total, kept, lost = utility()
    print(f"utility: {kept} of {total} clinical word tokens kept ({100 * kept / total:.1f}%); "
          f"lost: {', '.join(f'{w} ({n})' for w, n in lost.most_common(15)) or 'none'}")
    for runtime, figures in speed(args.pyodide).items():
        print(f"speed, {runtime}: vocabulary read in {figures['load_s']:.2f} s, "
              f"{figures['per_ms']:.2f} ms per descriptor")
    print(f"(recall run: {1000 * seconds / (2 * args.descriptors):.2f} ms per descriptor per mode)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
