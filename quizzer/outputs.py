"""Writing files the user names (exports, charts, pages): clear errors, and no silent overwrite.

A missing directory, an existing file without ``force``, or a full disk each become one OutputError
that says what to do; a half-written file is removed rather than left behind looking complete.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from quizzer.errors import OutputError


def check_output(path: Path, *, force: bool = False) -> None:
    """Refuse early (before any expensive work) a path that cannot or should not be written."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(f"{path} is a directory; name a file to write")
    if not parent.is_dir():
        raise OutputError(f"cannot write {path}: the directory {parent} does not exist; create it first")
    if (path.exists() or path.is_symlink()) and not force:
        raise OutputError(f"{path} already exists; pass --force to overwrite it")


@contextmanager
def open_output(path: Path, *, force: bool = False, binary: bool = False) -> Iterator[IO]:
    """Open ``path`` for writing; on any failure the error names the file and a partial file is removed."""
    check_output(path, force=force)
    created = not path.exists()
    mode = ("w" if force else "x") + ("b" if binary else "")
    try:
        # Opened here and closed by the caller's `with open_output(...)`: this function is the context manager.
        handle = open(path, mode) if binary else open(path, mode, encoding="utf-8", newline="")  # noqa: SIM115
    except FileExistsError:
        raise OutputError(f"{path} already exists; pass --force to overwrite it") from None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with handle:
            yield handle
    except OSError as exc:
        if created and path.is_file():
            path.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise OutputError(
                f"cannot write {path}: no space left on the device; free some space or write somewhere else"
            ) from None
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_output(path: Path, data: str | bytes, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` (see ``open_output``)."""
    with open_output(path, force=force, binary=isinstance(data, bytes)) as handle:
        handle.write(data)
