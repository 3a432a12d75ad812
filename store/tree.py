"""The topic tree as data: groups of nodes with counts, and what each node selects.

Both faces use it: ``newsdesk tree`` prints it and the TUI's TopicTree draws it.
A node's ``key`` says what it selects, so selecting never depends on labels.
Paths nest by ``/``; a parent counts every item under any of its children once.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from dataclasses import field as dc_field
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from store.disk.layout import TREE_CACHE, TREE_CACHE_FORMAT
from store.errors import StoreError

if TYPE_CHECKING:
    from store.ingest.feeds.subscriptions import Subscription

from store.nodes import (
    ALL,
    ENTITY_GROUPS,
    FIELD_OF_GROUP,
    FIELD_OF_KIND,
    UNREAD,
    UNTAGGED,
    NodeKey,
    TreeNode,
    ancestors,
    date_group,
    feed_members,
    feeds_group,
    flat_group,
    fold_plan,
    hierarchy,
    in_fold,
    is_under_path,
    path_counts,
)


class UserFacts(Protocol):
    """A user's tags and read marks, item by item (``store.state.userstate`` is one)."""

    def tags_of(self, item_id: str) -> Sequence[str]: ...
    def is_read(self, item_id: str) -> bool: ...


class TreeSource(Protocol):
    """What the tree reads: the store, or anything shaped like it."""

    def items(self) -> Sequence[dict[str, Any]]: ...

    @property
    def state(self) -> UserFacts: ...


class TreeState(Protocol):
    """The user state as the tree reads it (``store.search.cache.StateView`` is one).

    A state that also has ``mark()`` and ``changed_since(mark)`` (the ids changed
    since, or None for "anything") is recounted only for the items that changed.
    """

    def tags_of(self, item_id: str) -> Sequence[str]: ...
    def tagged_ids(self) -> Collection[str]: ...
    def read_ids(self) -> Collection[str]: ...


class _UserCounts:
    """Tag combinations and read marks of the items in a scope, updatable per item.

    With an id -> ordinal scope (every item) they are keyed by ordinal: search
    results come as ordinals, and sets of ints intersect without touching a string.
    With a set of ids (a fallback for results without ordinals) they are keyed by id.
    """

    def __init__(self, state: TreeState, scope: Collection[str]) -> None:
        self.mark: object = state.mark() if hasattr(state, "mark") else None
        if isinstance(scope, dict):
            self.key: Callable[[str], Any] = scope.get
        else:
            self.key = lambda i: i if i in scope else None
        key, tags_of = self.key, state.tags_of
        self.tags: dict[Any, tuple[str, ...]] = {}
        for i in state.tagged_ids():
            k = key(i)
            if k is not None and (t := tuple(tags_of(i))):
                self.tags[k] = t
        self.combos = Counter(self.tags.values())
        self.read = {k for k in map(key, state.read_ids()) if k is not None}

    def update(self, state: TreeState, ids: Iterable[str]) -> None:
        read = state.read_ids()
        for i in ids:
            k = self.key(i)
            if k is None:
                continue
            new, old = tuple(state.tags_of(i)) or None, self.tags.get(k)
            if new != old:
                if old:
                    self.combos[old] -= 1
                    if not self.combos[old]:
                        del self.combos[old]
                if new:
                    self.combos[new] += 1
                    self.tags[k] = new
                else:
                    del self.tags[k]  # old was there: new differs from it
            if i in read:
                self.read.add(k)
            else:
                self.read.discard(k)


class _SourceState:
    """A TreeState asked item by item from any TreeSource (one-shot uses: CLI, tests)."""

    def __init__(self, source: TreeSource, ids: Iterable[str]) -> None:
        facts = source.state
        self.tags_of = facts.tags_of
        ids = list(ids)
        self._tagged = {i for i in ids if facts.tags_of(i)}
        self._read = {i for i in ids if facts.is_read(i)}

    def tagged_ids(self) -> Collection[str]:
        return self._tagged

    def read_ids(self) -> Collection[str]:
        return self._read


@dataclass
class _Content:
    """What the tree shows of the items' own fields: it changes only when they do."""

    total: int
    topics: dict[str, int]
    with_topic: int
    entities: dict[str, Counter[str]]
    with_entity: dict[str, int]
    months: Counter[str]
    subjects: dict[str, int] = dc_field(default_factory=dict)
    with_subject: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "topics": self.topics, "with_topic": self.with_topic,
                "entities": self.entities, "with_entity": self.with_entity,
                "months": self.months, "subjects": self.subjects,
                "with_subject": self.with_subject}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Content:
        return cls(int(data["total"]), {str(k): int(v) for k, v in data["topics"].items()},
                   int(data["with_topic"]),
                   {field: Counter(data["entities"][field]) for field, _, _ in ENTITY_GROUPS},
                   {field: int(data["with_entity"][field]) for field, _, _ in ENTITY_GROUPS},
                   Counter(data["months"]),
                   {str(k): int(v) for k, v in data["subjects"].items()},
                   int(data["with_subject"]))


"""Beside items.json: the tree's counts of the items' own fields, a rebuildable cache
stamped like index.bin (at 100k, counting them is one pass of ~0.5 s here)."""


def load_counts(root: Path, signature: str) -> _Content | None:
    """The cached counts if they were made from the items.json with ``signature``."""
    try:
        if os.path.islink(Path(root) / TREE_CACHE):  # never read through: count again
            return None
        data = orjson.loads((Path(root) / TREE_CACHE).read_bytes())
        if data.get("format") == TREE_CACHE_FORMAT and data.get("signature") == signature:
            return _Content.from_json(data["counts"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # missing or damaged: count again
    return None


def save_counts(root: Path, signature: str, index: TreeIndex) -> None:
    """Cache ``index``'s counts for the items.json with ``signature`` (not kept when the
    folder cannot be written)."""
    _write_counts(root, signature, index.content())


def _write_counts(root: Path, signature: str, counts: _Content) -> None:
    from store.disk.atomic import atomic_write

    data = {"format": TREE_CACHE_FORMAT, "signature": signature, "counts": counts.to_json()}
    with contextlib.suppress(OSError, StoreError):
        atomic_write(Path(root) / TREE_CACHE, orjson.dumps(data))


def update_counts(root: Path, before: str, after: str, added: Sequence[Mapping[str, Any]],
                  removed: Sequence[Mapping[str, Any]] = ()) -> bool:
    """After a write that added (or replaced) a few items: shift the counts cached for
    the items.json with signature ``before`` by what changed (``removed``: the replaced
    versions) and keep them for ``after``, so no one counts 300,000 items again for an
    import of 1,000. False (nothing kept) when there were no current counts."""
    counts = load_counts(root, before)
    if counts is None:
        return False
    plus, minus = _content(added), _content(removed)

    def shift(base: dict[str, int], up: dict[str, int], down: dict[str, int]) -> None:
        for key, n in up.items():
            base[key] = base.get(key, 0) + n
        for key, n in down.items():
            left = base.get(key, 0) - n
            if left > 0:
                base[key] = left
            else:
                base.pop(key, None)

    counts.total += plus.total - minus.total
    counts.with_topic += plus.with_topic - minus.with_topic
    counts.with_subject += plus.with_subject - minus.with_subject
    shift(counts.topics, plus.topics, minus.topics)
    shift(counts.subjects, plus.subjects, minus.subjects)
    shift(counts.months, plus.months, minus.months)
    for field, _, _ in ENTITY_GROUPS:
        counts.with_entity[field] += plus.with_entity[field] - minus.with_entity[field]
        shift(counts.entities[field], plus.entities[field], minus.entities[field])
    _write_counts(root, after, counts)
    return True


def _content(items: Sequence[Mapping[str, Any]]) -> _Content:
    """One pass over the items: at 100k each extra pass over the item dicts costs
    ~0.1 s here (memory-bound), more than the counting itself."""
    topic_combos: list[tuple[str, ...]] = []
    subject_combos: list[tuple[str, ...]] = []
    found: dict[str, list[str]] = {field: [] for field, _, _ in ENTITY_GROUPS}
    with_entity = dict.fromkeys(found, 0)
    people, places, orgs = found["people"], found["places"], found["orgs"]
    dates: list[str] = []
    for d in items:
        if topics := d["topics"]:
            topic_combos.append(tuple(topics))
        if subjects := d.get("subjects"):
            subject_combos.append(tuple(subjects))
        if names := d.get("people"):
            people.extend(names)
            with_entity["people"] += 1
        if names := d.get("places"):
            places.extend(names)
            with_entity["places"] += 1
        if names := d.get("orgs"):
            orgs.extend(names)
            with_entity["orgs"] += 1
        if date := d.get("date"):
            dates.append(date)
    months: Counter[str] = Counter()
    for date, n in Counter(dates).items():
        months[date[:7]] += n
    return _Content(len(items), path_counts(Counter(topic_combos)), len(topic_combos),
                    {field: Counter(names) for field, names in found.items()}, with_entity,
                    months, path_counts(Counter(subject_combos)), len(subject_combos))


def _assemble(total: int, content: _Nodes,
              read: int, tag_combos: Counter[tuple[str, ...]],
              saved: Sequence[tuple[str, int]],
              feeds: TreeNode | None = None) -> list[TreeNode]:
    topics, subjects, entity_groups, dates = content
    tagged_any = sum(tag_combos.values())
    return [
        TreeNode("All items", total, ALL),
        TreeNode("Unread", total - read, UNREAD),
        *([feeds] if feeds is not None else []),
        topics,
        *subjects,
        *entity_groups,
        TreeNode("Tags", tagged_any, ("group", "Tags"),
                 hierarchy("tag", path_counts(tag_combos))),
        TreeNode("Untagged", total - tagged_any, UNTAGGED),
        *dates,
        TreeNode("Saved searches", len(saved), ("group", "Saved searches"),
                 [TreeNode(name, count, ("saved", name)) for name, count in saved]),
    ]


_Nodes = tuple[TreeNode, list[TreeNode], list[TreeNode], list[TreeNode]]


def _content_nodes(content: _Content) -> _Nodes:
    """The Topics group, Subjects (a list: absent until subjects are discovered), the
    entity groups and By date (a list: absent without dates)."""
    topics = TreeNode("Topics", content.with_topic, ("group", "Topics"),
                      hierarchy("topic", content.topics))
    subjects = [TreeNode("Subjects", content.with_subject, ("group", "Subjects"),
                         hierarchy("subject", content.subjects))] if content.subjects else []
    entity_groups = [flat_group(group, kind, content.entities[field],
                                 content.with_entity[field])
                     for field, group, kind in ENTITY_GROUPS]
    return topics, subjects, entity_groups, date_group(content.months)


class TreeIndex:
    """The tree of one list of items, and what each node selects, without a scan of
    every item per question.

    Counts of the items' own fields (topics, entities, dates) are computed once;
    user state (tags, read marks) is read through a ``TreeState`` that lists only
    the items that have some, so a tag operation costs what the tagged items cost,
    not what the store holds. Node members are built the first time a node of
    their kind is selected. Build a new one when the items change.
    """

    def __init__(self, items: Sequence[dict[str, Any]], counts: _Content | None = None,
                 ids: list[str] | None = None, ordinal: dict[str, int] | None = None
                 ) -> None:
        """``counts``: from ``load_counts`` for these items, if cached. ``ids`` and
        ``ordinal``: the items' ids in order and id -> place, if the caller has them
        (the store builds both when it loads; at 100k each costs tens of ms)."""
        self.items = items
        self.ids = ids if ids is not None else list(map(itemgetter("id"), items))
        self.cached = counts is not None and counts.total == len(items)
        """Whether the counts came from the cache (else they are counted on first use)."""
        self._ordinal: dict[str, int] | None = ordinal
        self._content: _Content | None = counts if self.cached else None
        self._content_nodes: _Nodes | None = None
        self._user_counts: _UserCounts | None = None
        self._members: dict[str, dict[str, list[int]]] = {}
        self._lock = threading.RLock()
        """Held while counting: the TUI counts search results in a worker."""
        self._facet_lock = threading.Lock()
        self._facet_keys: list[tuple[str, str]] = []
        self._facets: list[tuple[int, ...]] | None = None
        self._aligned: tuple[object, bool] | None = None

    @property
    def ordinal(self) -> dict[str, int]:
        """Item id -> its place in ``items``."""
        if self._ordinal is None:
            self._ordinal = dict(zip(self.ids, range(len(self.ids)), strict=True))
        return self._ordinal

    def tree(self, state: TreeState, within: Collection[str] | None = None,
             saved: Sequence[tuple[str, int]] = (),
             feeds: Sequence[Subscription] = ()) -> list[TreeNode]:
        """The whole tree (see ``build_tree``); see ``tree_of`` for search results
        given as ordinals, which is cheaper than ``within``."""
        with self._lock:
            return self._tree(state, within, saved, feeds)

    def _tree(self, state: TreeState, within: Collection[str] | None,
              saved: Sequence[tuple[str, int]],
              feeds: Sequence[Subscription] = ()) -> list[TreeNode]:
        if within is None:
            content, scope = self.content(), self.ordinal
        else:
            content = _content([d for d in self.items if d["id"] in within])
            scope = within  # type: ignore[assignment]  # only tested with `in`
        user = self._user(state) if within is None else _UserCounts(state, scope)
        if within is None:
            if self._content_nodes is None:
                self._content_nodes = _content_nodes(content)
            nodes = self._content_nodes
        else:
            nodes = _content_nodes(content)
        in_scope = self.ordinal if within is None else within
        group = feeds_group(feeds, in_scope.__contains__, state.read_ids())
        return _assemble(content.total, nodes, len(user.read), user.combos, saved, group)

    def content(self) -> _Content:
        """The counts of the items' own fields (counted once)."""
        if self._content is None:
            self._content = _content(self.items)
        return self._content

    def aligned(self, ids: Sequence[str]) -> bool:
        """Whether ``ids`` (a search index's ids by ordinal) are this index's items in
        this order, so the search's ordinals are ordinals here (checked once per list)."""
        if self._aligned is None or self._aligned[0] is not ids:
            self._aligned = (ids, list(ids) == self.ids)
        return self._aligned[1]

    def tree_of(self, found: AbstractSet[int], state: TreeState,
                saved: Sequence[tuple[str, int]] = (),
                feeds: Sequence[Subscription] = ()) -> list[TreeNode]:
        """The tree counted over the items at ordinals ``found`` (search results):
        what ``tree(state, within)`` gives for their ids, at a cost that follows the
        number of results and never touches an item or an id string."""
        facets, keys = self._facet_table()
        counts: Counter[int] = Counter()
        rest = iter(found)
        while part := list(islice(rest, 4096)):  # between parts other threads get the GIL
            counts.update(chain.from_iterable(map(facets.__getitem__, part)))
        with self._lock:
            return self._tree_of(found, counts, keys, state, saved, feeds)

    def _tree_of(self, found: AbstractSet[int], counts: Counter[int],
                 keys: list[tuple[str, str]], state: TreeState,
                 saved: Sequence[tuple[str, int]],
                 feeds: Sequence[Subscription] = ()) -> list[TreeNode]:
        topics: dict[str, int] = {}
        subjects: dict[str, int] = {}
        with_subject = 0
        entities: dict[str, Counter[str]] = {field: Counter() for field, _, _ in ENTITY_GROUPS}
        with_entity = dict.fromkeys(entities, 0)
        months: Counter[str] = Counter()
        with_topic = 0
        for k, n in counts.items():
            field, value = keys[k]
            if field == "topics":
                topics[value] = n
            elif field == "subjects":
                subjects[value] = n
            elif field == "month":
                months[value] = n
            elif field == "with":
                if value == "topics":
                    with_topic = n
                elif value == "subjects":
                    with_subject = n
                else:
                    with_entity[value] = n
            else:
                entities[field][value] = n
        content = _Content(len(found), topics, with_topic, entities, with_entity, months,
                           subjects, with_subject)
        user = self._user(state)  # keyed by ordinal
        combos = Counter(map(user.tags.__getitem__, user.tags.keys() & found))
        ordinal = self.ordinal
        group = feeds_group(feeds, lambda i: ordinal.get(i, -1) in found, state.read_ids())
        return _assemble(len(found), _content_nodes(content), len(user.read & found),
                         combos, saved, group)

    def prepare(self) -> None:
        """Build what ``tree_of`` counts with (one pass, ~0.5 s at 100k here): the
        TUI does it in a worker before the first search."""
        self._facet_table()

    def _facet_table(self) -> tuple[list[tuple[int, ...]], list[tuple[str, str]]]:
        """Per item, the keys it counts under: each topic path and its ancestors,
        each entity, its month, and whether it has topics/entities at all."""
        with self._facet_lock:
            if self._facets is None:
                number: dict[tuple[str, str], int] = {}
                keys = self._facet_keys

                def key(field: str, value: str) -> int:
                    k = number.get((field, value))
                    if k is None:
                        k = number[(field, value)] = len(keys)
                        keys.append((field, value))
                    return k

                by_topics: dict[tuple[str, ...], tuple[int, ...]] = {}
                names: dict[str, dict[str, int]] = {field: {} for field, _, _ in ENTITY_GROUPS}
                has = {field: key("with", field) for field in ("topics", "subjects", *names)}
                by_subjects: dict[tuple[str, ...], tuple[int, ...]] = {}
                facets = []
                for d in self.items:
                    row: list[int] = []
                    for group, seen_paths in (("topics", by_topics), ("subjects", by_subjects)):
                        if combo := tuple(d.get(group) or ()):
                            known = seen_paths.get(combo)
                            if known is None:  # each combination of paths once
                                paths = {a for p in combo for a in ancestors(p)}
                                known = seen_paths[combo] = (has[group], *(
                                    key(group, p) for p in paths))
                            row.extend(known)
                    for field, seen in names.items():
                        if values := d.get(field):
                            row.append(has[field])
                            for v in values:
                                k = seen.get(v)
                                if k is None:
                                    k = seen[v] = key(field, v)
                                row.append(k)
                    if date := d.get("date"):
                        row.append(key("month", date[:7]))
                    facets.append(tuple(row))
                self._facets = facets
            return self._facets, self._facet_keys

    def _user(self, state: TreeState) -> _UserCounts:
        """The user-state counts over every item, updated for what changed since."""
        user = self._user_counts
        if user is not None and user.mark is not None and hasattr(state, "changed_since"):
            changed = state.changed_since(user.mark)
            if changed is not None:
                user.update(state, changed)
                user.mark = state.mark()  # type: ignore[attr-defined]
                return user
        self._user_counts = _UserCounts(state, self.ordinal)
        return self._user_counts

    def _postings(self, field: str) -> dict[str, list[int]]:
        """Value -> ordinals of the items carrying it, for one field (built once)."""
        members = self._members.get(field)
        if members is None:
            members = {}
            for n, d in enumerate(self.items):
                for value in d.get(field) or ():
                    ordinals = members.setdefault(value, [])
                    if not ordinals or ordinals[-1] != n:  # a value named twice in one item
                        ordinals.append(n)
            self._members[field] = members
        return members

    def _ids(self, ordinals: Iterable[int]) -> list[str]:
        ids = self.ids
        return [ids[n] for n in ordinals]

    def select(self, key: NodeKey, state: TreeState,
               feeds: Sequence[Subscription] = ()) -> list[str]:
        """The ids a node selects, in original order (see ``select``)."""
        with self._lock:
            return self._select(key, state, feeds)

    def _select(self, key: NodeKey, state: TreeState,
                feeds: Sequence[Subscription] = ()) -> list[str]:
        kind = key[0]
        items = self.items
        if kind in ("feed", "folder") or key == ("group", "Feeds"):
            ordinal, members = self.ordinal, feed_members(key, feeds)
            return self._ids(sorted(ordinal[i] for i in members if i in ordinal))
        if kind in FIELD_OF_KIND:
            return self._ids(self._postings(FIELD_OF_KIND[kind]).get(key[1], ()))
        if kind == "fold" and key[1] in FIELD_OF_KIND:
            postings = self._postings(FIELD_OF_KIND[key[1]])
            _, tail = fold_plan({name: len(o) for name, o in postings.items()})
            hits: set[int] = set()
            for name in tail:
                if in_fold(name, key[2]):
                    hits.update(postings[name])
            return self._ids(sorted(hits))
        if kind in ("topic", "subject"):
            wanted = key[1].casefold()
            hits = set()
            for path, ordinals in self._postings(kind + "s").items():
                folded = path.casefold()
                if folded == wanted or folded.startswith(wanted + "/"):
                    hits.update(ordinals)
            return self._ids(sorted(hits))
        if kind == "tag":
            ordinal, tags_of = self.ordinal, state.tags_of
            return self._ids(sorted(ordinal[i] for i in state.tagged_ids()
                                    if i in ordinal and is_under_path(key[1], tags_of(i))))
        if kind == "untagged":
            tagged = state.tagged_ids()
            return [i for i in self.ids if i not in tagged]
        if kind == "unread":
            read = state.read_ids()
            return [i for i in self.ids if i not in read]
        if kind == "group" and key[1] == "Tags":
            tagged = state.tagged_ids()
            return [i for i in self.ids if i in tagged]
        if kind == "date":
            return [d["id"] for d in items if (d.get("date") or "").startswith(key[1])]
        if kind == "group" and key[1] == "By date":
            return [d["id"] for d in items if d.get("date")]
        if kind == "group" and key[1] in FIELD_OF_GROUP:
            field = FIELD_OF_GROUP[key[1]]
            return [d["id"] for d in items if d.get(field)]
        if kind == "group" and key[1] == "Topics":
            return [d["id"] for d in items if d["topics"]]
        if kind == "group" and key[1] == "Subjects":
            return [d["id"] for d in items if d.get("subjects")]
        return list(self.ids)


def build_tree(source: TreeSource, within: Collection[str] | None = None,
               saved: Sequence[tuple[str, int]] = (),
               feeds: Sequence[Subscription] = ()) -> list[TreeNode]:
    """The whole tree: All items, Unread, Feeds (when subscribed to any), Topics,
    People, Places, Organisations, Tags, Untagged, Saved searches. With ``within`` (the
    current search results) every count is of those items only: a faceted view that
    shows where the matches are.

    One-shot: the TUI keeps a ``TreeIndex`` instead, so a tag operation does not
    recount every item's topics and entities."""
    index = TreeIndex(source.items())
    return index.tree(_SourceState(source, index.ids), within, saved, feeds)


def select(key: NodeKey, source: TreeSource,
           feeds: Sequence[Subscription] = ()) -> list[str]:
    """The ids a node selects, in original order (one-shot, like ``build_tree``)."""
    index = TreeIndex(source.items())
    return index.select(key, _SourceState(source, index.ids), feeds)
