"""Export: the items (with their tags and topics) as JSON Lines, CSV or Markdown.

JSON Lines and CSV read back with ``newsdesk import`` into the same items, ids
and tags: ids are written in the ``id`` column, which the importer honours, and
tags are joined with ", " (a tag never holds a comma, so the split is exact).
Markdown is for reading: item text is escaped so it cannot add headings, links,
lists or HTML to the document; it stays literal.

Every format gets the same text cleaning (``store.text.clean.sanitize``: no terminal
controls, C1, bidi overrides), whatever a foreign or hand-edited store holds, and
CSV cells never start a spreadsheet formula (``store.text.csvsafe``; the importer
undoes that on newsdesk's own CSV, so the round trip is exact).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from store.errors import StoreError
from store.ingest.formats import EXPORT_COLUMNS
from store.model import Item, now_iso
from store.search.query import QuerySyntaxError
from store.text.clean import sanitize, sanitize_line
from store.text.csvsafe import protect

if TYPE_CHECKING:
    from store.desk import Store

COLUMNS = EXPORT_COLUMNS
"""The fields of an exported item, in order (the CSV header)."""
LIST_SEPARATOR = ", "


class QueryError(StoreError):
    """An export query this version cannot read."""


def export_row(store: Store, item: Item) -> dict[str, Any]:
    """One item as exported: its content, tags and topics (absent fields are null)."""
    row: dict[str, Any] = {name: item.get(name) for name in COLUMNS[:9]}
    row["source"] = row["source"] or ""
    row["tags"] = list(store.state.tags_of(item["id"]))
    row["topics"] = list(item.get("topics", []))
    return clean_row(row)


def clean_row(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its text made inert: the body keeps its tabs and newlines, every
    other field is one line (what import stores anyway; this guards foreign data)."""
    def line(value: Any) -> Any:
        return sanitize_line(value) if isinstance(value, str) else value
    for name, value in row.items():
        if name == "body" and isinstance(value, str):
            row[name] = sanitize(value)
        elif isinstance(value, list):
            row[name] = [line(v) for v in value]
        else:
            row[name] = line(value)
    return row


# -- choosing items -------------------------------------------------------------------


def select_items(store: Store, query: str | None) -> list[Item]:
    """The items ``query`` (the search language) selects, in store order; every item
    when it is empty. A malformed query raises QueryError with its position."""
    if not query or not query.strip():
        return list(store.items())
    try:
        ids = store.search(query, order="original")
    except QuerySyntaxError as exc:
        raise QueryError(f"Bad query {query!r}: {exc}.") from exc
    return [item for item in map(store.get, ids) if item is not None]


# -- formats --------------------------------------------------------------------------


def to_jsonl(rows: Iterable[dict[str, Any]]) -> bytes:
    """One JSON object per line."""
    return b"".join(orjson.dumps(row) + b"\n" for row in rows)


def to_csv(rows: Iterable[dict[str, Any]]) -> bytes:
    """A header row, then one row per item; lists joined with ", ", every cell
    protected from formula injection."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([protect(
            LIST_SEPARATOR.join(row[c]) if isinstance(row[c], list) else (row[c] or ""))
            for c in COLUMNS
        ])
    return out.getvalue().encode("utf-8")


_MD_INLINE = re.compile(r"([\\`*_\[\]<>&|~#!])")
_MD_LINE_MARK = re.compile(r"^([+\-=])", re.MULTILINE)
_MD_LINE_NUMBER = re.compile(r"^(\d+)([.)])", re.MULTILINE)


def md_escape(text: str) -> str:
    """Text that Markdown shows literally: every character that could start
    emphasis, code, a link, HTML, an entity or a table is backslash-escaped, and
    so is whatever would make a line a heading, quote, list or rule."""
    text = _MD_INLINE.sub(r"\\\1", sanitize(text))
    text = _MD_LINE_MARK.sub(r"\\\1", text)
    return _MD_LINE_NUMBER.sub(r"\1\\\2", text)


def _md_body(body: str) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    # Single newlines inside a paragraph stay line breaks (a trailing backslash).
    return "\n\n".join("\\\n".join(md_escape(line) for line in p.split("\n"))
                       for p in paragraphs)


def to_markdown(rows: Sequence[dict[str, Any]], stamp: str | None = None) -> bytes:
    """A readable document: a heading per item, its metadata, then its text."""
    count = len(rows)
    out = ["# newsdesk export", "",
           f"{count} item{'s' if count != 1 else ''}, exported {stamp or now_iso()}.", ""]
    for row in rows:
        out += [f"## {md_escape(sanitize_line(row['title'])) or '(untitled)'}", ""]
        meta = [("id", row["id"]), ("date", row.get("date")), ("url", row.get("url")),
                ("author", row.get("author")), ("feed", row.get("feed")),
                ("source", row.get("source")),
                ("tags", LIST_SEPARATOR.join(row["tags"])),
                ("topics", LIST_SEPARATOR.join(row["topics"]))]
        out += [f"- {name}: {md_escape(sanitize_line(str(value)))}"
                for name, value in meta if value]
        out += ["", _md_body(row["body"]), "", "---", ""]
    return "\n".join(out).encode("utf-8")


def export_items(store: Store, fmt: str, query: str | None = None) -> tuple[bytes, int]:
    """The items of ``store`` that ``query`` selects, in ``fmt`` (one of
    EXPORT_FORMATS), and how many there are."""
    return render(store, select_items(store, query), fmt)


def render(store: Store, items: Sequence[Item], fmt: str) -> tuple[bytes, int]:
    """``items`` in ``fmt`` (one of EXPORT_FORMATS), and how many there are."""
    rows = [export_row(store, item) for item in items]
    if fmt == "jsonl":
        return to_jsonl(rows), len(rows)
    if fmt == "csv":
        return to_csv(rows), len(rows)
    if fmt == "md":
        return to_markdown(rows), len(rows)
    raise ValueError(f"unknown export format {fmt!r}")
