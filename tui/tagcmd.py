"""``newsdesk tag``: by ids (``tag ID... +x -y``) or, as notmuch does, by query
(``tag +x -y -- QUERY``, ``--dry-run`` only counts). Kept apart from ``tui.cli`` so
that module stays small; like it, this imports nothing heavier than ``store``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def tag_command(args: argparse.Namespace, open_store: Callable[..., Any],
                err: Callable[[str], None], parser: Callable[[], argparse.ArgumentParser],
                cached_index: Callable[[argparse.Namespace], Any]) -> int:
    """``newsdesk tag``: ``ID... +x -y``, or ``+x -y -- QUERY`` (``--dry-run``)."""
    words = list(args.words)
    while words and words[0] == "--":  # put there by _protect_tag_words, or typed
        words = words[1:]
    dry_run = args.dry_run
    query: str | None = None
    if "--" in words:  # tag +x -y -- QUERY
        at = words.index("--")
        words, query = words[:at], " ".join(words[at + 1:])
    if "--dry-run" in words:  # after the first word argparse leaves it to us
        words.remove("--dry-run")
        dry_run = True
    if not words or words[0] in ("-h", "--help"):
        parser().parse_args(["tag", "--help"])
    ids = [w for w in words if w[:1] not in "+-"]
    add = [w[1:] for w in words if w.startswith("+")]
    remove = [w[1:] for w in words if w.startswith("-")]
    if query is not None:
        return _tag_query(args, open_store, err, query, ids, add, remove, dry_run)
    if not ids or not (add or remove):
        err("tag needs at least one ID and one +TAG or -TAG (e.g. tag 3f2a9c +verify), "
             "or +TAG -TAG -- QUERY")
        return 2
    from store import resolve_id

    known = _indexed_ids(cached_index, args, ids)
    store = open_store(args, create=False, load=known is None)
    resolved = [resolve_id(store.ordinals() if known is None else known, i) for i in ids]
    if dry_run:
        print(f"{len(resolved)} items; nothing changed (--dry-run).")
        return 0
    record = store.state.tag(resolved, add, remove)
    print(record["label"] if record else "Nothing changed: the items already look like that.")
    return 0


class _IndexIds:
    """The cached index's ids as ``resolve_id`` reads them: ``in`` by binary search,
    iteration (a prefix) decodes the id list once."""

    def __init__(self, index: Any) -> None:
        self._index = index

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._index

    def __iter__(self):  # -> Iterator[str]
        return iter(self._index.ordinal_ids())

    def __len__(self) -> int:
        return len(self._index)


def _indexed_ids(cached_index: Callable[[argparse.Namespace], Any], args: argparse.Namespace,
                 ids: list[str]) -> _IndexIds | None:
    """The store's ids from its search index, when that is current: a tag then reads
    neither the items nor more of the index than their ids (flat at any store size).
    None (read the store) when the cache is missing, stale or damaged."""
    try:
        index = cached_index(args)
        if index is None:
            return None
        known = _IndexIds(index)
        for item_id in ids:  # a damaged section raises here, not halfway through
            if item_id not in known and len(item_id) >= 4:
                next(iter(known), None)
        return known
    except Exception:  # noqa: BLE001 - a cache is disposable: read the store instead
        return None


def _tag_query(args: argparse.Namespace, open_store: Callable[..., Any],
               err: Callable[[str], None], query: str, ids: list[str], add: list[str],
               remove: list[str], dry_run: bool) -> int:
    """``tag +x -y -- QUERY``: change every match, print how many (``--dry-run``: count)."""
    from store import QuerySyntaxError, TagNameError, clean_tag, parse

    if ids or not (add or remove) or not query.strip():
        err("tag by query: give only +TAG and -TAG before --, and the query after it "
             "(e.g. tag +ukraine -- topic:security)")
        return 2
    try:
        node = parse(query)
        for name in add + remove:
            clean_tag(name)
    except QuerySyntaxError as exc:
        err(f"bad query: {exc}\n  {query}\n  {' ' * exc.position}^")
        return 1
    except TagNameError as exc:
        err(str(exc))
        return 1
    store = open_store(args, create=False)
    found = store.search(node, order="original")
    ops = " ".join([f"+{a}" for a in add] + [f"-{r}" for r in remove])
    n = f"{len(found)} item{'s' if len(found) != 1 else ''} match{'es' if len(found) == 1 else ''}"
    if dry_run or not found:
        print(f"{n}; {ops} not applied ({'--dry-run' if found else 'nothing to change'}).")
        return 0
    record = store.state.tag(found, add, remove)
    print(f"{n}; {record['label'] if record else 'nothing changed: they already look like that'}.")
    return 0
