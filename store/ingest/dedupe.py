"""Which stored item a record is, and what an import did (its report).

A record is a stored item when it has the id, guid, url or normalized text of one; an
item made earlier in the same import counts too, but as a duplicate *within* the import
("6 duplicates within the file"), apart from items that were already in the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from store.ingest.importers.records import Problem
from store.model import OPTIONAL_FIELDS, Item
from store.text.clean import item_id as text_id
from store.text.clean import make_title


@dataclass
class ImportReport:
    """What an import did: counts, the problems it skipped, and its warnings."""

    added: int = 0
    present: int = 0
    """Records that are items stored before this import."""
    repeated: int = 0
    """Records that repeat an earlier record of this import (a file that repeats itself)."""
    files: int = 1
    """How many files the records came from (for the wording of ``repeated``)."""
    updated: int = 0
    update: bool = False
    """Whether this was an ``--update`` import (the summary then counts updates)."""
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """How the files were read, when it was a guess worth knowing (one line each)."""
    ids: list[str] = field(default_factory=list)
    """The ids of the records' items (added, refreshed or already present), in order."""

    def absorb(self, part: ImportReport) -> None:
        """Add the counts and ids of ``part``, one batch of the same import."""
        self.added += part.added
        self.present += part.present
        self.repeated += part.repeated
        self.updated += part.updated
        self.ids.extend(part.ids)

    def summary(self) -> str:
        """``N added, M already present`` (and how many were updated or skipped)."""
        text = f"{self.added} added, {self.present} already present"
        if self.repeated:
            where = "the file" if self.files == 1 else "the files"
            text += f", {self.repeated} duplicate{'s' if self.repeated != 1 else ''} within {where}"
        if self.update:
            text += f", {self.updated} updated"
        if self.problems:
            text += f", {len(self.problems)} skipped"
        return text


class Identities:
    """Which stored item a record is: by guid, then url, then normalized text.

    Also by id first, which covers a newsdesk export read back (its records carry
    their ids) and derived ids. Items of the running import are added as they are
    made, so a file that repeats itself is deduplicated too.
    """

    def __init__(self, table: Mapping[str, Item]) -> None:
        self.ids: dict[str, str] = {}
        self.guids: dict[str, str] = {}
        self.urls: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        for doc_id, doc in table.items():
            self.add(doc_id, doc)

    def add(self, doc_id: str, doc: Item, text_key: str | None = None) -> None:
        """Remember ``doc``; ``text_key``: ``text_id(doc["body"])`` if already known."""
        self.ids.setdefault(doc["id"], doc_id)
        if doc.get("guid"):
            self.guids.setdefault(doc["guid"], doc_id)
        if doc.get("url"):
            self.urls.setdefault(doc["url"], doc_id)
        self.texts.setdefault(text_key or text_id(doc.get("body", "")), doc_id)

    def add_row(self, doc_id: str, item_id: str, guid: str | None, url: str | None,
                text_key: str) -> None:
        """``add`` from an item's identity alone (a segment's digest row)."""
        self.ids.setdefault(item_id, doc_id)
        if guid:
            self.guids.setdefault(guid, doc_id)
        if url:
            self.urls.setdefault(url, doc_id)
        self.texts.setdefault(text_key, doc_id)

    def match(self, item: Item, text_key: str | None = None) -> str | None:
        """The document id of the stored item ``item`` duplicates, or None."""
        for index, key in ((self.ids, item["id"]), (self.guids, item.get("guid")),
                           (self.urls, item.get("url"))):
            if key and key in index:
                return index[key]
        return self.texts.get(text_key or text_id(item["body"]))


def refreshed(current: Item, new: Item,
               own_title: bool) -> Item | None:
    """``current`` with the content of ``new`` (same id, position, import time), or
    None when the content is the same. Fields ``new`` lacks are kept, and so is a
    title the source gave when ``new`` only has one made from its text."""
    doc: Item = {**current}
    keep_title = not own_title and current["title"] != make_title(current["body"])
    for name in ("title", "body", *OPTIONAL_FIELDS):
        if new.get(name) and not (name == "title" and keep_title):
            doc[name] = new[name]  # type: ignore[literal-required]  # a field of Item
    if all(doc.get(name) == current.get(name) for name in ("title", "body", *OPTIONAL_FIELDS)):
        return None
    doc["source"], doc["line"] = new["source"], new["line"]
    return doc


