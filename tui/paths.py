"""Path completion for the import dialog (Tab): plain Python, run off the UI thread."""

from __future__ import annotations

import os

MAX_SHOWN = 8
"""Candidates named under the input when several match."""


def complete_path(text: str) -> tuple[str, list[str]]:
    """``text`` completed as far as the files allow, and the names that still match.

    One match: the whole name (a folder gets its ``/``). Several: their longest common
    start, and the names. Hidden files only when the typed name starts with a dot.
    ``~`` stays as typed. Nothing readable there: ``text`` unchanged, no names.
    """
    cut = text.rfind("/") + 1
    typed_dir, partial = text[:cut], text[cut:]
    folder = os.path.expanduser(typed_dir) if typed_dir else "."
    try:
        with os.scandir(folder) as entries:
            found = sorted(
                (entry.name + ("/" if entry.is_dir() else ""))
                for entry in entries
                if entry.name.startswith(partial)
                and (partial.startswith(".") or not entry.name.startswith("."))
            )
    except OSError:
        return text, []
    if not found:
        return text, []
    if len(found) == 1:
        return typed_dir + found[0], []
    common = os.path.commonprefix(found)
    return typed_dir + common, found
