"""From a row or object with named fields (CSV, TSV, JSON, JSONL) to a Record.

Keys are matched ignoring case. Each item field has a list of usual names, tried
in order; ``--map FIELD=COLUMN`` puts a column of the user's choice first:

    title    title
    text     body, text, summary, content, description (else the title)
    date     date, published, updated, pubDate           (any common form)
    url      url, link
    author   author
    guid     guid, else id
    feed     feed, else source
    tags     tags, categories, category                  (a list, or "a, b")

``id`` is a newsdesk id when it looks like one (12 hex digits, as ``export``
writes it) and a guid otherwise; ``source`` names the feed only when there is
no ``feed`` key (``export`` writes both, and ``source`` is then the file name).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from store.ingest.importers.fieldnames import FIELDS
from store.ingest.importers.records import Problem, Record
from store.state.tagnames import TagNameError, clean_tag
from store.text.clean import clean, sanitize_line
from store.text.dates import parse_date
from store.text.html import text_of

_NEWSDESK_ID = re.compile(r"[0-9a-f]{12}")


def _scalar(value: object) -> str | None:
    """A text or number value as text; None for anything else (lists, objects)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _pick(row: Mapping[str, object], field: str, mapping: Mapping[str, str]) -> object:
    """The first non-empty value for ``field``: the mapped column, then the usual keys."""
    keys = FIELDS[field]
    if field in mapping:
        keys = (mapping[field], *keys)
    for key in keys:
        value = row.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _line(value: object) -> str | None:
    text = _scalar(value)
    if text is None:
        return None
    text = " ".join(sanitize_line(text_of(text)).split())
    return text or None


def split_tags(value: object) -> tuple[list[str], list[str]]:
    """Tag names from a list or a comma-separated string: (valid, refused reasons)."""
    if isinstance(value, str):
        raw = value.split(",")
    elif isinstance(value, list | tuple):
        raw = [part for v in value if (s := _scalar(v)) for part in s.split(",")]
    else:
        raw = []
    tags: list[str] = []
    refused: list[str] = []
    for name in raw:
        name = " ".join(sanitize_line(name).split())
        if not name:
            continue
        try:
            tags.append(clean_tag(name))
        except TagNameError as exc:
            refused.append(str(exc))
    return list(dict.fromkeys(tags)), refused


def record_from_fields(
    fields: Mapping[str, object],
    source: str,
    mapping: Mapping[str, str],
    *,
    line: int | None = None,
    number: int | None = None,
    warnings: list[Problem] | None = None,
) -> Record | Problem:
    """Build a Record from named fields, or say (positioned) why it cannot be one."""
    row = {str(k).casefold(): v for k, v in reversed(list(fields.items()))}
    where = {"line": line, "record": number}

    def warn(reason: str) -> None:
        if warnings is not None:
            warnings.append(Problem(source, reason=reason, **where))

    title = _line(_pick(row, "title", mapping))
    raw_body = _scalar(_pick(row, "text", mapping))
    body = clean(text_of(raw_body)) if raw_body else ""
    if not body:
        if not title:
            names = ", ".join(FIELDS["text"] + FIELDS["title"])
            return Problem(source, reason=f"no text (looked for {names})", **where)
        body = title

    raw_date = _pick(row, "date", mapping)
    date = parse_date(raw_date)
    if raw_date is not None and date is None:
        shown = sanitize_line(str(raw_date))[:40]
        warn(f"date {shown!r} not understood; imported without a date")

    guid = _line(_pick(row, "guid", mapping))
    raw_id = row.get("id")
    newsdesk_id = raw_id if isinstance(raw_id, str) and _NEWSDESK_ID.fullmatch(raw_id) else None
    if guid is None and "guid" not in row and "guid" not in mapping and newsdesk_id is None:
        guid = _line(raw_id)
    feed = _line(_pick(row, "feed", mapping))
    if feed is None and "feed" not in row and "feed" not in mapping:
        feed = _line(row.get("source"))

    tags, refused = split_tags(_pick(row, "tags", mapping))
    for reason in refused:
        warn(f"{reason} The item was imported without it.")

    return Record(
        body=body,
        source=source,
        line=line,
        title=title,
        date=date,
        url=_line(_pick(row, "url", mapping)),
        author=_line(_pick(row, "author", mapping)),
        guid=guid,
        feed=feed,
        tags=tuple(tags),
        id=newsdesk_id,
    )
