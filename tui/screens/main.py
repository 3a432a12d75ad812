"""MainScreen: the three panes — topic tree, item list, detail — and what links them.

The screen only routes: a tree choice becomes a list of ids (``store.tree.select``),
a list cursor move becomes a detail (``tui.rows.detail_for``), a key becomes a
store operation. Logic that a test should reach lives in ``store``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Sequence
from typing import ClassVar, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.events import Resize
from textual.geometry import Size
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from store import (
    ALL,
    NodeKey,
    SearchIndex,
    Store,
    StoreError,
    TreeIndex,
    TreeNode,
    items_signature,
    items_size,
    load_index,
    preload_extractor,
    save_counts,
)
from store import OpRecord as Record
from tui.config import Settings
from tui.places import load_place, save_place
from tui.rows import IndexRows, StoreRows, detail_for, preview_rows, with_feed_error
from tui.screens.feeding import FeedActions
from tui.screens.prompt import PromptScreen
from tui.screens.reading import ReadingActions
from tui.screens.tag_editor import TagEdit
from tui.screens.tagging import TaggingActions
from tui.view import BrowseView
from tui.widgets.detail_view import DetailView
from tui.widgets.item_list import ItemList
from tui.widgets.key_footer import KeyFooter
from tui.widgets.search_bar import SearchBar
from tui.widgets.topic_tree import TopicTree
from tui.writes import SerialJobs

_OPENS_SOMETHING = frozenset({"tag", "search", "save_search", "rename_node", "delete_node"})
"""Actions that move the focus or open a screen. Their bindings are *priority*
bindings, run as the App receives the key rather than after the focused widget saw
it, so keys typed right after them (a fast typist, a script, a paste) go to the new
input instead of being dispatched to the old focus and lost."""

NARROW_WIDTH = 140
"""Below this many columns the detail pane moves under the list, so titles get the width
(at 120 columns a 100-character title shows 90 of them)."""
TREE_WIDTH = 72
"""Below this many columns the tree folds away (``[`` shows it again), so the list stays
readable; at 80 columns the tree is shown and the list keeps 58 columns."""
MIN_WIDTH, MIN_HEIGHT = 50, 14
"""Below this many columns or rows the panes give way to a "terminal too small" hint."""
READONLY_BANNER = "read-only store: browsing and search work; changes cannot be saved"
"""Docked at the top when the store folder cannot be written."""
T = TypeVar("T")

EAGER_LOAD_BYTES = 2_000_000
"""A store whose items.json is smaller (about 2,000 items) is read before the first
frame; a larger one after it, in a worker."""
DETAIL_DELAY = 0.02
"""Seconds between a cursor move and the detail pane's redraw (a bit over a frame)."""
_NEEDS_ITEMS = frozenset({
    "tag", "repeat_tag", "undo", "redo", "toggle_read", "search", "save_search",
    "cycle_order", "rename_node", "delete_node", "next_unread", "mark_all_read", "open_link",
    "refresh_feeds",
})
"""Actions that wait until the store's items are loaded."""


class MainScreen(TaggingActions, ReadingActions, FeedActions, Screen[None]):
    """The browser: tree on the left, list and detail on the right.

    The keys' work is in two mixins: ``TaggingActions`` (tags, undo, tree nodes, copy)
    and ``ReadingActions`` (open, read marks, next unread, links, order).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", "Next pane", show=False, id="main.focus_next"),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False,
                id="main.focus_previous"),
        Binding("t", "tag", "Tag", priority=True, id="main.tag"),
        Binding("full_stop", "repeat_tag", "Repeat tag", show=False, id="main.repeat_tag"),
        Binding("u", "undo", "Undo", id="main.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="main.redo"),
        Binding("r", "toggle_read", "Read/unread", show=False, id="main.toggle_read"),
        Binding("slash", "search", "Search", priority=True, id="main.search"),
        Binding("enter", "submit_search", "Keep the query, go to the list", show=False,
                priority=True, id="main.submit_search"),
        Binding("s", "save_search", "Save search", show=False, priority=True,
                id="main.save_search"),
        Binding("n", "next_unread", "Next unread", show=False, id="main.next_unread"),
        Binding("A", "mark_all_read", "Mark all read", show=False, id="main.mark_all_read"),
        Binding("o", "open_link", "Open link", show=False, id="main.open_link"),
        Binding("S", "cycle_order", "Order: best/newest/original", show=False,
                id="main.cycle_order"),
        Binding("escape", "leave", "Back", show=False, id="main.leave"),
        Binding("ctrl+g", "toggle_scope", "Search everywhere / in node", show=False,
                id="main.toggle_scope"),
        Binding("e", "rename_node", "Rename", priority=True, id="main.rename_node"),
        Binding("d,delete", "delete_node", "Delete", priority=True, id="main.delete_node"),
        Binding("y", "copy", "Copy", id="main.copy"),
        Binding("R", "refresh_feeds", "Refresh feeds", show=False, id="main.refresh_feeds"),
        Binding("left_square_bracket", "toggle_tree", "Show/hide tree", show=False,
                id="main.toggle_tree"),
        Binding("right_square_bracket", "toggle_detail", "Show/hide detail", show=False,
                id="main.toggle_detail"),
        Binding("z", "toggle_maximize", "Zoom pane", show=False, id="main.maximize"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | tab / shift+tab | Move to the next / previous pane. |
    | t | Tag the current item, or all marked items. |
    | . | Repeat the last tag operation on the current item. |
    | u / ctrl+r | Undo / redo this session's tag operation (kept across restarts). |
    | r | Toggle read / unread. |
    | n | Next unread item (on to the next tree node with one). |
    | A | Mark every item in the list read (u takes it back). |
    | o | Open the item's link ($BROWSER, else the web browser). |
    | S | Order: best match (searching), newest first (dated), original. |
    | escape | Leave the search (or the reader view). |
    | ctrl+g | While searching: search everything, or only the tree node. |
    | / | Search (results update as you type). |
    | s | Save the current search. |
    | e / d | On a tag or saved search in the tree: rename / delete it. |
    | y | Copy the item (or the marked items) to the clipboard, through the terminal. |
    | R | Fetch every subscribed feed in the background; items appear as each answers. |
    | [ / ] | Hide or show the tree / the detail pane. |
    | z | Zoom the focused pane to the whole screen, or back (escape too). |

    None of these is a tmux or screen prefix (ctrl+b, ctrl+a); all are plain keys
    that survive any terminal and SSH.
    """

    ESCAPE_TO_MINIMIZE = False
    """Escape goes to the bindings (the detail's "back", ``action_leave``), which also
    un-zoom: Textual's own minimize would leave the focus in the reader view."""

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        super().__init__()
        self.store = store
        self.settings = settings or Settings()
        self.view = BrowseView(store)
        self.last_edit: TagEdit | None = None
        self._read_timer: Timer | None = None
        self._tree_choice: bool | None = None
        """The user's [ choice: shown / hidden; None: by the width (TREE_WIDTH)."""
        self._detail_shown = True
        self._reader_hides = False
        """The detail pane was hidden when Enter opened an item: hide it on the way back."""
        self._detail_id: str | None = None
        self._detail_queued = False
        self._tree_generation = 0
        self._fetching = False
        self._jobs = SerialJobs()  # store changes and polls: off the UI thread, in order
        self._polling = False

    def compose(self) -> ComposeResult:
        # Classes for the terminal's size before the panes exist: styling them once for
        # the right layout is much cheaper than restyling them all in on_mount.
        self._set_layout_classes(self.app.size)
        if self.store.readonly:
            yield Static(READONLY_BANNER, id="readonly-banner", markup=False)
        with Horizontal(id="panes"):
            yield TopicTree(id="tree")
            with Container(id="content"):
                columns = self.settings.columns
                with Vertical(id="list-pane"):
                    yield SearchBar(id="search")
                    yield ItemList(StoreRows(self.store, self.view.highlights), id="items",
                                   show_tags=None if "tags" in columns else False,
                                   show_dates=None if "date" in columns else False)
                yield DetailView(id="detail")
        yield Static(id="too-small")
        yield Static(id="feeds-status", markup=False)
        yield KeyFooter()

    @property
    def tree(self) -> TopicTree:
        return self.query_one(TopicTree)

    @property
    def item_list(self) -> ItemList:
        return self.query_one(ItemList)

    @property
    def detail(self) -> DetailView:
        return self.query_one(DetailView)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one(SearchBar)

    @property
    def node_key(self) -> NodeKey:
        return self.view.node_key

    # -- wiring --------------------------------------------------------------------

    def on_mount(self) -> None:
        self.tree.border_title = "Topics"
        self.detail.border_title = "Detail"
        self._fit_to(self.app.size)  # before the first frame, so it has the right layout
        self.search_bar.display = False
        self.item_list.focus()
        if not self.store.loaded and items_size(self.store.root) < EAGER_LOAD_BYTES:
            try:  # small: reading it now costs less than a second frame
                self.store.finish_open()
            except StoreError as exc:
                self._load_failed(exc)
                return
        if self.store.loaded:
            self._show_store(self.view.tree())
        else:
            self.item_list.set_label("Loading…")
            self.call_after_refresh(self._load_store)

    def _show_store(self, nodes: Sequence[TreeNode]) -> None:
        """The loaded store: tree, All items with the cursor on the first, polling, search."""
        moved = self.item_list.cursor > 0  # in the list shown while loading
        self.item_list.source = StoreRows(self.store, self.view.highlights)
        self._tree_generation += 1
        self.tree.show_nodes(nodes)
        self.view.choose(ALL, "All items")
        self._show_list(keep_cursor=moved)
        if not moved:
            self._return_to_place()
        self.set_interval(self.settings.poll_interval, self._poll)
        if self.settings.refresh_minutes:
            self.set_interval(self.settings.refresh_minutes * 60, self._timed_refresh)
        self._load_index()
        self.app.warn_store_problems()  # type: ignore[attr-defined]  # NewsdeskApp

    def _return_to_place(self) -> None:
        """Back to the node and item shown when the browser last closed on this store
        (if they are still there: a vanished node leaves All items)."""
        place = load_place(self.store.root)
        if place is None:
            return
        key, item = place
        if key != ALL and self.tree.choose(key):
            node = self.tree.cursor_node
            label = node.data.name if node is not None and node.data is not None else ""
            self._show_node(key, label)
        if item is not None:
            self.item_list.move_to(item)

    def on_unmount(self) -> None:
        if self.store.loaded:  # where the user was, for the next start (the widgets are
            save_place(self.store.root, self.node_key, self._detail_id)  # gone by now)

    @work(thread=True, exclusive=True, group="store")
    def _load_store(self) -> None:
        """Read the store off the UI thread, after the first frame is on screen.

        First the ids and titles that index.bin lists (milliseconds, even at 100k),
        then items.json and the tree counts (a second or more at 100k; parsing holds
        the GIL, so keys typed meanwhile are handled when it is done).
        """
        signature = items_signature(self.store.root)  # what the index is checked against
        rows = preview_rows(self.store)
        if rows is not None:
            shown = threading.Event()
            self.app.call_from_thread(self._show_preview, rows, shown)
            shown.wait(2)
        index = load_index(self.store.root)  # checked whole: the store adopts it
        # Let Textual's writer thread put the frame on the terminal before the parse
        # takes the GIL for a second.
        time.sleep(0.05)
        try:
            # the store keeps the index: one map of index.bin, not two
            self.store.finish_open(adopt=None if index is None else (index, signature))
            nodes = self.view.tree()
        except StoreError as exc:
            self.app.call_from_thread(self._load_failed, exc)
            return
        self.app.call_from_thread(self._show_store, nodes)
        tree_index = self.view.tree_index
        if not tree_index.cached:  # counted this time: the next start reads them
            save_counts(self.store.root, self.store.loaded_signature, tree_index)
        preload_extractor()  # built here, not on the first detail shown

    def _show_preview(self, rows: IndexRows, shown: threading.Event) -> None:
        """List what the index knows while the items load (no tree or detail yet)."""
        self.item_list.source = rows
        self.item_list.set_rows(rows.ids, keep_cursor=False)
        self.item_list.set_label("Loading…")
        self.call_after_refresh(shown.set)

    def _load_failed(self, error: StoreError) -> None:
        self.app.load_error = error  # type: ignore[attr-defined]  # NewsdeskApp
        self.app.exit(return_code=1)

    @work(thread=True, exclusive=True, group="index")
    def _load_index(self) -> None:
        """Load (or, the first time, build) the search index off the UI thread."""
        try:
            self.store.ensure_index().warm()  # numpy's import, here, not on a keystroke
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._index_ready)

    @work(thread=True, exclusive=True, group="facets")
    def _prepare_facets(self, tree_index: TreeIndex, index: SearchIndex) -> None:
        """What the tree counts search results with, before the first search (0.5 s
        at 100k): the per-item facet table, and whether the index's ordinals are ours."""
        tree_index.prepare()
        tree_index.aligned(index.ordinal_ids())

    def _index_ready(self) -> None:
        index = self.store.search_index
        if index is not None:
            self._prepare_facets(self.view.tree_index, index)
        if self.view.query_text or self.search_bar.value.strip():
            self._run_query(self.search_bar.value)
        else:
            self._show_tree()
            self._update_status()

    def _on_resize(self, event: Resize) -> None:
        self._fit_to(event.size)

    def _fit_to(self, size: Size) -> None:
        """Arrange the panes for a terminal of ``size``: detail under the list when narrow,
        no tree when narrower (unless the user asked for it), a hint when too small."""
        width, height = size
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        if self._set_layout_classes(size):
            self.update_node_styles()  # once for all the classes: each restyle costs ms
        show_tree = not self.has_class("-no-tree")
        if too_small:
            if self.maximized is not None:
                self.minimize()
            self.query_one("#too-small", Static).update(Text(
                f"Terminal too small: {width}×{height}.\n"
                f"newsdesk needs {MIN_WIDTH}×{MIN_HEIGHT}; enlarge the window, or q to quit."))
        focused = self.focused
        if focused is None and not too_small or (
            (focused is self.tree and not show_tree)
            or (focused is self.detail and not self._detail_shown)
        ):
            self.item_list.focus()

    def _set_layout_classes(self, size: Size) -> bool:
        """Set the screen's layout classes for ``size`` without restyling; True if any
        changed."""
        width, height = size
        show_tree = width >= TREE_WIDTH if self._tree_choice is None else self._tree_choice
        wanted = {"-narrow": width < NARROW_WIDTH, "-no-tree": not show_tree,
                  "-no-detail": not self._detail_shown,
                  "-too-small": width < MIN_WIDTH or height < MIN_HEIGHT}
        changed = [name for name, on in wanted.items() if self.has_class(name) != on]
        for name in changed:
            self.set_class(wanted[name], name, update=False)
        return bool(changed)

    def _show_node(self, key: NodeKey, label: str, keep_cursor: bool = False) -> None:
        self.view.choose(key, label)
        self._show_list(keep_cursor)

    def _show_list(self, keep_cursor: bool) -> None:
        self.item_list.set_rows(self.view.list_ids(), keep_cursor=keep_cursor)
        self.item_list.set_label(self.view.label())
        self._show_detail(self.item_list.current_id)
        self._update_status()

    def _show_detail(self, item_id: str | None) -> None:
        if not self.store.loaded:
            return
        self._queue_detail(item_id)
        self._arm_read_timer(item_id)

    def _queue_detail(self, item_id: str | None) -> None:
        """Draw ``item_id`` in the detail pane a frame after the key's own change.

        The key's own change (the cursor row, a count) reaches the screen first;
        the detail, whose new text is wrapped and repainted (5-15 ms here), follows
        DETAIL_DELAY later, and keys arriving faster than that coalesce into one
        render of the last item. (``call_after_refresh`` was not enough: the screen
        often runs its callbacks before the list's repaint has reached it, so both
        landed in one frame and the cursor waited for the detail.)
        """
        self._detail_id = item_id
        if not self._detail_queued:
            self._detail_queued = True
            self.set_timer(DETAIL_DELAY, self._draw_detail)

    def _draw_detail(self) -> None:
        self._detail_queued = False
        detail = detail_for(self.store, self._detail_id, self.view.highlights)
        if self.node_key[0] == "feed":
            sub = self.store.feeds.get(self.node_key[1])
            if sub is not None and sub.error:
                detail = with_feed_error(detail, sub)
        self.detail.show(detail)

    def _refresh_views(self, changed: Collection[str] | None = None) -> None:
        """Redraw after a change: counts in the tree, rows, and the detail.

        ``changed``: the items whose tags or read mark changed (None: anything may
        have, new items too). Then only what shows them is redrawn: at 100k items
        recomputing the list or the detail for every tag or read mark would cost
        more than the operation.
        """
        self.view.rerun()
        self._show_tree()
        if changed is None or self.view.follows_state():
            self.item_list.set_rows(self.view.list_ids(), keep_cursor=True)
        self.item_list.refresh_rows(changed)
        current = self.item_list.current_id
        if changed is None or current in changed:
            self._queue_detail(current)
        self._update_status()

    def after_import(self) -> None:
        """New items: reload the index (extended on disk by the import) and redraw."""
        self._load_index()
        self._refresh_views()

    def _poll(self) -> None:
        """Show what another session changed (cheap: a few stats when nothing did).
        The look runs in the store's line of jobs, off the UI thread: re-reading a
        store another process just imported into takes a moment."""
        if self._polling or not self.store.loaded:
            return
        self._polling = True

        def look() -> tuple[bool, object, bool]:
            mark = self.store.state_view.mark()
            items = self.store.items()
            changed = self.store.refresh()
            return changed, mark, self.store.items() is items

        def shown(result: tuple[bool, object, bool]) -> None:
            self._polling = False
            changed, mark, same_items = result
            if changed:
                if self.store.search_index is None:  # another session imported: reload it
                    self._load_index()
                self._refresh_views(self.store.state_view.changed_since(mark)  # type: ignore[arg-type]
                                    if same_items else None)

        def failed(exc: StoreError) -> None:
            self._polling = False
            self.notify(str(exc), severity="error", timeout=8)

        self.store_job(look, shown, failed)

    def store_job(self, job: Callable[[], T], done: Callable[[T], object],
                  failed: Callable[[StoreError], object] | None = None) -> None:
        """Run ``job`` (it takes the store's lock or touches its files) in a worker,
        after every job asked for before it; then ``done(result)`` on the UI thread,
        or ``failed(error)`` for a StoreError (by default: a "Not saved" notice)."""
        ticket = self._jobs.ticket()
        self._run_job(ticket, job, done, failed)

    @work(thread=True, group="store-jobs")
    def _run_job(self, ticket: int, job: Callable[[], T], done: Callable[[T], object],
                 failed: Callable[[StoreError], object] | None) -> None:
        try:
            result = self._jobs.run(ticket, job)
        except StoreError as exc:
            self._from_worker(failed or self._not_saved, exc)
        else:
            self._from_worker(done, result)

    def _from_worker(self, callback: Callable[[T], object], value: T) -> None:
        try:
            self.app.call_from_thread(callback, value)
        except RuntimeError:  # the app has closed: the change is on disk all the same
            pass

    def _not_saved(self, exc: StoreError) -> None:
        self.notify(str(exc), title="Not saved", severity="error", timeout=8)

    def _write(self, change: Callable[[], Record | None], quiet: bool = False,
               nothing: str | None = None,
               then: Callable[[Record | None], object] | None = None) -> None:
        """Make one store change in the line of store jobs: the key that asked for it is
        answered at once, and the change is durable (journalled and fsynced) before
        anything is redrawn. ``nothing`` is said when the change changed nothing."""

        def job() -> tuple[object, Record | None]:
            mark = self.store.state_view.mark()
            return mark, change()

        def done(result: tuple[object, Record | None]) -> None:
            mark, record = result
            if record is not None:
                # What changed: this operation's items, and any another session's
                # operations that the store caught up with first.
                self._refresh_views(self.store.state_view.changed_since(mark))  # type: ignore[arg-type]
                if not quiet and record.get("label"):  # a frame after the change it reports
                    self.call_after_refresh(self.notify, str(record["label"]), timeout=3)
            elif nothing:
                self.notify(nothing)
            if then is not None:
                then(record)

        self.store_job(job, done)

    @on(TopicTree.Chosen)
    def _tree_chosen(self, event: TopicTree.Chosen) -> None:
        if not self.store.loaded:
            return
        if event.vanished:
            # A rebuild lost the node. A search keeps its scope (the node only has no
            # results now); browsing moves to the parent, keeping the list cursor's item.
            if not self.view.searching:
                self.tree.settle()
                self._show_node(event.key, event.label, keep_cursor=True)
            return
        if event.key[0] != "group" or event.key[1] not in ("Saved searches",):
            if event.key != self.node_key:
                self._show_node(event.key, event.label)
        if event.enter:
            self.item_list.focus()

    @on(ItemList.Highlighted)
    def _item_highlighted(self, event: ItemList.Highlighted) -> None:
        self._show_detail(event.item_id)

    # -- search ----------------------------------------------------------------------

    def _update_status(self) -> None:
        bar = self.search_bar
        if not bar.display:
            return
        if not self.view.ready:
            bar.show_status("indexing…")
            return
        scope = "everything" if bar.everywhere else f"in {self.view.node_label}"
        if self.view.results is None:
            bar.show_status(f"type to search {scope} · ctrl+g: scope · ctrl+o: order")
            return
        shown = self.item_list.item_count
        order = "best first" if bar.by_relevance else "original order"
        bar.show_status(f"{shown:,} shown · {len(self.view.results):,} in all · {scope} · "
                        f"{order} · ctrl+g / ctrl+o")

    def _run_query(self, text: str) -> None:
        if not self.view.ready:
            self.view.query_text = text
            self._update_status()
            return
        problem = self.view.set_query(text)
        if problem is not None:
            self.search_bar.show_error(problem.message, problem.position)
            return
        self._show_list(keep_cursor=False)
        self._tree_generation += 1
        self.call_after_refresh(self._count_tree, self._tree_generation)

    def _count_tree(self, generation: int) -> None:
        """Count the tree over the results in a worker, once the results are on screen,
        and show it when it is done: keys typed meanwhile are not held up."""
        if generation == self._tree_generation:
            self._count_tree_worker(self.view.tree_job(), generation)

    @work(thread=True, exclusive=True, group="tree")
    def _count_tree_worker(self, job: Callable[[], list[TreeNode]], generation: int) -> None:
        nodes = job()
        self.app.call_from_thread(self._show_counted, nodes, generation)

    def _show_counted(self, nodes: list[TreeNode], generation: int) -> None:
        if generation == self._tree_generation:  # else the tree has moved on
            self.tree.show_nodes(nodes)

    def _show_tree(self) -> None:
        """Count and show the tree now (and drop a count still running)."""
        self._tree_generation += 1
        self.tree.show_nodes(self.view.tree())

    def action_search(self) -> None:
        """Open the search bar (the query narrows the selected tree node)."""
        if not self.search_bar.display:  # back to here on Esc, however often / is pressed
            self._before_search = (self.view.node_key, self.view.node_label,
                                   self.item_list.current_id)
        self.search_bar.open()
        self._update_status()

    @on(SearchBar.Changed)
    def _search_changed(self, event: SearchBar.Changed) -> None:
        self._run_query(event.query)

    def action_submit_search(self) -> None:
        """Enter in the search bar: run the query now and go to the list.

        A priority binding, so the focus moves before the next key is read: the
        Input's own Enter reaches the screen a few message hops later, and a "/"
        typed right after Enter landed in the old query instead of opening a search.
        """
        query = self.search_bar.submit()
        self.set_focus(self.item_list)
        self._run_query(query)

    @on(SearchBar.OptionsChanged)
    def _search_options(self) -> None:
        self.view.everywhere = self.search_bar.everywhere
        self.view.by_relevance = self.search_bar.by_relevance
        self.view.rerun()
        self._show_list(keep_cursor=True)

    @on(SearchBar.Cancelled)
    def _search_cancelled(self) -> None:
        self.search_bar.close()
        self.view.clear_query()
        key, label, cursor = getattr(self, "_before_search", (ALL, "All items", None))
        self._show_tree()
        self.view.choose(key, label)
        self._show_list(keep_cursor=False)
        if cursor is not None:
            self.item_list.move_to(cursor)
        self.item_list.focus()

    def action_leave(self) -> None:
        """Escape outside the search bar: un-zoom a pane, close the reader view, else
        leave the search."""
        if self.maximized is not None and self.focused is not self.detail:
            self.minimize()
        elif self.maximized is not None or self.focused is self.detail:
            self.action_close_item()
        elif self.search_bar.display:
            self._search_cancelled()

    def action_toggle_scope(self) -> None:
        """ctrl+g in the list: the search covers everything, or only the tree node."""
        self.search_bar.action_toggle_scope()

    def action_save_search(self) -> None:
        """Save the current query under a name; it appears under Saved searches."""
        query = self.view.query_text.strip()
        if not query:
            self.notify("Nothing to save: search first with /.")
            return

        def done(name: str | None) -> None:
            if name and name.strip():
                self._write(lambda: self.store.state.save_search(name, query), quiet=True)
                self.notify(f"Saved search {name.strip()!r}.")

        self.app.push_screen(PromptScreen("Save search as", query), done)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _OPENS_SOMETHING and isinstance(self.focused, Input):
            return False  # typing in the search bar: the key is text, not a command
        if action in _NEEDS_ITEMS and not self.store.loaded:
            return False
        if action == "submit_search":  # else Enter goes to the focused widget
            return self.search_bar.display and self.focused is self.search_bar.input
        if action in ("rename_node", "delete_node"):
            return self._node_under_cursor() is not None
        if action == "save_search":
            return bool(self.view.query_text.strip())
        if action == "leave":  # else Escape does what it did (un-zoom a pane)
            return (self.search_bar.display or self.focused is self.detail
                    or self.maximized is not None)
        if action == "toggle_scope":
            return self.search_bar.display
        return True

    # -- layout and clipboard --------------------------------------------------------

    def action_toggle_tree(self) -> None:
        """Hide or show the topic tree (the choice holds until the next press)."""
        self._tree_choice = self.has_class("-no-tree")
        self._fit_to(self.size)

    def action_toggle_detail(self) -> None:
        """Hide or show the detail pane; the list takes its room."""
        self._detail_shown = not self._detail_shown
        self._fit_to(self.size)

    def action_toggle_maximize(self) -> None:
        """Zoom the focused pane to the whole screen, or back."""
        if self.maximized is not None:
            self.minimize()
        elif self.focused is not None:
            self.maximize(self.focused, container=False)

