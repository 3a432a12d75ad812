"""Plain text: one brief per line.

Blank lines are skipped; CRLF and a missing final newline are fine; control
characters (other than tab) are removed. A line that is not valid UTF-8 or holds a
NUL byte is reported as ``file:line: reason`` and the rest is still imported.
"""

from __future__ import annotations

from store.importers.records import ImportResult, Problem, Record
from store.text import clean

_BOM = b"\xef\xbb\xbf"


def read_plain(data: bytes, source: str) -> ImportResult:
    """Split ``data`` into one record per non-blank line."""
    result = ImportResult()
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        if not raw.strip():
            continue
        if b"\x00" in raw:
            result.problems.append(Problem(source, number, "contains a NUL byte; line skipped"))
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            result.problems.append(
                Problem(source, number,
                        f"invalid UTF-8 at byte {exc.start + 1} of the line; line skipped")
            )
            continue
        text = clean(line.replace("\t", " "))
        if text:
            result.records.append(Record(body=text, source=source, line=number))
    return result
