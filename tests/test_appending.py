"""Issue 18: an import (but --update) appends: it reads no sealed segment, only their
digests, and leaves the store exactly as the import that reads everything does: same
items, names merged the same, same report, tags and tree."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from store.desk import Store
from store.disk import segments
from store.disk.layout import ITEMS_FILE, SEGMENT_DIR
from store.ingest import appending
from store.ingest.importers.records import Record
from tui.cli import main

SMALL = 10
PLACES = ["Tallinn", "Riga", "Vilnius", "Gdansk", "Helsinki", "Oslo", "Kyiv", "Warsaw"]
THINGS = ["ferries", "grain exports", "power lines", "rail freight", "fishing quotas",
          "air defence", "port fees", "gas storage", "wind farms", "bond sales"]


@pytest.fixture(autouse=True)
def small_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments of ten items, so a hundred items make ten."""
    monkeypatch.setattr(segments, "SEGMENT_ITEMS", SMALL)
    monkeypatch.setattr("store.desk.SEGMENT_ITEMS", SMALL)


def brief(k: int, rng: random.Random, who: str = "") -> Record:
    place, thing = rng.choice(PLACES), rng.choice(THINGS)
    lead = f"{who} spoke about {thing} in {place} on Monday." if who else \
        f"Officials in {place} discussed {thing} on Monday."
    return Record(body=f"{lead} Brief {k} says talks on {thing} go on this week.",
                  source="briefs.txt", title=f"Brief {k} on {thing}")


def base(n: int = 100) -> list[Record]:
    rng = random.Random(3)
    out = []
    for k in range(n):
        who = "George Bush" if k in (3, 47) else ("Toyota Motor" if k in (15, 16) else "")
        out.append(brief(k, rng, who))
    return out


def batch() -> list[Record]:
    """New items, one already stored, one twice, tags, and names that move stored
    items' nodes: "George W. Bush" is the fullest form of "George Bush", and "Toyota"
    named alone makes "Toyota Motor" join it."""
    rng = random.Random(4)
    new = [brief(200 + k, rng, "George W. Bush" if k == 2 else
                 ("Toyota" if k == 4 else "")) for k in range(14)]
    new[1] = Record(body=new[1].body, source="b.txt", title=new[1].title, tags=["verify"])
    return [*new, base()[5], new[3]]


def snapshot(root: Path) -> dict[str, Any]:
    store = Store.open(root)
    items = [{k: v for k, v in d.items() if k not in ("imported_at",)} for d in store.items()]
    return {"items": items, "tags": {d["id"]: store.state.tags_of(d["id"]) for d in items}}


def tree_json(root: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    capsys.readouterr()
    assert main(["--store", str(root), "tree", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_an_append_leaves_the_store_as_a_whole_import_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    whole, appended = tmp_path / "whole", tmp_path / "appended"
    Store.open(whole, seed=False).import_records(base())
    assert (whole / "subjects.json").exists()  # a model: the new items are assigned to it
    shutil.copytree(whole, appended)
    for digest in (appended / SEGMENT_DIR).glob("*.dig"):
        digest.unlink()  # a store sealed before digests: they are made on first need

    with monkeypatch.context() as patch:  # the import that reads everything
        patch.setattr(Store, "_appending", lambda self: None)
        full_report = Store.open(whole).import_records(batch())

    def no_whole_read(self: object) -> None:
        raise AssertionError("the append read every segment")

    store = Store.open(appended, load=False)
    first = appending.Appending.open(store._storage)  # makes the missing digests
    assert first is not None and len(list((appended / SEGMENT_DIR).glob("*.dig"))) == 10
    read = []
    original = segments.SegmentedItems.sealed
    monkeypatch.setattr(segments.SegmentedItems, "read", no_whole_read)
    monkeypatch.setattr(segments.SegmentedItems, "sealed",
                        lambda self, name: read.append(name) or original(self, name))
    report = Store.open(appended, load=False).import_records(batch())
    monkeypatch.undo()
    assert report.summary() == full_report.summary() == (
        "14 added, 1 already present, 1 duplicate within the file")
    assert report.ids == full_report.ids
    # only the segments naming "George Bush" or "Toyota Motor" were read (and written)
    assert sorted(name[:13] for name in set(read)) == ["seg-000000001", "seg-000000011",
                                                        "seg-000000041"]
    assert snapshot(appended) == snapshot(whole)
    items = snapshot(appended)["items"]
    assert sum("George W. Bush" in d["people"] for d in items) == 3  # 2 stored + 1 new
    assert not any("George Bush" in d["people"] for d in items)
    assert sum("Toyota" in d["orgs"] for d in items) == 3
    assert tree_json(appended, capsys) == tree_json(whole, capsys)
    assert any(d["subjects"] for d in items[-14:])  # assigned to the stored model


def test_an_append_that_moves_no_name_reads_no_segment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "store"
    Store.open(root, seed=False).import_records(base())
    before = {p.name: p.stat().st_ino for p in (root / SEGMENT_DIR).glob("seg-*.json")}
    monkeypatch.setattr(segments.SegmentedItems, "sealed", lambda self, name: pytest.fail(
        f"read {name}"))
    monkeypatch.setattr(segments.SegmentedItems, "read", lambda self: pytest.fail("read all"))
    rng = random.Random(9)
    report = Store.open(root, load=False).import_records([brief(300 + k, rng) for k in range(7)])
    monkeypatch.undo()
    assert report.added == 7
    after = {p.name: p.stat().st_ino for p in (root / SEGMENT_DIR).glob("seg-*.json")}
    assert {k: after[k] for k in before} == before  # none written again
    assert len(Store.open(root)) == 107


def test_a_damaged_digest_is_made_again_from_its_segment(tmp_path: Path) -> None:
    root = tmp_path / "store"
    Store.open(root, seed=False).import_records(base(40))
    digest = sorted((root / SEGMENT_DIR).glob("*.dig"))[1]
    data = json.loads(digest.read_text(encoding="utf-8"))
    data["ids"][0] = 7  # not an id
    digest.write_text(json.dumps(data), encoding="utf-8")
    report = Store.open(root, load=False).import_records(base(40))  # all present again
    assert report.summary() == "0 added, 40 already present"
    assert json.loads(digest.read_text(encoding="utf-8"))["ids"][0] != 7
    head = json.loads((root / ITEMS_FILE).read_text(encoding="utf-8"))
    assert len(head["_meta"]["1"]["segments"]) == 4


def test_a_loaded_store_appends_too_and_sees_its_import(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "store"
    store = Store.open(root, seed=False)
    store.import_records(base())
    opened = []
    original = appending.Appending.open.__func__  # type: ignore[attr-defined]

    def spied(cls: type, storage: segments.SegmentedItems) -> appending.Appending | None:
        view = original(cls, storage)
        opened.append(view)
        return view

    monkeypatch.setattr(appending.Appending, "open", classmethod(spied))
    monkeypatch.setattr(segments.SegmentedItems, "sealed", lambda self, name: pytest.fail(
        f"read {name}"))
    rng = random.Random(11)
    report = store.import_records([brief(400 + k, rng) for k in range(3)])  # the TUI's way
    monkeypatch.undo()
    assert opened and all(view is not None for view in opened)  # it appended
    assert report.added == 3 and len(store) == 103  # reloaded after the write
    assert [d["title"].split(" on ")[0] for d in store.items()[-3:]] == [
        "Brief 400", "Brief 401", "Brief 402"]


def test_a_big_import_goes_in_batches_and_ends_as_one_import_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """More than IMPORT_BATCH records are written batch by batch (bounded memory): the
    same items, names merged the same, the same report (a record repeating one of an
    earlier batch is a duplicate within the file, not "already present")."""
    records = [*base(), *batch()]
    records.insert(70, base()[30])  # repeats a record of the first batch
    whole, batched = tmp_path / "whole", tmp_path / "batched"
    whole_report = Store.open(whole, seed=False).import_records(records)
    writes = []
    original = Store._commit
    monkeypatch.setattr("store.desk.IMPORT_BATCH", 40)
    monkeypatch.setattr(Store, "_commit", lambda self, plan, report: (
        writes.append(len(plan.changes)), original(self, plan, report))[1])
    calls: list[tuple[int, int, str]] = []
    report = Store.open(batched, seed=False).import_records(
        records, progress=lambda done, total, stage: calls.append((done, total, stage)))
    monkeypatch.undo()
    assert writes == [40, 39, 35]  # the repeated records add nothing
    # one bar over the whole import: each batch's stages, then the next batch's
    assert [c for c in calls if c[2] == "writing"] == [(40, 117, "writing"),
                                                       (80, 117, "writing"),
                                                       (117, 117, "writing")]
    sampling = [n for n, c in enumerate(calls) if c[2] == "finding subjects"]
    assert sampling and sampling == list(range(len(sampling)))  # first, before the batches
    assert all(total == 117 and done <= 117 for done, total, _ in calls[len(sampling):])
    assert report.summary() == whole_report.summary() == (
        "114 added, 0 already present, 3 duplicates within the file")
    assert report.ids == whole_report.ids

    def without_subjects(root: Path) -> dict[str, Any]:
        got = snapshot(root)
        assert sum(bool(d["subjects"]) for d in got["items"]) > 0.8 * len(got["items"])
        for d in got["items"]:
            d.pop("subjects")
        return got

    assert without_subjects(batched) == without_subjects(whole)
    trees = [[node for node in tree_json(root, capsys) if node["name"] != "Subjects"]
             for root in (batched, whole)]
    assert trees[0] == trees[1] and {"People", "Places"} <= {n["name"] for n in trees[0]}


def test_an_interrupted_batched_import_says_what_landed_and_resumes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "briefs.jsonl"
    rng = random.Random(5)
    source.write_text("".join(json.dumps({"title": r.title, "text": r.body}) + "\n"
                              for r in (brief(k, rng) for k in range(100))), encoding="utf-8")
    root = tmp_path / "store"
    assert main(["--store", str(root), "init", "--empty"]) == 0
    monkeypatch.setattr("store.desk.IMPORT_BATCH", 40)
    calls = []
    original = Store._import_batch

    def stopped_in_the_second(self: Store, *args: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(self, *args)

    monkeypatch.setattr(Store, "_import_batch", stopped_in_the_second)
    capsys.readouterr()
    assert main(["--store", str(root), "import", str(source)]) == 130
    err = capsys.readouterr().err
    assert "interrupted: the first 40 of 100 records were imported (40 added)" in err
    assert "Run the same import again" in err
    assert len(Store.open(root)) == 40
    monkeypatch.setattr(Store, "_import_batch", original)
    assert main(["--store", str(root), "import", str(source)]) == 0
    assert "60 added, 40 already present" in capsys.readouterr().out
    assert len(Store.open(root)) == 100


def volcano(k: int, rng: random.Random) -> Record:
    place = rng.choice(["Iceland", "Sicily", "Java", "Hawaii", "Chile", "Kamchatka"])
    what = rng.choice(["ash cloud", "lava flow", "eruption", "magma chamber", "tremors"])
    return Record(body=f"The volcano near {place} shows a growing {what}. Report {k} tells of "
                  f"seismologists watching the {what} as villages near the crater leave.",
                  source="v.txt", title=f"Volcano report {k}: {what} near {place}")


def test_a_batched_import_finds_subjects_in_all_its_batches(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file in date order whose later stories are about something new: the subjects
    come from a sample of the whole file, not from its first batch alone, and each
    record is derived once (the sample's fields are reused by its batch)."""
    from store.derive import pipeline

    rng = random.Random(7)
    records = [*base(60), *(volcano(k, rng) for k in range(60))]
    calls = []
    original = pipeline.derive
    monkeypatch.setattr(pipeline, "derive", lambda item, rules, *a: (
        calls.append(1), original(item, rules, *a))[1])
    monkeypatch.setattr("store.desk.IMPORT_BATCH", 40)  # the first batch: no volcano
    report = Store.open(tmp_path / "s", seed=False).import_records(records)
    monkeypatch.undo()
    assert report.added == 120 and len(calls) == 120
    items = Store.open(tmp_path / "s").items()
    first = [d["subjects"][:1] for d in items[:60]]
    late = [d["subjects"][:1] for d in items[60:]]
    assert sum(bool(s) for s in late) >= 0.8 * len(late)
    shared = {s[0] for s in late if s} & {s[0] for s in first if s}
    assert sum(bool(s) and s[0] in shared for s in late) <= 0.1 * len(late)
