"""What the browser worker calls: JSON-shaped results, never an exception.

``web/app/worker/worker.js`` is a thin adapter: it hands file bytes and names to these
functions and posts their results to the page. Everything here is plain Python (tested under
CPython): arguments are plain values (bytes or memoryviews, lists, str, numbers, callables
returning those), never Pyodide proxies; the worker converts them, and releases its proxies.

A result is ``{"status": "success", "payload": ...}`` or ``{"status": "failed", "error":
{"code", "message"}}``. Messages come from :mod:`dicomtab.errors` and quote no values from
the file; an unexpected failure is reported by exception class only, with its traceback
(file, line and function names only: no message, no source text) printed for developers.
"""

from __future__ import annotations

import importlib.machinery
import json
import random
import sys
from collections.abc import Callable
from typing import Any, Protocol

from dicomtab import __version__
from dicomtab.errors import (
    NOT_CAUGHT,
    DicomtabError,
    UnsupportedError,
    UsageError,
    where_it_happened,
)
from dicomtab.memory import budgets_for
from dicomtab.reading import quiet_pydicom
from dicomtab.session import Session

SESSION = Session()


class JsBuffer(Protocol):
    """A JS buffer the worker hands over as it is (a whole file: converting it to a memoryview
    first, then to bytes, would hold it twice in WebAssembly memory, whose high-water mark
    never goes down)."""

    def to_bytes(self) -> bytes:
        """The buffer's bytes, copied once into Python's memory."""


#: Bytes as the worker hands them over (a JS Uint8Array arrives as a memoryview, or as a
#: JsBuffer for a whole file).
Bytes = bytes | bytearray | memoryview | JsBuffer


def _as_bytes(data: Bytes) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    return data.to_bytes()


#: What running out of memory anywhere in the worker says (a frame says how much it needs).
OUT_OF_MEMORY = ("Not enough memory is left in this tab for that; close some files or series "
                 "(or reload the page) and try again.")


def js_error_name(exc: BaseException) -> str | None:
    """The name of the JavaScript error ``exc`` carries (Pyodide's JsException), else None."""
    if type(exc).__name__ != "JsException":
        return None
    name = getattr(exc, "name", None)
    return name if isinstance(name, str) else None


def _failed(code: str, message: str) -> dict[str, Any]:
    return {"status": "failed", "error": {"code": code, "message": message}}


def _run(action: Any, *args: Any) -> str:
    """Run ``action`` and return its result (or failure) as a JSON string."""
    try:
        # pydicom decodes values lazily and warns about bad ones by quoting them.
        with quiet_pydicom():
            result = {"status": "success", "payload": action(*args)}
    except DicomtabError as exc:
        result = _failed(exc.code, exc.message)
        if exc.inspectable:  # the page may open it for inspection only (open_damaged)
            result["error"]["inspectable"] = True
    except MemoryError:
        result = _failed("memory", OUT_OF_MEMORY)
    except NOT_CAUGHT:
        raise
    except BaseException as exc:  # a native decoder's panic too: the worker must live on
        if js_error_name(exc) == "RangeError":  # JavaScript could not allocate a buffer
            return json.dumps(_failed("memory", OUT_OF_MEMORY))
        # The message of an unexpected exception may quote file content: print only where
        # it happened, and give the user the class name.
        print("\n".join(where_it_happened(exc)), file=sys.stderr)
        result = _failed(
            "internal", f"Internal error ({type(exc).__name__}); the file was not processed."
        )
    return json.dumps(result, ensure_ascii=False)


def open_file(data: Bytes, name: str,
              reader: Any = None) -> str:
    """Open one file (its bytes and its display name); JSON result with the summary.

    ``reader``: a function (in the browser, a JS one reading the File again synchronously)
    returning the file's bytes, so they need not stay in memory (see dicomtab.file_bytes).
    """
    read_again = None if reader is None else (lambda: _as_bytes(reader()))
    return _run(lambda: SESSION.open(_as_bytes(data), name, read_again))


def open_file_by_parts(first: Bytes, size: int,
                       name: str, read: Any, reader: Any) -> str:
    """Open one file reading only its header when that is enough (see
    :mod:`dicomtab.file_head`); JSON result with the summary, as :func:`open_file`.

    ``first``: the file's first bytes (any number; the tab's head reader reads 64 KB), or all of it;
    ``size``: its size; ``read(start, end)`` and ``reader()``: functions (in the browser, JS
    ones reading the File synchronously) returning a slice of the file and all of it.
    """
    def read_slice(start: int, end: int) -> bytes:
        return _read_or_refuse(name, lambda: _as_bytes(read(start, end)))

    def read_all() -> bytes:
        return _read_or_refuse(name, lambda: _as_bytes(reader()))

    return _run(lambda: SESSION.open_by_parts(_as_bytes(first), int(size), name, read_slice,
                                              read_all))


def refuse_unreadable(name: str, kind: str) -> str:
    """JSON failure for a file the browser could not read before Python was called (the
    head reader's reads failed); ``kind``: the browser's error name (NotFoundError, …)."""
    def refuse() -> None:
        raise _unreadable(name, str(kind))
    return _run(refuse)


def _read_or_refuse(name: str, read: Callable[[], bytes]) -> bytes:
    try:
        return read()
    except Exception as exc:  # the browser's NotReadableError and its kin (no file content)
        raise _unreadable(name, type(exc).__name__) from None


def _unreadable(name: str, kind: str) -> UnsupportedError:
    return UnsupportedError(
        f"{name} could not be read ({kind}): it was changed, moved or deleted since it was "
        "chosen; choose it again.")


def list_instances() -> str:
    """JSON result with the summaries of every open instance."""
    return _run(SESSION.instances)


def configure_memory(device_gb: Any = None) -> str:
    """Set the worker's cache budgets for a device of ``device_gb`` GB of memory (the
    browser's ``navigator.deviceMemory``; unknown: the defaults); JSON result with all three
    budgets, the page's frame cache's too (see :mod:`dicomtab.memory`)."""
    def configure() -> dict[str, Any]:
        budgets = budgets_for(device_gb)
        SESSION.budget.limit, SESSION.parsed.limit = budgets.file_bytes, budgets.parsed
        return budgets.to_dict()
    return _run(configure)


def close_instance(instance_id: str) -> str:
    """Close an open instance (one opened as damaged too): its bytes, its summary and all
    that the inspector, the viewer and de-identification parsed of it are forgotten."""
    return _run(lambda: SESSION.close(instance_id))


def close_instances(instance_ids: Any) -> str:
    """Close several open instances at once (a series, a study), as :func:`close_instance`;
    JSON result ``{closed: [ids]}``. An id that is not open is a usage error, and then none
    is closed."""
    def close() -> dict[str, list[str]]:
        if instance_ids is None or isinstance(instance_ids, str):
            raise UsageError("Instance ids must be a list such as ['i1', 'i2'].")
        return {"closed": SESSION.close_all([str(i) for i in instance_ids])}

    return _run(close)


def resume_after_snapshot() -> None:
    """Undo what a memory snapshot froze; the worker calls this once after restoring one.

    The snapshot is Python's memory as the build left it, identical for every visitor:
    ``random`` would replay the same sequence everywhere, and the import system's directory
    caches describe the build's files. ``os.urandom`` and ``secrets`` ask the browser every
    time, and local times (``time.localtime``, ``datetime.now().astimezone()``) take the
    browser's clock and UTC offset on every call. Only the zone's *name* (``time.tzname``,
    ``%Z``) and ``time.timezone``, fixed when the interpreter started (Pyodide has no
    ``time.tzset``), stay the build's "UTC"; nothing in the core uses them.
    """
    # Only the folders' finders: importlib.invalidate_caches() would also make the stdlib's
    # zipimporter re-read its whole directory, 0.3 s of Python in the browser.
    for finder in list(sys.path_importer_cache.values()):
        if isinstance(finder, importlib.machinery.FileFinder):
            finder.invalidate_caches()
    random.seed()


def version() -> str:
    """The core's version, for the page's about line."""
    return __version__


# -- Tag inspector (issue #4) -------------------------------------------------------------
# Thin wrappers over dicomtab.inspect.api. The inspector is imported on first use (inside
# _run, so that even a failed import comes back as a result) and opening files, the worker's
# start-up path, does not pay for it. The build's start-up snapshot has it imported already
# (build/make_snapshot.mjs), so in the browser its first use costs no import either.


def _inspector() -> Any:
    from dicomtab.inspect import api

    return api


def open_damaged(data: Bytes, name: str) -> str:
    """Open a file ``open_file`` refused as truncated/damaged, for the tag inspector only."""
    return _run(lambda: _inspector().open_damaged(SESSION, _as_bytes(data), name))


def tags(instance_id: str, binary: str = "inline", include_meta: bool = False,
         phi_only: bool = False) -> str:
    """JSON result with the instance's DICOM JSON model (binary "inline" or "omit")."""
    return _run(lambda: _inspector().tags(SESSION, instance_id, binary, include_meta, phi_only))


def phi_summary(instance_id: str) -> str:
    """JSON result with the counts per PHI category and the pixel warnings."""
    return _run(lambda: _inspector().phi_summary(SESSION, instance_id))


def tree(instance_id: str, phi_only: bool = False) -> str:
    """JSON result with the element tree as rows."""
    return _run(lambda: _inspector().tree(SESSION, instance_id, phi_only))


def value_of(instance_id: str, path: str) -> str:
    """JSON result with the full value of the element at ``path``."""
    return _run(lambda: _inspector().value_of(SESSION, instance_id, path))


def search(instance_id: str, query: str) -> str:
    """JSON result with the paths of elements matching ``query``."""
    return _run(lambda: _inspector().search(SESSION, instance_id, query))


def diff(id_a: str, id_b: str) -> str:
    """JSON result with the added, removed and changed elements from ``id_a`` to ``id_b``."""
    return _run(lambda: _inspector().diff(SESSION, id_a, id_b))


def series_diff(instance_ids: Any) -> str:
    """JSON result with the elements that vary / are constant across these instances."""
    return _run(lambda: _inspector().series(SESSION, list(instance_ids)))


def export_csv(instance_id: str, phi_only: bool = False) -> str:
    """JSON result whose payload is the flat view as CSV text."""
    return _run(lambda: _inspector().export_csv(SESSION, instance_id, phi_only))


def export_dump(instance_id: str, phi_only: bool = False) -> str:
    """JSON result whose payload is the dcmdump-style text."""
    return _run(lambda: _inspector().export_dump(SESSION, instance_id, phi_only))


def dicomdir(instance_id: str) -> str:
    """JSON result with the patient/study/series/instance tree of an opened DICOMDIR."""
    return _run(lambda: _inspector().dicomdir(SESSION, instance_id))


def _ids(instance_ids: Any) -> list[str] | None:
    return None if instance_ids is None else [str(i) for i in instance_ids]


def study_phi(instance_ids: Any = None, study_of: str | None = None) -> str:
    """JSON result with the study PHI report (counts only) over these instances or all."""
    return _run(lambda: _inspector().study_phi(SESSION, _ids(instance_ids), study_of))


def study_phi_values(key: str, instance_ids: Any = None, study_of: str | None = None) -> str:
    """JSON result with the distinct values of one row of the study PHI report."""
    return _run(lambda: _inspector().study_phi_values(SESSION, key, _ids(instance_ids),
                                                      study_of))


def study_phi_export(form: str, values: bool = False, instance_ids: Any = None,
                     study_of: str | None = None) -> str:
    """JSON result whose payload is the study PHI report as CSV or HTML text."""
    return _run(lambda: _inspector().study_phi_export(SESSION, form, values,
                                                      _ids(instance_ids), study_of))


# -- Image viewer (issue #5) --------------------------------------------------------------
# Thin wrappers over dicomtab.pixels.api, imported on first use (inside _run/_run_binary):
# it needs numpy, which the worker loads only when the first pixels are asked for, calling
# dicomtab.numpy_later.reimport_with_numpy() first and these functions of the module it
# returns. Register JS codecs (register_decoder) AFTER that reimport: it makes a new registry.
#
# Functions that hand over a buffer return a 2-item tuple ``(json_result, data)``: the usual
# JSON result, and the bytes (None when the result is a failure). Recommended handoff, one
# copy and no per-element conversion: in the worker, ``const [json, data] = proxy`` (index the
# tuple proxy); ``const view = data.getBuffer("u8")`` gives a view into the WebAssembly heap
# without a copy; ``const out = view.data.slice().buffer`` makes the one copy (heap memory
# cannot be transferred); ``view.release(); data.destroy(); proxy.destroy()``; then
# ``postMessage(msg, [out])`` transfers it to the page without another copy. Avoid
# ``toJs()`` on anything but small values.


def _pixels() -> Any:
    import pydicom.config

    from dicomtab.errors import NeedsNumpyError

    if not pydicom.config.have_numpy:
        # The worker reacts to this code: load numpy, reimport_with_numpy(), ask again.
        raise NeedsNumpyError("Showing pixels needs numpy, which is not loaded yet.")
    from dicomtab.pixels import api

    return api


def _run_binary(action: Any) -> tuple[str, bytes | None]:
    """Run ``action`` (returning ``(payload, data)``); the JSON result and the bytes."""
    out: list[bytes | None] = [None]

    def payload() -> Any:
        result, out[0] = action()
        return result

    # out[0] is set only when ``action`` returned, i.e. exactly when the result is a success.
    return _run(payload), out[0]


def frame(instance_id: str, index: int = 0) -> str:
    """JSON result with frame ``index``'s description (see dicomtab.pixels.describe)."""
    return _run(lambda: _pixels().frame(SESSION, instance_id, index)[0])


def frame_buffer(instance_id: str, index: int = 0) -> tuple[str, bytes | None]:
    """``(JSON result with the description, the frame's buffer)``: the call the viewer uses.

    The buffer is int32/float32 modality values or RGB 8-bit, little endian, as the
    description's ``bufferType`` says.
    """
    return _run_binary(lambda: _pixels().frame(SESSION, instance_id, index))


def frame_digest(instance_id: str, index: int = 0) -> str:
    """JSON result ``{digest, codec}``: sha256 of the frame's decoded values (frameDigest)."""
    return _run(lambda: _pixels().frame_digest(SESSION, instance_id, index))


def frame_npy(instance_id: str, index: int = 0) -> tuple[str, bytes | None]:
    """``(JSON result, .npy file bytes)`` of the frame's raw values, for download."""
    return _run_binary(lambda: _pixels().frame_npy(SESSION, instance_id, index))


def series_preview(instance_ids: Any, size: Any = 96) -> tuple[str, bytes | None]:
    """``(JSON result {rows, columns, index, instanceId}, RGBA bytes)``: a small preview of a
    series (its middle image, default window) for the study tree (dicomtab.pixels.thumbnail)."""
    return _run_binary(lambda: _pixels().series_preview(SESSION, instance_ids, size))


def overlay(instance_id: str, index: int, group: str) -> tuple[str, bytes | None]:
    """``(JSON result, rows × columns bytes of 0/1)``: overlay ``group`` ("6000") on a frame."""
    return _run_binary(lambda: _pixels().overlay(SESSION, instance_id, index, group))


def object_info(instance_id: str) -> str:
    """JSON result: what the instance holds (image, pdf, document, sr, waveform, none)."""
    return _run(lambda: _pixels().object_info(SESSION, instance_id))


def document(instance_id: str) -> tuple[str, bytes | None]:
    """``(JSON result, the encapsulated document's bytes)``, e.g. a PDF for download."""
    return _run_binary(lambda: _pixels().document(SESSION, instance_id))


def waveform(instance_id: str, index: int = 0) -> tuple[str, bytes | None]:
    """``(JSON result, float32 samples × channels)`` of one waveform multiplex group."""
    return _run_binary(lambda: _pixels().waveform(SESSION, instance_id, index))


def stack(instance_ids: Any) -> str:
    """JSON result ``{order, sortedBy}``: the instances as a stack of slices (dicomtab.stack)."""

    def order() -> dict[str, Any]:
        from dicomtab.stack import stack_order

        ids = [str(i) for i in instance_ids]
        return stack_order([SESSION.get(i).summary for i in ids])

    return _run(order)


def transfer_syntax(instance_id: str) -> str:
    """The transfer syntax UID of an open instance, or "" if there is no such instance (the
    worker then loads every codec, and the request itself reports the unknown id). Plain text,
    not a JSON result: the worker asks before each frame request, to load only its codec."""
    try:
        return str(SESSION.get(instance_id).summary["transferSyntax"]["uid"])
    except UsageError:
        return ""


def decoders() -> str:
    """JSON result: per transfer syntax, whether it decodes here and with which codec."""
    return _run(lambda: _pixels().decoder_status())


def register_decoder(transfer_syntax: str, decode: Any, name: str) -> str:
    """Register a JS-backed frame decoder for ``transfer_syntax`` (most recent wins).

    ``decode(encoded, info) -> {"data": bytes-like, "dtype": str | None, "photometric": str |
    None}``, or bare bytes (web/app/worker/codecs/index.js describes the codecs; the worker
    turns their JS results into such a dict). The result becomes a
    :class:`~dicomtab.pixels.decoders.DecodedFrame`.
    Call after numpy_later.reimport_with_numpy(), on the module it returned.
    """

    def adapter(encoded: bytes | memoryview, info: Any) -> Any:
        from dicomtab.pixels.decoders import DecodedFrame

        result = decode(encoded, info.to_dict())
        if not isinstance(result, dict):  # bare bytes
            return DecodedFrame(_as_bytes(result))
        return DecodedFrame(_as_bytes(result["data"]), result.get("dtype") or None,
                            result.get("photometric") or None)

    def register() -> dict[str, Any]:
        from dicomtab.pixels.decoders import REGISTRY

        REGISTRY.register(transfer_syntax, adapter, name=name)
        return {"transferSyntax": transfer_syntax, "codec": name}

    return _run(register)


def register_text_detector(forward: Any, wait: Any, can_wait: Any) -> str:
    """Use the worker's onnxruntime-web for text detection (dicomtab.pixels.text_detection).

    ``forward(tensor, height, width)`` returns a Promise of the probability map (float32
    values, height x width, as a bytes-like object); the worker loads onnxruntime-web and the
    model on its first call. ``wait`` and ``can_wait`` are Pyodide's ``run_sync`` and ``can_run_sync``,
    handed over by the worker (the core never imports Pyodide): waiting for a promise needs
    WebAssembly stack switching (JSPI) and a call entered through ``callPromising``, which
    is how the worker enters every request that may detect text. Call after the numpy
    re-import.
    """
    def register() -> dict[str, Any]:
        from dicomtab.pixels import text_detection

        text_detection.set_backend(_tab_forward(forward, wait, can_wait), "onnxruntime-web")
        return {"textDetector": "onnxruntime-web"}

    return _run(register)


def _tab_forward(forward: Any, wait: Any, can_wait: Any) -> Any:
    import numpy as np

    from dicomtab.pixels.text_detection import TextDetectorUnavailable

    def run(tensor: Any) -> Any:
        try:
            switching = bool(can_wait())
        except Exception:  # a runtime without the feature may not even have its state
            switching = False
        if not switching:
            raise TextDetectorUnavailable(
                "Text detection needs WebAssembly stack switching (JSPI), which this browser "
                "lacks; Chrome and Edge 137 or newer have it.")
        height, width = int(tensor.shape[2]), int(tensor.shape[3])
        try:
            result = wait(forward(tensor, height, width))
        except Exception as exc:  # the runtime or the model failed to load or to run
            raise TextDetectorUnavailable(
                f"The text detector could not run in this tab ({type(exc).__name__}).") from None
        return np.frombuffer(_as_bytes(result), dtype=np.float32).reshape(height, width)
    return run


def detect_text(instance_id: str, index: int) -> str:
    """JSON result ``{boxes: [...]}``: where the text detector finds text in frame ``index``
    (from 0) of an open instance, as suggestions for the viewer's redaction boxes."""
    def detect() -> dict[str, Any]:
        from dicomtab.pixels.api import dataset
        from dicomtab.pixels.text_detection import backend_name, detect_in_frame, to_dicts

        boxes = detect_in_frame(dataset(SESSION, instance_id), int(index))
        return {"boxes": to_dicts(boxes), "detector": backend_name()}

    return _run(detect)


# -- De-identification in the tab (issue #10) ---------------------------------------------
# Thin wrappers over dicomtab.deid.tab, imported on first use. The page passes the profile
# choice and the run's options as JSON text and the key file's bytes as a Uint8Array; the key
# lives in this worker only while a call or a run needs it (DeidRun.end forgets it).

_DEID: list[Any] = []


def _deid() -> Any:
    """The tab's one de-identification run holder (created on first use)."""
    from dicomtab.deid import tab

    if not _DEID:
        _DEID.append(tab.TabDeid())
    return _DEID[0]


def deid_profiles() -> str:
    """JSON result: the built-in profiles with their one-line summaries."""
    from dicomtab.deid import tab

    return _run(tab.profiles)


def deid_check_profile(spec: str) -> str:
    """JSON result ``{name, summary, hipaa}`` of a profile choice, or the problem with it."""

    def check() -> dict[str, Any]:
        from dicomtab.deid import tab
        from dicomtab.deid.profile import HIPAA_METHODS

        profile = tab.profile_of(json.loads(spec))
        return {"name": profile.name, "summary": profile.summary,
                "hipaa": HIPAA_METHODS.get(profile.hipaa or ""),
                "options": sorted(profile.options)}

    return _run(check)


def deid_new_key() -> str:
    """JSON result ``{text, fingerprint}``: a new key file's text (keygen's format)."""
    from dicomtab.deid import tab

    return _run(tab.new_key)


def deid_key_info(data: Bytes, name: str) -> str:
    """JSON result ``{fingerprint}`` of a key file, or why it is not a key."""
    from dicomtab.deid import tab

    return _run(lambda: tab.key_info(_as_bytes(data), name))


def deid_preview(instance_id: str, spec: str,
                 key: Bytes, key_name: str) -> str:
    """JSON result: what de-identifying the instance would change, element by element."""
    from dicomtab.deid import tab

    return _run(lambda: tab.preview_instance(SESSION, instance_id, json.loads(spec),
                                             _as_bytes(key), key_name))


def deid_flags(instance_ids: Any, spec: str) -> str:
    """JSON result: the instances a run would flag for review, with their flags."""
    from dicomtab.deid import tab

    return _run(lambda: tab.flags_before(SESSION, [str(i) for i in instance_ids],
                                         json.loads(spec)))


def deid_begin(spec: str, key: Bytes, key_name: str,
               options: str) -> str:
    """Start a run; ``options`` is JSON ``{verify, crosswalk, operator, purpose, allowDamaged,
    regions}`` (``regions``: redaction template files as ``[{name, text}]``)."""

    def begin() -> dict[str, Any]:
        chosen = json.loads(options)
        regions = [(str(r.get("name", "regions.json")), str(r.get("text", "")).encode("utf-8"))
                   for r in chosen.get("regions") or []]
        return _deid().begin(
            json.loads(spec), _as_bytes(key), key_name,
            verify=bool(chosen.get("verify", True)), crosswalk=bool(chosen.get("crosswalk")),
            operator=chosen.get("operator"), purpose=chosen.get("purpose"),
            allow_damaged=bool(chosen.get("allowDamaged")), regions=regions)

    return _run(begin)


def redaction_template(instance_id: str, boxes: str, scope: str) -> str:
    """JSON result ``{name, text}``: a redaction template file for the boxes (JSON list)
    drawn on an open instance, for ``scope`` "instance", "series" or "device"."""
    from dicomtab.deid import tab

    return _run(lambda: tab.template_text(SESSION, instance_id, json.loads(boxes), scope))


def deid_regions(text: str, name: str) -> str:
    """JSON result: what a redaction template file holds (templates, boxes), or why it is
    not one."""
    from dicomtab.deid import tab

    return _run(lambda: tab.regions_info(text.encode("utf-8"), name))


def deid_file(instance_id: str) -> tuple[str, bytes | None]:
    """``(JSON result with the file's outcome, its output's bytes or None)``."""
    return _run_binary(lambda: _deid().file(SESSION, instance_id))


def deid_stored(path: str, ok: bool, reason: str = "") -> str:
    """The page stored (or could not store) the output at ``path``."""
    return _run(lambda: _deid().stored(path, bool(ok), reason))


def deid_finish() -> str:
    """JSON result: the run's release record (data, JSON text, plain text) and counts."""
    return _run(lambda: _deid().finish())


def deid_crosswalk() -> str:
    """JSON result: the finished run's crosswalk CSV text (only if the run asked for one)."""
    return _run(lambda: _deid().crosswalk())


def deid_end() -> str:
    """Forget the run, its key and its mappings."""
    return _run(lambda: _deid().end())


def verify_open(instance_ids: Any, records: str) -> str:
    """JSON result: ``dicomtab verify`` on the open de-identified files (those of
    ``instance_ids``, or all when None) and the release records given as JSON
    ``[{name, text}]`` (see dicomtab.deid.verify_open)."""

    def check() -> dict[str, Any]:
        from dicomtab.deid.verify_open import verify_open as run

        ids = None if instance_ids is None else [str(i) for i in instance_ids]
        return run(SESSION, ids, json.loads(records))

    return _run(check)
