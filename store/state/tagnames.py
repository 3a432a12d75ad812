"""Tag names: what is allowed, and how two spellings are recognised as one tag."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from store.errors import StoreError
from store.text.clean import sanitize

TAG_MAX = 64


class TagNameError(StoreError):
    """A tag name that cannot be used, with the reason."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"Tag {name!r} refused: {reason}.")


def clean_tag(raw: str) -> str:
    """Trim a tag (and each ``/`` level of it) or raise TagNameError saying why not."""
    if sanitize(raw) != raw or "\t" in raw or "\n" in raw:
        raise TagNameError(raw, "it contains control characters")
    name = "/".join(part.strip() for part in raw.strip().split("/"))
    if not name:
        raise TagNameError(raw, "it is empty")
    if "," in name:
        raise TagNameError(raw, "commas separate tags, so a tag cannot contain one")
    if len(name) > TAG_MAX:
        raise TagNameError(raw, f"it is longer than {TAG_MAX} characters")
    if name[0] in "+-":
        raise TagNameError(raw, "it starts with + or -, which mean add and remove")
    if any(not part for part in name.split("/")):
        raise TagNameError(raw, "a level between slashes is empty")
    return name


def tag_key(name: str) -> str:
    """Tags are unique ignoring case: this is the identity of a tag."""
    return name.casefold()


def is_under(name: str, ancestor: str) -> bool:
    """True if ``name`` is ``ancestor`` or below it in the ``/`` hierarchy (any case)."""
    key, top = tag_key(name), tag_key(ancestor)
    return key == top or key.startswith(top + "/")


def parse_tag_edit(text: str) -> tuple[list[str], list[str]]:
    """``"follow-up, -verify, region/baltics"`` -> (add, remove). Raises TagNameError."""
    add: list[str] = []
    remove: list[str] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if part.startswith("-"):
            remove.append(clean_tag(part[1:]))
        else:
            add.append(clean_tag(part[1:] if part.startswith("+") else part))
    return add, remove


def fuzzy_score(query: str, name: str) -> int | None:
    """How well ``query`` matches ``name`` as a subsequence (higher is better), or None.

    Prefix matches beat matches at a word or level start, which beat scattered ones.
    """
    q, n = query.casefold(), name.casefold()
    if not q:
        return 0
    if n.startswith(q):
        return 1000 - len(n)
    score, pos = 0, 0
    for ch in q:
        found = n.find(ch, pos)
        if found < 0:
            return None
        if found == 0 or n[found - 1] in "/-_ .":
            score += 10
        elif found == pos:
            score += 5
        pos = found + 1
    return score - len(n) // 4


def complete_tag(query: str, names: Iterable[str], limit: int = 8) -> list[str]:
    """The best ``limit`` fuzzy matches for ``query`` among ``names``."""
    scored = [(s, name) for name in names if (s := fuzzy_score(query, name)) is not None]
    scored.sort(key=lambda pair: (-pair[0], pair[1].casefold()))
    return [name for _, name in scored[:limit]]


def shared_tags(tag_lists: Sequence[Sequence[str]]) -> tuple[list[str], list[tuple[str, int]]]:
    """Of several items' tags: the ones every item has, and the ones only some have
    (with how many), each in the order first met; names are matched ignoring case."""
    counts: dict[str, int] = {}
    shown: dict[str, str] = {}
    for tags in tag_lists:
        for key in dict.fromkeys(tag_key(t) for t in tags):
            counts[key] = counts.get(key, 0) + 1
        for tag in tags:
            shown.setdefault(tag_key(tag), tag)
    total = len(tag_lists)
    shared = [shown[k] for k, n in counts.items() if n == total]
    partial = [(shown[k], n) for k, n in counts.items() if n < total]
    return shared, partial
