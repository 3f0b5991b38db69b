"""Note files named by a ``note_path`` column, read safely.

A note file is read only when it is a regular file whose real path (every symbolic
link followed) lies inside the note root, a folder the person running the audit
chose (``--note-root``, by default the input file's folder). Devices, named pipes,
sockets and directories are refused before they are opened; the file is opened
without blocking and without following a last symbolic link, checked again on the
open descriptor (type, and on Linux its real path), and read with a hard cap: never
more than ``MAX_NOTE_FILE_BYTES + 1`` bytes. A refusal is a one-line reason naming
the file as the row gave it, never its content.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

#: Largest note file read (bytes); a larger one is refused, whatever its type claims.
MAX_NOTE_FILE_BYTES = 5_000_000
#: Longest file name quoted in a message (the name comes from the input row).
_NAME_SHOWN = 120

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _opened_path(descriptor: int) -> Path | None:
    """The real path of an open descriptor (Linux ``/proc``), or None where it cannot be known."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{descriptor}"))
    except OSError:
        return None


def _read_capped(descriptor: int, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of an open file (one more than allowed tells that it is too long)."""
    parts: list[bytes] = []
    remaining = limit + 1
    while remaining > 0:
        data = os.read(descriptor, min(remaining, 1 << 20))
        if not data:
            break
        parts.append(data)
        remaining -= len(data)
    return b"".join(parts)


def read_note_file(value: object, root: Path, base_dir: Path,
                   limit: int = MAX_NOTE_FILE_BYTES) -> tuple[str | None, str | None]:
    """Read the note file a row names: ``(text, None)``, or ``(None, reason)`` when it is refused.

    ``value`` is the cell (a path relative to ``base_dir``, or absolute); ``root`` is
    the resolved folder every note file must lie in.
    """
    given = str(value).strip()
    shown = given if len(given) <= _NAME_SHOWN else given[:_NAME_SHOWN] + "…"
    prefix = f"The note file {shown!r}"
    try:
        path = Path(given)
        real = Path(os.path.realpath(path if path.is_absolute() else base_dir / path))
    except (OSError, ValueError):  # a NUL byte in the name, a loop of links
        return None, f"{prefix} is not a usable file name."
    if not _inside(real, root):
        return None, f"{prefix} lies outside the note folder {root} (see --note-root); it was not read."
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return None, f"{prefix} does not exist."
    except OSError as error:
        return None, f"{prefix} could not be read: {error.strerror or type(error).__name__}."
    if not stat.S_ISREG(mode):
        return None, f"{prefix} is {_kind(mode)}, not a regular file; it was not read."
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NOFOLLOW", 0) \
        | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(real, flags)
    except OSError as error:
        if error.errno in (errno.ENXIO, errno.ELOOP):
            return None, f"{prefix} changed while it was opened (not a regular file); it was not read."
        return None, f"{prefix} could not be read: {error.strerror or type(error).__name__}."
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            return None, f"{prefix} is {_kind(info.st_mode)}, not a regular file; it was not read."
        opened = _opened_path(descriptor)
        if opened is not None and not _inside(opened, root):
            return None, f"{prefix} lies outside the note folder {root} (see --note-root); it was not read."
        too_long = f"{prefix} has more than {limit:,} bytes, the limit for a note file; it was not read."
        if info.st_size > limit:
            return None, too_long
        data = _read_capped(descriptor, limit)
        if len(data) > limit:
            return None, too_long
    except OSError as error:
        return None, f"{prefix} could not be read: {error.strerror or type(error).__name__}."
    finally:
        os.close(descriptor)
    return data.decode("utf-8", errors="replace"), None
