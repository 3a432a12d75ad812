"""Tabular files: CSV and TSV with a header row, JSON Lines, and JSON documents.

Each row or object goes through ``store.ingest.importers.fields`` to become a record.
A bad row (an unclosed quote, the wrong number of fields, a broken JSON line, a
JSON element that is not an object) is a positioned problem, and the rows after
it are still read: after an unclosed quote, reading starts again on the next line
instead of losing the rest of the file inside one endless field.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping

import orjson

from store.ingest.formats import EXPORT_COLUMNS
from store.ingest.importers.decoding import decode, split_lines
from store.ingest.importers.fieldnames import FIELDS, TEXT_KEYS
from store.ingest.importers.fields import record_from_fields
from store.ingest.importers.records import ImportResult, Problem
from store.text.csvsafe import unprotect

_CSV_MESSAGES = {
    "unexpected end of data": "unclosed quote",
    "newline inside string": "unclosed quote",
}


def _add(result: ImportResult, outcome: object) -> None:
    if isinstance(outcome, Problem):
        result.problems.append(outcome)
    else:
        result.records.append(outcome)  # type: ignore[arg-type]


# -- CSV and TSV ------------------------------------------------------------------------


def _csv_reason(exc: csv.Error) -> str:
    message = str(exc)
    for known, reason in _CSV_MESSAGES.items():
        if known in message:
            return reason
    if "expected after" in message:
        return f"{message} (a quote inside a quoted field must be doubled)"
    return message


_HEADER_NAMES = frozenset(k for keys in FIELDS.values() for k in keys) | {"id", "source"}


def _is_data_row(row: list[str], mapping: Mapping[str, str]) -> bool:
    """Is the first row clearly data, not a header? Header cells are short names; a
    row holding a sentence (a long cell, or one of several words with punctuation) and
    no known column name is data."""
    cells = [c.strip().casefold() for c in row]
    named = {v for v in mapping.values() if not v.isdigit()}
    if any(c in _HEADER_NAMES or c in named for c in cells):
        return False
    return any(len(c) > 40 or (len(c.split()) >= 4 and any(p in c for p in ".,;:!?'"))
               for c in cells)


def _numbered(width: int) -> list[str]:
    """Column names of a file without a header: "1", "2" … (``--map text=3``)."""
    return [str(n) for n in range(1, width + 1)]


def _guess_text_column(row: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """Without a header or a ``--map`` for the text, the text is the longest cell."""
    if "text" in mapping or "title" in mapping:
        return dict(mapping)
    longest = max(range(len(row)), key=lambda n: len(row[n]))
    return {**mapping, "text": str(longest + 1)}


def _by_number(header: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """``--map text=3`` with a header row: column 3's name (unless a column is named "3")."""
    out = dict(mapping)
    for field_name, column in mapping.items():
        if column.isdigit() and column not in header and 1 <= int(column) <= len(header):
            out[field_name] = header[int(column) - 1]
    return out


def read_delimited(data: bytes, source: str, delimiter: str,
                   mapping: Mapping[str, str], no_header: bool = False) -> ImportResult:
    """Read CSV (``delimiter=","``) or TSV (``"\\t"``), with a header row unless
    ``no_header`` or the first row is clearly data (then columns are numbered from 1)."""
    result = ImportResult()
    # The csv module refuses fields over 128 KB; long texts are cut later, at the
    # item limit (store.ingest.limits), so a 1 MB item exported as CSV reads back.
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
    text, bad_lines = decode(data)
    lines = split_lines(text)
    header: list[str] | None = None
    own = False
    start = 0  # index into lines where the current reader began
    while start < len(lines):
        rest = (lines[i] for i in range(start, len(lines)))
        reader = csv.reader(rest, delimiter=delimiter, strict=True)
        restart: int | None = None
        while True:
            before = reader.line_num
            first = start + before + 1  # the row's first line, 1-based
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                spans_lines = start + reader.line_num > first
                unclosed = spans_lines and lines[first - 1].count('"') % 2 == 1
                reason = "unclosed quote" if unclosed else _csv_reason(exc)
                result.problems.append(Problem(source, first, f"{reason}; row skipped"))
                restart = first  # index of the line after the row's first one
                break
            last = start + reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if header is None and (no_header or _is_data_row(row, mapping)):
                header = _numbered(len(row))
                mapping = _guess_text_column(row, mapping)
                if not no_header:
                    result.notes.append(
                        f"{source}: the first row is data, not a header; read it as data, "
                        "columns numbered from 1 (--no-header says so)")
            elif header is None:
                header = [cell.strip().casefold() for cell in row]
                mapping = _by_number(header, mapping)
                # newsdesk's own export: undo its formula protection, cell by cell
                own = delimiter == "," and tuple(header) == EXPORT_COLUMNS
                if not (set(header) & (TEXT_KEYS | {mapping.get("text"), mapping.get("title")})):
                    names = ", ".join(sorted(TEXT_KEYS))
                    result.problems.append(Problem(
                        source, first, f"the header names no text column ({names}); use "
                        "--map text=COLUMN to say which column holds the text"))
                    return result
                continue
            if any(n in bad_lines for n in range(first, last + 1)):
                result.problems.append(Problem(source, first, "invalid UTF-8; row skipped"))
                continue
            if len(row) != len(header):
                if last > first and lines[first - 1].count('"') % 2 == 1:
                    result.problems.append(Problem(
                        source, first, "unclosed quote; row skipped"))
                    restart = first
                    break
                result.problems.append(Problem(
                    source, first,
                    f"expected {len(header)} fields, found {len(row)}; row skipped"))
                continue
            if own:
                row = [unprotect(cell) for cell in row]
            fields = dict(zip(header, row, strict=True))
            _add(result, record_from_fields(fields, source, mapping, line=first,
                                            warnings=result.warnings))
        if restart is None:
            break
        start = restart
    return result


# -- JSON and JSON Lines ----------------------------------------------------------------


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "true or false",
            type(None): "null"}.get(type(value), "a number")


def loads_json(text: str) -> tuple[object, str | None, int]:
    """Parse JSON: (value, None, 0), or (None, reason, line of the error)."""
    try:
        return orjson.loads(text), None, 0
    except orjson.JSONDecodeError:
        pass
    try:  # the standard parser gives better messages, and reads NaN and big integers
        return json.loads(text), None, 0
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno
    except RecursionError:
        return None, "not valid JSON: nested too deeply", 1


def _lines(text: str) -> Iterator[str]:
    """``text.split("\\n")``, a line at a time: the list of a big file's lines cost as
    much memory as its text (300,000 items: 130 MB, beside the records being made)."""
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def read_jsonl(data: bytes, source: str, mapping: Mapping[str, str]) -> ImportResult:
    """Read JSON Lines: one object per line; blank lines are fine."""
    result = ImportResult()
    text, bad_lines = decode(data)
    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        if number in bad_lines:
            result.problems.append(Problem(source, number, "invalid UTF-8; line skipped"))
            continue
        value, error, _ = loads_json(line)
        if error:
            result.problems.append(Problem(source, number, f"{error}; line skipped"))
        elif not isinstance(value, dict):
            result.problems.append(Problem(
                source, number, f"expected a JSON object, found {_kind(value)}; line skipped"))
        else:
            _add(result, record_from_fields(value, source, mapping, line=number,
                                            warnings=result.warnings))
    return result


def read_json(data: bytes, source: str, mapping: Mapping[str, str]) -> ImportResult:
    """Read a JSON array of objects, ``{"items": [...]}``, or one object."""
    result = ImportResult()
    text, bad_lines = decode(data)
    for number in sorted(bad_lines):
        result.warnings.append(Problem(source, number, "invalid UTF-8 replaced by \ufffd"))
    if not text.strip():
        return result
    value, error, line = loads_json(text)
    if error:
        result.problems.append(Problem(source, line, f"{error}; nothing imported from it"))
        return result
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        elements = value["items"]
    elif isinstance(value, dict):
        elements = [value]
    elif isinstance(value, list):
        elements = value
    else:
        result.problems.append(Problem(
            source, 1, f'expected an array of objects or {{"items": [...]}}, found '
            f"{_kind(value)}"))
        return result
    for number, element in enumerate(elements, start=1):
        if not isinstance(element, dict):
            result.problems.append(Problem(
                source, None, f"expected a JSON object, found {_kind(element)}; skipped",
                record=number))
            continue
        _add(result, record_from_fields(element, source, mapping, number=number,
                                        warnings=result.warnings))
    return result
