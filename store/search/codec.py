"""The index cache file: sections of raw bytes behind a checksummed header, mapped
with mmap so opening a 100k-item index reads only the header."""

from __future__ import annotations

import marshal
import mmap
import os
import zlib
from typing import Any

from store.disk.layout import INDEX_FORMAT
from store.search.reader import DATE_WIDTH
from store.search.segments import MAGIC, BlockChecks, Lexicon, Segment

LAZY_CHECK_FROM = 1 << 16
"""load(verify="lazy") checks sections this big on first use, smaller ones at once.
From 1 MB, a 300,000-item index (six segments, hundreds of sections under 1 MB) had
each CLI search and tag read and check them all: 30% of `search --count`'s work."""
CHECK_BLOCK = 1 << 16  # bytes under one CRC in a section's block checksums (see BlockChecks)


# -- the cache file ------------------------------------------------------------------


def section_part(seg: Segment, name: str) -> Any:
    """The array or bytes saved as section ``name`` of a segment."""
    return getattr(seg, {"ids": "ids_blob", "titles": "titles_blob"}.get(name, name))


def load_segments(path: str, signature: str,
                  verify: bool | str) -> tuple[list[Segment], mmap.mmap] | None:
    """The segments saved in ``path`` and the map that holds them (None: not a current cache)."""
    # O_NOFOLLOW: a link planted in place of the cache is not read (it is rebuilt).
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    with open(path, "rb", opener=lambda name, flags: os.open(name, flags | nofollow)) as f:
        size = os.fstat(f.fileno()).st_size
        head_len = int.from_bytes(f.read(8), "little")
        if head_len > size or head_len < 16:
            return None
        head = f.read(head_len)
        if head[:8] != MAGIC:
            return None
        header_len = int.from_bytes(head[8:12], "little")
        header = head[16 : 16 + header_len]
        if len(header) != header_len or zlib.crc32(header) != int.from_bytes(head[12:16], "little"):
            return None
        if head[16 + header_len :].strip(b"\0"):  # the padding after the header
            return None
        meta = marshal.loads(header)
        if meta.get("format") != INDEX_FORMAT or meta.get("signature") != signature:
            return None
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        view = memoryview(mapped)
        body = 8 + head_len
        sections: list[Any] = []
        deferred: dict[int, tuple[Any, int, BlockChecks | None]] = {}  # "lazy": padded, crcs
        blocked = meta.get("blocks") or {}  # section -> (block size, CRC of each block)
        chunk = bytearray(1 << 20)
        for i, (kind, offset, length, crc) in enumerate(meta["sections"]):
            start = body + offset
            if start + length > size or offset % 8:
                return None
            raw = view[start : start + length]
            padded = view[start : start + length + (-length % 8)]
            if len(padded) != length + (-length % 8):
                return None
            if verify == "lazy" and length >= LAZY_CHECK_FROM:
                block = blocked.get(i)
                deferred[i] = (padded, crc, None if block is None else BlockChecks(*block))
            elif verify and file_crc(f, start, len(padded), chunk) != crc:
                return None
            sections.append(raw if kind in ("text", "B", "bytes") else raw.cast(kind))

    def get(i: int) -> Any:
        if i < 0:
            return None
        kind = meta["sections"][i][0]
        return bytes(sections[i]) if kind == "bytes" and i not in deferred else sections[i]

    segments = []
    for part in meta["segments"]:
        parts = {name: get(i) for name, i in part["parts"].items()}
        lex = {name: Lexicon(*map(get, ids)) for name, ids in part["lex"].items()}
        seg = Segment(part["start"], part["n"], tuple(part["stats"]), lex=lex, **parts)
        check_segment(seg)  # lengths only: a deferred section is not read
        for name, i in part["parts"].items():
            if i in deferred:
                padded, crc, blocks = deferred[i]
                seg.defer({"ids": "ids_blob", "titles": "titles_blob"}.get(name, name),
                          padded, crc, meta["sections"][i][0] == "bytes", blocks)
        for name, ids in part["lex"].items():
            for attr, i in zip(Lexicon.ARRAYS, ids, strict=True):
                if i in deferred:
                    padded, crc, blocks = deferred[i]
                    lex[name].defer(attr, padded, crc, meta["sections"][i][0] == "bytes",
                                    blocks)
        segments.append(seg)
    return segments, mapped


def block_crcs(chunk: bytes) -> tuple[int, list[int]] | None:
    """The block size and the CRC-32 of each block of a section's bytes, for checking
    it in part (``BlockChecks``); None for a section of one block or less."""
    size = CHECK_BLOCK
    if len(chunk) <= size:
        return None
    return size, [zlib.crc32(chunk[i : i + size]) for i in range(0, len(chunk), size)]


def file_crc(f: Any, start: int, length: int, chunk: bytearray) -> int:
    """CRC-32 of ``length`` bytes of ``f`` from ``start``, read through ``chunk``.

    Read, not taken from the map: checking through the map would make every page of
    the file resident in this process (90 MB at 100k items) though a session's
    queries touch a fraction of them.
    """
    f.seek(start)
    crc, left, buf = 0, length, memoryview(chunk)
    while left > 0:
        got = f.readinto(buf[: min(left, len(buf))])
        if not got:
            return -1  # shorter than the header says: not a match for any crc
        crc = zlib.crc32(buf[:got], crc)
        left -= got
    return crc


def check_segment(seg: Segment) -> None:
    """Cheap consistency checks (lengths agree); raise ValueError if they do not."""
    n = seg.n
    ok = len(seg.positions) == n and len(seg.bases) == n + 1 and len(seg.tlen) == n
    ok = ok and len(seg.date_ords) * DATE_WIDTH == len(seg.dates)
    ok = ok and len(seg.fwd) == seg.bases[n]
    for blob, offsets in ((seg.ids_blob, seg.ids_off), (seg.titles_blob, seg.titles_off)):
        ok = ok and len(offsets) == n + 1 and offsets[n] == (len(blob) + 1 if n else 0)
    for lex in seg.lex.values():
        ok = ok and lex.koff[-1] == len(lex.keys) and lex.doff[-1] == len(lex.docs)
        ok = ok and len(lex.doff) == len(lex.koff)
        if lex.wts is not None:
            ok = ok and len(lex.wts) == len(lex.docs)
        if lex.pos is not None and lex.poff is not None:
            ok = ok and lex.poff[-1] == len(lex.pos) and len(lex.poff) == len(lex.koff)
    if not ok:
        raise ValueError("inconsistent index cache")


