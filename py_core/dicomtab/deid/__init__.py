"""De-identification: PS3.15 Annex E as data, applied by pure functions over pydicom Datasets.

Modules: ``table`` (the generated Table E.1-1), ``profile`` (options, overrides, templates),
``actions`` (which action applies), ``uids``/``dates``/``pseudonyms``/``freetext`` (keyed
replacements), ``engine`` (one data set), ``batch`` (files, folders, ZIPs), ``audit`` and
``verify`` (what was done; what is left).
"""
