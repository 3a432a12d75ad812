"""The topic tree as data: groups of nodes with counts, and what each node selects.

Both faces use it: ``newsdesk tree`` prints it and the TUI's TopicTree draws it.
A node's ``key`` says what it selects, so selecting never depends on labels.
Paths nest by ``/``; a parent counts every item under any of its children once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Protocol

NodeKey = tuple[str, ...]
ALL: NodeKey = ("all",)
UNTAGGED: NodeKey = ("untagged",)
UNREAD: NodeKey = ("unread",)
ENTITY_GROUPS = (("people", "People", "person"), ("places", "Places", "place"),
                 ("orgs", "Organisations", "org"))
"""(item field, group name, node kind) of the entity groups."""
_FIELD_OF_KIND = {kind: field for field, _, kind in ENTITY_GROUPS}
_FIELD_OF_GROUP = {group: field for field, group, _ in ENTITY_GROUPS}


class TreeSource(Protocol):
    """What the tree reads: the store, or anything shaped like it."""

    def items(self) -> Sequence[dict[str, Any]]: ...
    def tags_of(self, item_id: str) -> Sequence[str]: ...
    def is_read(self, item_id: str) -> bool: ...


@dataclass
class TreeNode:
    """One node: a label, how many items it holds, what it selects, its children."""

    name: str
    count: int
    key: NodeKey
    children: list[TreeNode] = dc_field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """``{"name", "count", "children"}``, recursively."""
        return {"name": self.name, "count": self.count,
                "children": [c.to_json() for c in self.children]}


def _hierarchy(kind: str, members: dict[str, set[int]], prefix: str = "") -> list[TreeNode]:
    """Nest ``path -> item ordinals`` by ``/``; counts are unions over descendants."""
    cut = len(prefix)
    own: dict[str, set[int]] = {}  # head -> ordinals of the path ``prefix + head`` itself
    deeper: dict[str, dict[str, set[int]]] = {}  # head -> the paths below it
    for path, ords in members.items():
        rel = path[cut:]
        slash = rel.find("/")
        if slash < 0:
            own[rel] = ords
        else:
            deeper.setdefault(rel[:slash], {})[path] = ords
    # Leaves (the common case, and all of them for 100k flat tags) need no union.
    nodes = [TreeNode(head, len(ords), (kind, prefix + head))
             for head, ords in own.items() if ords and head not in deeper]
    for head, sub in deeper.items():
        full = prefix + head
        union: set[int] = set().union(own.get(head, ()), *sub.values())
        if union:
            nodes.append(TreeNode(head, len(union), (kind, full),
                                  _hierarchy(kind, sub, full + "/")))
    nodes.sort(key=lambda n: (-n.count, n.name.casefold()))
    return nodes


def build_tree(source: TreeSource, within: Collection[str] | None = None,
               saved: Sequence[tuple[str, int]] = ()) -> list[TreeNode]:
    """The whole tree: All items, Unread, Topics, People, Places, Organisations, Tags,
    Untagged, Saved searches. With ``within`` (the current search results) every count
    is of those items only: a faceted view that shows where the matches are."""
    items, tags_of = source.items(), source.tags_of
    if within is not None:
        items = [d for d in items if d["id"] in within]
    topics: dict[str, set[int]] = {}
    entities: dict[str, dict[str, int]] = {field: {} for field, _, _ in ENTITY_GROUPS}
    with_entity: dict[str, int] = dict.fromkeys(entities, 0)
    tags: dict[str, set[int]] = {}
    untagged = 0
    with_topic = 0
    unread = 0
    tagged_any: set[int] = set()
    months: dict[str, set[int]] = {}
    for n, item in enumerate(items):
        if not source.is_read(item["id"]):
            unread += 1
        date = item.get("date")
        if date:
            months.setdefault(f"{date[:4]}/{date[:7]}", set()).add(n)
        if item["topics"]:
            with_topic += 1
        for topic in item["topics"]:
            topics.setdefault(topic, set()).add(n)
        for field, counts in entities.items():
            names = item.get(field, ())
            if names:
                with_entity[field] += 1
            for name in names:
                counts[name] = counts.get(name, 0) + 1
        item_tags = tags_of(item["id"])
        if not item_tags:
            untagged += 1
        for tag in item_tags:
            tags.setdefault(tag, set()).add(n)
            tagged_any.add(n)
    return [
        TreeNode("All items", len(items), ALL),
        TreeNode("Unread", unread, UNREAD),
        TreeNode("Topics", with_topic, ("group", "Topics"), _hierarchy("topic", topics)),
        *(_flat_group(group, kind, entities[field], with_entity[field])
          for field, group, kind in ENTITY_GROUPS),
        TreeNode("Tags", len(tagged_any), ("group", "Tags"), _hierarchy("tag", tags)),
        TreeNode("Untagged", untagged, UNTAGGED),
        *_date_group(months),
        TreeNode("Saved searches", len(saved), ("group", "Saved searches"),
                 [TreeNode(name, count, ("saved", name)) for name, count in saved]),
    ]


def _date_group(months: dict[str, set[int]]) -> list[TreeNode]:
    """``By date``: year, then month, newest first; absent when no item has a date."""
    if not months:
        return []
    years = _hierarchy("date", months)
    for year in years:
        for month in year.children:
            month.key = ("date", month.key[1].split("/", 1)[1])  # "2025-02"
        year.children.sort(key=lambda n: n.key[1], reverse=True)
    years.sort(key=lambda n: n.key[1], reverse=True)
    total = len(set().union(*months.values()))
    return [TreeNode("By date", total, ("group", "By date"), years)]


def _flat_group(group: str, kind: str, counts: dict[str, int], items: int) -> TreeNode:
    """A group of leaf nodes (people, places …), sorted by count then name; the group
    counts the items that have any of them."""
    children = [TreeNode(name, count, (kind, name)) for name, count in counts.items() if count]
    children.sort(key=lambda n: (-n.count, n.name.casefold()))
    return TreeNode(group, items, ("group", group), children)


def _under(path: str, values: Iterable[str]) -> bool:
    folded = path.casefold()
    return any(v.casefold() == folded or v.casefold().startswith(folded + "/") for v in values)


def select(key: NodeKey, source: TreeSource) -> list[str]:
    """The ids a node selects, in original order."""
    items, tags_of = source.items(), source.tags_of
    kind = key[0]
    if kind in _FIELD_OF_KIND:
        field = _FIELD_OF_KIND[kind]
        return [d["id"] for d in items if key[1] in d.get(field, ())]
    if kind == "date":
        return [d["id"] for d in items if (d.get("date") or "").startswith(key[1])]
    if kind == "group" and key[1] == "By date":
        return [d["id"] for d in items if d.get("date")]
    if kind == "unread":
        return [d["id"] for d in items if not source.is_read(d["id"])]
    if kind == "topic":
        return [d["id"] for d in items if _under(key[1], d["topics"])]
    if kind == "tag":
        return [d["id"] for d in items if _under(key[1], tags_of(d["id"]))]
    if kind == "untagged":
        return [d["id"] for d in items if not tags_of(d["id"])]
    if kind == "group" and key[1] in _FIELD_OF_GROUP:
        field = _FIELD_OF_GROUP[key[1]]
        return [d["id"] for d in items if d.get(field)]
    if kind == "group" and key[1] == "Topics":
        return [d["id"] for d in items if d["topics"]]
    if kind == "group" and key[1] == "Tags":
        return [d["id"] for d in items if tags_of(d["id"])]
    return [d["id"] for d in items]
