"""Reading input files defensively: regular files only, size checked before reading (issue 14).

A rules, project, holiday or case file named on the command line (or found in a pack directory)
may be a FIFO (reading blocks forever), a device such as ``/dev/zero`` (reading never ends), a
symlink loop, or simply far larger than any real file of its kind. ``read_limited`` opens the
path without blocking, checks with ``fstat`` on the open descriptor that it is a regular file of
at most ``max_bytes`` bytes, and reads at most ``max_bytes + 1`` bytes (so a file that grows while
it is read is still refused). Every failure is an ``InputFileError`` with a plain message.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["InputFileError", "check_regular", "inside", "read_limited"]


class InputFileError(OSError):
    """A file that must not be read: not a regular file, too large, or unreadable."""

    def __init__(self, message: str, code: str = "unreadable") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


def _open(path: Path) -> int:
    try:
        return os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputFileError(f"cannot read {path}: {reason}") from None


def check_regular(path: Path) -> int:
    """The size of ``path`` if it is a regular file (after symlinks); ``InputFileError`` otherwise.
    Does not open the file, so a FIFO is refused without blocking."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
    except (RuntimeError, ValueError) as exc:  # e.g. an embedded NUL
        raise InputFileError(f"cannot read {path}: {exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(f"{path} is not a regular file (a directory, device, FIFO or socket)",
                             code="not-a-file")
    return info.st_size


def read_limited(path: Path | str, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``, refused above ``max_bytes`` (before reading)."""
    path = Path(path)
    check_regular(path)  # before opening: opening a FIFO for reading could block
    fd = _open(path)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(f"{path} is not a regular file (a directory, device, FIFO or socket)",
                                 code="not-a-file")
        if info.st_size > max_bytes:
            raise InputFileError(f"{path} is {info.st_size:,} bytes; the limit is {max_bytes:,}", code="too-large")
        chunks: list[bytes] = []
        remaining = max_bytes + 1
        while remaining > 0:
            try:
                chunk = os.read(fd, min(remaining, 1 << 20))
            except BlockingIOError:  # pragma: no cover - a regular file never blocks
                break
            except OSError as exc:
                raise InputFileError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            raise InputFileError(f"{path} is larger than the limit of {max_bytes:,} bytes", code="too-large")
        return data
    finally:
        os.close(fd)


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, with every symlink followed, lies inside ``root`` (also resolved).
    A symlink loop or an unresolvable path is not inside."""
    try:
        real = Path(os.path.realpath(path, strict=True))
        base = Path(os.path.realpath(root, strict=True))
    except (OSError, RuntimeError, ValueError):
        return False
    return real == base or base in real.parents
