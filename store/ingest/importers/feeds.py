"""Feeds: RSS 2.0, RSS 1.0 (RDF) and Atom, parsed by feedparser from bytes.

feedparser is only ever handed a byte stream we read ourselves. Given a string
it would treat it as a URL or a file name and fetch or open it, so a file that
merely *contains* a path or URL must never reach it as one. Titles and content
marked as HTML (or XHTML) become plain text; plain-text titles stay as written,
so ``<not a tag>`` in a text title survives literally.

Entries are positioned by number (``file: record 3``): feedparser gives no lines.
"""

from __future__ import annotations

import io
import re
from typing import Any

from store.ingest.importers.fields import split_tags
from store.ingest.importers.records import ImportResult, Problem, Record
from store.text.clean import clean, sanitize_line
from store.text.dates import parse_date
from store.text.html import html_to_text

_WEB_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)


def _text(value: Any, detail: Any) -> str:
    """A feed text construct as plain text, converting it when its type says HTML."""
    if not isinstance(value, str):
        return ""
    kind = str(detail.get("type", "")) if isinstance(detail, dict) else ""
    if "html" in kind:  # text/html, application/xhtml+xml
        value = html_to_text(value)
    return clean(value)


def _line(value: Any, detail: Any = None) -> str | None:
    text = " ".join(sanitize_line(_text(value, detail)).split())
    return text or None


def _body(entry: Any) -> str:
    for content in entry.get("content") or ():
        text = _text(content.get("value"), content)
        if text:
            return text
    return _text(entry.get("summary"), entry.get("summary_detail"))


def _date(entry: Any) -> tuple[str | None, str | None]:
    """The entry's date, and the raw text of one that could not be read."""
    # dict.get: FeedParserDict.get would map a missing "published" to "updated"
    # with a DeprecationWarning; we ask for each one ourselves.
    for key in ("published", "updated", "created"):
        parsed = parse_date(dict.get(entry, f"{key}_parsed"))
        if parsed:
            return parsed, None
        raw = dict.get(entry, key)
        if raw:
            parsed = parse_date(raw)
            if parsed:
                return parsed, None
            return None, str(raw)
    return None, None


def _error_line(exc: object, data: bytes) -> int:
    """The line of a parse error (1 when unknown), within the file's lines."""
    getter = getattr(exc, "getLineNumber", None)
    try:
        line = int(getter()) if callable(getter) else 1
    except Exception:  # a SAX locator without a position
        line = 1
    return min(max(line, 1), data.count(b"\n") + 1)


def read_feed(data: bytes, source: str) -> ImportResult:
    """Read every entry of an RSS or Atom feed."""
    import feedparser  # ~0.1 s to import: only when a feed is read

    result = ImportResult()
    try:
        parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False,
                                  sanitize_html=True)
    except Exception as exc:  # feedparser is lenient, but never fail an import on it
        result.problems.append(Problem(source, 1, f"not a readable feed ({exc})"))
        return result
    entries = parsed.get("entries") or []
    error = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not entries:
        if error is not None or not parsed.get("version"):
            reason = f" ({sanitize_line(str(error))})" if error is not None else ""
            result.problems.append(Problem(
                source, _error_line(error, data), f"not an RSS or Atom feed{reason}"))
        return result
    if error is not None and not isinstance(error, feedparser.CharacterEncodingOverride):
        result.warnings.append(Problem(
            source, _error_line(error, data),
            f"the feed is not well-formed ({sanitize_line(str(error))}); its entries were "
            "read leniently"))
    feed_info = parsed.get("feed") or {}
    feed_title = _line(feed_info.get("title"), feed_info.get("title_detail"))
    for number, entry in enumerate(entries, start=1):
        try:
            outcome = _record(entry, number, source, feed_title, result)
        except Exception as exc:  # an entry shape feedparser did not promise
            outcome = Problem(source, None, f"unreadable entry ({exc})", record=number)
        if isinstance(outcome, Problem):
            result.problems.append(outcome)
        else:
            result.records.append(outcome)
    return result


def _record(entry: Any, number: int, source: str, feed_title: str | None,
            result: ImportResult) -> Record | Problem:
    title = _line(entry.get("title"), entry.get("title_detail"))
    body = _body(entry) or title or ""
    if not body:
        return Problem(source, None, "the entry has no title and no text; skipped",
                       record=number)
    date, unread = _date(entry)
    if unread:
        result.warnings.append(Problem(
            source, None, f"date {sanitize_line(unread)[:40]!r} not understood; imported "
            "without a date", record=number))
    link = entry.get("link")
    url = link.strip() if isinstance(link, str) and _WEB_URL.fullmatch(link.strip()) else None
    terms = [t.get("term") or t.get("label") for t in entry.get("tags") or ()]
    tags, refused = split_tags([t for t in terms if isinstance(t, str)])
    for reason in refused:
        result.warnings.append(Problem(
            source, None, f"{reason} The item was imported without it.", record=number))
    guid = entry.get("id")
    return Record(
        body=body,
        source=source,
        title=title,
        date=date,
        url=sanitize_line(url) if url else None,
        author=_line(entry.get("author")),
        guid=_line(guid) if isinstance(guid, str) else None,
        feed=feed_title,
        tags=tuple(tags),
    )
