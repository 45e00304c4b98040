"""The node's secret random-selection key, kept in its data directory.

Random selection (``customs.domain.risk``) is a keyed hash of the declaration id: whoever knows the
key can tell which declarations will be selected, so every node holds its own. It is made once (32
random bytes, file ``selection.key``, mode 0600) and read again on every start; a key given in the
settings (``CORRIDOR_SELECTION_KEY``) takes its place.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from corridor.customs.domain.risk import MAX_SELECTION_KEY_BYTES
from corridor.shared.private import FILE_MODE, private_directory

KEY_FILE = "selection.key"
KEY_BYTES = 32
MIN_KEY_BYTES = 16


class SelectionKeyError(Exception):
    """The node's selection key cannot be used; the message says why."""


def check_selection_key(key: bytes, where: str) -> bytes:
    if not MIN_KEY_BYTES <= len(key) <= MAX_SELECTION_KEY_BYTES:
        raise SelectionKeyError(
            f"{where}: a selection key has {MIN_KEY_BYTES} to {MAX_SELECTION_KEY_BYTES} bytes, not {len(key)}"
        )
    return key


def node_selection_key(data_dir: Path) -> bytes:
    """The key in ``data_dir``, made on first use and never overwritten: a new key is written whole
    to a file of its own and linked into place, so a crash or a second process starting at the same
    time cannot leave a short key behind."""
    path = data_dir / KEY_FILE
    if not path.exists():
        private_directory(data_dir)
        draft = data_dir / f".{KEY_FILE}.{secrets.token_hex(8)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(KEY_BYTES))
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another process made it first: use that one
                os.link(draft, path)
        finally:
            draft.unlink()
    try:
        key = path.read_bytes()
    except OSError as exc:
        raise SelectionKeyError(f"{KEY_FILE}: cannot read ({exc.strerror})") from None
    return check_selection_key(key, KEY_FILE)
