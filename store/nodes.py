"""The topic tree's nodes, and the groups made from counts alone: a hierarchy of
paths, By date, a long tail folded under Others (A-Z), the Feeds group. ``store.tree``
counts; this module only shapes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any

from store.text.clean import fold_prefix

if TYPE_CHECKING:
    from store.ingest.feeds.subscriptions import Subscription



NodeKey = tuple[str, ...]
ALL: NodeKey = ("all",)
UNTAGGED: NodeKey = ("untagged",)
UNREAD: NodeKey = ("unread",)
ENTITY_GROUPS = (("people", "People", "person"), ("places", "Places", "place"),
                 ("orgs", "Organisations", "org"))
"""(item field, group name, node kind) of the entity groups."""
FIELD_OF_KIND = {kind: field for field, _, kind in ENTITY_GROUPS}
FIELD_OF_GROUP = {group: field for field, group, _ in ENTITY_GROUPS}


@dataclass
class TreeNode:
    """One node: a label, how many items it holds, what it selects, its children."""

    name: str
    count: int
    key: NodeKey
    children: list[TreeNode] = dc_field(default_factory=list)
    unread: int | None = None
    """Feeds and their folders: how many of the items are unread (None elsewhere)."""
    error: str | None = None
    """A feed whose last fetch failed: why."""

    def to_json(self) -> dict[str, Any]:
        """``{"name", "count", "children"}``, recursively; feed nodes add ``unread``,
        ``url`` and ``error``, folders ``unread``."""
        out: dict[str, Any] = {"name": self.name, "count": self.count}
        if self.unread is not None:
            out["unread"] = self.unread
        if self.key[0] == "feed":
            out["url"], out["error"] = self.key[1], self.error
        out["children"] = [c.to_json() for c in self.children]
        return out


def ancestors(path: str) -> list[str]:
    """``a/b/c`` -> ``a``, ``a/b``, ``a/b/c``: the nodes an item under ``path`` counts in."""
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def path_counts(combos: Counter[tuple[str, ...]]) -> dict[str, int]:
    """Items under each path, from how many items carry each combination of paths.

    An item counts once in a node however many of its paths lie under it, so the
    counts are unions without building a set per node: there are few distinct
    combinations (tens) however many items there are.
    """
    counts: dict[str, int] = {}
    for combo, n in combos.items():
        for path in {a for p in combo for a in ancestors(p)}:
            counts[path] = counts.get(path, 0) + n
    return counts


def hierarchy(kind: str, counts: dict[str, int], prefix: str = "") -> list[TreeNode]:
    """Nest ``path -> items under it`` (every ancestor included) by ``/``."""
    tops: dict[str, dict[str, int]] = {}
    for path, n in counts.items():
        rel = path[len(prefix):] if prefix else path
        head, _, _rest = rel.partition("/")
        tops.setdefault(head, {})[path] = n
    nodes = []
    for head, sub in tops.items():
        full = prefix + head
        deeper = {p: n for p, n in sub.items() if p != full}
        children = hierarchy(kind, deeper, full + "/") if deeper else []
        nodes.append(TreeNode(head, sub.get(full, 0), (kind, full), children))
    nodes = [n for n in nodes if n.count]
    nodes.sort(key=lambda n: (-n.count, n.name.casefold(), n.name))
    return nodes


def feeds_group(feeds: Sequence[Subscription], inside: Callable[[str], bool],
                 read: Collection[str]) -> TreeNode | None:
    """``Feeds``: folders (nested by ``/``), then feeds, each by name; counts are the
    items in scope (``inside``) and ``unread`` those of them not read. None without
    subscriptions."""
    if not feeds:
        return None

    def counted(ids: Iterable[str]) -> tuple[int, int]:
        present = {i for i in ids if inside(i)}
        return len(present), sum(1 for i in present if i not in read)

    def level(prefix: str, subs: list[Subscription]) -> tuple[list[TreeNode], set[str]]:
        folders: dict[str, list[Subscription]] = {}
        nodes: list[TreeNode] = []
        here: list[Subscription] = []
        for sub in subs:
            rest = sub.folder[len(prefix):] if prefix else sub.folder
            if rest:
                folders.setdefault(rest.split("/", 1)[0], []).append(sub)
            else:
                here.append(sub)
        ids: set[str] = set()
        for name in sorted(folders, key=lambda n: (n.casefold(), n)):
            path = f"{prefix}{name}"
            children, under = level(path + "/", folders[name])
            count, unread = counted(under)
            nodes.append(TreeNode(name, count, ("folder", path), children, unread))
            ids |= under
        for sub in sorted(here, key=lambda s: (s.name.casefold(), s.url)):
            count, unread = counted(sub.ids)
            nodes.append(TreeNode(sub.name, count, ("feed", sub.url), [], unread, sub.error))
            ids.update(sub.ids)
        return nodes, ids

    children, ids = level("", list(feeds))
    count, unread = counted(ids)
    return TreeNode("Feeds", count, ("group", "Feeds"), children, unread)


def feed_members(key: NodeKey, feeds: Sequence[Subscription]) -> set[str]:
    """The ids a Feeds node holds (any, a folder with everything under it, or one feed)."""
    if key[0] == "feed":
        subs = [s for s in feeds if s.url == key[1]]
    elif key[0] == "folder":
        subs = [s for s in feeds if s.folder == key[1] or s.folder.startswith(key[1] + "/")]
    else:
        subs = list(feeds)
    return {i for s in subs for i in s.ids}


def date_group(months: Counter[str]) -> list[TreeNode]:
    """``By date``: year, then month, newest first; absent when no item has a date."""
    if not months:
        return []
    counts: dict[str, int] = {}
    for month, n in months.items():
        year = month[:4]
        counts[year] = counts.get(year, 0) + n
        counts[f"{year}/{month}"] = n
    years = hierarchy("date", counts)
    for year_node in years:
        for month_node in year_node.children:
            month_node.key = ("date", month_node.key[1].split("/", 1)[1])  # "2025-02"
        year_node.children.sort(key=lambda n: n.key[1], reverse=True)
    years.sort(key=lambda n: n.key[1], reverse=True)
    return [TreeNode("By date", sum(months.values()), ("group", "By date"), years)]


MAX_CHILDREN = 200
"""No node has more direct children than this: a long tail is folded under ``Others``."""
OTHERS = "Others"


def bucket_of(name: str) -> str:
    """The A–Z bucket of a name under Others ("#" for names not starting with a letter)."""
    first = fold_prefix(name[:1]) if name else ""
    return first.upper() if first.isalpha() and first.isascii() else "#"


def fold_plan(counts: Counter[str] | dict[str, int]) -> tuple[list[str], list[str]]:
    """(names shown directly, names folded under Others) for one entity group: when there
    are more than MAX_CHILDREN names, the most-mentioned ones seen at least twice stay,
    the rest (names seen once first of all) fold. Both faces and ``select`` use this."""
    names = sorted((n for n, c in counts.items() if c),
                   key=lambda n: (-counts[n], n.casefold(), n))
    if len(names) <= MAX_CHILDREN:
        return names, []
    keep = [n for n in names[: MAX_CHILDREN - 1] if counts[n] >= 2]
    return keep, names[len(keep):]


def folded_node(kind: str, tail: list[str], counts: Counter[str], cap: int) -> TreeNode:
    """``Others``: the folded names, in A–Z buckets when they are too many for one node.
    Its count (and a bucket's) adds up mentions, at most ``cap`` (the group's count)."""
    def node(name: str, names: list[str], key: NodeKey) -> TreeNode:
        return TreeNode(name, min(cap, sum(counts[n] for n in names)), key)

    leaves = sorted(tail, key=lambda n: (n.casefold(), n))
    others = node(OTHERS, leaves, ("fold", kind, ""))
    if len(leaves) <= MAX_CHILDREN:
        others.children = [TreeNode(n, counts[n], (kind, n)) for n in leaves]
        return others
    buckets: dict[str, list[str]] = {}
    for n in leaves:
        buckets.setdefault(bucket_of(n), []).append(n)
    for letter in sorted(buckets):
        names = buckets[letter]
        child = node(letter, names, ("fold", kind, letter))
        child.children = [TreeNode(n, counts[n], (kind, n)) for n in names[:MAX_CHILDREN]]
        if len(names) > MAX_CHILDREN:  # a huge letter: by its first two letters
            pairs: dict[str, list[str]] = {}
            for n in names:
                pairs.setdefault(letter + fold_prefix(n[1:2] or "-"), []).append(n)
            child.children = [node(p.capitalize(), ns, ("fold", kind, p.capitalize()))
                              for p, ns in sorted(pairs.items())]
            for grand, ns in zip(child.children, (pairs[p] for p in sorted(pairs)),
                                 strict=True):
                grand.children = [TreeNode(n, counts[n], (kind, n)) for n in ns]
        others.children.append(child)
    return others


def flat_group(group: str, kind: str, counts: Counter[str], items: int) -> TreeNode:
    """A group of leaf nodes (people, places …), sorted by count then name; the group
    counts the items that have any of them. A long tail folds under ``Others`` (last)."""
    shown, tail = fold_plan(counts)
    children = [TreeNode(name, counts[name], (kind, name)) for name in shown]
    if tail:
        children.append(folded_node(kind, tail, counts, items))
    return TreeNode(group, items, ("group", group), children)


def in_fold(name: str, bucket: str) -> bool:
    """Is ``name`` (a folded one) under the Others node or bucket ``bucket``?"""
    if not bucket:
        return True
    if len(bucket) == 1:
        return bucket_of(name) == bucket
    return (bucket_of(name) + fold_prefix(name[1:2] or "-")).capitalize() == bucket


def is_under_path(path: str, values: Iterable[str]) -> bool:
    folded = path.casefold()
    return any(v.casefold() == folded or v.casefold().startswith(folded + "/") for v in values)


