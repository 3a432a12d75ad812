"""BrowseView: what the panes show — the tree node, the query, and the ids that follow.

Plain Python (no Textual), so the rules of browsing are tested without a screen:
a query narrows the selected node (or searches everything), tree counts follow the
results (a faceted view), a malformed query keeps the last good results, and saved
searches are nodes with live counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from store import (
    ALL,
    UNREAD,
    MatchAll,
    Node,
    NodeKey,
    QuerySyntaxError,
    Store,
    TreeIndex,
    TreeNode,
    highlight_spans,
    load_counts,
    parse,
)

ORDERS = ("relevance", "newest", "original")
"""What ``S`` cycles through: best match first (while searching), newest first (when
items have dates), the order they were imported."""


@dataclass(frozen=True)
class QueryProblem:
    """Why a query did not parse, and where (0-based position)."""

    message: str
    position: int


class BrowseView:
    """The browsing state of one screen over one store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.node_key: NodeKey = ALL
        self.node_label = "All items"
        self.query_text = ""
        self.query: Node | None = None
        self.results: list[str] | None = None
        self._result_set: tuple[list[str], frozenset[str]] | None = None
        self.everywhere = False
        self.by_relevance = True
        self.newest_first = True
        self._tree_index: TreeIndex | None = None

    # -- state ---------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """Whether search can run now (the index is loaded)."""
        return self.store.search_index is not None

    @property
    def searching(self) -> bool:
        return self.results is not None

    def follows_state(self) -> bool:
        """Whether the list can change when tags, read marks or saved searches do."""
        return (self.results is not None or self.node_key[0] in ("tag", "untagged", "unread",
                                                                 "saved", "feed", "folder")
                or self.node_key in (("group", "Tags"), ("group", "Feeds")))

    def choose(self, key: NodeKey, label: str) -> None:
        """Select a tree node."""
        self.node_key, self.node_label = key, label

    def set_query(self, text: str) -> QueryProblem | None:
        """Run ``text``; on a syntax error keep the last good results and say why."""
        if not text.strip():
            self.clear_query()
            return None
        try:
            node = parse(text)
        except QuerySyntaxError as exc:
            return QueryProblem(exc.message, exc.position)
        self.query_text, self.query = text, node
        self.rerun()
        return None

    def clear_query(self) -> None:
        """Back to browsing without a query."""
        self.query_text, self.query, self.results = "", None, None

    def rerun(self) -> None:
        """Search again (after a tag change, a toggle, or the index arriving)."""
        if self.query is None or not self.ready:
            return
        order = "relevance" if self.by_relevance else "original"
        self.results = self.store.search(self.query, order=order)

    # -- what the panes show -------------------------------------------------------

    def node_ids(self) -> list[str]:
        """The selected node's items, in original order (a saved search: its results)."""
        if self.node_key[0] == "saved":
            query = self.store.state.saved_searches().get(self.node_key[1])
            if query is None or not self.ready:
                return []
            try:
                return self.store.search(query, order="original")
            except QuerySyntaxError:
                return []
        return self.tree_index.select(self.node_key, self.store.state_view,
                                      self.store.feeds.all())

    def list_ids(self) -> list[str]:
        """The list pane: the node's items, narrowed by the query (or all results when
        searching everywhere), best match first while searching, else newest first when
        items have dates (``newest_first``), else in original order."""
        if self.results is None:
            ids = self.node_ids()
        elif self.everywhere or self.node_key == ALL:
            ids = self.results
        else:
            inside = set(self.node_ids())
            ids = [i for i in self.results if i in inside]
        if self.results is not None and self.by_relevance:
            return ids
        return self._ordered(ids)

    def _ordered(self, ids: list[str]) -> list[str]:
        """Browsing order: newest first when items have dates (``newest_first``)."""
        if self.newest_first and self.store.has_dates:
            return _by_date(ids, self.store.newest_first())
        return ids

    # -- reading -------------------------------------------------------------------

    @property
    def order(self) -> str:
        """How the list is ordered now: one of ORDERS."""
        if self.results is not None and self.by_relevance:
            return "relevance"
        if self.newest_first and self.store.has_dates:
            return "newest"
        return "original"

    def cycle_order(self) -> str:
        """The next order of ORDERS that applies (relevance only while searching,
        newest only with dates); returns it. Reruns the search when it changes."""
        choices = [o for o in ORDERS if (o != "relevance" or self.searching)
                   and (o != "newest" or self.store.has_dates)]
        now = self.order
        wanted = choices[(choices.index(now) + 1) % len(choices)] if now in choices else now
        if self.searching:
            self.by_relevance = wanted == "relevance"
        if wanted != "relevance":
            self.newest_first = wanted == "newest"
        self.rerun()
        return wanted

    def next_unread(self, ids: Sequence[str], cursor: int,
                    nodes: Sequence[TreeNode]) -> tuple[NodeKey | None, str, str] | None:
        """Where ``n`` goes: (node, its label, item) of the next unread item after
        ``cursor`` in the list ``ids``; past the end, the first unread item of the next
        tree node (in the tree's order, ``nodes``) that has one, wrapping round; last,
        the list's own first unread. The node is None when it is the current one.
        A search stays in its results. None when nothing is unread."""
        is_read = self.store.state.is_read
        here = next((i for i in range(cursor + 1, len(ids)) if not is_read(ids[i])), None)
        if here is not None:
            return None, self.node_label, ids[here]
        if not self.searching and self.node_key != ALL:
            keys = [(n.key, n.name) for n in _walk(nodes) if n.count > 0 and _browsable(n.key)]
            at = next((i for i, (k, _) in enumerate(keys) if k == self.node_key), -1)
            for key, name in keys[at + 1:] + keys[:max(at, 0)]:
                members = self.tree_index.select(key, self.store.state_view)
                found = next((i for i in self._ordered(members) if not is_read(i)), None)
                if found is not None:
                    return key, name, found
        here = next((i for i in range(min(cursor + 1, len(ids))) if not is_read(ids[i])), None)
        return None if here is None else (None, self.node_label, ids[here])

    def tree(self) -> list[TreeNode]:
        """The tree with counts over the results while searching, over everything else."""
        return self.tree_job()()

    def tree_job(self) -> Callable[[], list[TreeNode]]:
        """``tree`` as a function of what is shown now, to run in a worker: counting
        60,000 results takes ~0.1 s at 100k, and the function reads nothing that the
        UI thread changes meanwhile (TreeIndex locks what it updates)."""
        index_t, state, saved = self.tree_index, self.store.state_view, self.saved_counts()
        feeds = self.store.feeds.all()
        if self.results is None:
            return lambda: index_t.tree(state, None, saved, feeds)
        index = self.store.search_index
        if index is not None and self.query is not None and index_t.aligned(
                index.ordinal_ids()):
            # The results as ordinals: counted without a lookup per result id.
            found = index.matches(self.query, state)
            return lambda: index_t.tree_of(found, state, saved, feeds)
        within = self.result_set
        return lambda: index_t.tree(state, within, saved, feeds)

    @property
    def result_set(self) -> frozenset[str]:
        """The results as a set (made when first needed: 10 ms for 60k results)."""
        results = self.results or []
        if self._result_set is None or self._result_set[0] is not results:
            self._result_set = (results, frozenset(results))
        return self._result_set[1]

    @property
    def tree_index(self) -> TreeIndex:
        """Counts and members of the tree's nodes, kept until the items change (a tag
        operation then recounts only the tagged items, not every item's topics)."""
        items = self.store.items()
        if self._tree_index is None or self._tree_index.items is not items:
            counts = load_counts(self.store.root, self.store.loaded_signature)
            self._tree_index = TreeIndex(items, counts, self.store.ids(), self.store.ordinals())
        return self._tree_index

    def saved_counts(self) -> list[tuple[str, int]]:
        """Each saved search with its live count (-1 while the index is loading)."""
        out = []
        for name, query in self.store.state.saved_searches().items():
            try:
                out.append((name, self.store.count(query) if self.ready else -1))
            except QuerySyntaxError:
                out.append((name, 0))
        return out

    def label(self) -> str:
        """The list pane's title."""
        if self.results is None:
            dated = self.newest_first and self.store.has_dates
            return f"{self.node_label}, newest first" if dated else self.node_label
        scope = "everything" if self.everywhere or self.node_key == ALL else self.node_label
        return f"Search in {scope}, {self.order_label}"

    @property
    def order_label(self) -> str:
        """How the list is ordered, for the pane title."""
        if self.results is not None and self.by_relevance:
            return "best first"
        if self.newest_first and self.store.has_dates:
            return "newest first"
        return "original order"

    def highlights(self, text: str) -> Sequence[tuple[int, int]]:
        """Spans of ``text`` that match the current query."""
        if self.query is None or isinstance(self.query, MatchAll):
            return ()
        return highlight_spans(text, self.query)


def _walk(nodes: Sequence[TreeNode]) -> list[TreeNode]:
    """The nodes in the tree's order (each before its children)."""
    out: list[TreeNode] = []
    for node in nodes:
        out.append(node)
        out.extend(_walk(node.children))
    return out


def _browsable(key: NodeKey) -> bool:
    """A node ``n`` may move to: not a group heading, All items, Unread or a saved
    search (those hold other nodes' items or need the index)."""
    return key[0] not in ("group", "saved") and key not in (ALL, UNREAD)


def _by_date(ids: list[str], newest: list[str]) -> list[str]:
    """``ids`` in the store's newest-first order (O(n), no sort per keystroke)."""
    if len(ids) == len(newest):
        return newest
    wanted = set(ids)
    return [i for i in newest if i in wanted]
