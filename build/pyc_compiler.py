"""Runs inside Pyodide (CPython 3.12), driven by build/compile_bytecode.mjs; not imported here.

Each source becomes an unchecked hash-based ``.pyc`` (PEP 552): no timestamp, so the bytes
depend only on the source and the interpreter, and the importer never looks for the ``.py``,
which is not shipped. ``co_filename`` is the path the module will have in the browser, so
tracebacks name real locations.
"""

import importlib.util
import json
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc


def compile_job(job_path: str, out_path: str) -> None:
    """Compile every ``group/path.py`` of the job zip into ``group/path.pyc`` in ``out_path``."""
    with zipfile.ZipFile(job_path) as job, zipfile.ZipFile(out_path, "w") as out:
        prefixes = json.loads(job.read("job.json"))["groups"]
        for name in sorted(job.namelist()):
            if not name.endswith(".py"):
                continue
            group, relative = name.split("/", 1)
            source = job.read(name)
            # dont_inherit: this module's own compiler flags must not leak into the code.
            code = compile(source, prefixes[group] + relative, "exec", dont_inherit=True)
            data = _code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False)
            out.writestr(name + "c", data)
