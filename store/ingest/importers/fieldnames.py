"""The item fields an importer fills, and the column or key names each is read from.

Kept apart from ``fields`` (which converts values: dates, HTML) so that the CLI can
check ``--map`` options and detect formats without loading the converters.
"""

from __future__ import annotations

from collections.abc import Sequence

FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "text": ("body", "text", "summary", "content", "description"),
    "date": ("date", "published", "updated", "pubdate"),
    "url": ("url", "link"),
    "author": ("author",),
    "guid": ("guid",),
    "feed": ("feed",),
    "tags": ("tags", "categories", "category"),
}
"""Each item field and the keys it is read from, in order of preference."""

# Other names a user may give on the left of --map.
_FIELD_SYNONYMS = {"body": "text", "link": "url", "source": "feed", "id": "guid",
                   "categories": "tags", "category": "tags"}
TEXT_KEYS = frozenset(FIELDS["text"] + FIELDS["title"])


class MappingError(ValueError):
    """A ``--map`` option that cannot be used (the CLI reports it as a usage error)."""


def parse_mappings(options: Sequence[str]) -> dict[str, str]:
    """``["text=Story", "date=When"]`` -> ``{"text": "story", "date": "when"}``; a
    number (``text=3``) names a CSV/TSV column by its place, counted from 1.

    Raises MappingError for a malformed option or an unknown field.
    """
    mapping: dict[str, str] = {}
    for option in options:
        field, sep, column = option.partition("=")
        field, column = field.strip().casefold(), column.strip()
        if not sep or not field or not column:
            raise MappingError(f"--map takes FIELD=COLUMN, not {option!r}")
        field = _FIELD_SYNONYMS.get(field, field)
        if field not in FIELDS:
            known = ", ".join(sorted(FIELDS))
            raise MappingError(f"--map: unknown field {field!r} (fields: {known})")
        if column.isdigit() and int(column) < 1:
            raise MappingError(f"--map {field}={column}: columns are numbered from 1")
        mapping[field] = column.casefold()
    return mapping
