"""Importers: every format read from files shaped like real ones, detection, dedup,
``--update``, import tags, hostile content, and a fuzz that no input makes them raise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.desk import Store
from store.disk import atomic as storage
from store.ingest.importers import (
    ImportOptions,
    ImportResult,
    MappingError,
    Record,
    detect_format,
    parse_mappings,
    read_bytes,
    read_file,
)
from store.ingest.importers.feeds import read_feed
from store.ingest.importers.plain import read_paragraphs, read_plain
from store.ingest.importers.tabular import read_delimited, read_json, read_jsonl
from store.text.clean import item_id, key_id
from store.text.dates import parse_date
from store.text.html import html_to_text, looks_like_html

FIXTURES = Path(__file__).parent / "fixtures" / "import"
CONTENT = ("title", "body", "date", "url", "author", "guid", "feed", "tags")


def read(name: str, **options: Any) -> ImportResult:
    return read_file(FIXTURES / name, ImportOptions(**options))


def fields(record: Record) -> dict[str, Any]:
    """The record's content, without its source and empty fields."""
    return {k: getattr(record, k) for k in (*CONTENT, "line") if getattr(record, k)}


def problems(result: ImportResult) -> list[str]:
    return [str(p).replace(str(FIXTURES) + "/", "") for p in result.problems]


@pytest.fixture
def empty_store(store_dir: Path) -> Store:
    return Store.open(store_dir, seed=False)


# -- feeds ------------------------------------------------------------------------------


def test_rss2_html_descriptions_become_paragraphs() -> None:
    result = read("rss2.xml")
    assert [fields(r) for r in result.records] == [
        {"title": "Estonia expands drone defence programme",
         "body": "Estonia will spend €200 million on drones.\n\nThe plan was announced on Monday.",
         "date": "2025-02-17T09:00:00Z", "url": "https://wire.example/2025/02/estonia-drones",
         "author": "Kadri Tamm", "guid": "wire-1001", "feed": "Baltic Wire & Friends",
         "tags": ("Defence", "region/baltics")},
        {"title": "Latvia & Lithuania sign grid deal",
         "body": "The two countries agreed to link their grids by 2027.\n\n"
                 "• Cost: €1.2 billion\n• Length: 300 km",
         "date": "2025-02-18T08:30:00Z", "url": "https://wire.example/2025/02/grid",
         "guid": "https://wire.example/2025/02/grid", "feed": "Baltic Wire & Friends",
         "tags": ("Energy", "Grid")},
        {"title": "Ferry strike ends",  # content:encoded wins over the shorter description
         "body": "Ferry workers in Tallinn returned to work after a two-day strike.\n\n"
                 "Talks continue…",
         "date": "2025-02-19T07:15:00Z", "url": "https://wire.example/2025/02/ferry",
         "feed": "Baltic Wire & Friends"},
    ]
    assert problems(result) == ["rss2.xml: record 4: the entry has no title and no text; skipped"]
    assert all(r.source.endswith("rss2.xml") for r in result.records)


def test_atom_html_and_xhtml_titles_and_content() -> None:
    result = read("atom.xml")
    assert [fields(r) for r in result.records] == [
        {"title": "Finland reopens border crossing",
         "body": "Finland reopened the Vaalimaa crossing on Tuesday.\n\n"
                 "Traffic was light & orderly.",
         "date": "2025-02-18T07:00:00Z", "url": "https://nordic.example/finland-border",
         "author": "Aino Virtanen", "guid": "urn:nordic:2001", "feed": "Nordic Desk",
         "tags": ("borders",)},
        {"title": "Sweden joins exercise",
         "body": "Swedish ships joined the exercise.\n\nIt runs until March.\nMore soon.",
         "date": "2025-02-17T16:45:00Z", "url": "https://nordic.example/sweden-exercise",
         "guid": "urn:nordic:2002", "feed": "Nordic Desk"},
        # A text title keeps its angle brackets; a urn id is not taken for a web address.
        {"title": "Plain text title <not a tag>", "body": "Norway's parliament debated the budget.",
         "date": "2025-02-16T08:00:00Z", "guid": "urn:nordic:2003", "feed": "Nordic Desk"},
    ]
    assert result.problems == [] and result.warnings == []


def test_rss1_rdf() -> None:
    result = read("rdf.xml")
    assert [fields(r) for r in result.records] == [
        {"title": "Poland orders tanks", "body": "Poland ordered 180 more tanks.",
         "date": "2025-02-15T11:00:00Z", "url": "https://old.example/a",
         "guid": "https://old.example/a", "feed": "Old Desk", "tags": ("defence",)},
        {"title": "Danish election called", "body": "Denmark will vote on 1 April.",
         "date": "2025-02-14T00:00:00Z", "url": "https://old.example/b",
         "guid": "https://old.example/b", "feed": "Old Desk"},
    ]


def test_feed_from_bytes_never_opens_a_path_or_url(tmp_path: Path) -> None:
    feed = tmp_path / "secret.xml"
    feed.write_bytes((FIXTURES / "rss2.xml").read_bytes())
    # feedparser.parse("<a path>") would open the file; we must hand it the bytes.
    for data in (str(feed).encode(), b"file://" + str(feed).encode(), b"http://127.0.0.1:9/"):
        result = read_feed(data, "odd.xml")
        assert result.records == []
        assert [p.line for p in result.problems] == [1]


def test_not_a_feed_is_one_positioned_problem() -> None:
    result = read_bytes(b"<?xml version='1.0'?>\n<html><body>hi</body></html>", "page.xml")
    assert result.records == []
    assert len(result.problems) == 1 and "not an RSS or Atom feed" in str(result.problems[0])


def test_empty_feed_is_fine() -> None:
    result = read_bytes(b"<rss version='2.0'><channel><title>x</title></channel></rss>", "e.rss")
    assert result.records == [] and result.problems == []


# -- CSV, TSV, JSON Lines, JSON ---------------------------------------------------------


def test_csv_with_bom_quoted_commas_and_broken_rows() -> None:
    result = read("briefs.csv")
    assert [fields(r) for r in result.records] == [
        {"title": "Oslo, Bergen rail link opens",
         "body": "The line between Oslo and Bergen reopened after repairs, officials said.",
         "date": "2025-02-17T10:00:00Z", "url": "https://rail.example/oslo",
         "tags": ("transport", "region/nordics"), "line": 2},
        {"title": "Harbour fees rise",
         "body": 'Port of Gdansk raises fees by 4% from March; "temporary", says operator.',
         "date": "2025-02-17T00:00:00Z", "url": "https://port.example/fees", "line": 3},
        {"title": "Multi-line brief", "body": "First line of the brief.\nSecond line of the brief.",
         "date": "2025-02-17T10:00:00Z", "line": 5},
        {"title": "Last good row", "body": "After the broken one everything still imports.",
         "date": "2025-02-19T08:00:00Z", "url": "https://last.example", "line": 8},
    ]
    assert problems(result) == [
        "briefs.csv:4: expected 5 fields, found 6; row skipped",
        "briefs.csv:7: unclosed quote; row skipped",
    ]


def test_unclosed_quote_mid_file_loses_only_its_row() -> None:
    data = b'title,body\nA,"opens here\nB,fine row\nC,"closed, properly"\n'
    result = read_delimited(data, "q.csv", ",", {})
    assert [(r.title, r.body) for r in result.records] == [
        ("B", "fine row"), ("C", "closed, properly")]
    assert [str(p) for p in result.problems] == ["q.csv:2: unclosed quote; row skipped"]


def test_csv_without_a_text_column_says_to_map_one() -> None:
    result = read_bytes(b"a,b\n1,2\n", "x.csv")
    assert result.records == []
    assert str(result.problems[0]).startswith("x.csv:1: the header names no text column")


def test_tsv() -> None:
    result = read("briefs.tsv")
    assert [fields(r) for r in result.records] == [
        {"title": "TSV one", "body": "First tab-separated story.", "date": "2025-02-17T00:00:00Z",
         "tags": ("feeds",), "line": 2},
        {"title": "TSV two", "body": "Second story, with a comma.",
         "date": "2025-02-17T12:00:00Z", "line": 3},
    ]


def test_jsonl_bad_lines_are_positioned_and_the_rest_lands() -> None:
    result = read("briefs.jsonl")
    assert [fields(r) for r in result.records] == [
        {"title": "Riga hosts summit", "body": "Leaders met in Riga on Monday.",
         "date": "2025-02-17T09:00:00Z", "url": "https://j.example/riga",
         "tags": ("summit", "region/baltics"), "line": 1},
        {"body": "Vilnius opens a new bridge.", "date": "2025-02-17T10:00:00Z",
         "author": "R. Jonaitis", "line": 3},
        {"body": "Tallinn & Helsinki plan a tunnel.\n\nCosts are unclear.",
         "url": "https://j.example/tunnel", "tags": ("infrastructure", "region/baltics"),
         "line": 6},
    ]
    assert problems(result) == [
        "briefs.jsonl:2: not valid JSON: Expecting ',' delimiter (column 49); line skipped",
        "briefs.jsonl:4: expected a JSON object, found an array; line skipped",
        "briefs.jsonl:5: no text (looked for body, text, summary, content, description, title)",
    ]


def test_json_array_with_odd_field_names_and_map() -> None:
    mapping = parse_mappings(["title=Headline", "TEXT=Story", "date=When", "url=Permalink",
                              "tags=Labels"])
    result = read("odd-fields.json", mapping=mapping)
    assert [fields(r) for r in result.records] == [
        {"title": "Warsaw budget passes", "body": "The city council passed the budget 31 to 12.",
         "date": "2025-02-15T18:30:00Z", "url": "https://odd.example/1", "tags": ("budget",)},
        {"title": "Krakow smog alert", "body": "A smog alert was issued for Krakow.",
         "date": "2025-02-16T00:00:00Z", "url": "https://odd.example/2"},
        {"title": "No story here", "body": "No story here"},  # a headline alone is the text
        {"body": "Gdynia port expands."},
    ]
    assert problems(result) == [
        "odd-fields.json: record 3: expected a JSON object, found a string; skipped"]
    assert [str(w).split("/")[-1] for w in result.warnings] == [
        "odd-fields.json: record 5: date 'yesterday-ish' not understood; imported without "
        "a date"]
    # Without the mapping, nothing names the text.
    assert len(read("odd-fields.json").problems) == 5


def test_json_items_wrapper_source_and_id() -> None:
    result = read("wrapped.json")
    assert [fields(r) for r in result.records] == [
        {"title": "Wrapped one", "body": "First wrapped item.", "date": "2025-02-18T08:30:00Z",
         "guid": "w-1", "feed": "Wrapper Weekly"},
        {"title": "Wrapped two", "body": "Second wrapped item.", "date": "2025-02-18T00:00:00Z",
         "guid": "w-2", "feed": "Wrapper Weekly"},
    ]


def test_broken_json_document_gives_the_line() -> None:
    result = read_json(b'[\n  {"title": "a"},\n  {"title": \n]', "b.json", {})
    assert result.records == []
    assert str(result.problems[0]).startswith("b.json:4: not valid JSON: Expecting value")


def test_a_newsdesk_id_is_kept_and_is_not_a_guid() -> None:
    result = read_jsonl(b'{"id": "0123456789ab", "guid": null, "body": "x"}\n'
                        b'{"id": "feed-7", "body": "y"}\n', "ids.jsonl", {})
    first, second = result.records
    assert (first.id, first.guid) == ("0123456789ab", None)
    assert (second.id, second.guid) == (None, "feed-7")


def test_bad_tag_names_are_warnings_not_skips() -> None:
    result = read_jsonl(b'{"body": "x", "tags": ["fine", "+plus", "a//b"]}\n', "t.jsonl", {})
    assert result.records[0].tags == ("fine",)
    assert result.problems == [] and len(result.warnings) == 2
    assert all(str(w).startswith("t.jsonl:1: Tag ") for w in result.warnings)


# -- plain text -------------------------------------------------------------------------


def test_paragraphs() -> None:
    result = read("paragraphs.txt", paragraphs=True)
    assert [(r.body, r.line) for r in result.records] == [
        ("The first paragraph is hard-wrapped over three lines of text.", 1),
        ("The second paragraph is one line.", 5),
        ("The third paragraph has two lines.", 9),
    ]
    assert len(read("paragraphs.txt").records) == 6  # one per line without --paragraphs


def test_paragraph_with_bad_bytes_is_skipped_whole() -> None:
    result = read_paragraphs(b"good one\n\nbad \xff here\nstill bad\n\nlast\n", "p.txt")
    assert [r.body for r in result.records] == ["good one", "last"]
    assert [str(p) for p in result.problems] == [
        "p.txt:3: invalid UTF-8 at byte 5 of the line; paragraph skipped"]


# -- detection and options --------------------------------------------------------------


@pytest.mark.parametrize(("data", "name", "expected"), [
    (b"anything", "a.csv", "csv"),
    (b"anything", "a.TSV", "tsv"),
    (b"anything", "a.ndjson", "jsonl"),
    (b"anything", "feed.atom", "feed"),
    (b'[{"body": "x"}]', "stdin", "json"),
    (b'{\n  "items": []\n}', "stdin", "json"),
    (b'{"body": "x"}\n{"body": "y"}\n', "stdin", "jsonl"),
    (b'  <?xml version="1.0"?><rss/>', "stdin", "feed"),
    (b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "stdin", "feed"),
    (b"<rdf:RDF/>", "stdin", "feed"),
    (b"\xef\xbb\xbftitle,body\nA,b\n", "stdin", "csv"),
    (b"Title\tText\nA\tb\n", "stdin", "tsv"),
    (b"The U.S., Germany, and France agreed.\nMore news.\n", "stdin", "txt"),
    (b"One brief.\n", "notes", "txt"),
])
def test_detection(data: bytes, name: str, expected: str) -> None:
    assert detect_format(data, name) == expected


def test_format_option_overrides_extension() -> None:
    data = b"title,body\nA,first\n"
    assert [r.body for r in read_bytes(data, "x.txt").records] == ["title,body", "A,first"]
    forced = read_bytes(data, "x.txt", ImportOptions(format="csv"))
    assert [(r.title, r.body) for r in forced.records] == [("A", "first")]
    assert detect_format(b"", "x.txt", ImportOptions(format="atom")) == "feed"


def test_mapping_errors() -> None:
    assert parse_mappings(["body=Story", "link=U"]) == {"text": "story", "url": "u"}
    with pytest.raises(MappingError, match="unknown field 'colour'"):
        parse_mappings(["colour=c"])
    with pytest.raises(MappingError, match="FIELD=COLUMN"):
        parse_mappings(["text"])


# -- text conversion --------------------------------------------------------------------


def test_html_to_text() -> None:
    html = ('<div><h2>Head</h2><p>One &amp; two&nbsp;&#8212; three<br>four</p>'
            '<script>alert(1)</script><style>p{}</style><ul><li>a</li><li>b</li></ul>'
            '<p>tail <img src="x.png" alt="pic"> end</p></div>')
    assert html_to_text(html) == "Head\n\nOne & two — three\nfour\n\n• a\n• b\n\ntail end"
    assert html_to_text("<p>unclosed <b>bold") == "unclosed bold"


@pytest.mark.parametrize(("text", "is_html"), [
    ("<p>x</p>", True), ("AT&amp;T", True), ("a<br/>b", True),
    ("a < b and c > d", False), ("Tom & Jerry", False), ("[b]x[/b]", False),
])
def test_looks_like_html(text: str, is_html: bool) -> None:
    assert looks_like_html(text) is is_html


@pytest.mark.parametrize(("value", "expected"), [
    ("2025-02-17T10:00:00Z", "2025-02-17T10:00:00Z"),
    ("2025-02-17T10:00:00+01:00", "2025-02-17T09:00:00Z"),
    ("Mon, 17 Feb 2025 10:00:00 +0100", "2025-02-17T09:00:00Z"),
    ("Mon, 17 Feb 2025 10:00:00 GMT", "2025-02-17T10:00:00Z"),
    ("17 Feb 2025", "2025-02-17T00:00:00Z"),
    ("February 17, 2025", "2025-02-17T00:00:00Z"),
    ("2025-02-17 10:00", "2025-02-17T10:00:00Z"),
    ("2025-02-17", "2025-02-17T00:00:00Z"),
    ("17.02.2025", "2025-02-17T00:00:00Z"),
    ("17/02/2025", "2025-02-17T00:00:00Z"),
    ("1739786400", "2025-02-17T10:00:00Z"),
    (1739786400, "2025-02-17T10:00:00Z"),
    (1739786400000, "2025-02-17T10:00:00Z"),
    ("03/04/2025", None),  # day-month order unknown: refused, not guessed
    ("soon", None), ("", None), (True, None), (float("nan"), None), ("9" * 30, None),
])
def test_dates(value: object, expected: str | None) -> None:
    assert parse_date(value) == expected


# -- into the store: identity, dedup, update, tags ---------------------------------------


def test_ids_come_from_guid_then_url_then_text(empty_store: Store) -> None:
    records = [Record(body="Guid item.", source="a", guid="g-1", url="https://u/1"),
               Record(body="Url item.", source="a", url="https://u/2"),
               Record(body="Text item.", source="a")]
    empty_store.import_records(records)
    assert empty_store.ids() == [key_id("guid", "g-1"), key_id("url", "https://u/2"),
                                 item_id("Text item.")]


def test_duplicates_by_guid_then_url_then_text(empty_store: Store) -> None:
    first = empty_store.import_records([
        Record(body="Original text.", source="a", guid="g-1"),
        Record(body="Second.", source="a", url="https://u/2"),
        Record(body="Third brief.", source="a"),
    ])
    assert first.summary() == "3 added, 0 already present"
    again = empty_store.import_records([
        Record(body="Changed text, same guid.", source="b", guid="g-1"),
        Record(body="Changed text, same url.", source="b", url="https://u/2"),
        Record(body="THIRD   brief.", source="b"),
        Record(body="New one.", source="b", guid="g-9"),
        Record(body="Repeats the new one.", source="b", guid="g-9"),  # same import
    ])
    assert (again.added, again.present, again.repeated) == (1, 3, 1)
    assert again.summary() == "1 added, 3 already present, 1 duplicate within the file"
    assert len(empty_store) == 4
    assert empty_store.items()[0]["body"] == "Original text."


def test_update_refreshes_content_keeps_ids_and_tags(store_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from store.desk import default_rules

    # the seed's rules, which a store made empty does not have (so topics follow the text)
    empty_store = Store.open(store_dir, seed=False, rules=default_rules())
    empty_store.import_records([
        Record(body="Old text.", source="a", title="Old", guid="g-1", date="2025-01-01T00:00:00Z"),
        Record(body="Untouched.", source="a", url="https://u/2"),
    ])
    old_ids = empty_store.ids()
    empty_store.state.tag([old_ids[0]], add=["keep"])
    writes: list[str] = []
    real_write = storage.AtomicJSONStorage.write

    def counting(self: storage.AtomicJSONStorage, data: dict[str, Any]) -> None:
        writes.append(self.kind)
        real_write(self, data)

    monkeypatch.setattr(storage.AtomicJSONStorage, "write", counting)
    report = empty_store.import_records([
        Record(body="New text about NATO.", source="b", title="New", guid="g-1",
               date="2025-02-01T00:00:00Z", url="https://u/1"),
        Record(body="Untouched.", source="b", url="https://u/2"),
        Record(body="Brand new.", source="b"),
    ], update=True)
    assert report.summary() == "1 added, 1 already present, 1 updated"
    assert writes == ["items"]  # one atomic write for the whole import
    item = empty_store.get(old_ids[0])
    assert item is not None and empty_store.ids()[:2] == old_ids
    assert (item["title"], item["body"], item["date"], item["url"]) == (
        "New", "New text about NATO.", "2025-02-01T00:00:00Z", "https://u/1")
    assert "updated_at" in item and item["topics"]  # topics follow the new text
    assert empty_store.state.tags_of(old_ids[0]) == ["keep"]
    # A record without a title of its own keeps the title the source gave.
    report = empty_store.import_records(
        [Record(body="Newest text.", source="c", guid="g-1")], update=True)
    assert report.updated == 1
    assert empty_store.get(old_ids[0])["title"] == "New"
    # Without --update the same change is only "already present".
    report = empty_store.import_records([Record(body="Newer.", source="c", guid="g-1")])
    assert report.summary() == "0 added, 1 already present"
    assert empty_store.get(old_ids[0])["body"] == "Newest text."


def test_import_tags_are_one_undoable_operation(empty_store: Store) -> None:
    report = empty_store.import_files([FIXTURES / "rss2.xml", FIXTURES / "briefs.jsonl"])
    assert report.added == 6
    by_title = {d["title"]: d["id"] for d in empty_store.items()}
    assert empty_store.state.tags_of(by_title["Estonia expands drone defence programme"]) == [
        "Defence", "region/baltics"]
    assert empty_store.state.tag_counts()["region/baltics"] == 3
    history = empty_store.user.state.history[empty_store.user.author].undo
    assert [h["label"] for h in history] == ["import tags on 4 items"]
    empty_store.state.undo()
    assert empty_store.state.tag_counts() == {}
    assert len(empty_store) == 6  # undo takes the tags back, not the items


def test_reimport_does_not_retag_present_items(empty_store: Store) -> None:
    empty_store.import_files([FIXTURES / "briefs.jsonl"])
    riga = empty_store.ids()[0]
    empty_store.state.tag([riga], remove=["summit"])
    report = empty_store.import_files([FIXTURES / "briefs.jsonl"])
    assert report.summary() == "0 added, 3 already present, 3 skipped"
    assert empty_store.state.tags_of(riga) == ["region/baltics"]


def test_hostile_fields_are_inert_in_the_store(empty_store: Store) -> None:
    empty_store.import_files([FIXTURES / "hostile.json"])
    (item,) = empty_store.items()
    stored = json.dumps(item, ensure_ascii=False) + "".join(empty_store.state.tags_of(item["id"]))
    for bad in ("\x1b", "\x07", "\u202e", "\u202c"):
        assert bad not in stored
    assert item["title"] == "[@click=app.quit]x[/] [31mred[0m title"  # literal, inert text
    assert item["author"] == "[red]Mallory[/red]"
    assert empty_store.state.tags_of(item["id"]) == ["ok", "badtag", "[@click=app.quit]"]


def test_hostile_feed_is_inert(empty_store: Store) -> None:
    feed = ("<rss version='2.0'><channel><title>\u202eevil&#x1b;[2J</title><item>"
            "<title>[@click=app.quit]x[/]&#x1b;]0;pwn&#x07;</title>"
            "<description>&lt;p&gt;a\u202eb&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;"
            "</description><guid>h1</guid></item></channel></rss>").encode()
    report = empty_store.import_files([read_bytes(feed, "evil.rss")])
    assert report.added == 1
    (item,) = empty_store.items()
    assert item["title"] == "[@click=app.quit]x[/]]0;pwn"
    assert item["body"] == "ab"
    assert "\x1b" not in item["feed"] and "\u202e" not in item["feed"]


# -- never raising: random input ---------------------------------------------------------

READERS = {
    "txt": lambda d: read_plain(d, "f"),
    "paragraphs": lambda d: read_paragraphs(d, "f"),
    "csv": lambda d: read_delimited(d, "f", ",", {"text": "b"}),
    "tsv": lambda d: read_delimited(d, "f", "\t", {}),
    "json": lambda d: read_json(d, "f", {}),
    "jsonl": lambda d: read_jsonl(d, "f", {}),
    "feed": lambda d: read_feed(d, "f"),
    "detected": lambda d: read_bytes(d, "f"),
}
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def assert_well_formed(result: ImportResult) -> None:
    for problem in result.problems + result.warnings:
        assert problem.positioned, problem
    for record in result.records:
        assert record.body.strip()


@pytest.mark.slow
@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    for reader in READERS.values():
        assert_well_formed(reader(data))


_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
_keys = st.sampled_from(["title", "body", "TEXT", "date", "pubDate", "url", "link", "tags",
                         "guid", "id", "source", "feed", "author"]) | st.text(max_size=6)
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(_keys, inner, max_size=6), max_leaves=20)


@pytest.mark.slow
@FUZZ
@given(_json)
def test_random_json_shapes_never_raise(value: object) -> None:
    document = json.dumps(value).encode()
    lines = b"\n".join(json.dumps(v).encode() for v in (value if isinstance(value, list)
                                                        else [value]))
    for data in (document, lines):
        assert_well_formed(read_json(data, "f", {}))
        assert_well_formed(read_jsonl(data, "f", {}))


_cell = st.text(alphabet=st.sampled_from('ab ,\t"\n\r\\é\x00'), max_size=8)


@pytest.mark.slow
@FUZZ
@given(st.lists(st.lists(_cell, min_size=1, max_size=4), max_size=6))
def test_random_csv_shapes_never_raise(rows: list[list[str]]) -> None:
    text = "title,body\n" + "\n".join(",".join(row) for row in rows)
    for delimiter in (",", "\t"):
        assert_well_formed(read_delimited(text.encode(), "f", delimiter, {}))


_xml_text = st.text(alphabet=st.sampled_from("ab <>&;/\"'#x1\u202e"), max_size=12)
_entry_parts = st.lists(st.tuples(st.sampled_from(
    ["title", "description", "link", "guid", "pubDate", "category", "summary", "content",
     "id", "updated", "author"]), _xml_text), max_size=5)


@pytest.mark.slow
@FUZZ
@given(st.sampled_from(["rss", "atom"]), st.lists(_entry_parts, max_size=3), _xml_text)
def test_random_feed_shapes_never_raise(kind: str, entries: list[list[tuple[str, str]]],
                                        title: str) -> None:
    tag = "item" if kind == "rss" else "entry"
    body = "".join(f"<{tag}>" + "".join(f"<{k}>{v}</{k}>" for k, v in parts) + f"</{tag}>"
                   for parts in entries)
    if kind == "rss":
        doc = f"<rss version='2.0'><channel><title>{title}</title>{body}</channel></rss>"
    else:
        doc = f"<feed xmlns='http://www.w3.org/2005/Atom'><title>{title}</title>{body}</feed>"
    assert_well_formed(read_feed(doc.encode(), "f"))


AGNEWS = (b'"3","Wall St. Bears Claw Back (Reuters)","Reuters - Short-sellers, Wall Street #39;s'
          b' dwindling\\band of ultra-cynics, are seeing green again."\n'
          b'"2","Hewitt Wins","Second-seeded Lleyton Hewitt won in straight sets on Sunday."\n'
          b'"2","Hewitt Again","Second-seeded Lleyton Hewitt won in straight sets on Sunday."\n')


@pytest.mark.parametrize("no_header", [True, False])
def test_headerless_csv_with_numbered_columns(no_header: bool) -> None:
    mapping = parse_mappings(["title=2", "text=3"])
    result = read_bytes(AGNEWS, "news.csv", ImportOptions(mapping=mapping, no_header=no_header))
    assert result.problems == []
    assert [r.title for r in result.records] == [
        "Wall St. Bears Claw Back (Reuters)", "Hewitt Wins", "Hewitt Again"]
    assert result.records[0].body.startswith("Reuters - Short-sellers, Wall Street's dwindling")
    # without --no-header the first row is seen to be data, and that is said in one line
    assert len(result.notes) == (0 if no_header else 1)
    assert all("first row is data" in n and "\n" not in n for n in result.notes)


def test_numbered_column_with_a_header_row_and_a_bad_number() -> None:
    data = b"klass,headline,story\n1,Title one,Body one.\n"
    result = read_bytes(data, "x.csv", ImportOptions(mapping=parse_mappings(["text=3"])))
    assert [r.body for r in result.records] == ["Body one."] and result.notes == []
    with pytest.raises(MappingError):
        parse_mappings(["text=0"])


def test_headerless_csv_without_a_map_takes_the_longest_cell_as_text() -> None:
    result = read_bytes(AGNEWS, "x.csv", ImportOptions(no_header=True))
    assert result.records[1].body == "Second-seeded Lleyton Hewitt won in straight sets on Sunday."


def test_duplicates_within_the_file_apart_from_stored_ones(empty_store: Store) -> None:
    options = ImportOptions(mapping=parse_mappings(["title=2", "text=3"]), no_header=True)
    first = empty_store.import_files([read_bytes(AGNEWS, "a.csv", options)])
    assert first.summary() == "2 added, 0 already present, 1 duplicate within the file"
    again = empty_store.import_files([read_bytes(AGNEWS, "a.csv", options)])
    assert again.summary() == "0 added, 3 already present"


def test_an_empty_store_has_no_rule_topics_until_the_user_writes_rules(store_dir: Path) -> None:
    store = Store.open(store_dir, seed=False)
    store.import_records([Record(body="NATO troops deploy as the EU meets on Ukraine.",
                                 source="a")])
    assert store.items()[0]["topics"] == []
    (store_dir / "topics.toml").write_text('["Security/NATO"]\nany = ["NATO"]\n')
    again = Store.open(store_dir)  # the rules changed: re-derived on open
    assert again.items()[0]["topics"] == ["Security/NATO"]
