"""An import that appends: it matches, resolves and writes without reading the sealed
segments, from a small digest kept beside each one.

Why: at 300,000 items an import of 1,000 read every segment (2 s), checked every item
(1.2 s), hashed every stored text again to match the records (2.6 s) and counted every
name to merge variants (1 s), all to add 1,000 items to the tail. What it needs of a
sealed segment is small and never changes, as the segment never does (its file name
changes with its content): each item's identity (id, guid, url, text hash) and the names
its items mention (people with their counts, organisations with their last use). That is
the digest, ``seg-….dig``, written when the segment is sealed (or, for a segment sealed
before digests, made from it once, on the first import that needs it).

Names are merged across the whole store (``store.derive.entities.merge``): every write
leaves each stored item resolved by the rule over all the stored names, so the rule over
the digests gives what the items hold now, the rule with the new items' names gives
what they should hold, and only the segments holding a name whose node moved are read
and written again (rare: it takes a name to change hands, "Bush" to another Bush).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator, Mapping
from itertools import chain
from pathlib import Path
from typing import Any

import orjson

from store.derive.entities.merge import mapped_names, orgs_map, people_map
from store.disk.atomic import atomic_write
from store.disk.layout import ITEMS_TABLE
from store.disk.segments import SegmentedItems, segment_list
from store.errors import StoreError
from store.ingest.dedupe import Identities
from store.model import Item, check_schema, checked_item
from store.text.clean import item_id as text_id

DIGEST_VERSION = 1


def digest_name(segment: str) -> str:
    """The digest file beside a sealed segment (``seg-…-x.json`` -> ``seg-…-x.dig``)."""
    return segment.removesuffix(".json") + ".dig"


def _raw_people(doc: Mapping[str, Any]) -> list[str]:
    return doc.get("people_raw", doc.get("people", [])) or []


def _raw_orgs(doc: Mapping[str, Any]) -> list[str]:
    return doc.get("orgs_raw", doc.get("orgs", [])) or []


def make_digest(table: Mapping[str, Any]) -> dict[str, Any]:
    """What an import needs of a segment's items (see the module docstring), by column:
    the document ids (keys), item ids, guids, urls and text hashes, then the names."""
    columns: dict[str, list[Any]] = {name: [] for name in _COLUMNS}
    people: Counter[str] = Counter()
    orgs: dict[str, list[int]] = {}
    for local, (key, doc) in enumerate(table.items()):
        for name, value in zip(_COLUMNS, (key, doc.get("id", ""), doc.get("guid") or None,
                                          doc.get("url") or None,
                                          text_id(doc.get("body", ""))), strict=True):
            columns[name].append(value)
        people.update(_raw_people(doc))
        for j, name in enumerate(_raw_orgs(doc)):
            orgs.pop(name, None)  # (re-inserted: the dict stays in order of last use)
            orgs[name] = [local, j]
    return {"v": DIGEST_VERSION, "count": len(table), **columns, "people": people,
            "orgs": orgs}


_COLUMNS = ("keys", "ids", "guids", "urls", "texts")


def write_digest(folder: Path, name: str, table: Mapping[str, Any]) -> None:
    """Write the digest of a just sealed segment (``SegmentedItems.on_seal``)."""
    atomic_write(folder / digest_name(name), orjson.dumps(make_digest(table)))


def _load_digest(folder: Path, entry: Mapping[str, Any]) -> dict[str, Any] | None:
    """A segment's digest when it is whole and of this segment, else None."""
    try:
        digest = orjson.loads((folder / digest_name(str(entry["file"]))).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(digest, dict) or digest.get("v") != DIGEST_VERSION:
        return None
    count = entry["count"]
    if not all(type(digest.get(c)) is list and len(digest[c]) == count for c in _COLUMNS):
        return None
    if digest["keys"][:1] != [entry["first"]] or digest["keys"][-1:] != [entry["last"]]:
        return None  # a digest of another segment
    if not isinstance(digest.get("people"), dict) or not isinstance(digest.get("orgs"), dict):
        return None
    text, maybe = {str}, {str, type(None)}  # (a column's types: C speed, no step per item)
    if not all(set(map(type, digest[c])) <= (maybe if c in ("guids", "urls") else text)
               for c in _COLUMNS):
        return None
    if not set(map(type, digest["people"].values())) <= {int}:
        return None
    orgs = digest["orgs"].values()
    if not all(type(v) is list and len(v) == 2 and type(v[0]) is int and type(v[1]) is int
               for v in orgs):
        return None
    return digest


class Appending:
    """A segmented store as an import that appends sees it: ``items.json`` (the tail
    and the segment list) and a digest per sealed segment."""

    def __init__(self, storage: SegmentedItems, head: dict[str, Any],
                 digests: list[dict[str, Any]]) -> None:
        self.storage, self.head, self.digests = storage, head, digests
        self.segments = segment_list(head)
        self.tail: dict[str, Item] = head.get(ITEMS_TABLE) or {}
        self.model: Any = None
        """The store's subject model (the import assigns the new items with it)."""
        self._loaded: dict[str, Item] = dict(self.tail)
        """The stored items read: the tail, and the segments ``resolve`` read."""

    @classmethod
    def open(cls, storage: SegmentedItems) -> Appending | None:
        """The store to append to; None when it has no sealed segment (the whole read
        is cheap then) or one cannot be digested (the whole read says what is wrong)."""
        head = storage.read_head()
        segments = segment_list(head)
        if head is None or not segments:
            return None
        digests = []
        for entry in segments:
            digest = _load_digest(storage.folder, entry)
            if digest is None:  # sealed before digests: made from it once
                try:
                    table = storage.sealed(str(entry["file"]))
                except (OSError, StoreError):
                    return None
                digest = make_digest(table)
                with contextlib.suppress(OSError, StoreError):
                    atomic_write(storage.folder / digest_name(str(entry["file"])),
                                 orjson.dumps(digest))
            digests.append(digest)
        return cls(storage, head, digests)

    def check(self, path: Path) -> None:
        """Check ``items.json`` as a load would: its schema and the tail's items."""
        check_schema(self.head, path)
        for doc_id, doc in self.tail.items():
            checked_item(doc_id, doc, path)

    def identities(self) -> tuple[Identities, dict[str, str]]:
        """The stored items' identities, in store order, and each document id's item id.
        Built a column at a time (the first of equal keys wins, as ``Identities.add``)."""
        keys = [k for d in self.digests for k in d["keys"]] + list(self.tail)
        tail = list(self.tail.values())

        def column(name: str, field: str) -> list[Any]:
            return [v for d in self.digests for v in d[name]] + [
                doc.get(field) or None for doc in tail]

        texts = [v for d in self.digests for v in d["texts"]] + [
            text_id(doc.get("body", "")) for doc in tail]
        ids = column("ids", "id")
        known = Identities({})
        for index, values in ((known.ids, ids), (known.guids, column("guids", "guid")),
                              (known.urls, column("urls", "url")), (known.texts, texts)):
            found: dict[Any, str] = index  # (None: an item without a guid or url)
            found.update(zip(reversed(values), reversed(keys), strict=True))  # (C speed)
            found.pop(None, None)
            found.pop("", None)
        return known, dict(zip(keys, ids, strict=True))

    def next_position(self) -> int:
        """The document id (position) the first new item gets."""
        last = [int(k) for k in self.tail] + [int(s["last"]) for s in self.segments[-1:]]
        return max(last, default=0) + 1

    def resolve(self, changes: Mapping[str, Item]) -> tuple[dict[str, Item], dict[str, Item]]:
        """Merge names with the new items': sets them on ``changes`` and returns the
        stored items whose names moved (document id -> new copy) and their old versions.
        Reads only the segments holding a name whose node moved."""
        counts: Counter[str] = Counter()
        for digest in self.digests:
            counts.update(digest["people"])
        for doc in self.tail.values():
            counts.update(_raw_people(doc))
        new_counts = counts.copy()
        for doc in changes.values():
            new_counts.update(_raw_people(doc))
        latest = self._orgs_latest()
        new_latest = _last_use(latest, [_raw_orgs(d) for d in changes.values()])
        people_before, people_after = people_map(counts), people_map(new_counts)
        orgs_before, orgs_after = orgs_map(latest), orgs_map(new_latest)
        moved_people = {n for n in counts if people_before[n] != people_after[n]}
        moved_orgs = {n for n in latest if orgs_before[n] != orgs_after[n]}
        stored: dict[str, Item] = {}
        for entry, digest in zip(self.segments, self.digests, strict=True):
            if moved_people.intersection(digest["people"]) or moved_orgs.intersection(
                    digest["orgs"]):
                table = self.storage.sealed(str(entry["file"]))
                for doc_id, doc in table.items():
                    stored[doc_id] = checked_item(doc_id, doc, self.storage.path)
        stored.update(self.tail)
        renamed: dict[str, Item] = {}
        old: dict[str, Item] = {}
        for doc_id, doc in chain(stored.items(), changes.items()):
            people = mapped_names([_raw_people(doc)], people_after)[0]
            orgs = mapped_names([_raw_orgs(doc)], orgs_after)[0]
            if doc.get("people") == people and doc.get("orgs") == orgs:
                continue
            if doc_id in changes:
                doc["people"], doc["orgs"] = people, orgs
            else:  # a copy: the items as read stay as on disk
                old[doc_id] = doc
                copy: Item = {**doc}
                copy["people"], copy["orgs"] = people, orgs
                renamed[doc_id] = copy
        self._loaded = stored
        return renamed, old

    def _orgs_latest(self) -> list[str]:
        """The stored organisation names in the order of their last use."""
        last: dict[str, tuple[int, int]] = {}
        start = 0
        for entry, digest in zip(self.segments, self.digests, strict=True):
            for name, (local, j) in digest["orgs"].items():
                last[name] = (start + local, j)
            start += entry["count"]
        for local, doc in enumerate(self.tail.values()):
            for j, name in enumerate(_raw_orgs(doc)):
                last[name] = (start + local, j)
        return sorted(last, key=last.__getitem__)

    def items(self, renamed: Mapping[str, Item], changes: Mapping[str, Item]) -> AppendedItems:
        """The items table to write: every key in order, the items of the segments
        that are written (the tail, those ``resolve`` read) and the new ones."""
        values: dict[str, Item] = {**self._loaded, **renamed, **changes}
        keys = [k for digest in self.digests for k in digest["keys"]]
        return AppendedItems([*keys, *self.tail, *(k for k in changes if k not in self.tail)],
                             values)

    def intact(self) -> set[str]:
        """The sealed segment files this view digested (they exist as listed)."""
        return {str(s["file"]) for s in self.segments}


def _last_use(latest: list[str], new: list[list[str]]) -> list[str]:
    """``latest`` (names in order of last use) after items naming ``new`` are added."""
    order = dict.fromkeys(latest)
    for names in new:
        for name in names:
            order.pop(name, None)
            order[name] = None
    return list(order)


class AppendedItems(Mapping[str, Item]):
    """Every key of the store in order, with the items of only the segments written:
    what ``SegmentedItems.write`` reads when the sealed ones are ``intact``."""

    def __init__(self, keys: list[str], values: dict[str, Item]) -> None:
        self._keys, self._values = keys, values

    def __getitem__(self, key: str) -> Item:
        return self._values[key]  # KeyError: a segment was written that was not read

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
