"""The items in segments: ``items.json`` holds the newest items (the tail) and names the
sealed segment files under ``items/``, each a TinyDB file of at most ``SEGMENT_ITEMS``
items, written once under a name of its own and never again in place.

Why: a store only grows, and a write should cost what it changes, not what is stored.
An import writes the tail (bounded) and only the sealed segments whose items it changed;
when the tail fills up it is sealed into a new segment. Reading caches each sealed
segment by its file name (the name changes whenever its content does), so picking up
another session's import re-reads the tail, not the whole store.

``items.json`` is the commit point: new segment files are written (and fsynced) first,
then ``items.json`` is replaced atomically, so a crash in between leaves only unlisted
files, which the next write removes. The segments the previous ``items.json`` listed
(its copy is ``backups/items.prev.json``) are kept one write longer, so a reader that
started before a write, or ``doctor --restore``, still finds them.

A store from before segments (one ``items.json`` holding everything, schema 1) reads as
a store with no sealed segment; its first full write seals it (``Store._convert``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from array import array
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any

import orjson

from store.disk.atomic import AtomicJSONStorage, atomic_write, describe_os_error, make_dir
from store.disk.layout import (
    ITEMS_TABLE,
    META_TABLE,
    SEGMENT_DIR,
    SEGMENT_ITEMS,
    SEGMENTED_SCHEMA,
)
from store.disk.links import refuse_link
from store.disk.signature import GENERATION, stamp
from store.errors import StoreError, StoreFormatError

_READ_TRIES = 3
"""A reader that finds a listed segment gone lost a race with two writes: read again."""


def segment_list(data: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The sealed segments an ``items.json`` names (``file``, ``count``, ``first``,
    ``last``), in order; [] for a store without any. ``read`` refuses a damaged list,
    so this is for data ``read`` gave."""
    meta = (data or {}).get(META_TABLE, {}).get("1")
    segments = meta.get("segments") if isinstance(meta, dict) else None
    return segments if isinstance(segments, list) else []


def _whole(segments: Any) -> bool:
    """Is this a list of segment entries ``write`` could have made?"""
    return isinstance(segments, list) and all(
        isinstance(s, dict) and isinstance(s.get("file"), str) and type(s.get("count")) is int
        and s["count"] > 0 and isinstance(s.get("first"), str) and isinstance(s.get("last"), str)
        for s in segments)


_OPEN, _SEP = b'{"items": {\n', b",\n"


def segment_bytes(items: Iterable[tuple[str, Any]]) -> tuple[bytes, array[int]]:
    """A TinyDB file of one ``items`` table, one item to a line (readable, and a line
    diff shows what an item gained), and where each item's line starts (then the end)."""
    lines = [orjson.dumps(key) + b": " + orjson.dumps(item) for key, item in items]
    starts, at = array("I"), len(_OPEN)
    for line in lines:
        starts.append(at)
        at += len(line) + len(_SEP)
    starts.append(at)
    return _OPEN + _SEP.join(lines) + b"\n}}\n", starts


def offsets_name(segment: str) -> str:
    """The file beside a segment that says where each of its items starts: a search
    prints 50 items of 300,000 by reading those 50 lines alone."""
    return segment.removesuffix(".json") + ".off"


class SegmentedItems:
    """The items storage of a store: ``read`` gives every item as one ``items`` table
    (sealed segments, then the tail), ``write`` writes only what changed."""

    def __init__(self, path: Path, previous: Path | None = None,
                 folder: Path | None = None,
                 on_seal: Callable[[Path, str, dict[str, Any]], None] | None = None) -> None:
        self.path = Path(path)
        self.on_seal = on_seal
        """Called as ``on_seal(folder, name, items)`` after a segment is written, to
        write what is derived from it beside it (best effort: OSError, StoreError)."""
        self.folder = Path(folder) if folder is not None else self.path.parent / SEGMENT_DIR
        """Where the sealed segments are (``backups/items.prev.json`` names those of
        the store's own ``items/``)."""
        self._head = AtomicJSONStorage(self.path, kind="items", previous=previous)
        self._stamp = "none"
        self._sealed: dict[str, dict[str, Any]] = {}
        """Sealed segment file name -> its items table, as read or written."""

    @property
    def signature(self) -> tuple[int, int, int, int] | None:
        """The stat signature of the ``items.json`` last read or written."""
        return self._head.signature

    @property
    def stamp(self) -> str:
        """The caches' stamp of the ``items.json`` last read or written (as
        ``store.disk.signature.items_stamp`` gives it from the file)."""
        return self._stamp

    def _stamped(self, head: dict[str, Any] | None) -> None:
        meta = (head or {}).get(META_TABLE, {}).get("1")
        self._stamp = stamp(meta.get(GENERATION) if isinstance(meta, dict) else None,
                            self._head.signature if head is not None else None)

    def read(self) -> dict[str, Any] | None:
        """Every table of the store, its ``items`` holding every item in order."""
        for attempt in range(_READ_TRIES):
            head = self._read_head()
            segments = segment_list(head)
            if head is None or not segments:
                return head
            try:
                tables = [self._segment(s["file"]) for s in segments]
            except FileNotFoundError as exc:
                if attempt == _READ_TRIES - 1:
                    raise StoreFormatError(
                        self.folder / Path(str(exc.filename)).name,
                        "it is listed in items.json but missing",
                        "Run `newsdesk doctor --restore` to put back the previous items.",
                    ) from exc
                self._head.close()  # forget the cached head: read it again
                continue
            items: dict[str, Any] = {}
            for table in tables:
                items.update(table)
            items.update(head.get(ITEMS_TABLE) or {})
            return {**head, ITEMS_TABLE: items}
        return None  # not reached: the last try returns or raises

    def read_head(self) -> dict[str, Any] | None:
        """``items.json`` alone (the tail and the list of sealed segments), checked as
        ``read`` checks it: what an import that appends needs."""
        return self._read_head()

    def sealed(self, name: str, *, keep: bool = True) -> dict[str, Any]:
        """The items table of the sealed segment ``name`` (cached unless ``keep`` is
        false: a pass over every segment holds one at a time; StoreFormatError when it
        is damaged, FileNotFoundError when it is gone)."""
        return self._segment(name, keep)

    def _read_head(self) -> dict[str, Any] | None:
        """``items.json``, its list of segments checked: read past a damaged one, the
        items it misses would be gone at the next write."""
        head = self._head.read()
        self._stamped(head)
        meta = (head or {}).get(META_TABLE, {}).get("1")
        if isinstance(meta, dict) and "segments" in meta and not _whole(meta["segments"]):
            raise StoreFormatError(self.path, "its list of sealed segments is damaged",
                                   "Run `newsdesk doctor --restore` to put back the "
                                   "previous items.")
        return head

    def _segment(self, name: str, keep: bool = True) -> dict[str, Any]:
        cached = self._sealed.get(name)
        if cached is not None:
            return cached
        if "/" in name or "\\" in name or name.startswith("."):
            raise StoreFormatError(self.path, f"it names a segment file outside {SEGMENT_DIR}/ "
                                   f"({name!r})", "Run `newsdesk doctor` to see what to do.")
        path = self.folder / name
        refuse_link(self.folder)  # a planted link would move the items elsewhere
        refuse_link(path)
        try:
            data = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise StoreFormatError(path, f"it cannot be read ({describe_os_error(exc)})",
                                   "Check the file's permissions.") from exc
        except orjson.JSONDecodeError as exc:
            raise StoreFormatError(path, f"it is not valid JSON ({exc})",
                                   "Run `newsdesk doctor --restore` to put back the "
                                   "previous items.") from exc
        table = data.get(ITEMS_TABLE) if isinstance(data, dict) else None
        if not isinstance(table, dict):
            raise StoreFormatError(path, "it is not a segment of newsdesk items (no 'items' "
                                   "table)", "Run `newsdesk doctor` to see what to do.")
        if keep:
            self._sealed[name] = table
        return table

    def write(self, data: dict[str, Any], dirty: Collection[str] | None = None,
              intact: Collection[str] = ()) -> None:
        """Write ``data`` (every table, its ``items`` holding every item in order, as
        ``read`` gave it): the sealed segments holding a ``dirty`` key (every one when
        None), new segments when the tail is full, then ``items.json``. A segment is
        kept as it is when none of its keys is dirty and it was read or written here,
        or is named in ``intact`` (an import that appends reads no sealed segment:
        ``items`` then need only hold the items of the segments it writes)."""
        items: Mapping[str, Any] = data.get(ITEMS_TABLE) or {}
        meta = dict(data.get(META_TABLE, {}).get("1") or {})
        old = segment_list(data)
        keys = list(items)
        segments, at = [], 0
        if not _matches(old, keys):
            old, dirty = [], None  # not the layout it was read with: write it all anew
        for seg in old:
            part = keys[at:at + seg["count"]]
            at += seg["count"]
            known = seg["file"] in self._sealed or seg["file"] in intact
            if dirty is not None and known and not any(k in dirty for k in part):
                segments.append(seg)
                continue
            segments.append(self._seal(part, items))
        tail = keys[at:]
        while len(tail) >= SEGMENT_ITEMS:
            segments.append(self._seal(tail[:SEGMENT_ITEMS], items))
            tail = tail[SEGMENT_ITEMS:]
        if segments:
            meta["segments"] = segments
            meta["schema"] = max(int(meta.get("schema") or 0), SEGMENTED_SCHEMA)
        else:
            meta.pop("segments", None)
        meta.pop(GENERATION, None)
        meta = {GENERATION: secrets.token_hex(8), **meta}  # first: read from the file's start
        head = {META_TABLE: {**data.get(META_TABLE, {}), "1": meta},
                ITEMS_TABLE: {k: items[k] for k in tail},
                **{k: v for k, v in data.items() if k not in (META_TABLE, ITEMS_TABLE)}}
        try:
            self._head.write(head)
        except BaseException:
            self._sealed.clear()  # its dicts may have been changed in place for this write
            raise
        self._stamped(head)
        self._collect({s["file"] for s in segments} | {s["file"] for s in old})

    def _seal(self, keys: list[str], items: Mapping[str, Any]) -> dict[str, Any]:
        """Write one sealed segment under a new name; its entry for ``items.json``."""
        refuse_link(self.folder)
        make_dir(self.folder)
        name = f"seg-{int(keys[0]) if keys[0].isdigit() else 0:09d}-{secrets.token_hex(4)}.json"
        table = {k: items[k] for k in keys}
        content, starts = segment_bytes(table.items())
        atomic_write(self.folder / name, content)
        with contextlib.suppress(OSError, StoreError):  # derived: fetch copes without it
            atomic_write(self.folder / offsets_name(name), starts.tobytes())
            if self.on_seal is not None:
                self.on_seal(self.folder, name, table)
        self._sealed[name] = table
        return {"file": name, "count": len(keys), "first": keys[0], "last": keys[-1]}

    def _collect(self, keep: set[str]) -> None:
        """Remove segment files neither this ``items.json`` nor the previous one lists
        (best effort: a file left over costs disk space, never correctness)."""
        for name in list(self._sealed):
            if name not in keep:
                del self._sealed[name]
        stems = {name.removesuffix(".json") for name in keep}  # and the files beside them
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.folder):
                if entry.name.startswith("seg-") and entry.name.split(".")[0] not in stems:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def forget(self) -> None:
        """Drop the sealed segments kept as read or written: a store that does not hold
        its items (an import, batch after batch) would otherwise keep every one it wrote.
        Safe at any time: a segment not kept is read again, or written, when needed."""
        self._sealed.clear()

    def close(self) -> None:
        self._head.close()
        self._sealed.clear()

    def fetch(self, ordinals: Sequence[int], check: Callable[[dict[str, Any]], None] | None = None
              ) -> list[tuple[str, Any] | None]:
        """``(key, item)`` at each ordinal (place in the store's order), None past the
        end, reading ``items.json`` (bounded) and, of a sealed segment, only the lines
        of the items asked for. For a few items of a large store; ``read`` for all.
        ``check`` sees ``items.json`` first (its schema), and may raise."""
        head = self._read_head()
        if head is None:
            return [None] * len(ordinals)
        if check is not None:
            check(head)
        segments = segment_list(head)
        bounds = list(accumulate(s["count"] for s in segments))
        sealed = bounds[-1] if bounds else 0
        tail = list((head.get(ITEMS_TABLE) or {}).items())
        out: list[tuple[str, Any] | None] = []
        for ordinal in ordinals:
            if ordinal < 0 or ordinal >= sealed + len(tail):
                out.append(None)
            elif ordinal >= sealed:
                out.append(tail[ordinal - sealed])
            else:
                k = bisect_right(bounds, ordinal)
                local = ordinal - (bounds[k - 1] if k else 0)
                out.append(self._line(str(segments[k]["file"]), local))
        return out

    def _line(self, name: str, local: int) -> tuple[str, Any]:
        """The ``local``-th item of a sealed segment, from its offsets when they are
        whole, else from the segment parsed (and cached) whole."""
        cached = self._sealed.get(name)
        if cached is None:
            with contextlib.suppress(OSError, ValueError, orjson.JSONDecodeError):
                starts = array("I")
                starts.frombytes((self.folder / offsets_name(name)).read_bytes())
                with (self.folder / name).open("rb") as fh:
                    fh.seek(starts[local])
                    line = fh.read(starts[local + 1] - starts[local] - len(_SEP))
                key, _, value = line.partition(b": ")
                return str(orjson.loads(key)), orjson.loads(value)  # the caller checks the id
        table = self._segment(name)
        return list(table.items())[local]


def _matches(segments: list[dict[str, Any]], keys: list[str]) -> bool:
    """Do the sealed segments' first and last keys sit where ``keys`` has them?"""
    at = 0
    for seg in segments:
        count = seg.get("count")
        if not isinstance(count, int) or count <= 0 or at + count > len(keys):
            return False
        if keys[at] != seg.get("first") or keys[at + count - 1] != seg.get("last"):
            return False
        at += count
    return True

