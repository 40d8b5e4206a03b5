"""Finding burned-in text in an image's pixels: PP-OCRv4's text detector.

The detector is PaddleOCR's PP-OCRv4 detection network (a DBNet), as the ONNX file
``ch_PP-OCRv4_det_infer.onnx`` that the rapidocr_onnxruntime wheel carries; the builder
extracts it, checks its hash and ships it (``build/fetch_text_detector.py``). The same file
runs under CPython (onnxruntime) and in the tab (onnxruntime-web, registered by the worker):
only the network's forward pass differs between the two. Everything around it is here, in
numpy, so both places turn a frame into the same boxes:

* the frame as it shows (grey values scaled to 0-255 from the frame's own range, MONOCHROME1
  inverted, colour as RGB) is resized so that its shorter side is at least 736 pixels and its
  longer side at most 2000, both multiples of 32, and normalised as PP-OCR's detector expects;
* the network gives, for every pixel, the probability that it lies in text; pixels above 0.3
  form regions (8-connected), a region whose mean probability is below 0.5 is dropped, and
  each region's rectangle is grown as DBNet's "unclip" does (by area x 1.6 / perimeter: the
  network marks a shrunk core of each line) and by a margin, then mapped back to the image;
  a region too tall to be a line of text (a blob of anatomy) is dropped, and boxes that
  nearly touch are joined into one.

Only detection runs, never recognition: dicomtab needs where text is, not what it says, so no
text read from an image is ever held. Measured against Tesseract on this project's images
(``bench/text_detection_bench.py``), this detector finds more of the text, faster.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
from pydicom.dataset import Dataset

from dicomtab.deid.regions import Box
from dicomtab.errors import UnsupportedError

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: The model file, in dicomtab/data/ (put there by the builder; not in git).
MODEL_FILE = "text_detector.onnx"
#: PP-OCR's detector settings (rapidocr_onnxruntime's config.yaml, "Det").
MIN_SIDE, MAX_SIDE, STRIDE = 736, 2000, 32
MEAN, STD = 0.5, 0.5
THRESHOLD, BOX_THRESHOLD, UNCLIP = 0.3, 0.5, 1.6
#: A region taller than this share of the image is anatomy, not a line of text: burned-in
#: text is written in small lines (the network marks each line apart; the tallest line in the
#: tests' and the bench's images, 24-pixel text on 240 rows, is under 4 %), while the false
#: regions PP-OCR finds in CT, MR and colour Doppler are 9-37 % tall.
TALL_REGION = 0.08
#: Extra margin around each box: a fraction of its height, and at least this many pixels.
MARGIN_FRACTION, MARGIN_PIXELS = 0.15, 2

#: The network's forward pass: (1, 3, H, W) float32 in, (H, W) probabilities out.
Backend = Callable[["NDArray"], "NDArray"]


class TextDetectorUnavailable(UnsupportedError):
    """The text detector could not be loaded here (a missing package, model or browser feature)."""

    code = "text-detector-unavailable"


@dataclass
class _State:
    backend: Backend | None = None
    name: str = ""
    #: Why no backend is available (when loading one failed).
    failure: str | None = None


_STATE = _State()


def set_backend(backend: Backend | None, name: str) -> None:
    """Use ``backend`` for every detection from now on (the worker registers the tab's)."""
    _STATE.backend, _STATE.name, _STATE.failure = backend, name, None


def backend_name() -> str:
    """Which forward pass runs (after the first detection, or a registration)."""
    return _STATE.name


def _backend() -> Backend:
    if _STATE.backend is None:
        if _STATE.failure is not None:
            raise TextDetectorUnavailable(_STATE.failure)
        try:
            _STATE.backend, _STATE.name = _onnxruntime_backend(), "onnxruntime"
        except TextDetectorUnavailable as exc:
            _STATE.failure = exc.message
            raise
    return _STATE.backend


def _onnxruntime_backend() -> Backend:
    """CPython's forward pass: onnxruntime (the ``ocr`` extra) on the shipped model."""
    try:
        import onnxruntime  # type: ignore[import-untyped]
    except ImportError:
        raise TextDetectorUnavailable(
            "Text detection needs onnxruntime (pip install 'dicomtab[ocr]').") from None
    model = resources.files("dicomtab") / "data" / MODEL_FILE
    if not model.is_file():
        raise TextDetectorUnavailable(
            f"The text detector's model ({MODEL_FILE}) is missing: run build/fetch_text_detector.py.")
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # warnings about the graph would reach stderr
    session = onnxruntime.InferenceSession(model.read_bytes(), options,
                                           providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name

    def forward(tensor: NDArray) -> NDArray:
        return np.asarray(session.run(None, {name: tensor})[0])[0, 0]
    return forward


def display_rgb8(frame: NDArray, photometric: str) -> NDArray:
    """A decoded frame as an 8-bit RGB picture: what a reader of the text would see."""
    if frame.ndim == 3:
        if frame.dtype == np.uint8:
            return frame
        scale = float(frame.max()) or 1.0
        return np.clip(frame.astype(np.float64) * (255.0 / scale), 0, 255).astype(np.uint8)
    values = frame.astype(np.float64)
    low, high = float(values.min()), float(values.max())
    grey = (values - low) * (255.0 / (high - low)) if high > low else np.zeros_like(values)
    if photometric == "MONOCHROME1":
        grey = 255.0 - grey
    grey8 = np.clip(np.rint(grey), 0, 255).astype(np.uint8)
    return np.repeat(grey8[:, :, None], 3, axis=2)


def input_size(rows: int, columns: int) -> tuple[int, int]:
    """The network's input height and width for an image of ``rows`` x ``columns``."""
    scale = max(MIN_SIDE / min(rows, columns), 1.0)
    scale = min(scale, MAX_SIDE / max(rows, columns))
    return (max(STRIDE, int(round(rows * scale / STRIDE)) * STRIDE),
            max(STRIDE, int(round(columns * scale / STRIDE)) * STRIDE))


def _linear_axis(size_in: int, size_out: int) -> tuple[NDArray, NDArray, NDArray]:
    """Source indices and weights of a linear resize along one axis (pixel centres aligned,
    as OpenCV's INTER_LINEAR, which PP-OCR's own pre-processing uses)."""
    position = (np.arange(size_out, dtype=np.float64) + 0.5) * (size_in / size_out) - 0.5
    position = np.clip(position, 0, size_in - 1)
    low = np.floor(position).astype(np.intp)
    high = np.minimum(low + 1, size_in - 1)
    return low, high, (position - low).astype(np.float32)


def resized(rgb: NDArray, height: int, width: int) -> NDArray:
    """``rgb`` resized to ``height`` x ``width``, bilinear, as float32 (numpy only, so that
    CPython and the tab compute the same values)."""
    top, bottom, wy = _linear_axis(rgb.shape[0], height)
    left, right, wx = _linear_axis(rgb.shape[1], width)
    image = rgb.astype(np.float32)
    rows = image[top] * (1 - wy)[:, None, None] + image[bottom] * wy[:, None, None]
    return rows[:, left] * (1 - wx)[None, :, None] + rows[:, right] * wx[None, :, None]


def network_input(rgb: NDArray) -> NDArray:
    """(1, 3, H, W) float32: ``rgb`` resized and normalised, in BGR order as PaddleOCR's
    models were trained."""
    height, width = input_size(rgb.shape[0], rgb.shape[1])
    normalised = (resized(rgb, height, width) / np.float32(255.0) - np.float32(MEAN)) \
        / np.float32(STD)
    return np.ascontiguousarray(normalised[:, :, ::-1].transpose(2, 0, 1)[None])


def _regions(binary: NDArray) -> list[list[int]]:
    """8-connected regions of ``binary`` as [top, left, bottom, right, pixels], from runs of
    each row joined by union-find (no scipy in the tab)."""
    parent: list[int] = []

    def root(label: int) -> int:
        while parent[label] != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    runs: list[tuple[int, int, int, int]] = []
    previous: list[tuple[int, int, int]] = []
    edges = np.diff(binary.astype(np.int8), axis=1, prepend=0, append=0)
    for y in np.flatnonzero(binary.any(axis=1)).tolist():
        starts = np.flatnonzero(edges[y] == 1).tolist()
        ends = np.flatnonzero(edges[y] == -1).tolist()
        if runs and runs[-1][0] != y - 1:
            previous = []
        current, j = [], 0
        for x0, x1 in zip(starts, ends, strict=True):
            label = -1
            while j < len(previous) and previous[j][1] < x0:
                j += 1
            k = j
            while k < len(previous) and previous[k][0] <= x1:
                other = root(previous[k][2])
                if label < 0:
                    label = other
                elif other != label:
                    parent[other] = label
                k += 1
            if label < 0:
                label = len(parent)
                parent.append(label)
            current.append((x0, x1, label))
            runs.append((y, x0, x1, label))
        previous = current
    regions: dict[int, list[int]] = {}
    for y, x0, x1, label in runs:
        region = regions.setdefault(root(label), [y, x0, y + 1, x1, 0])
        region[1], region[2], region[3] = min(region[1], x0), y + 1, max(region[3], x1)
        region[4] += x1 - x0
    return list(regions.values())


def boxes_from_probability(probability: NDArray, rows: int, columns: int,
                           frame_number: int | None = None) -> list[Box]:
    """Boxes, in image pixels, around the text the network's ``probability`` map shows."""
    binary = probability > THRESHOLD
    height, width = probability.shape
    boxes = []
    for top, left, bottom, right, _pixels in _regions(binary):
        if min(bottom - top, right - left) < 2:
            continue
        if bottom - top > TALL_REGION * height:
            continue
        if float(probability[top:bottom, left:right][binary[top:bottom, left:right]].mean()) \
                < BOX_THRESHOLD:
            continue
        grow = (bottom - top) * (right - left) * UNCLIP / (2 * ((bottom - top) + (right - left)))
        y0, y1 = (top - grow) * rows / height, (bottom + grow) * rows / height
        x0, x1 = (left - grow) * columns / width, (right + grow) * columns / width
        margin = max(MARGIN_PIXELS, MARGIN_FRACTION * (y1 - y0))
        x, y = max(0, int(np.floor(x0 - margin))), max(0, int(np.floor(y0 - margin)))
        end_x = min(columns, int(np.ceil(x1 + margin)))
        end_y = min(rows, int(np.ceil(y1 + margin)))
        if end_x > x and end_y > y:
            boxes.append(Box(x, y, end_x - x, end_y - y,
                             None if frame_number is None else (frame_number,)))
    return boxes


#: Boxes closer than this fraction of the smaller one's height are joined: lines of a block
#: become one rectangle, so no strip of image is left between them looking like a line.
JOIN_GAP = 0.6


#: Two boxes are joined only if their bounding rectangle is at most this much larger than
#: the two together: lines of one block, not a header and a box at the other end.
JOIN_GROWTH = 1.5


def merged(boxes: list[Box]) -> list[Box]:
    """``boxes`` (of one frame) with those that overlap or nearly touch joined into their
    bounding rectangle, until none do."""
    out = list(boxes)
    joined = True
    while joined:
        joined = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                a, b = out[i], out[j]
                gap = JOIN_GAP * min(a.height, b.height)
                x, y = min(a.x, b.x), min(a.y, b.y)
                joined_box = Box(x, y, max(a.x + a.width, b.x + b.width) - x,
                                 max(a.y + a.height, b.y + b.height) - y, a.frames)
                if (a.x - gap < b.x + b.width and b.x - gap < a.x + a.width
                        and a.y - gap < b.y + b.height and b.y - gap < a.y + a.height
                        and joined_box.width * joined_box.height
                        <= JOIN_GROWTH * (a.width * a.height + b.width * b.height)):
                    out[i] = joined_box
                    del out[j]
                    joined = True
                    break
            if joined:
                break
    return out


def detect_in_picture(rgb: NDArray, frame_number: int | None = None) -> list[Box]:
    """Boxes around the text in an 8-bit RGB picture.

    Raises:
        TextDetectorUnavailable: no detector can run here.
    """
    probability = _backend()(network_input(rgb))
    return merged(boxes_from_probability(np.asarray(probability, dtype=np.float32),
                                         rgb.shape[0], rgb.shape[1], frame_number))


def detect_in_frame(ds: Dataset, index: int) -> list[Box]:
    """Boxes around the text in frame ``index`` (from 0) of ``ds``, for that frame only.

    Raises:
        TextDetectorUnavailable, PixelDataError, MissingCodecError, UnsupportedError
    """
    from dicomtab.pixels.frames import decode_frame

    frame, photometric = decode_frame(ds, index)
    if photometric == "PALETTE COLOR":
        from dicomtab.pixels.color import palette_bits, palette_to_rgb, to_rgb8

        frame, photometric = to_rgb8(palette_to_rgb(frame, ds), palette_bits(ds)), "RGB"
    return detect_in_picture(display_rgb8(frame, photometric), index + 1)


def to_dicts(boxes: list[Box]) -> list[dict[str, Any]]:
    return [box.to_dict() for box in boxes]
