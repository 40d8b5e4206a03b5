"""Pixels: decoding, the pixel pipeline and the other kinds of objects (issue #5).

Nothing here imports numpy at module level except the modules that are imported on the
first pixel request (frames, modality, voi, color, overlays, describe, export); the worker
imports them only after :mod:`dicomtab.numpy_later` has made numpy available.
:mod:`dicomtab.pixels.decoders` itself stays numpy-free so that the worker can register
JS-backed codecs at any time.
"""
