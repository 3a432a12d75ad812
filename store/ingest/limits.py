"""The size limit of one item: longer texts are cut at a word boundary on import.

A single 200 MB line used to be stored whole (50 s and 3.4 GB to import), and every
later search paid for it. Nothing a person reads in a news browser is that long,
so an item's text stops at ``max_item_chars`` (1,000,000 by default; the
``max_item_chars`` setting of config.toml changes it), cut after the last whole
word and ended with an ellipsis. Each file whose items were cut gets one note
("3 items cut to 1 MB"), so nothing is shortened silently.
"""

from __future__ import annotations

from dataclasses import replace

from store.ingest.importers.records import ImportResult, Problem

MAX_ITEM_CHARS = 1_000_000
MIN_ITEM_CHARS = 1_000
"""The smallest limit the setting accepts."""
_ELLIPSIS = "…"
_NEAR = 1_000
"""A word boundary is looked for this far back from the limit, else the cut is hard."""


def cut_text(text: str, limit: int = MAX_ITEM_CHARS) -> str:
    """``text`` if it has at most ``limit`` characters, else its start, cut after the
    last whole word that fits, with an ellipsis (``limit`` characters in all)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(_ELLIPSIS) + 1]  # one more: is the cut between two words?
    if not cut[-1].isspace():
        start = max(0, len(cut) - _NEAR)
        space = max(cut.rfind(" ", start), cut.rfind("\n", start), cut.rfind("\t", start))
        if space > 0:
            cut = cut[:space]
    return cut[: limit - len(_ELLIPSIS)].rstrip() + _ELLIPSIS


def size_name(limit: int) -> str:
    """``1 MB`` for 1,000,000 characters, ``50 KB``, or ``800 characters``."""
    if limit >= 1_000_000:
        return f"{limit / 1_000_000:g} MB"
    if limit >= 1_000:
        return f"{limit / 1_000:g} KB"
    return f"{limit:,} characters"


def limit_records(result: ImportResult, source: str,
                  limit: int = MAX_ITEM_CHARS) -> ImportResult:
    """``result`` with every record's text cut to ``limit``, and one warning for the
    file when any was."""
    cut = 0
    for n, record in enumerate(result.records):
        if len(record.body) > limit:
            result.records[n] = replace(record, body=cut_text(record.body, limit))
            cut += 1
    if cut:
        result.warnings.append(Problem(
            source, None, f"{cut:,} item{'s' if cut != 1 else ''} cut to {size_name(limit)} "
            f"(at a word boundary; the max_item_chars setting in config.toml is "
            f"{limit:,} characters)"))
    return result
