"""Table formats for encounters in and findings out: one module per format, in one registry.

The batch engine reads and writes files by path, the viewer reads uploads and builds
downloads from bytes; both go through the same :class:`TableFormat` objects. Adding a
format is one module here that registers a :class:`TableFormat` subclass.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar

from chartaudit._discovery import import_submodules
from chartaudit.formats.base import PARSE_ERROR_COLUMN, FormatError, TableFormat, TableWriter, first_line
from chartaudit.formats.safety import FORMULA_PREFIXES, escape_cell, escape_frame

_FORMATS: dict[str, TableFormat] = {}
_Format = TypeVar("_Format", bound=type[TableFormat])


def register(format_class: _Format) -> _Format:
    """Class decorator: add a format (by its ``name``)."""
    if format_class.name in _FORMATS:
        raise ValueError(f"table format {format_class.name!r} is registered twice")
    _FORMATS[format_class.name] = format_class()
    return format_class


def formats() -> list[TableFormat]:
    """Every registered format, in declared order."""
    return sorted(_FORMATS.values(), key=lambda fmt: fmt.order)


def get(name: str) -> TableFormat:
    """The format of a name (``csv``, ``parquet``, ...)."""
    return _FORMATS[name]


def _by_suffix(name: str, readable: bool) -> TableFormat | None:
    lowered = name.lower()
    return next((fmt for fmt in formats() if (fmt.readable or not readable)
                 and any(lowered.endswith(suffix) for suffix in fmt.suffixes)), None)


def _endings(readable: bool, last: str = " or ") -> str:
    """The preferred endings of the formats, as a list for people: ".csv, .parquet or .jsonl"."""
    endings = [fmt.suffixes[0] for fmt in formats() if fmt.suffixes and (fmt.readable or not readable)]
    return ", ".join(endings[:-1]) + last + endings[-1] if len(endings) > 1 else "".join(endings)


def input_format(path: Path) -> TableFormat:
    """The format to read a file in, from its extension (a directory is partitioned Parquet)."""
    fmt = _by_suffix(path.name, readable=True) if path.suffix else None
    if fmt is None and path.is_dir():
        return _FORMATS["parquet"]
    if fmt is None:
        raise FormatError(f"{path}: unsupported input format {path.suffix or '(none)'!r}; use {_endings(True)}")
    return fmt


def output_format(path: Path) -> TableFormat:
    """The format to write a file in: by extension; no extension (or a directory) is partitioned Parquet."""
    if path.is_dir() or not path.suffix:
        return _FORMATS["parquet_dir"]
    fmt = _by_suffix(path.name, readable=False)
    if fmt is None:
        raise FormatError(f"{path}: unsupported output format {path.suffix!r}; use {_endings(False, ', ')} "
                          "or a directory name (partitioned Parquet)")
    return fmt


def upload_format(name: str) -> TableFormat:
    """The format of an uploaded file, from its name."""
    fmt = _by_suffix(name, readable=True)
    if fmt is None:
        raise FormatError(f"{name}: unsupported file type; upload a {_endings(True)} file")
    return fmt


def read_columns(path: Path) -> list[str]:
    """An input's column names, read without loading the data; one-line :class:`FormatError` otherwise."""
    if not path.exists():
        raise FormatError(f"{path}: no such file")
    fmt = input_format(path)
    try:
        return fmt.columns(path)
    except FormatError:
        raise
    except Exception as error:  # csv, OS and pyarrow errors alike: one line naming the file
        raise FormatError(f"{path}: cannot be read ({first_line(error)})") from None


def check_output(path: Path) -> TableFormat:
    """The format to write ``path`` in, once it is known that it can be written (before any work)."""
    fmt = output_format(path)
    parent = path.resolve().parent
    if not parent.is_dir():
        raise FormatError(f"{path}: cannot write here (no directory {parent})")
    if not os.access(parent, os.W_OK):
        raise FormatError(f"{path}: cannot write here (directory {parent} is not writable)")
    if fmt.name != "parquet_dir" and path.is_dir():
        raise FormatError(f"{path}: is a directory")
    return fmt


import_submodules(__name__, __path__, exclude=("base", "safety"))

__all__ = [
    "FORMULA_PREFIXES", "PARSE_ERROR_COLUMN", "FormatError", "TableFormat", "TableWriter", "check_output",
    "escape_cell", "escape_frame", "first_line", "formats", "get", "input_format", "output_format", "read_columns",
    "register", "upload_format",
]
