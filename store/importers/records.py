"""What importers yield: records to add, and problems positioned in their file."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Record:
    """One item as read from a file, before it gets an id and topics."""

    body: str
    source: str
    line: int | None = None
    title: str | None = None


@dataclass(frozen=True)
class Problem:
    """A part of a file that was not imported, and why (``file:line: reason``)."""

    source: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}"


@dataclass
class ImportResult:
    """Records and problems from one file."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
