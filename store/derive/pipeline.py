"""What newsdesk derives from an item's text: topics (rules) and entities (extraction).

Derived at import and when the rules or the extractor change — never at start-up.
People are resolved across the whole store ("Tusk" -> "Donald Tusk" when the store
names exactly one Tusk), so each item keeps the names as found (``people_raw``) and
the resolved ones (``people``), and resolution is redone when new names arrive.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from store.derive.rules import TopicRules
from store.disk.layout import SUBJECTS_FILE
from store.model import Item
from store.text.clean import mask_wire, source_suffix

# The entity extractor builds its gazetteers when imported (a quarter of a second), so it is
# imported where it is first needed: opening the TUI or a CLI search never pays for it.

Span = tuple[int, int]
Reason = tuple[str, str, list[Span]]
"""(group, node name, body spans): one line of "why is this here"."""

ENTITIES_VERSION = 3
"""Bump when the extractor changes, so stores re-derive their entities once."""
DERIVE_CHARS = 50_000
"""Topics, entities and "why here" come from the first this-many characters of a text:
all of a 1 MB item would cost seconds at import and at every display of it."""


def derive(item: Item, rules: TopicRules, with_entities: bool = True) -> None:
    """Fill in ``topics`` (and ``people_raw``, ``places``, ``orgs``) from the text."""
    text = _text(item)
    item["topics"] = rules.topics_for(text)
    if with_entities:
        from store.derive.entities.extract import entities

        found = entities(text if not title_cased(item.get("title", "")) else _text(item, False))
        item["people_raw"] = found["people"]
        item["people"] = list(found["people"])
        item["places"] = found["places"]
        item["orgs_raw"] = found["orgs"]
        item["orgs"] = list(found["orgs"])


PARALLEL_FROM = 2000
"""Below this many items a process pool costs more than it saves. Measured on two cores
(whole `newsdesk import`, wall): 1,000 items 2.0 s serial, 2.1 s in the pool; 3,800 wire
stories 6.9 s serial, 6.2 s in the pool (at 4,000 they were derived serially)."""
CHUNK = 2000
"""Items per job sent to a worker: small enough that the workers start while the items
are still being made and finish together; large enough that a job's overhead is noise."""

DERIVED_FIELDS = ("topics", "people_raw", "people", "places", "orgs_raw", "orgs")
"""What ``derive`` fills in."""
_RULES: TopicRules | None = None
"""The rules, in a worker (set once by the pool's initializer)."""


def _start_worker(rules: TopicRules, parent: int) -> None:
    """In a new worker: keep the rules, and die with the importing process.

    The workers are forked while the import holds the store's lock, so they hold
    the lock's descriptor too. When an import was killed, its workers stayed
    (blocked, waiting for jobs) and the store stayed "busy" until they were
    killed by hand. On Linux the kernel now kills them with their parent.
    """
    global _RULES
    _RULES = rules
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # it died before that took effect
            os._exit(1)


def _derive_texts(texts: list[tuple[str, str]]) -> list[tuple[Any, ...]]:
    """In a worker: the derived fields of each (title, body)."""
    assert _RULES is not None
    out = []
    for title, body in texts:
        item: Item = {"title": title, "body": body}
        derive(item, _RULES)
        out.append(tuple(item[k] for k in DERIVED_FIELDS))  # type: ignore[literal-required]
    return out


class Deriving:
    """``derive`` every item given to ``add``; the fields are filled in by ``finish``.

    With many items (``expected`` of them) the work goes to a process pool on all
    cores as the items arrive, a chunk at a time, so the workers derive while the
    caller is still making the next items (at 100k items making them took 7 s on
    the main process while the cores idled, then deriving took 45 s on two). Only
    the title and body go to a worker and only the derived fields come back.
    Until ``finish`` no item changes, as when the items were derived all at the end.
    """

    def __init__(self, rules: TopicRules, expected: int) -> None:
        self.rules = rules
        self.items: list[Item] = []
        self.jobs: list[Any] = []  # futures, one per self.chunk of self.items
        self.workers = min(os.cpu_count() or 1, 8)
        self.parallel = expected >= PARALLEL_FROM and self.workers >= 2
        self.chunk = min(CHUNK, max(100, -(-expected // (2 * self.workers))))
        """Items per job: CHUNK, or fewer, so that a few thousand items still make two
        jobs a worker and the workers finish together."""
        self.pool: Any = None

    def add(self, item: Item) -> None:
        self.items.append(item)
        if self.parallel and len(self.items) - len(self.jobs) * self.chunk >= self.chunk:
            self._submit()

    def _submit(self) -> None:
        if self.pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # Build the gazetteers once, here, before the fork: each worker would
            # build its own copy (0.25 s or more each), and this process needs them
            # for resolve_all after the derivation anyway.
            import store.derive.entities.extract  # noqa: F401

            fork = sys.platform != "win32" and "fork" in multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if fork else "spawn")
            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                            initializer=_start_worker,
                                            initargs=(self.rules, os.getpid()))
        a = len(self.jobs) * self.chunk
        texts = [(item.get("title", ""), item.get("body", ""))
                 for item in self.items[a:a + self.chunk]]
        self.jobs.append(self.pool.submit(_derive_texts, texts))

    def finish(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Wait for the workers and fill in every item's derived fields, reporting
        ``progress(done, total)`` items as each chunk comes back (it can take a while
        after the items are made: deriving is most of an import's work)."""
        total = len(self.items)
        try:
            if self.jobs or (self.parallel and total >= PARALLEL_FROM):
                while len(self.jobs) * self.chunk < total:
                    self._submit()
                for n, job in enumerate(self.jobs):
                    if progress is not None:
                        progress(min(n * self.chunk, total), total)
                    chunk = self.items[n * self.chunk:(n + 1) * self.chunk]
                    for item, fields in zip(chunk, job.result(), strict=True):
                        item.update(zip(DERIVED_FIELDS, fields, strict=True))  # type: ignore[typeddict-item]
            else:
                for n, item in enumerate(self.items):
                    if progress is not None and n % 500 == 0:
                        progress(n, total)
                    derive(item, self.rules)
            if progress is not None:
                progress(total, total)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the workers (also when the import failed: nothing is left running)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def derive_many(items: list[Item], rules: TopicRules) -> None:
    """``derive`` every item, on all cores when there are many."""
    deriving = Deriving(rules, len(items))
    for item in items:
        deriving.add(item)
    deriving.finish()


def resolve_all(docs: Iterable[Item]) -> int:
    """Re-resolve people and organisations across ``docs`` in place (each item keeps
    the names as found in ``people_raw`` and ``orgs_raw``); returns how many changed."""
    table = {str(n): doc for n, doc in enumerate(docs)}
    changed = 0
    for key, people, orgs in resolve_names(table):
        table[key]["people"], table[key]["orgs"] = people, orgs
        changed += 1
    return changed


def resolve_names(docs: Mapping[str, Item]) -> Iterator[tuple[str, list[str], list[str]]]:
    """``(key, people, orgs)`` of each of ``docs`` (key -> item) whose people or
    organisations resolve differently across them all; the items are not changed."""
    from store.derive.entities.merge import resolve_orgs, resolve_people

    items = list(docs.values())
    people = resolve_people([d.get("people_raw", d.get("people", [])) for d in items])
    orgs = resolve_orgs([d.get("orgs_raw", d.get("orgs", [])) for d in items])
    for key, doc, names, org_names in zip(docs, items, people, orgs, strict=True):
        if doc.get("people") != names or doc.get("orgs") != org_names:
            yield key, names, org_names


def title_cased(title: str) -> bool:
    """Is ``title`` in Headline Case ("Wall St. Bears Claw Back Into the Black")? Its
    capitals then say nothing about names, so entities are read from the body alone."""
    words = [w for w in title.split() if len(w) > 3 and w[:1].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _text(item: Item, with_title: bool = True) -> str:
    """What is derived from: the title (without its source credit) and the body (without
    its byline, dateline and credit: they name the wire, not the story)."""
    title, body = item.get("title", "") if with_title else "", mask_wire(item.get("body", ""))
    title = title[:source_suffix(title)]
    text = body if not title or body.lstrip().startswith(title.rstrip("…")) else \
        f"{title}. {body}"
    return text[:DERIVE_CHARS]


def explain(item: Item, rules: TopicRules) -> list[Reason]:
    """Why the item sits where it does: (group, node name, body spans) for each topic
    and entity, for the detail pane's "why is this here" section."""
    from store.derive.entities.extract import GROUPS, extract

    body = item.get("body", "")[:DERIVE_CHARS]
    out: list[Reason] = []
    masked = mask_wire(body)
    for topic, spans in rules.explain(body).items():
        out.append(("topics", topic, spans))
    by_node: dict[tuple[str, str], list[Span]] = {}
    for m in extract(masked):
        found: list[str] = item.get(m.group) or []  # type: ignore[assignment]
        name = _resolved(m.name, found)
        by_node.setdefault((m.group, name), []).append((m.start, m.end))
    for group in GROUPS:
        for (g, name), spans in by_node.items():
            if g == group:
                out.append((group, name, spans))
    return out


def _resolved(name: str, stored: list[str]) -> str:
    """The node a name found in the text was resolved to across the store: itself, or
    the stored name sharing its last word (people) or its first (organisations)."""
    if name in stored or not stored:
        return name
    words = name.split()
    for other in stored:
        parts = other.split()
        if parts[-1] == words[-1] or parts[0] == words[0]:
            return other
    return name


"""Beside items.json: the discovered subjects (``store.derive.subjects.SubjectModel``)."""


def load_subjects(root: Path) -> Any:
    """The store's subject model, or None (none discovered yet, or unreadable)."""
    import orjson

    from store.derive.subjects import SubjectModel

    try:
        return SubjectModel.from_json(orjson.loads((Path(root) / SUBJECTS_FILE).read_bytes()))
    except (OSError, ValueError):
        return None


def update_subjects(root: Path, docs: list[Item], new: list[Item],
                    rediscover: bool = False, model: Any = None) -> bool:
    """File items under subjects. With a model (and not ``rediscover``) only the ``new``
    items are assigned: the others stay put. Without one, subjects are discovered from
    all ``docs`` (when there are enough) and every item is assigned. True when the model
    was (re)discovered. The model is written before the items, atomically. ``model``:
    the store's, when the caller has loaded it already."""
    from store.derive.subjects import DISCOVER_ITEMS, assign_many, discover, features

    if model is None and not rediscover:
        model = load_subjects(root)
    elif rediscover:
        model = None
    fresh = model is None
    terms = None
    if fresh:
        # Terms made once for discovery and filing; of a store too big to hold them all
        # (discovery samples DISCOVER_ITEMS), made a chunk at a time by each.
        terms = [features(d) for d in docs] if len(docs) <= DISCOVER_ITEMS else None
        model = discover(docs, docs=terms)
        if model is None:
            for doc in docs if rediscover else new:
                doc["subjects"] = []
            return False
        save_subjects(root, model)
    assert model is not None  # discovered or loaded above
    targets = docs if fresh else new
    for doc, subjects in zip(targets, assign_many(model, targets, terms, discovering=fresh),
                             strict=True):
        doc["subjects"] = subjects
    return fresh


def save_subjects(root: Path, model: Any) -> None:
    """Write the store's subject model, atomically (before the items filed under it)."""
    import orjson

    from store.disk.atomic import atomic_write

    atomic_write(Path(root) / SUBJECTS_FILE, orjson.dumps(model.to_json()))


def explain_subjects(root: Path, item: Item) -> list[Reason]:
    """"Why here" lines of the item's subjects: the words that put it there."""
    subjects = item.get("subjects") or []
    model = load_subjects(root) if subjects else None
    if model is None:
        return []
    from store.derive.subjects import why

    return [("subjects", path, why(model, item, path)) for path in subjects]
