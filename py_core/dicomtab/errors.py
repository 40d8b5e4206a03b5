"""Typed errors that carry a message fit to show a user.

Every error raised for a *file* says which file and what is wrong with it in words a user
can act on, and never quotes a value read from the file (values may identify a patient).
``code`` is a stable machine-readable name the page and the CLI can switch on.
"""

from __future__ import annotations


class DicomtabError(Exception):
    """Base class: a problem we recognised and can explain to the user."""

    code = "error"
    #: Whether what the file holds before the problem can still be shown for inspection
    #: (dicomtab.inspect.api.open_damaged): the worker tells the page so with the failure.
    inspectable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        """The error as data, the form it crosses the worker boundary in."""
        return {"code": self.code, "message": self.message}


class EmptyFileError(DicomtabError):
    """The file has no bytes at all."""

    code = "empty-file"


class NotDicomError(DicomtabError):
    """The bytes are not a DICOM file or data set."""

    code = "not-dicom"


class TruncatedFileError(DicomtabError):
    """The file ends before the data its elements declare."""

    code = "truncated"
    inspectable = True


class MalformedFileError(DicomtabError):
    """The file is DICOM but its structure cannot be parsed."""

    code = "malformed"
    inspectable = True


class UnsupportedError(DicomtabError):
    """Valid DICOM that this tool cannot handle (e.g. no decoder for a transfer syntax)."""

    code = "unsupported"


class UsageError(DicomtabError):
    """The caller asked for something impossible (bad option, unknown instance)."""

    code = "usage"


class PolicyError(DicomtabError):
    """A de-identification profile, key or output location breaks the rules we enforce."""

    code = "policy"


class PixelDataError(DicomtabError):
    """The pixel data cannot be turned into an image: truncated, corrupt or inconsistent."""

    code = "pixel-data"


class MissingCodecError(UnsupportedError):
    """No decoder is available here for the file's transfer syntax."""

    code = "missing-codec"


class NeedsNumpyError(UnsupportedError):
    """Pixels were asked for before numpy was loaded (see dicomtab.numpy_later)."""

    code = "needs-numpy"


class OutOfMemoryError(DicomtabError):
    """Processing a file needed more memory than is left (the tab's WebAssembly memory is
    capped at a few GB)."""

    code = "memory"

    @classmethod
    def for_file(cls, name: str) -> OutOfMemoryError:
        """The error for ``name``, saying what the user can do about it."""
        return cls(f"{name} needs more memory than is left here; close other files or "
                   "series (or reload the page) and try again, or process fewer files at once.")


class NotDicomdirError(DicomtabError):
    """A DICOM file read as a DICOMDIR that has no directory records."""

    code = "not-dicomdir"


#: Exceptions that must end the program: everything else a file can cause is caught.
NOT_CAUGHT = (KeyboardInterrupt, SystemExit)


def where_it_happened(exc: BaseException) -> list[str]:
    """Where an unexpected exception was raised, for developers: the class name, then one
    ``file:line in function`` line per frame. Never its message or the source text: either
    may quote a value read from a file. Native decoders' panics (PyO3's PanicException is a
    BaseException) are described the same way."""
    import traceback

    lines = [f"dicomtab internal error {type(exc).__name__}, at:"]
    lines += [f"  {f.filename}:{f.lineno} in {f.name}"
              for f in traceback.extract_tb(exc.__traceback__)]
    return lines
