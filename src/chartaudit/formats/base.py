"""What a table format is: how to read encounters from it and write findings to it.

A format reads a file in chunks (bounded memory, with the fraction of the input read
so far), reads an upload's bytes, writes frames to a file through a writer that
renames a temporary file into place, and turns a frame into download bytes. Every
text cell written is escaped for spreadsheets first (:mod:`chartaudit.formats.safety`).
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from chartaudit.formats.safety import escape_frame

#: Column that a reader sets on a row it could not parse (a bad JSONL line); the row is kept.
PARSE_ERROR_COLUMN = "__error__"


class FormatError(ValueError):
    """A table that cannot be read or written: the message is one line naming the file."""


def first_line(error: BaseException) -> str:
    """An exception as one short line (type and the start of its message)."""
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text[:120]}" if text else type(error).__name__


class TableWriter:
    """Writes frames in order to a temporary file, renamed into place by :meth:`close`.

    Subclasses implement ``_write`` (and ``_finish`` when the file needs closing).
    ``schema`` (a ``pyarrow.Schema``) fixes Parquet column types, so that an empty or
    all-null first chunk does not decide them.
    """

    def __init__(self, path: Path, schema: Any = None) -> None:
        self.path = path
        self.schema = schema
        self.temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.started = False

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def write(self, frame: pd.DataFrame) -> None:
        """Append a frame (its text cells escaped for spreadsheets)."""
        self._write(escape_frame(frame.copy(deep=False)) if len(frame) else frame)
        self.started = True

    def _write(self, frame: pd.DataFrame) -> None:  # pragma: no cover - every format implements it
        raise NotImplementedError

    def _release(self) -> None:
        """Close what the writer holds open (called on close and on abort)."""

    def _finish(self) -> None:
        """Complete the temporary file before it is renamed into place."""
        self._release()

    def close(self) -> None:
        """Finish the temporary file and rename it into place (atomically)."""
        self._finish()
        if not self.temporary.exists():
            self.temporary.touch()
        os.replace(self.temporary, self.path)

    def abort(self) -> None:
        """Drop the temporary output; the destination is left as it was."""
        try:
            self._release()
        except Exception:  # noqa: BLE001 - the output is being discarded anyway
            pass
        if self.temporary.is_dir():
            shutil.rmtree(self.temporary, ignore_errors=True)
        else:
            self.temporary.unlink(missing_ok=True)


class TableFormat:
    """One table format. Subclasses set the class attributes and implement what they support."""

    #: Short name (``--format`` values, download buttons).
    name: ClassVar[str] = ""
    #: File name endings, the first one preferred.
    suffixes: ClassVar[tuple[str, ...]] = ()
    #: MIME type of a download.
    mime: ClassVar[str] = "application/octet-stream"
    #: Name shown to people ("CSV", "Excel").
    label: ClassVar[str] = ""
    #: Position in lists shown to people (messages, download buttons).
    order: ClassVar[int] = 0
    readable: ClassVar[bool] = True
    writable: ClassVar[bool] = True

    # -- reading ------------------------------------------------------------------

    def columns(self, path: Path) -> list[str]:  # pragma: no cover - readable formats implement it
        """The column names, read without loading the data."""
        raise NotImplementedError

    def read_chunks(self, path: Path, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float | None]]:  # pragma: no cover
        """``(chunk, fraction of the input read so far)``; chunks hold at most ``chunk_size`` rows.
        Chunk boundaries depend only on the input and ``chunk_size`` (resume relies on it)."""
        raise NotImplementedError

    def read_bytes(self, data: bytes) -> pd.DataFrame:
        """An uploaded file's bytes as one frame."""
        return _concat([chunk for chunk, _ in self.read_stream(io.BytesIO(data), len(data), 100_000)])

    def read_stream(self, stream: Any, size: int, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float | None]]:  # pragma: no cover
        raise NotImplementedError

    def expanded_bytes(self, data: bytes) -> int | None:
        """How many bytes an upload declares it holds once decompressed, when the format is
        compressed (Parquet, Excel), else None. A first, cheap check: readers count again."""
        return None

    def row_count(self, path: Path) -> int | None:
        """The number of rows when it is known without reading the data, else None."""
        return None

    # -- writing ------------------------------------------------------------------

    def writer(self, path: Path, schema: Any = None) -> TableWriter:  # pragma: no cover
        raise NotImplementedError

    def to_bytes(self, frame: pd.DataFrame) -> bytes:
        """A frame as the bytes of a download (text cells escaped for spreadsheets)."""
        buffer = io.BytesIO()
        self._write_bytes(escape_frame(frame.copy()), buffer)
        return buffer.getvalue()

    def _write_bytes(self, frame: pd.DataFrame, buffer: io.BytesIO) -> None:  # pragma: no cover
        raise NotImplementedError


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame()
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def is_missing(value: object) -> bool:
    """True for None, NaN, NA and NaT (False for lists and arrays)."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
