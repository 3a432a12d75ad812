"""What an import will write, made from the records and the store as read: the new and
refreshed items, matched, derived and with their names resolved; ``Store`` writes it.

Apart from ``store.desk`` because it is the import's logic alone, with no file, lock or
retry in it: the Store calls it once per try and per batch."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, NamedTuple

from store.derive.pipeline import DERIVED_FIELDS, Deriving, resolve_names
from store.derive.rules import TopicRules
from store.ingest.appending import Appending
from store.ingest.dedupe import Identities, ImportReport, refreshed
from store.ingest.importers import Record
from store.model import ITEMS_TABLE, Item, make_item, now_iso
from store.text.clean import item_id as text_id

ProgressCallback = Callable[[int, int, str], None]
"""Called as ``progress(done, total, stage)`` while an import works: stage "importing"
(records made into items), then "deriving" (items whose topics and entities are done),
then "writing"; a batched import first reports "finding subjects" (its sample derived)."""


Derived = tuple[list[str], ...]
"""An item's DERIVED_FIELDS, in order."""


def sample_for_subjects(records: list[Record], rules: TopicRules, size: int,
                        progress: Callable[[int, int], None] | None = None
                        ) -> tuple[list[Item], dict[int, Derived]]:
    """Items made from ``size`` records spread evenly over all of ``records``, derived
    and with their names merged among themselves: what subjects are discovered from
    when an import too big for one write goes in batches (from its first batch alone,
    a file in date order would get the subjects of its first weeks). Also each
    sampled record's derived fields by its index, so that its batch reuses them.
    ``progress(done, total)``: sampled items derived."""
    step = max(len(records) / size, 1.0)
    picks = sorted({int(k * step) for k in range(min(size, len(records)))})
    stamp = now_iso()
    to_derive = Deriving(rules, len(picks))
    made: list[tuple[int, Item]] = []
    try:
        for n in picks:
            item = make_item(records[n], n + 1, stamp)
            if item["body"]:
                to_derive.add(item)
                made.append((n, item))
        to_derive.finish(progress)
    finally:
        to_derive.close()
    derived = {n: tuple(list(item[k]) for k in DERIVED_FIELDS)  # type: ignore[literal-required]
               for n, item in made}
    docs = {str(n): item for n, item in made}
    for doc_id, people, orgs in resolve_names(docs):
        docs[doc_id]["people"], docs[doc_id]["orgs"] = people, orgs
    return list(docs.values()), derived


class ImportPlan(NamedTuple):
    """What an import will write: items.json as read, the items after it, the new or
    refreshed ones (by document id) and the tags the records brought."""

    data: dict[str, Any]
    merged: Mapping[str, Item]
    changes: dict[str, Item]
    import_tags: dict[str, list[str]]
    renamed: set[str]
    """Stored items whose names the new ones re-resolved (written, not re-indexed)."""
    before: Mapping[str, Item]
    """The stored items as read, at least those that change (for the tree's counts)."""
    appending: Appending | None
    """The store as an import that appends saw it (no sealed segment read), or None."""


def plan_import(records: list[Record], data: dict[str, Any], update: bool,
                progress: ProgressCallback | None, report: ImportReport,
                to_derive: Deriving, appending: Appending | None = None,
                earlier: Collection[str] = (), derived: Mapping[int, Derived] | None = None,
                offset: int = 0) -> ImportPlan:
    """Match the records against ``data`` (items.json as read) and make, derive and
    resolve the new and refreshed items: everything but the write. With
    ``appending`` the stored items are known from their segments' digests;
    ``earlier``: documents added by this import's earlier batches."""
    table: dict[str, Item] = data.get(ITEMS_TABLE, {})  # items.json's, as items_from checked
    if appending is not None:
        known, stored_ids = appending.identities()
        position = appending.next_position()
    else:
        known = Identities(table)
        stored_ids = {k: doc["id"] for k, doc in table.items()}
        position = max((int(k) for k in table), default=0) + 1
    stamp = now_iso()
    changes: dict[str, Item] = {}
    import_tags: dict[str, list[str]] = {}
    for done, record in enumerate(records):
        if progress is not None and done % 500 == 0:
            progress(done, len(records), "importing")
        item = make_item(record, position, stamp)
        if not item["body"]:
            continue
        # The normalized text's hash, once: it is the id of a text-only item.
        text_only = not (record.id or item.get("guid") or item.get("url"))
        text_key = item["id"] if text_only else text_id(item["body"])
        doc_id = known.match(item, text_key)
        if doc_id is None:
            pre = derived.get(offset + done) if derived else None
            if pre is None:
                to_derive.add(item)
            else:  # derived already, for the subject sample (``sample_for_subjects``)
                item.update(zip(DERIVED_FIELDS, map(list, pre), strict=True))  # type: ignore[typeddict-item]
            doc_id = str(position)
            changes[doc_id] = item
            known.add(doc_id, item, text_key)
            position += 1
            report.added += 1
        elif update and doc_id in table:
            current = changes.get(doc_id, table[doc_id])
            fresh = refreshed(current, item, bool(record.title and record.title.strip()))
            if fresh is None:
                report.present += 1
            else:
                if fresh["body"] != current["body"]:
                    to_derive.add(fresh)
                fresh["updated_at"] = stamp
                if doc_id not in changes:
                    report.updated += 1
                changes[doc_id] = fresh
                known.add(doc_id, fresh)
        else:
            if doc_id in stored_ids and doc_id not in earlier:
                report.present += 1
            else:
                report.repeated += 1  # an earlier record of this very import
            if doc_id not in changes:
                report.ids.append(stored_ids[doc_id])
                continue  # already stored, not updating: leave its tags alone
        target = changes[doc_id]["id"] if doc_id in changes else stored_ids[doc_id]
        report.ids.append(target)
        for tag in record.tags:
            import_tags.setdefault(tag, []).append(target)
    if progress is not None:
        progress(len(records), len(records), "importing")
    renamed: set[str] = set()
    if changes and appending is not None:
        to_derive.finish(None if progress is None else (
            lambda done, total: progress(done, total, "deriving")))
        moved, before = appending.resolve(changes)
        return ImportPlan(data, appending.items(moved, changes), changes, import_tags,
                           set(moved), before, appending)
    if changes:
        to_derive.finish(None if progress is None else (
            lambda done, total: progress(done, total, "deriving")))
        merged = {**table, **changes}
        for doc_id, people, orgs in resolve_names(merged):
            doc = merged[doc_id]
            if doc_id not in changes:  # a copy: the items as read stay as on disk
                doc = merged[doc_id] = {**doc}
                renamed.add(doc_id)
            doc["people"], doc["orgs"] = people, orgs
    else:
        merged = table
    return ImportPlan(data, merged, changes, import_tags, renamed, table, None)
