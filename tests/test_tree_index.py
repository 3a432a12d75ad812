"""TreeIndex counts and selects exactly as a plain scan of every item would.

TreeIndex avoids rescanning items (counts from combinations, members built once,
user state read only for the items that have some), so it is checked against the
obvious implementation on random collections: nested and repeated paths, names
listed twice in one item, items with and without dates, tags and read marks.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.tree import ALL, UNREAD, UNTAGGED, TreeIndex, TreeNode, build_tree, select

PATHS = ["Security", "Security/NATO", "Security/NATO/Baltic", "Economy/Energy", "War"]
# One spelling per path: a node counts its exact path while selecting ignores case
# (tags differing only in case are one tag; only their sub-paths can differ).
NAMES = ["Donald Tusk", "Kyiv", "NATO", "Olaf Scholz", "Paris"]
TAGS = ["region", "region/europe", "region/Asia", "follow-up", "urgent"]
DATES = [None, "2025-01-03T10:00:00Z", "2025-01-28T00:00:00Z", "2024-12-31T23:00:00Z"]

items_strategy = st.lists(st.fixed_dictionaries({
    "topics": st.lists(st.sampled_from(PATHS), max_size=3),
    "people": st.lists(st.sampled_from(NAMES), max_size=3, unique=True),  # as extracted
    "places": st.lists(st.sampled_from(NAMES), max_size=2, unique=True),
    "orgs": st.lists(st.sampled_from(NAMES), max_size=2, unique=True),
    "date": st.sampled_from(DATES),
    "tags": st.lists(st.sampled_from(TAGS), max_size=2, unique_by=str.casefold),
    "read": st.booleans(),
}), max_size=40)


class Source:
    """A store-shaped TreeSource and TreeState over plain items."""

    def __init__(self, raw: list[dict[str, Any]]) -> None:
        self._items = []
        self.tags: dict[str, list[str]] = {}
        self.read: set[str] = set()
        for n, r in enumerate(raw):
            item = {"id": f"id{n}", **{k: r[k] for k in ("topics", "people", "places", "orgs")}}
            if r["date"]:
                item["date"] = r["date"]
            self._items.append(item)
            if r["tags"]:
                self.tags[item["id"]] = r["tags"]
            if r["read"]:
                self.read.add(item["id"])
        self.tags["not-in-store"] = ["region"]  # state may name items not (yet) imported
        self.read.add("not-in-store")

    def items(self) -> Sequence[dict[str, Any]]:
        return self._items

    @property
    def state(self) -> Source:  # its own user facts, as store.state is the store's
        return self

    def tags_of(self, item_id: str) -> Sequence[str]:
        return self.tags.get(item_id, [])

    def is_read(self, item_id: str) -> bool:
        return item_id in self.read

    def tagged_ids(self) -> Collection[str]:
        return self.tags.keys()

    def read_ids(self) -> Collection[str]:
        return self.read


def under(path: str, values: Sequence[str]) -> bool:
    p = path.casefold()
    return any(v.casefold() == p or v.casefold().startswith(p + "/") for v in values)


def naive_select(key: tuple[str, ...], src: Source) -> list[str]:
    """What each node selects, by testing every item."""
    kind = key[0]
    fields = {"person": "people", "place": "places", "org": "orgs"}
    tests = {
        "all": lambda d: True,
        "unread": lambda d: not src.state.is_read(d["id"]),
        "untagged": lambda d: not src.state.tags_of(d["id"]),
        "topic": lambda d: under(key[1], d["topics"]),
        "tag": lambda d: under(key[1], src.state.tags_of(d["id"])),
        "date": lambda d: (d.get("date") or "").startswith(key[1]),
    }
    if kind in fields:
        return [d["id"] for d in src.items() if key[1] in d[fields[kind]]]
    if kind == "group":
        group = {"Topics": "topics", "People": "people", "Places": "places",
                 "Organisations": "orgs", "By date": "date"}.get(key[1])
        if key[1] == "Tags":
            return [d["id"] for d in src.items() if src.state.tags_of(d["id"])]
        return [d["id"] for d in src.items() if group is None or d.get(group)]
    return [d["id"] for d in src.items() if tests[kind](d)]


def keys(nodes: Sequence[TreeNode]) -> list[tuple[str, ...]]:
    return [k for n in nodes for k in [n.key, *keys(n.children)]]


def flat(nodes: Sequence[TreeNode]) -> list[tuple[str, int, tuple[str, ...], int]]:
    return [x for n in nodes for x in [(n.name, n.count, n.key, len(n.children)),
                                       *flat(n.children)]]


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(items_strategy, st.data())
def test_counts_and_members_match_a_plain_scan(raw: list[dict[str, Any]],
                                               data: st.DataObject) -> None:
    src = Source(raw)
    index = TreeIndex(src.items())
    nodes = index.tree(src)
    assert flat(nodes) == flat(build_tree(src))
    for key in keys(nodes) + [ALL, UNREAD, UNTAGGED, ("topic", "security"), ("tag", "REGION")]:
        expected = naive_select(key, src)
        assert index.select(key, src) == expected == select(key, src), key
    # every non-group node counts exactly the items it selects
    for name, count, key, _ in flat(nodes):
        if key[0] not in ("group", "saved"):
            assert count == len(naive_select(key, src)), name
    within = set(data.draw(st.sets(st.sampled_from([d["id"] for d in src.items()] or ["x"]))))
    searched = index.tree(src, within)
    assert flat(searched) == flat(build_tree(src, within))
    everything = sum(1 for d in src.items() if d["id"] in within)
    assert searched[0].count == everything


def test_tag_changes_are_counted_without_rebuilding() -> None:
    src = Source([{"topics": ["War"], "people": [], "places": [], "orgs": [], "date": None,
                   "tags": [], "read": False} for _ in range(5)])
    index = TreeIndex(src.items())
    assert {n.name: n.count for n in index.tree(src)}["Untagged"] == 5
    src.tags["id1"] = ["follow-up"]
    src.read.add("id2")
    counts = {n.name: n.count for n in index.tree(src)}
    assert counts["Untagged"] == 4 and counts["Tags"] == 1 and counts["Unread"] == 4
    assert index.select(("tag", "follow-up"), src) == ["id1"]


def test_counts_follow_tag_and_read_operations_incrementally(tmp_path) -> None:  # noqa: ANN001
    from store.desk import Store
    from store.state.userstate import StateFiles

    store = Store.open(tmp_path / "store")
    ids = store.ids()
    index = TreeIndex(store.items())
    view = store.state_view

    def same() -> bool:
        return flat(index.tree(view)) == flat(build_tree(store))

    assert same()
    store.state.tag(ids[:4], ["region/europe"])
    assert same()
    store.state.tag(ids[2:6], ["follow-up"], ["region/europe"])
    store.state.set_read(ids[::2])
    assert same()
    store.state.undo()
    store.state.set_read(ids[:3], False)
    assert same()
    # another session's operations arrive through sync(), and a compaction reloads
    other = StateFiles(store.root, store._lock, author="other@host")
    other.load()
    other.change_tags(lambda state: ({"urgent": ids[7:9]}, {}), "urgent")
    store.refresh()
    assert same()
    other.compact()
    other.change_tags(lambda state: ({}, {"urgent": ids[7:8]}), "less urgent")
    store.refresh()
    assert same()
    assert index.select(("tag", "urgent"), view) == ids[8:9]


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(items_strategy, st.data())
def test_search_results_as_ordinals_count_like_their_ids(raw: list[dict[str, Any]],
                                                         data: st.DataObject) -> None:
    src = Source(raw)
    index = TreeIndex(src.items())
    found = data.draw(st.frozensets(st.integers(0, max(0, len(raw) - 1)))) if raw \
        else frozenset()
    within = {src.items()[n]["id"] for n in found}
    assert flat(index.tree_of(found, src)) == flat(build_tree(src, within))
    assert index.aligned(list(index.ids)) and not index.aligned(list(reversed(index.ids))) \
        or len(raw) < 2


def test_counts_are_cached_beside_the_items_until_they_change(tmp_path) -> None:  # noqa: ANN001
    from store.desk import Store
    from store.search.cache import items_signature
    from store.tree import TREE_CACHE, load_counts, save_counts

    store = Store.open(tmp_path / "store")
    fresh = TreeIndex(store.items())
    made = load_counts(store.root, store.loaded_signature)  # by the seed's import
    assert made is not None and made.to_json() == fresh.content().to_json()
    (store.root / TREE_CACHE).unlink()
    assert load_counts(store.root, store.loaded_signature) is None
    save_counts(store.root, store.loaded_signature, fresh)
    cached = TreeIndex(store.items(), load_counts(store.root, store.loaded_signature))
    assert cached.cached and flat(cached.tree(store.state_view)) == flat(
        fresh.tree(store.state_view))
    (tmp_path / "more.txt").write_text("NATO met in Vilnius on Tuesday about air defence.\n")
    store.import_files([tmp_path / "more.txt"])
    shifted = load_counts(store.root, store.loaded_signature)  # shifted by the import
    assert shifted is not None and shifted.total == 31
    assert shifted.to_json() == TreeIndex(store.items()).content().to_json()
    # A refreshed item (same url, new text) moves its counts from the old to the new.
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"url": "https://example.org/1", "title": "Drones", "body": "NATO '
                    'drones over Riga, said Mark Rutte."}\n')
    store.import_files([feed])
    feed.write_text('{"url": "https://example.org/1", "title": "Grain", "body": "Grain '
                    'exports from Odesa resumed, Zelenskyy said."}\n')
    assert store.import_files([feed], update=True).updated == 1
    shifted = load_counts(store.root, store.loaded_signature)
    assert shifted is not None and shifted.total == 32
    assert shifted.to_json() == TreeIndex(store.items()).content().to_json()
    old = store.loaded_signature
    with (store.root / "items.json").open("a") as fh:  # edited: stale, recount
        fh.write("\n")
    assert load_counts(store.root, items_signature(store.root)) is None
    assert load_counts(store.root, old) is not None
    (store.root / TREE_CACHE).write_text("{not json")
    assert load_counts(store.root, store.loaded_signature) is None


class _Plain:
    def __init__(self, items: list[dict[str, Any]]) -> None:
        self._items = items

    def items(self) -> list[dict[str, Any]]:
        return self._items

    @property
    def state(self) -> _Plain:  # no user state of its own
        return self

    def tags_of(self, item_id: str) -> list[str]:
        return []

    def is_read(self, item_id: str) -> bool:
        return False


def _widest(node: TreeNode) -> int:
    return max([len(node.children)] + [_widest(c) for c in node.children])


def test_a_long_tail_folds_under_others_and_each_name_stays_selectable() -> None:
    # 150 people seen twice, 900 seen once: more than a node may hold
    items = []
    for n in range(150):
        items += [{"id": f"r{n}a", "people": [f"Repeat {n:03}"]},
                  {"id": f"r{n}b", "people": [f"Repeat {n:03}"]}]
    items += [{"id": f"o{n}", "people": [f"{chr(65 + n % 26)}once {n:03}"]} for n in range(900)]
    for it in items:
        it.update(topics=[], places=[], orgs=[], title="", body="")
    source = _Plain(items)
    people = next(n for n in build_tree(source) if n.name == "People")
    assert all(_widest(n) <= 200 for n in build_tree(source))
    assert people.children[-1].name == "Others"
    assert len(people.children) == 151 and people.children[0].count == 2
    others = people.children[-1]
    assert [b.name for b in others.children][:2] == ["A", "B"]
    bucket = others.children[1]
    assert len(select(bucket.key, source)) == len(bucket.children) == 35
    leaf = bucket.children[0]
    assert select(leaf.key, source) == [next(it["id"] for it in items
                                              if it["people"] == [leaf.name])]
