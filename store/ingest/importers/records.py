"""What importers yield: records to add, and problems positioned in their file."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Record:
    """One item as read from a file, before it gets an id and topics.

    Everything but ``body`` and ``source`` is optional: a plain-text line has only
    those two, a feed entry may have all of them. ``tags`` are already valid tag
    names (see ``store.state.tagnames.clean_tag``); the store applies them as user state.
    ``id`` is set only when the file carries a newsdesk id (a newsdesk export).
    """

    body: str
    source: str
    line: int | None = None
    title: str | None = None
    date: str | None = None  # ISO-8601 UTC, "YYYY-MM-DDTHH:MM:SSZ"
    url: str | None = None
    author: str | None = None
    guid: str | None = None
    feed: str | None = None  # the feed's (or source's) title
    tags: tuple[str, ...] = ()
    id: str | None = None


@dataclass(frozen=True)
class Problem:
    """A part of a file that was not imported, and why.

    Positioned by ``line`` (``file:line: reason``) for line-based formats, or by
    ``record`` (``file: record N: reason``) for a JSON array or a feed's entries.
    """

    source: str
    line: int | None
    reason: str
    record: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.source}:{self.line}: {self.reason}"
        if self.record is not None:
            return f"{self.source}: record {self.record}: {self.reason}"
        return f"{self.source}: {self.reason}"

    @property
    def positioned(self) -> bool:
        """Whether the problem says where in the file it is."""
        return self.line is not None or self.record is not None


@dataclass
class ImportResult:
    """Records and problems from one file.

    ``problems`` are records that were skipped; ``warnings`` are things that were
    imported anyway but not quite as written (a date that could not be read, a
    tag name that was refused).
    """

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """How the file was read, when that was a guess ("the first row is data")."""
