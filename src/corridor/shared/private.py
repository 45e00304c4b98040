"""What a node keeps on disk is for its own user only: directories 0700, files 0600 (the
database, signing keys, trust list), whatever the process's umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def private_directory(path: Path) -> Path:
    """Create ``path`` and any missing parent with mode 0700; an existing ``path`` that others
    may enter is tightened to 0700."""
    for missing in reversed([p for p in (path, *path.parents) if not p.exists()]):
        missing.mkdir(mode=DIRECTORY_MODE, exist_ok=True)
        os.chmod(missing, DIRECTORY_MODE)
    if path.stat().st_mode & 0o077:
        os.chmod(path, DIRECTORY_MODE)
    return path


def create_private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 unless it exists, so that whoever fills it (SQLite,
    say) does not create it with the umask's mode."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return path
    os.close(fd)
    return path


SECRET_MAX_BYTES = 4096


def read_secret(path: Path) -> str:
    """The one-line secret in ``path``, a file only its owner may read (like ssh's private keys).
    ``ValueError`` says what is wrong with it."""
    try:
        with path.open("rb") as handle:
            opened = os.fstat(handle.fileno())
            raw = handle.read(SECRET_MAX_BYTES + 1)
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if stat.S_IMODE(opened.st_mode) & 0o077:
        raise ValueError(
            f"{path}: other users may read it (mode {stat.S_IMODE(opened.st_mode):04o}); chmod 600 it"
        )
    if len(raw) > SECRET_MAX_BYTES:
        raise ValueError(f"{path}: more than {SECRET_MAX_BYTES} bytes; expected one line with the key")
    try:
        secret = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None
    if not secret or any(c.isspace() for c in secret):
        raise ValueError(f"{path}: expected one line with the key, and nothing else")
    return secret
