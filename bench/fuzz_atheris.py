"""Coverage-guided fuzzing with atheris (libFuzzer), for long runs outside CI.

    pip install atheris                      # a wheel exists for CPython 3.11 on x86-64 Linux
    python bench/fuzz_atheris.py import -max_total_time=600
    python bench/fuzz_atheris.py query -runs=1000000
    python bench/fuzz_atheris.py journal -max_total_time=300 corpus/journal/

Targets: ``import`` (every importer, format detection included), ``query`` (the query
parser), ``journal`` (journal lines replayed into user state), ``state`` and ``items``
(the store files' validation), ``tags`` (tag names and tag edits). Arguments after the
target go to libFuzzer (a corpus folder keeps what it found interesting between runs).

Bad input must be reported, never raised: a problem with a position (importers), a
QuerySyntaxError with a position inside the query, a StoreFormatError naming the file,
a TagNameError. Anything else is a crash; libFuzzer then writes the input to
``crash-<sha1>`` and stops. The CI-sized counterpart is tests/test_fuzz_store.py
(Hypothesis); ``NEWSDESK_SOAK=1`` makes that one longer too.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports():
    import orjson

    # The readers are imported lazily by read_bytes: import them here so they are
    # instrumented too (coverage guidance sees only what is imported in this block).
    import store.ingest.importers.feeds  # noqa: F401
    import store.ingest.importers.plain  # noqa: F401
    import store.ingest.importers.tabular  # noqa: F401
    from store.desk import items_from
    from store.errors import StoreFormatError
    from store.ingest.importers import FORMATS, ImportOptions, read_bytes
    from store.search.query import QuerySyntaxError, parse
    from store.state.journal import read_journal, record_problem
    from store.state.tagnames import TagNameError, clean_tag, parse_tag_edit
    from store.state.userstate import UserState, snapshot_state

NAMES = ("f.txt", "f.csv", "f.tsv", "f.json", "f.jsonl", "f.xml", "f")
FAKE = Path("fuzz.json")


def fuzz_import(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    name = NAMES[fdp.ConsumeIntInRange(0, len(NAMES) - 1)]
    forced = fdp.ConsumeIntInRange(0, len(FORMATS))
    options = ImportOptions(format=FORMATS[forced] if forced < len(FORMATS) else None,
                            paragraphs=fdp.ConsumeBool())
    result = read_bytes(fdp.ConsumeBytes(fdp.remaining_bytes()), name, options)
    for problem in result.problems + result.warnings:
        if not problem.positioned:
            raise AssertionError(f"unpositioned problem: {problem}")
    for record in result.records:
        if not record.body.strip():
            raise AssertionError("a record without text")


def fuzz_query(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(200)
    try:
        parse(text)
    except QuerySyntaxError as exc:
        if not 0 <= exc.position <= len(text):
            raise AssertionError(f"position {exc.position} outside {text!r}") from exc


def fuzz_journal(data: bytes) -> None:
    path = Path("/dev/shm" if Path("/dev/shm").is_dir() else "/tmp") / "newsdesk-fuzz.jsonl"
    path.write_bytes(data)
    journal = read_journal(path)
    state = UserState()
    for record in journal.records:
        if record_problem(record) is not None:
            raise AssertionError("an invalid record was returned")
        state.apply(record)


def _json(data: bytes) -> object:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return None


def fuzz_state(data: bytes) -> None:
    value = _json(data)
    if isinstance(value, dict) and all(isinstance(t, dict) for t in value.values()):
        try:
            snapshot_state(value, FAKE)
        except StoreFormatError:
            pass


def fuzz_items(data: bytes) -> None:
    value = _json(data)
    if isinstance(value, dict) and all(isinstance(t, dict) for t in value.values()):
        try:
            items_from(value, FAKE)
        except StoreFormatError:
            pass


def fuzz_tags(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(120)
    try:
        name = clean_tag(text)
    except TagNameError:
        pass
    else:
        if clean_tag(name) != name:
            raise AssertionError(f"clean_tag is not idempotent on {text!r}")
    try:
        parse_tag_edit(text)
    except TagNameError:
        pass


TARGETS = {"import": fuzz_import, "query": fuzz_query, "journal": fuzz_journal,
           "state": fuzz_state, "items": fuzz_items, "tags": fuzz_tags}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        print(f"usage: {sys.argv[0]} {{{','.join(TARGETS)}}} [libFuzzer options]",
              file=sys.stderr)
        raise SystemExit(2)
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
