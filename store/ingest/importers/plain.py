"""Plain text: one brief per line.

Blank lines are skipped; CRLF and a missing final newline are fine; control
characters (other than tab) are removed. A line that is not valid UTF-8 or holds a
NUL byte is reported as ``file:line: reason`` and the rest is still imported.
"""

from __future__ import annotations

from store.ingest.importers.records import ImportResult, Problem, Record
from store.text.clean import clean

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


def read_paragraphs(data: bytes, source: str) -> ImportResult:
    """One record per paragraph: runs of lines separated by blank lines.

    The lines of a paragraph are joined with spaces (hard-wrapped text reads as
    one brief); its record points at the paragraph's first line.
    """
    result = ImportResult()
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    lines: list[str] = []
    first = 0
    broken: Problem | None = None

    def flush() -> None:
        nonlocal broken
        if broken is not None:
            result.problems.append(broken)
        elif lines:
            text = clean(" ".join(line.replace("\t", " ") for line in lines))
            if text:
                result.records.append(Record(body=text, source=source, line=first))
        lines.clear()
        broken = None

    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        if not raw.strip():
            flush()
            continue
        if not lines and broken is None:
            first = number
        if broken is not None:
            continue
        reason = None
        if b"\x00" in raw:
            reason = "contains a NUL byte"
        else:
            try:
                lines.append(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                reason = f"invalid UTF-8 at byte {exc.start + 1} of the line"
        if reason:
            where = f"; the paragraph from line {first} is skipped" if number != first else \
                "; paragraph skipped"
            broken = Problem(source, number, reason + where)
    flush()
    return result
