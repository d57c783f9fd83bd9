"""Atomic file writes: every file skae writes goes through ``atomic_write``.

The content goes to a temporary file beside the target, is flushed and fsynced, then moved
over the target with ``os.replace`` (atomic on POSIX and Windows within one folder). A write
that fails midway (a full disk, a file-size limit, Ctrl-C) leaves the previous file as it was
and removes the temporary one.
"""

import contextlib
import os
import secrets
import shutil
from pathlib import Path

__all__ = ["atomic_write"]


@contextlib.contextmanager
def atomic_write(path, mode="wb", **open_kwargs):
    """Open a temporary file beside ``path`` for writing; on success move it over ``path``.

    Parameters
    ----------
    path : str or path-like
        The file to create or replace.
    mode : {"wb", "w"}, default="wb"
        Binary or text mode.
    **open_kwargs
        Passed to ``open`` (``encoding``, ``newline``).

    Yields
    ------
    file : file object
        Write the whole content to it; ``path`` changes only when the block ends without
        an exception.

    Examples
    --------
    >>> import os, tempfile
    >>> from skae._io import atomic_write
    >>> path = os.path.join(tempfile.mkdtemp(), "note.txt")
    >>> with atomic_write(path, "w") as f:
    ...     _ = f.write("hello")
    >>> with open(path) as f:
    ...     f.read()
    'hello'
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"mode must be 'wb' or 'w', got {mode!r}.")
    path = Path(path)
    check_writable_path(path)
    # Same folder, so os.replace never crosses a file system; a dot name keeps it out of
    # sight of globs such as *.png while it is written.
    fd, tmp = _create_beside(path)
    try:
        with os.fdopen(fd, mode, **open_kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(OSError):
            shutil.copymode(path, tmp)  # replacing a file keeps its permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(path.parent)


def check_writable_path(path):
    """Refuse, naming ``path``, a file that cannot be written there: its folder is missing,
    or ``path`` is a folder. (Left to ``open``, the errors would name a temporary file.)"""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"'{path}' is a folder; give a file name.")
    if path.parent.exists() and not path.parent.is_dir():
        raise NotADirectoryError(f"'{path.parent}' (in '{path}') is a file, not a folder.")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"folder '{path.parent}' (of '{path}') does not exist.")


def _create_beside(path):
    """A new file ``.NAME.XXXXXXXX.tmp`` in ``path``'s folder, mode 0666 less the umask
    (as ``open`` would give the target; ``tempfile.mkstemp`` would give 0600)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue


def _fsync_folder(folder):
    """Make the rename itself durable where the platform allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
