"""De-identification: PS3.15 Annex E as data, applied by pure functions over pydicom Datasets.

Modules: ``table`` (the generated Table E.1-1 and safe-private list), ``profile`` (options,
overrides, templates, HIPAA method), ``actions`` (which action applies), ``uids``/``dates``/
``pseudonyms``/``freetext`` (keyed replacements; identifiers and identifier shapes in text),
``generalize`` (year, age90, zip3), ``review`` (faces and voices, flagged), ``elements``
(deciding without decoding), ``engine`` (one data set), ``writer`` (its bytes), ``inputs`` and
``batch`` (files, folders, ZIPs), ``audit`` and ``verify`` (what was done; what is left), with
``spans``/``bytescan`` (verify's search of every byte), and ``release`` (the release record and
its manifest).
"""
