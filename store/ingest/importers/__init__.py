"""Importers: each turns a file into records, or problems that say where and why.

An importer never writes to the store and never raises on bad input: a bad line is
a ``Problem`` and the rest of the file still comes through. Format detection lives
here so the CLI and the TUI import the same way: the ``--format`` option if given,
else the file's extension, else a look at its first bytes.

    txt     one brief per line (or per paragraph)      plain.py
    csv     comma-separated, header row or --no-header  tabular.py
    tsv     tab-separated, header row or --no-header    tabular.py
    jsonl   one JSON object per line                   tabular.py
    json    an array of objects, or {"items": [...]}   tabular.py
    feed    RSS 2.0, RSS 1.0 (RDF), Atom               feeds.py
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from store.ingest.formats import IMPORT_FORMATS
from store.ingest.importers.decoding import decode
from store.ingest.importers.fieldnames import FIELDS, MappingError, parse_mappings
from store.ingest.importers.records import ImportResult, Problem, Record

__all__ = [
    "FORMATS",
    "ImportOptions",
    "ImportResult",
    "MappingError",
    "Problem",
    "Record",
    "detect_format",
    "parse_mappings",
    "read_bytes",
    "read_file",
]

FORMATS = IMPORT_FORMATS
"""What ``--format`` accepts (see store.ingest.formats)."""

_EXTENSIONS = {
    ".txt": "txt", ".text": "txt", ".md": "txt",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv",
    ".rss": "feed", ".atom": "feed", ".rdf": "feed", ".xml": "feed",
}
_FEED_STARTS = (b"<?xml", b"<rss", b"<feed", b"<rdf:rdf", b"<!--")
_HEADER_WORDS = frozenset(k for keys in FIELDS.values() for k in keys) | {"id", "source"}


@dataclass(frozen=True)
class ImportOptions:
    """How to read the files of one import (the CLI's ``import`` options)."""

    format: str | None = None
    """One of FORMATS, or None to detect it per file."""
    paragraphs: bool = False
    """Text files: one item per blank-line-separated paragraph instead of per line."""
    mapping: Mapping[str, str] = field(default_factory=dict)
    """Item field -> column or key name (lower case), from ``parse_mappings``."""
    max_item_chars: int = 1_000_000
    """Longer texts are cut at a word boundary, with a note (see store.ingest.limits)."""
    """Item field -> column or key name (lower case), from ``parse_mappings``; for CSV
    and TSV a number is a column's place, counted from 1."""
    no_header: bool = False
    """CSV and TSV: the first row is data; columns are named by number ("1", "2" …)."""


def _looks_like_header(line: str, delimiter: str, mapping: Mapping[str, str]) -> bool:
    cells = [c.strip().strip('"').strip().casefold() for c in line.split(delimiter)]
    if len(cells) < 2 or not all(cells) or any(len(c) > 40 for c in cells):
        return False
    known = _HEADER_WORDS | set(mapping.values())
    return any(c in known for c in cells)


def sniff(data: bytes, mapping: Mapping[str, str] | None = None, no_header: bool = False) -> str:
    """Guess a format from the first bytes: JSON, a feed, CSV/TSV, else text."""
    text, _ = decode(data[:8192])
    text = text.lstrip()
    head = text[:64].encode("utf-8", "replace").lower()
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{"):
        from store.ingest.importers.tabular import loads_json

        first, _, rest = text.partition("\n")
        _, error, _ = loads_json(first)
        return "jsonl" if error is None and rest.strip() else "json"
    if head.startswith(_FEED_STARTS):
        return "feed"
    first_line = text.split("\n", 1)[0].rstrip("\r")
    numbered = no_header or any(v.isdigit() for v in (mapping or {}).values())
    for delimiter, kind in (("\t", "tsv"), (",", "csv")):
        if delimiter in first_line and (
                numbered or _looks_like_header(first_line, delimiter, mapping or {})):
            return kind
    return "txt"


def detect_format(data: bytes, name: str, options: ImportOptions | None = None) -> str:
    """The format to read ``data`` (named ``name``) with: txt, jsonl, json, csv, tsv
    or feed."""
    options = options or ImportOptions()
    if options.format:
        return "feed" if options.format in ("rss", "atom") else options.format
    by_extension = _EXTENSIONS.get(Path(name).suffix.casefold())
    return by_extension or sniff(data, options.mapping, options.no_header)


def read_bytes(data: bytes, source: str, options: ImportOptions | None = None) -> ImportResult:
    """Parse ``data`` (the contents of a file named ``source``) into records, each
    text cut to ``options.max_item_chars`` (with a note for the file)."""
    from store.ingest.limits import limit_records

    options = options or ImportOptions()
    return limit_records(_parse(data, source, options), source, options.max_item_chars)


def _parse(data: bytes, source: str, options: ImportOptions) -> ImportResult:
    # The readers are imported here, not at the top: opening a store (every CLI
    # command) needs this package's types but not its parsers.
    from store.ingest.importers.feeds import read_feed
    from store.ingest.importers.plain import read_paragraphs, read_plain
    from store.ingest.importers.tabular import read_delimited, read_json, read_jsonl

    kind = detect_format(data, source, options)
    mapping = options.mapping
    try:
        if kind == "txt":
            return read_paragraphs(data, source) if options.paragraphs else read_plain(data,
                                                                                       source)
        if kind in ("csv", "tsv"):
            return read_delimited(data, source, "," if kind == "csv" else "\t", mapping,
                                  options.no_header)
        if kind == "jsonl":
            return read_jsonl(data, source, mapping)
        if kind == "json":
            return read_json(data, source, mapping)
        return read_feed(data, source)
    except Exception as exc:  # a last resort: a bug must not lose the other files
        return ImportResult(problems=[Problem(source, 1, f"could not be read as {kind} ({exc})")])


def read_file(path: str | Path, options: ImportOptions | None = None) -> ImportResult:
    """Read and parse one file; an unreadable file is a single problem, not an exception."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return ImportResult(records=[], problems=[Problem(str(path), None, reason)])
    return read_bytes(data, str(path), options)
