"""De-identification: PS3.15 Annex E as data, applied by pure functions over pydicom Datasets.

Modules: ``table`` (the generated Table E.1-1 and safe-private list), ``profile`` (options,
overrides, templates), ``actions`` (which action applies), ``uids``/``dates``/``pseudonyms``/
``freetext`` (keyed replacements), ``elements`` (deciding without decoding), ``engine`` (one data
set), ``writer`` (its bytes), ``batch`` (files, folders, ZIPs), ``audit`` and ``verify`` (what
was done; what is left), with ``spans``/``bytescan`` (verify's search of every byte).
"""
