"""Generate ``py_core/dicomtab/data/text_vocabulary.txt.gz``: the words kept in cleaned text.

The free-text cleaner (:mod:`dicomtab.deid.textclean`) keeps a word only if it is known to be
safe. What is safe is reference data, taken from maintained packages (read, never imported
from the package they ship in, except pydicom, which the tool depends on anyway):

* ``philter-lite`` 0.6.0 (BSD-3, UCSF's Philter): ``filters/set.toml`` holds ``nonames``, about
  195,000 English and clinical words that are not names, and the ``firstnames`` and
  ``lastnames`` lists it was built against;
* pydicom's SR concept dictionaries (``pydicom/sr/_concepts_dict.py``): every word of every
  code meaning (DCM, SNOMED CT, NCIt, RadLex, …), the imaging vocabulary: anatomy,
  procedures, devices, findings;
* pydicom's data dictionary: every word of every attribute name;
* ``names`` 0.3.0 (MIT): the 1990 US Census surname and given-name lists (94,293 names), to
  find the safe words that are also names;
* ``Faker`` 40.63.0 (MIT): its US address provider's street suffixes (USPS Publication 28's
  list: Avenue, Camp, Common, View, ...), for the cleaner's street address shape;
* :data:`IMAGING_TERMS`, this project's short list of scanner vocabulary the two sources
  lack: MR sequence names, CT reconstruction and dose-modulation names, scan-planning image
  names, DICOM object acronyms (each a product or technique name, never a person's).

The file is gzip'd text: a first line with a JSON header (sources, versions, sha256s, counts),
then ``#safe`` and one lower-case word a line, then ``#ambiguous``: the safe words that are
also given names or surnames ("rose", "young", "mark"), removed when a name context precedes
them ("Dr.", "wife", "per", ...), then ``#street``: the street suffixes. Words of one letter
and numbers alone are left out: the cleaner's patterns judge those.

Usage::

    python build/standard/gen_text_vocabulary.py [--wheel FILE] [--cache DIR]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pydicom
from pydicom.datadict import DicomDictionary
from pydicom.sr import _concepts_dict

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_deid_table import fetch_wheel  # noqa: E402

PACKAGE, VERSION = "philter-lite", "0.6.0"
MEMBER = "philter_lite/filters/set.toml"
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "py_core" / "dicomtab" / "data" / "text_vocabulary.txt.gz"
WORD = re.compile(r"[a-z0-9]+")


#: Scanner vocabulary missing from Philter's and DICOM's words (sequence, reconstruction and
#: technique names as vendors print them in series descriptions and protocol names).
IMAGING_TERMS = tuple("""
wo wwo obl obli lge psir molli shmolli ihe
mprage tse frfse ssfse fse haste dixon mdixon fiesta bravo lava spgr fspgr vibe starvibe flash
trufi fisp medic resolve blade propeller space cube vista thrive ideal swan pcasl pasl ivim
hardi rsfmri twist tricks sense asset grappa ipat caipi multiband hyperband sms inphase
outphase opp noncon precon postcon vrt minip hu surview topogram scanogram smartprep
surestart carebolus caredose carekv tracker asir asirv admire safire idose imr aidr dlir veo
truefidelity aice ctdivol ssde rtss gsps ko dlp mrcp mrv mra cta ctp ctv
""".split())


FAKER_ADDRESS = "faker/providers/address/en_US/__init__.py"


def street_suffixes(wheel: Path) -> tuple[list[str], bytes]:
    """Faker's US street suffixes (read from its source, never imported), lower-case."""
    import ast

    with zipfile.ZipFile(wheel) as archive:
        source = archive.read(FAKER_ADDRESS)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(
                getattr(t, "id", None) == "street_suffixes" for t in node.targets):
            return sorted({str(s).lower() for s in ast.literal_eval(node.value)}), source
    raise SystemExit(f"{wheel.name}: no street_suffixes in {FAKER_ADDRESS}")


def _download(cache: Path, package: str, version: str, name: str) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / name
    if not target.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary",
                        ":all:", "--dest", str(cache), f"{package}=={version}"], check=True)
    return target


def _words(text: str) -> set[str]:
    """Words of two characters or more with a letter in them: numbers alone are judged by
    the cleaner's patterns (a 7-digit number in a code meaning must not make an MRN safe)."""
    return {w for w in WORD.findall(text.lower()) if len(w) > 1 and not w.isdigit()}


def dicom_words() -> set[str]:
    """Every word of pydicom's SR code meanings and of its attribute names."""
    words: set[str] = set()
    for scheme in _concepts_dict.concepts.values():
        for codes in scheme.values():
            for meaning, _cids in codes.values():
                words |= _words(meaning)
    for entry in DicomDictionary.values():
        words |= _words(entry[2])
    return words


def census_names(sdist: Path) -> tuple[set[str], bytes]:
    """The census lists of the ``names`` sdist (a name, then figures, a line), and their bytes."""
    import tarfile

    found: set[str] = set()
    data = b""
    with tarfile.open(sdist, "r:gz") as archive:
        for member in sorted(archive.getmembers(), key=lambda m: m.name):
            if "/names/dist." in member.name and member.isfile():
                raw = archive.extractfile(member).read()  # type: ignore[union-attr]
                data += raw
                found |= {line.split()[0].lower() for line in raw.decode().splitlines() if line}
    return found, data


def build(philter: dict[str, list[str]], dicom: set[str],
          census: frozenset[str] | set[str] = frozenset()) -> tuple[list[str], list[str]]:
    """(safe, ambiguous): sorted lower-case words."""
    names = {w.lower() for w in philter["firstnames"] + philter["lastnames"] if w} | set(census)
    safe = {w for raw in philter["nonames"] for w in _words(raw) if w == raw.lower()} | dicom \
        | set(IMAGING_TERMS)
    # A DICOM word that is also a name ("Doppler", "Hounsfield", "Parkinson") stays safe but
    # ambiguous, like Philter's own.
    return sorted(safe), sorted(safe & names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path)
    parser.add_argument("--names-sdist", type=Path)
    parser.add_argument("--faker-wheel", type=Path)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "dicomtab-standard")
    args = parser.parse_args(argv)
    wheel = args.wheel or fetch_wheel(PACKAGE, VERSION, None, args.cache)
    with zipfile.ZipFile(wheel) as archive:
        member = archive.read(MEMBER)
    philter = tomllib.loads(member.decode("utf-8"))
    sdist = args.names_sdist or _download(args.cache, "names", "0.3.0", "names-0.3.0.tar.gz")
    census, census_bytes = census_names(sdist)
    faker = args.faker_wheel or fetch_wheel("faker", "40.63.0", None, args.cache)
    suffixes, suffix_source = street_suffixes(faker)
    concepts = Path(_concepts_dict.__file__).read_bytes() + \
        (Path(pydicom.__file__).parent / "_dicom_dict.py").read_bytes()
    safe, ambiguous = build(philter, dicom_words(), census)
    header = {
        "title": "Words kept in cleaned free text (allow-list), and those also names",
        "generated_by": "build/standard/gen_text_vocabulary.py (do not edit by hand)",
        "sources": [
            {"package": f"{PACKAGE}=={VERSION}", "licence": "BSD-3-Clause (UCSF Philter)",
             "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
             "member": MEMBER, "member_sha256": hashlib.sha256(member).hexdigest()},
            {"package": f"pydicom=={pydicom.__version__}", "licence": "MIT",
             "member": "pydicom/sr/_concepts_dict.py then pydicom/_dicom_dict.py (sha256 of "
                       "the two files' bytes in that order)",
             "member_sha256": hashlib.sha256(concepts).hexdigest()},
            {"package": "names==0.3.0", "licence": "MIT", "sdist": sdist.name,
             "sdist_sha256": hashlib.sha256(sdist.read_bytes()).hexdigest(),
             "member": "names/dist.all.last, dist.female.first, dist.male.first (1990 US Census)",
             "member_sha256": hashlib.sha256(census_bytes).hexdigest()},
            {"package": "faker==40.63.0", "licence": "MIT", "wheel": faker.name,
             "wheel_sha256": hashlib.sha256(faker.read_bytes()).hexdigest(),
             "member": FAKER_ADDRESS, "member_sha256": hashlib.sha256(suffix_source).hexdigest()},
            {"package": "dicomtab (this project)", "member":
             "build/standard/gen_text_vocabulary.py IMAGING_TERMS", "words": len(IMAGING_TERMS)},
        ],
        "safe": len(safe),
        "ambiguous": len(ambiguous),
        "street": len(suffixes),
    }
    body = "\n".join([json.dumps(header, sort_keys=True), "#safe", *safe, "#ambiguous",
                      *ambiguous, "#street", *suffixes]) + "\n"
    # mtime 0: the same inputs give the same bytes.
    OUT.write_bytes(gzip.compress(body.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"wrote {OUT.relative_to(ROOT)}: {len(safe)} safe words, {len(ambiguous)} also names, "
          f"{OUT.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
