"""The item: what one brief looks like in the store, and how a record becomes one."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypedDict, cast

from store.disk.layout import ITEMS_FILE, ITEMS_SCHEMA, ITEMS_TABLE, META_TABLE
from store.disk.segments import SegmentedItems, segment_list
from store.errors import StoreError, StoreFormatError
from store.text.clean import (
    GIVEN_TITLE_MAX,
    clean,
    item_id,
    key_id,
    make_title,
    sanitize_line,
    shorten,
)

OPTIONAL_FIELDS = ("date", "url", "author", "guid", "feed")
"""Item fields a record may or may not have; an item stores only those it has."""


class Item(TypedDict, total=False):
    """One brief. Content only: tags and read state are user state, kept apart."""

    id: str  # stable: from the guid, else the url, else the normalized text
    title: str  # given by the source, else the first sentence, shortened
    body: str  # the full text, sanitized, paragraphs separated by blank lines
    source: str  # the file it came from (name only; "stdin" for standard input)
    line: int | None  # where in that file
    position: int  # global original order (also the TinyDB document id)
    imported_at: str  # ISO-8601 UTC
    updated_at: str  # ISO-8601 UTC, when `import --update` last changed it
    topics: list[str]  # derived by the topic rules
    date: str  # ISO-8601 UTC, "YYYY-MM-DDTHH:MM:SSZ": when the source says it was published
    url: str  # its web address
    author: str
    guid: str  # the feed's id for it
    feed: str  # the title of the feed (or source) it came from
    people: list[str]  # derived: names of people, merged to their fullest form
    places: list[str]  # derived: places
    orgs: list[str]  # derived: organisations
    people_raw: list[str]  # the names as found in this item, before merging
    orgs_raw: list[str]  # the organisations as found, before merging
    subjects: list[str]  # discovered subjects, "Top/Leaf"


class RecordLike(Protocol):
    """What ``make_item`` reads of an importer's record (``ingest.importers.Record``):
    the model sits below the importers and never imports them."""

    @property
    def body(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def line(self) -> int | None: ...
    @property
    def title(self) -> str | None: ...
    @property
    def id(self) -> str | None: ...


def now_iso() -> str:
    """The current time as ISO-8601 UTC, to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def identity(guid: str | None, url: str | None, body: str) -> str:
    """An item's id: from its guid if it has one, else its url, else its normalized
    text (so text-only items keep the ids they always had)."""
    if guid:
        return key_id("guid", guid)
    if url:
        return key_id("url", url)
    return item_id(body)


def make_item(record: RecordLike, position: int, imported_at: str) -> Item:
    """Build the stored form of ``record`` (topics are filled in by the store)."""
    body = clean(record.body)
    title = " ".join(clean(record.title).split()) if record.title else ""
    title = shorten(title, GIVEN_TITLE_MAX)
    item: Item = {
        "id": "",
        "title": title or make_title(body),
        "body": body,
        "source": record.source.replace("\\", "/").rsplit("/", 1)[-1],
        "line": record.line,
        "position": position,
        "imported_at": imported_at,
        "topics": [],
    }
    for name in OPTIONAL_FIELDS:
        value = getattr(record, name)
        if value:
            value = " ".join(sanitize_line(value).split())
            if value:
                item[name] = value  # type: ignore[literal-required]  # OPTIONAL_FIELDS
    item["id"] = record.id or identity(item.get("guid"), item.get("url"), body)
    return item


def resolve_id(ids: Collection[str], prefix: str) -> str:
    """The one id in ``ids`` starting with ``prefix`` (at least 4 characters), as the
    CLI takes ids; StoreError says why when there is none or more than one."""
    if prefix in ids:
        return prefix
    if len(prefix) < 4:
        raise StoreError(f"No item with id {prefix!r} (give at least 4 characters of an id).")
    found = [i for i in ids if i.startswith(prefix)]
    if len(found) != 1:
        what = "No item" if not found else f"{len(found)} items"
        raise StoreError(f"{what} with an id starting {prefix!r}.")
    return found[0]


DERIVED = ("topics", "people", "places", "orgs", "subjects")
"""Fields derived from an item's text: lists of strings, [] when an older file lacks them."""
TEXT_FIELDS = ("title", "source", "imported_at", "updated_at", *OPTIONAL_FIELDS)


_MISSING: Any = object()


def checked_item(doc_id: str, doc: Any, path: Path) -> Item:
    """``doc`` (stored under ``doc_id``) as an Item, with defaults filled in (in place);
    StoreFormatError naming ``path`` when a field has the wrong shape.

    Every item passes here on every load, so it is written for speed (4 µs an item here,
    11 µs with isinstance checks in generators): ``type() is``, and a list of strings
    checked by joining it."""
    if type(doc) is not dict or type(doc.get("id")) is not str \
            or type(doc.get("body")) is not str:
        raise StoreFormatError(path, f"item {doc_id} is not an object with 'id' and 'body'")
    if "title" not in doc:
        doc["title"] = ""
    wrong = None
    for key in TEXT_FIELDS:
        value = doc.get(key, "")
        if type(value) is not str:
            wrong = key
            break
    if wrong is None:
        for key in DERIVED:
            values = doc.get(key, _MISSING)
            if values is _MISSING:
                doc[key] = []
            elif type(values) is not list:
                wrong = key
                break
            elif values:
                try:
                    "".join(values)
                except TypeError:
                    wrong = key
                    break
    if wrong is None:
        position = doc.get("position", _MISSING)
        if position is _MISSING:
            doc["position"] = int(doc_id) if doc_id.isdigit() else 0
        elif type(position) is not int:
            wrong = "position"
        line = doc.get("line")
        if line is not None and type(line) is not int:
            wrong = "line"
    if wrong is not None:
        raise StoreFormatError(path, f"item {doc_id} has a wrong {wrong!r}")
    return cast("Item", doc)  # its fields checked above


def items_from(data: dict[str, Any] | None, path: Path) -> list[Item]:
    """The items an ``items.json`` holds, in original order, with defaults filled in.

    Raises StoreFormatError naming ``path`` when the data is not a newsdesk store of
    this or an older schema, or an item has the wrong shape: checked here, once,
    so no later code (the tree, the list, a sort) trips over a wrong type.
    """
    check_schema(data, path)
    assert data is not None  # checked
    table = data.get(ITEMS_TABLE)
    if not isinstance(table, dict):
        raise StoreFormatError(path, "it has no 'items' table")
    items = [checked_item(doc_id, doc, path) for doc_id, doc in table.items()]
    items.sort(key=lambda d: d["position"])
    return items


class UnorderedItems(StoreError):
    """``items_streamed`` met items out of position order (or a repeated one): the
    caller reads the store whole instead, which sorts them."""


def items_streamed(storage: SegmentedItems) -> Iterator[Item]:
    """The store's items in order, as ``items_from`` gives them, read one sealed
    segment at a time (none kept) and then the tail: for a pass over every item that
    must not hold them all. StoreFormatError as ``items_from``; UnorderedItems when
    the segments do not follow one another in position order."""
    head = storage.read_head()
    check_schema(head, storage.path)
    assert head is not None  # checked
    tables = [str(s["file"]) for s in segment_list(head)] + [None]
    last, seen = -1, set[str]()
    for name in tables:
        table = head.get(ITEMS_TABLE) if name is None else storage.sealed(name, keep=False)
        if not isinstance(table, dict):
            raise StoreFormatError(storage.path, "it has no 'items' table")
        if seen.intersection(table):
            raise UnorderedItems("an item is in two segments")
        seen.update(table)
        items = [checked_item(doc_id, doc, storage.path) for doc_id, doc in table.items()]
        items.sort(key=lambda d: d["position"])
        if items and items[0]["position"] <= last:
            raise UnorderedItems("the segments are not in position order")
        last = items[-1]["position"] if items else last
        yield from items


def check_schema(data: dict[str, Any] | None, path: Path) -> None:
    """StoreFormatError unless ``data`` is an items.json of this or an older schema."""
    if data is None:
        raise StoreFormatError(path, "the file is missing")
    meta = data.get(META_TABLE, {}).get("1")
    if not isinstance(meta, dict) or not isinstance(meta.get("schema"), int):
        raise StoreFormatError(path, "it has no schema version, so it is not a newsdesk store")
    if meta["schema"] > ITEMS_SCHEMA:
        raise StoreFormatError(
            path,
            f"it was written by a newer newsdesk (schema {meta['schema']}; this version "
            f"reads up to {ITEMS_SCHEMA})",
            "Upgrade newsdesk to open it; the file has not been changed.",
        )


def stored_count(root: Path) -> int:
    """How many items a store holds, from ``items.json`` alone (0 when it cannot be read)."""
    try:
        head = SegmentedItems(Path(root) / ITEMS_FILE).read_head()
    except (OSError, StoreError):
        return 0
    tail = (head or {}).get(ITEMS_TABLE)
    return sum(int(s.get("count", 0)) for s in segment_list(head)) + (
        len(tail) if isinstance(tail, dict) else 0)


def items_at(root: Path, ordinals: Sequence[int]) -> list[Item | None]:
    """The items at these places in a store's order, read without loading the store:
    ``items.json`` and one line of a sealed segment per item (``search --json`` prints
    50 of 300,000 so). None for a place past the end; StoreFormatError for damage."""
    path = Path(root) / ITEMS_FILE
    found = SegmentedItems(path).fetch(ordinals, lambda head: check_schema(head, path))
    return [None if pair is None else checked_item(pair[0], pair[1], path) for pair in found]
