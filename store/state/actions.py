"""What a user does to a store, apart from its content: tags, read marks, saved searches,
undo and redo. Each call is one operation in the journal (see ``userstate``); the
``Store`` hands this out as ``store.state`` so its own face stays small."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from store.errors import StoreError
from store.state.journal import Record as OpRecord
from store.state.tagnames import clean_tag, is_under, tag_key
from store.state.userstate import StateFiles, UserState
from store.text.clean import sanitize_line


class UserActions:
    """The user-state operations of one store (one session: undo is this session's)."""

    def __init__(self, files: StateFiles, known: Callable[[], Mapping[str, int]]) -> None:
        self.files = files
        self._known = known  # the store's item ids (id -> ordinal): counts skip strays

    def tags_of(self, item_id: str) -> list[str]:
        """The item's tags, in the order they were given."""
        return self.files.state.tags.get(item_id, [])

    def is_read(self, item_id: str) -> bool:
        """Whether the item has been read."""
        return item_id in self.files.state.read

    def tag_counts(self) -> dict[str, int]:
        """Every tag in use on an item of this store, with how many items carry it."""
        counts: dict[str, int] = {}
        known = self._known()
        for item_id, tags in self.files.state.tags.items():
            if item_id in known:
                for tag in tags:
                    counts[tag] = counts.get(tag, 0) + 1
        return counts

    def tag(self, ids: Sequence[str], add: Sequence[str] = (),
            remove: Sequence[str] = ()) -> OpRecord | None:
        """Add and remove tags on items, as one undoable operation.

        Names are checked first (TagNameError says why one is refused); a name is
        matched ignoring case, and the first spelling ever given is kept.
        Returns the record written, or None when nothing changed.
        """
        adding = [clean_tag(n) for n in add]
        removing = [clean_tag(n) for n in remove]
        ids = list(dict.fromkeys(ids))
        parts = [f"+{n}" for n in adding] + [f"-{n}" for n in removing]
        label = f"{' '.join(parts)} on {len(ids)} item{'s' if len(ids) != 1 else ''}"
        return self.files.change_tags(
            lambda state: ({n: ids for n in adding}, {n: ids for n in removing}), label)

    def rename_tag(self, old: str, new: str) -> OpRecord | None:
        """Rename a tag and everything under it (``region`` -> ``area`` also moves
        ``region/europe``); items that already carry the target simply keep it."""
        old, new = clean_tag(old), clean_tag(new)

        def plan(state: UserState) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
            add: dict[str, list[str]] = {}
            remove: dict[str, list[str]] = {}
            for item_id, tags in state.tags.items():
                for tag in tags:
                    if is_under(tag, old):
                        remove.setdefault(tag, []).append(item_id)
                        add.setdefault(new + tag[len(old):], []).append(item_id)
            return add, remove

        return self.files.change_tags(plan, f"rename {old} to {new}")

    def delete_tag(self, name: str) -> OpRecord | None:
        """Remove a tag (and the tags under it) from every item."""
        name = clean_tag(name)

        def plan(state: UserState) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
            remove: dict[str, list[str]] = {}
            for item_id, tags in state.tags.items():
                for tag in tags:
                    if is_under(tag, name):
                        remove.setdefault(tag, []).append(item_id)
            return {}, remove

        return self.files.change_tags(plan, f"delete {name}")

    def restore_tags(self, wanted: dict[str, list[str]]) -> OpRecord | None:
        """Set each listed item's tags to exactly the given ones, as one operation
        (``newsdesk tags restore``). Ids not in the store keep their tags for when
        the item is imported."""
        wanted = {i: [clean_tag(t) for t in tags] for i, tags in wanted.items()}

        def plan(state: UserState) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
            add: dict[str, list[str]] = {}
            remove: dict[str, list[str]] = {}
            for item_id, tags in wanted.items():
                keys = {tag_key(t) for t in tags}
                for tag in state.tags.get(item_id, []):
                    if tag_key(tag) not in keys:
                        remove.setdefault(tag, []).append(item_id)
                for tag in tags:
                    add.setdefault(tag, []).append(item_id)
            return add, remove

        return self.files.change_tags(plan, f"restore tags of {len(wanted)} items")

    def undo(self) -> OpRecord | None:
        """Undo this user's latest tag operation; None when there is none."""
        return self.files.undo()

    def redo(self) -> OpRecord | None:
        """Redo this user's latest undone tag operation; None when there is none."""
        return self.files.redo()

    def set_read(self, ids: Sequence[str], read: bool = True, *,
                 undoable: bool = False) -> OpRecord | None:
        """Mark items read or unread; ``undoable`` (mark all read) goes into undo."""
        return self.files.set_read(ids, read, undoable)

    def saved_searches(self) -> dict[str, str]:
        """Saved searches, name -> query, in the order they were saved."""
        return self.files.state.saved

    def save_search(self, name: str, query: str, replaces: str | None = None) -> OpRecord | None:
        """Save a search under ``name`` (renaming ``replaces`` if given)."""
        name = " ".join(sanitize_line(name).split())
        if not name:
            raise StoreError("A saved search needs a name.")
        return self.files.save_search(name, query, replaces)

    def delete_search(self, name: str) -> OpRecord | None:
        """Delete the saved search ``name``."""
        return self.files.delete_search(name)

    def add_import_tags(self, tags: dict[str, list[str]]) -> OpRecord | None:
        """Add tags that came with imported items (tag name -> ids) as ONE undoable
        operation labelled "import tags"; names are checked like any tag."""
        wanted: dict[str, list[str]] = {}
        for name, ids in tags.items():
            wanted.setdefault(clean_tag(name), []).extend(ids)
        count = len({i for ids in wanted.values() for i in ids})
        label = f"import tags on {count} item{'s' if count != 1 else ''}"
        return self.files.change_tags(lambda state: (wanted, {}), label)

