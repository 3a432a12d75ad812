"""ReadingActions: the main screen's reading flow, the newsboat way.

Enter opens the item (the detail pane takes the focus, or on a small screen a reader
view fills it); Esc and q go back. An item becomes read when opened, or when the
cursor rests on it ``mark_read_after`` seconds while the list has the focus (so a
search being typed, or run over the list, reads nothing). ``n`` goes to the next
unread item (on to the next tree node that has one), ``A`` marks the whole list read
(undoable), ``o`` opens the link, ``S`` cycles the order.

A mixin of ``MainScreen``: the rules live in ``tui.view.BrowseView`` and
``tui.links``; writes go through ``MainScreen._write`` and the store's methods.
"""

from __future__ import annotations

from textual import events, work

from tui.links import open_link
from tui.widgets.item_list import ItemList

# Mixed into MainScreen, whose attributes (store, settings, item_list, view, _write…)
# its methods use; it never imports the screen, so the two modules do not loop.
_Base = object

READER_HEIGHT = 30
"""Below this many rows Enter opens the item in a reader view (the whole screen):
the detail pane under the list would show only a few lines of it."""


class ReadingActions(_Base):
    """Open and close an item, read marks, next unread, mark all read, links, order."""

    def on_item_list_selected(self, event: ItemList.Selected) -> None:
        """Enter (or a double click) in the list: open the item."""
        self.open_item(event.item_id)

    def open_item(self, item_id: str | None) -> None:
        """Show ``item_id`` in the detail pane and give it the focus (a reader view on a
        small screen or with the pane hidden); the item becomes read."""
        if item_id is None or not self.store.loaded:
            return
        self._stop_read_timer()
        self._detail_id = item_id
        self._draw_detail()
        if not self.store.readonly and not self.store.state.is_read(item_id):
            self._write(lambda: self.store.state.set_read([item_id], True), quiet=True)
        if not self._detail_shown:  # hidden with ]: shown for the reading, hidden after
            self._detail_shown, self._reader_hides = True, True
            self._fit_to(self.size)
        if self._reader_hides or self.size.height < READER_HEIGHT:
            self.maximize(self.detail, container=False)
        self.set_focus(self.detail)

    def action_close_item(self) -> None:
        """Esc or q in the detail: back to the list."""
        if self.maximized is not None:
            self.minimize()
        if self._reader_hides:
            self._detail_shown, self._reader_hides = False, False
            self._fit_to(self.size)
        self.set_focus(self.item_list)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget is self.item_list:  # back in the list: the rest counts from now
            self._arm_read_timer(self.item_list.current_id)
        else:
            self._stop_read_timer()

    def _arm_read_timer(self, item_id: str | None) -> None:
        """Mark ``item_id`` read once the cursor has rested on it ``mark_read_after``
        seconds with the list focused (0 or false: only opening reads)."""
        self._stop_read_timer()
        delay = self.settings.mark_read_after
        if (item_id and delay and not self.store.readonly and self.store.loaded
                and self.focused is self.item_list and not self.store.state.is_read(item_id)):
            self._read_timer = self.set_timer(delay, lambda: self._mark_read(item_id))

    def _stop_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None

    def _mark_read(self, item_id: str) -> None:
        self._read_timer = None
        if (self.item_list.current_id == item_id and self.focused is self.item_list
                and not self.store.readonly):
            self._write(lambda: self.store.state.set_read([item_id], True), quiet=True)

    def action_next_unread(self) -> None:
        """Go to the next unread item, on to the next tree node with one."""
        found = self.view.next_unread(self.item_list.ids, self.item_list.cursor,
                                      self.tree.nodes)
        if found is None:
            where = "in the results" if self.view.searching else "anywhere"
            self.notify(f"No unread items {where}.", timeout=3)
            return
        key, label, item_id = found
        if key is not None and key != self.node_key:
            self.tree.choose(key)
            self._show_node(key, label)
            self.notify(f"Next unread: {label}", timeout=2)
        self.item_list.move_to(item_id)
        if self.focused is not self.detail:
            self.set_focus(self.item_list)

    def action_mark_all_read(self) -> None:
        """Mark every item of the list read, as one operation u takes back."""
        if self._refuse_readonly():
            return
        unread = [i for i in self.item_list.ids if not self.store.state.is_read(i)]
        if not unread:
            self.notify("Every item in the list is read already.", timeout=3)
            return
        self._stop_read_timer()
        self._write(lambda: self.store.state.set_read(unread, True, undoable=True))

    def action_open_link(self) -> None:
        """Open the current item's link with $BROWSER, else the system's web browser."""
        item = self.store.get(self.item_list.current_id or "")
        if item is None:
            self.notify("No item to open.", severity="warning")
            return
        self._open_link_worker(item.get("url"))

    @work(thread=True, group="browser")
    def _open_link_worker(self, url: str | None) -> None:
        """Starting a browser (or finding none) is not the UI thread's business."""
        opened, message = open_link(url)
        self.app.call_from_thread(self.notify, message,
                                  severity="information" if opened else "warning",
                                  timeout=4 if opened else 8)

    def action_cycle_order(self) -> None:
        """S: best match first (searching), newest first (dated items), original."""
        order = self.view.cycle_order()
        self.search_bar.set_reactive(type(self.search_bar).by_relevance,
                                     self.view.by_relevance)
        self._show_list(keep_cursor=True)
        self.notify(f"Order: {self.view.order_label}"
                    + ("" if order != "original" or self.store.has_dates or self.view.searching
                       else " (the items have no dates)"), timeout=2)
