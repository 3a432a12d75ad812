"""Who may read a store: private by default, shared with a group on purpose.

A store holds someone's tags, read marks and saved searches, so it is private
whatever the umask: the folder 0700 and every file newsdesk writes 0600. A team
on one host shares a store by making its folder group-shared, the usual Unix way
(``chgrp team DIR; chmod 2770 DIR``: group read, write and search, plus setgid so
new files get the folder's group). In such a folder newsdesk writes its files
0660 and its subfolders 2770, so every member can read and write them. Nothing
is ever world-readable or world-writable.

The folder that holds a file decides its mode, so ``backups/`` (made with the
same rule) follows the store. A file is re-moded only when this user owns it:
another member's file in a shared store keeps its owner and mode.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
SHARED_FILE = 0o660
SHARED_DIR = 0o2770
_SHARED_BITS = stat.S_ISGID | stat.S_IRWXG


def is_shared(folder: Path | str) -> bool:
    """Whether ``folder`` is group-shared: setgid and group read/write/search."""
    try:
        mode = os.stat(folder).st_mode
    except OSError:
        return False
    return mode & _SHARED_BITS == _SHARED_BITS


def file_mode(folder: Path | str) -> int:
    """The mode of a file newsdesk writes in ``folder``."""
    return SHARED_FILE if is_shared(folder) else PRIVATE_FILE


def set_file_mode(fd: int, folder: Path | str) -> None:
    """Give an open file of ours the mode its folder calls for (best effort: a file
    another user owns, in a shared store, stays as it is)."""
    with contextlib.suppress(OSError):
        st = os.fstat(fd)
        if st.st_uid != os.geteuid():
            return
        wanted = file_mode(folder)
        if stat.S_IMODE(st.st_mode) != wanted:
            os.fchmod(fd, wanted)


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` (parents with the umask, as any program would) and give it
    the mode of a store folder: 2770 inside a shared folder, else 0700. A folder
    that already exists is left as it is."""
    folder = Path(folder)
    if folder.exists():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    shared = is_shared(folder.parent)
    with contextlib.suppress(FileExistsError):  # another process made it: theirs
        folder.mkdir(mode=0o700)
        os.chmod(folder, SHARED_DIR if shared else PRIVATE_DIR)


def secure_new_store(root: Path) -> None:
    """A new store's folder (made by ``make_private_dir`` or by the user, empty) becomes
    private, unless it was set up as group-shared: then it stays as it is."""
    with contextlib.suppress(OSError):
        st = os.stat(root)
        if st.st_uid != os.geteuid() or is_shared(root):
            return
        if stat.S_IMODE(st.st_mode) != PRIVATE_DIR:
            os.chmod(root, PRIVATE_DIR)
