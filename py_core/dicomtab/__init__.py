"""dicomtab: DICOM inspection, viewing and de-identification that never leaves the machine.

The package is pure Python over pydicom Datasets. It runs unchanged in CPython (the
``dicomtab`` command) and in the browser's Web Worker under Pyodide, where
``web/worker.js`` is only a thin adapter around :mod:`dicomtab.worker_api`.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
