"""TaggingActions: the main screen's keys that change tags (and read marks one by one),
undo and redo, the tag and saved-search nodes of the tree, and copying.

A mixin of ``MainScreen``, kept apart so the screen module stays a router: every
change goes through ``MainScreen._write`` (one store operation, durable before
anything is redrawn) and the store's own methods.
"""

from __future__ import annotations

from collections.abc import Callable

from store import (
    NodeKey,
    ReadOnlyStoreError,
    TagNameError,
    clean_tag,
    sanitize_line,
    select,
    shared_tags,
)
from store import OpRecord as Record
from tui.rows import copy_text
from tui.screens.confirm import ConfirmScreen
from tui.screens.prompt import PromptScreen
from tui.screens.tag_editor import TagEdit, TagEditorScreen

# Mixed into MainScreen, whose attributes (store, settings, item_list, view, _write…)
# its methods use; it never imports the screen, so the two modules do not loop.
_Base = object


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class TaggingActions(_Base):
    """Tag, repeat, undo/redo, read toggle, rename/delete tree nodes, copy."""

    def _targets(self) -> list[str]:
        marked = self.item_list.marked
        if marked:
            return [i for i in self.item_list.ids if i in marked]
        current = self.item_list.current_id
        return [current] if current else []

    def action_tag(self) -> None:
        """Open the tag editor for the marked items, or the current one."""
        if self._refuse_readonly():
            return
        targets = self._targets()
        if not targets:
            self.notify("No item to tag.", severity="warning")
            return
        title = (f"Tag {plural(len(targets), 'marked item')}" if self.item_list.marked
                 else "Tag this item")
        # Several items: the tags all of them share, and those only some have.
        shared, partial = shared_tags([self.store.state.tags_of(i) for i in targets])
        known = sorted(self.store.state.tag_counts(), key=str.casefold)
        self.app.push_screen(TagEditorScreen(title, known, shared, partial, len(targets)),
                             lambda edit: self._apply_edit(edit, targets))

    def _refuse_readonly(self) -> bool:
        """On a read-only store, say why a change cannot be made (before any typing)."""
        if self.store.readonly:
            self.notify(str(ReadOnlyStoreError(self.store.root)), title="Read-only store",
                        severity="error", timeout=8)
        return self.store.readonly

    def _apply_edit(self, edit: TagEdit | None, targets: list[str]) -> None:
        if not edit:
            return
        add, remove = edit

        def apply() -> None:
            self.last_edit = edit
            self._write(lambda: self.store.state.tag(targets, add, remove))

        if len(targets) > self.settings.confirm_threshold:
            parts = " ".join([f"+{a}" for a in add] + [f"-{r}" for r in remove])
            question = f"Apply {parts} to {plural(len(targets), 'item')}?"
            self.app.push_screen(ConfirmScreen(question), lambda yes: apply() if yes else None)
        else:
            apply()

    def action_repeat_tag(self) -> None:
        """Apply the last tag edit to the current item."""
        current = self.item_list.current_id
        if self.last_edit is None or current is None:
            self.notify("Nothing to repeat yet: tag something with t first.")
            return
        add, remove = self.last_edit
        self._write(lambda: self.store.state.tag([current], add, remove))

    def action_undo(self) -> None:
        """Undo the last tag operation."""
        self._write(self.store.state.undo, nothing="Nothing to undo in this session.")

    def action_redo(self) -> None:
        """Redo the last undone tag operation."""
        self._write(self.store.state.redo, nothing="Nothing to redo in this session.")

    def action_toggle_read(self) -> None:
        """Mark the current item (or the marked ones) read or unread."""
        targets = self._targets()
        if targets:
            read = not self.store.state.is_read(targets[0])
            if self._read_timer is not None:
                self._read_timer.stop()
            self._write(lambda: self.store.state.set_read(targets, read), quiet=True)

    # -- tag and saved-search nodes in the tree --------------------------------------

    def _node_under_cursor(self) -> NodeKey | None:
        node = self.tree.cursor_node
        if self.focused is self.tree and node is not None and node.data is not None:
            if node.data.key[0] in ("tag", "saved"):
                return node.data.key
        return None

    def action_rename_node(self) -> None:
        """Rename the tag (merging into an existing tag) or saved search at the cursor."""
        key = self._node_under_cursor()
        if key is None:
            return
        kind, old = key

        def check(value: str) -> str | None:
            if kind == "saved":
                return None if value.strip() else "A saved search needs a name."
            try:
                clean_tag(value)
            except TagNameError as exc:
                return str(exc)
            return None

        def done(new: str | None) -> None:
            if not new or new.strip() == old:
                return
            if kind == "tag":
                self._write(lambda: self.store.state.rename_tag(old, new))
            else:
                query = self.store.state.saved_searches()[old]
                self._write(lambda: self.store.state.save_search(new, query, replaces=old))

        what = "tag" if kind == "tag" else "saved search"
        self.app.push_screen(PromptScreen(f"Rename {what} {old}", old, check), done)

    def action_delete_node(self) -> None:
        """Delete the tag (saying how many items lose it) or the saved search."""
        key = self._node_under_cursor()
        if key is None:
            return
        kind, name = key
        if kind == "saved":
            question = f"Delete the saved search {name}? (No item changes.)"
            change: Callable[[], Record | None] = lambda: self.store.state.delete_search(name)  # noqa: E731
        else:
            count = len(select(("tag", name), self.store))
            question = f"Delete tag {name} (and tags under it) from {plural(count, 'item')}?"
            change = lambda: self.store.state.delete_tag(name)  # noqa: E731
        self.app.push_screen(ConfirmScreen(question),
                             lambda yes: self._write(change) if yes else None)

    def action_copy(self) -> None:
        """Put the marked items (or the current one) on the clipboard: title, body, id.

        It goes through the terminal (OSC 52), so it works over SSH and in tmux
        (with ``set -g set-clipboard on``), in terminals that allow it.
        """
        targets = self._targets()
        if not targets:
            self.notify("No item to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(copy_text(self.store, targets))
        if len(targets) == 1:
            item = self.store.get(targets[0])
            title = sanitize_line(item["title"]) if item else targets[0]
            what = f"“{title[:40]}…”" if len(title) > 40 else f"“{title}”"
        else:
            what = plural(len(targets), "item")
        self.notify(f"Copied {what} to the clipboard.", timeout=3)
