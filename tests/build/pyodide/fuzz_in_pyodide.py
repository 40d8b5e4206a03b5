"""Runs inside the shipped WebAssembly Python: bench/fuzz.py's cases, as the worker meets them.

/tmp/input.dcm is a ZIP made by tests/build/test_fuzz_in_pyodide.py holding ``fuzz.py``, the
corpus files, ``seeded.json`` (the identifying values, hex) and ``cases.json`` (corpus index,
mutation, seed). Each case runs through every entry point in this interpreter (numpy
installed but the core not re-imported with it: the worker's state before pixels are asked
for). Prints one JSON line: the count per kind.
"""

import json
import sys
import types
import zipfile
from collections import Counter

archive = zipfile.ZipFile("/tmp/input.dcm")
module = types.ModuleType("fuzz")  # registered: dataclasses look their module up
sys.modules["fuzz"] = module
exec(compile(archive.read("fuzz.py"), "fuzz.py", "exec"), module.__dict__)  # noqa: S102
harness = module.__dict__
names = json.loads(archive.read("names.json"))
files = [(name, archive.read(f"corpus/{i}")) for i, name in enumerate(names)]
seeded = [bytes.fromhex(h) for h in json.loads(archive.read("seeded.json"))]
counts: Counter[str] = Counter()
examples = []
for source, mutation, seed in json.loads(archive.read("cases.json")):
    name, data = files[source]
    kind = harness["run_case"](data, name, mutation, seed, seeded)
    counts[kind] += 1
    if kind != "ok":
        examples.append(f"{name} {mutation} {seed}")
print(json.dumps({"counts": dict(counts), "examples": examples[:10]}))
