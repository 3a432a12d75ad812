"""Sessions: which running program made an operation, so undo stays with it.

Undo history is kept per author (``user@host``), and one author often has two
sessions open at once: two terminals on the same store. ``u`` in one must never undo
a tag the other just made. So every operation a TUI session writes carries its
session id, ``PID.TOKEN``, and undo takes this session's own operations only.

An operation whose session is gone (the program quit or crashed, or it came from a
one-shot ``newsdesk tag``) belongs to nobody: a session with nothing of its own left
to undo takes those, newest first, which is how undo survives a restart.

A session is live while its process runs (``os.kill(pid, 0)``) and, inside this
process, until it is closed: tests and embedders open several in one process.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

_OPEN: set[str] = set()
"""The sessions of this process that are open."""


def open_session() -> str:
    """A new session id for this process, live until ``close_session``."""
    session = f"{os.getpid()}.{secrets.token_hex(4)}"
    _OPEN.add(session)
    return session


def close_session(session: str | None) -> None:
    """The session ended: its operations now belong to nobody (see the module doc)."""
    _OPEN.discard(session or "")


def is_live(session: object) -> bool:
    """Whether ``session`` (an id from ``open_session``, or None) is still running."""
    if not isinstance(session, str):
        return False
    pid_text, _, _ = session.partition(".")
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return session in _OPEN
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: running
        return True
    except OSError:
        return False
    return True


def pick(stack: Sequence[Mapping[str, Any]], session: str | None) -> Mapping[str, Any] | None:
    """The entry of an undo (or redo) stack that ``session`` may take: its own newest,
    else, when it has none left, the newest of a session that is gone."""
    if session is not None:
        for entry in reversed(stack):
            if entry.get("session") == session:
                return entry
    for entry in reversed(stack):
        if not is_live(entry.get("session")):  # this session's own are live: not here
            return entry
    return None
