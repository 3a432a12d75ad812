"""Bytes to text for the importers: UTF-8 (a BOM is fine), or UTF-16 with a BOM.

Invalid UTF-8 is replaced by U+FFFD so the rest of the file still parses, and
the lines that held it are returned so an importer can skip or report them.
"""

from __future__ import annotations

import codecs

_UTF8_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode(data: bytes) -> tuple[str, set[int]]:
    """The text of ``data`` and the 1-based numbers of lines with invalid bytes."""
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    elif data.startswith(_UTF16_BOMS):
        text = data.decode("utf-16", "replace")
        replaced = {n for n, line in enumerate(text.split("\n"), 1) if "\ufffd" in line}
        return text, replaced
    try:
        return data.decode("utf-8"), set()
    except UnicodeDecodeError:
        pass
    bad = set()
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            bad.add(number)
    return data.decode("utf-8", "replace"), bad


def split_lines(text: str) -> list[str]:
    """Lines split at ``\\n`` only, each keeping its end (``str.splitlines`` would also
    split at form feeds and U+2028, which may sit inside a CSV field)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out
