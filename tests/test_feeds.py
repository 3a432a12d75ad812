"""Subscriptions, OPML and the Feeds group: the store side of feeds, and its commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store.desk import Store
from store.errors import StoreError
from store.ingest.feeds.opml import OPMLError, read_opml, write_opml
from store.ingest.feeds.subscriptions import (
    FEEDS_FILE,
    FeedURLError,
    Subscriptions,
    normalize_url,
)
from store.tree import build_tree, select
from tests.feed_server import BOMB, FeedServer, Route, rss
from tui.cli import main

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>mine</title></head>
  <body>
    <outline text="Top feed" type="rss" xmlUrl="http://example.org/top.xml"/>
    <outline text="News">
      <outline text="World" type="rss" xmlUrl="http://example.org/world.xml"/>
      <outline title="Tech">
        <outline text="Gadgets &amp; more" type="rss" xmlUrl="https://example.org/g.xml"/>
      </outline>
    </outline>
    <outline text="Empty folder"/>
    <outline text="not a feed" htmlUrl="http://example.org/"/>
  </body>
</opml>
"""


def feed_set(subs) -> set[tuple[str, str, str]]:  # noqa: ANN001 - Subscriptions or outlines
    return {(s.url, s.title, s.folder) for s in subs}


# -- subscriptions -----------------------------------------------------------------------


def test_urls_are_normalized_and_checked() -> None:
    assert normalize_url(" HTTP://Example.ORG/Feed?x=1#top ") == "http://example.org/Feed?x=1"
    assert normalize_url("https://example.org") == "https://example.org/"
    for bad in ("example.org/feed", "ftp://example.org/f", "http:///nohost", "file:///etc"):
        with pytest.raises(FeedURLError):
            normalize_url(bad)


def test_subscriptions_live_in_their_own_file_and_merge_between_sessions(
        store_dir: Path) -> None:
    one = Store.open(store_dir, seed=False)
    two = Store.open(store_dir)
    items_before = (store_dir / "items.json").read_bytes()
    one.feeds.add("http://example.org/a.xml", folder="News")
    two.feeds.add("http://example.org/b.xml")  # re-reads under the lock: a is kept
    assert [s.url for s in one.feeds.all()] == ["http://example.org/a.xml",
                                                "http://example.org/b.xml"]
    assert (store_dir / "items.json").read_bytes() == items_before  # content untouched
    data = json.loads((store_dir / FEEDS_FILE).read_text())
    assert data["_meta"]["1"]["schema"] == 1
    assert data["feeds"]["http://example.org/a.xml"]["folder"] == "News"
    sub, added = one.feeds.add("http://EXAMPLE.org/a.xml", folder="Later")
    assert not added and sub.folder == "Later" and len(two.feeds.all()) == 2


def test_a_damaged_feed_list_is_refused_not_overwritten(store_dir: Path) -> None:
    store = Store.open(store_dir, seed=False)
    (store_dir / FEEDS_FILE).write_text("{broken")
    with pytest.raises(StoreError, match="feeds.json"):
        store.feeds.add("http://example.org/a.xml")
    assert (store_dir / FEEDS_FILE).read_text() == "{broken"
    # Reading goes on (the browser keeps working) and says what is wrong, once.
    assert store.feeds.all() == [] and "feeds.json" in (store.feeds.problem or "")
    assert any("feeds.json" in p for p in store.problems())


def test_removing_a_feed_keeps_its_items_and_tags(store_dir: Path,
                                                  feed_server: FeedServer) -> None:
    feed_server.routes["/f.xml"] = Route(rss("F", [("f1", "One", "Body one.")]))
    store = Store.open(store_dir, seed=False)
    store.feeds.add(feed_server.url("/f.xml"))
    store.fetch_feeds(timeout=5)
    store.refresh()
    [item] = store.items()
    store.state.tag([item["id"]], ["keep"])
    removed = store.feeds.remove(feed_server.url("/f.xml"))
    assert removed is not None and removed.ids == [item["id"]]
    assert store.feeds.all() == [] and store.feeds.remove(feed_server.url("/f.xml")) is None
    reopened = Store.open(store_dir)
    assert [i["id"] for i in reopened.items()] == [item["id"]]
    assert reopened.state.tags_of(item["id"]) == ["keep"]


# -- OPML ----------------------------------------------------------------------------------


def test_opml_nested_outlines_become_folders() -> None:
    outlines = read_opml(OPML)
    assert [(o.url, o.title, o.folder) for o in outlines] == [
        ("http://example.org/top.xml", "Top feed", ""),
        ("http://example.org/world.xml", "World", "News"),
        ("https://example.org/g.xml", "Gadgets & more", "News/Tech"),
    ]


def test_opml_round_trip_gives_the_same_set(store_dir: Path) -> None:
    store = Store.open(store_dir, seed=False)
    store.feeds.add_many([(o.url, o.title, o.folder) for o in read_opml(OPML)])
    exported = write_opml(store.feeds.all())
    assert exported.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    again = Subscriptions(store_dir / "other", store._lock)
    (store_dir / "other").mkdir()
    again.add_many([(o.url, o.title, o.folder) for o in read_opml(exported)])
    assert feed_set(again.all()) == feed_set(store.feeds.all())
    assert ("https://example.org/g.xml", "Gadgets & more", "News/Tech") in feed_set(again.all())


def test_opml_that_is_not_opml_or_is_a_bomb_is_refused() -> None:
    with pytest.raises(OPMLError, match="entities"):
        read_opml(BOMB)
    with pytest.raises(OPMLError, match="not an OPML file"):
        read_opml(b"<rss/>")
    with pytest.raises(OPMLError, match="not well-formed"):
        read_opml(b"<opml><body>")


# -- the Feeds group in the tree ----------------------------------------------------------


def test_feeds_group_has_folders_then_feeds_with_unread_counts(
        store_dir: Path, feed_server: FeedServer) -> None:
    feed_server.routes["/a.xml"] = Route(rss("Alpha", [("a1", "A one", "A."),
                                                        ("a2", "A two", "AA.")]))
    feed_server.routes["/z.xml"] = Route(rss("Zulu", [("z1", "Z one", "Z.")]))
    store = Store.open(store_dir, seed=False)
    store.feeds.add_many([(feed_server.url("/z.xml"), "", None),
                          (feed_server.url("/a.xml"), "", "News/World"),
                          (feed_server.url("/gone"), "", None)])
    store.fetch_feeds(timeout=5)
    store.refresh()
    alpha = [i["id"] for i in store.items() if i["feed"] == "Alpha"]
    store.state.set_read(alpha[:1])
    groups = {n.name: n for n in build_tree(store, feeds=store.feeds.all())}
    feeds = groups["Feeds"]
    assert (feeds.count, feeds.unread) == (3, 2)
    news, *rest = feeds.children
    assert news.key == ("folder", "News") and (news.count, news.unread) == (2, 1)
    [world] = news.children
    [alpha_node] = world.children
    assert (alpha_node.name, alpha_node.unread, alpha_node.error) == ("Alpha", 1, None)
    names = [n.name for n in rest]
    assert names == [feed_server.url("/gone"), "Zulu"]  # feeds after folders, by name
    assert rest[0].error == "HTTP 404 Not Found"
    assert rest[0].to_json()["error"] == "HTTP 404 Not Found"
    assert select(("folder", "News"), store, store.feeds.all()) == alpha
    assert len(select(("group", "Feeds"), store, store.feeds.all())) == 3
    assert "Feeds" not in {n.name for n in build_tree(store)}  # none given: no group


# -- the feeds commands --------------------------------------------------------------------


def test_feeds_commands_import_list_export_remove(
        tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    feed_server.routes["/a.xml"] = Route(rss("Alpha", [("a1", "A one", "A.")]))
    root = str(tmp_path / "store")
    opml = tmp_path / "in.opml"
    opml.write_bytes(OPML)
    assert main(["--store", root, "init", "--empty"]) == 0
    assert main(["--store", root, "feeds", "import", str(opml)]) == 0
    assert "Subscribed to 3 feeds" in capsys.readouterr().out
    assert main(["--store", root, "feeds", "import", str(opml)]) == 0
    out = capsys.readouterr().out
    assert "Subscribed to 0 feeds" in out and "3 already subscribed" in out
    assert main(["--store", root, "feeds", "add", feed_server.url("/a.xml"),
                 "--folder", "Mine"]) == 0
    out = capsys.readouterr().out
    assert f"{feed_server.url('/a.xml')}: 1 new, 0 updated" in out
    assert main(["--store", root, "feeds", "list", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 4
    mine = next(r for r in rows if r["url"] == feed_server.url("/a.xml"))
    assert mine == {"url": feed_server.url("/a.xml"), "title": "Alpha", "folder": "Mine",
                    "items": 1, "unread": 1, "last_fetched": mine["last_fetched"],
                    "error": None}
    assert mine["last_fetched"].endswith("Z")
    assert main(["--store", root, "feeds", "export", "-o", str(tmp_path / "out.opml")]) == 0
    capsys.readouterr()
    assert {(o.url, o.folder) for o in read_opml((tmp_path / "out.opml").read_bytes())} == {
        (r["url"], r["folder"] or "") for r in rows}
    assert main(["--store", root, "tree", "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)
    feeds = next(g for g in groups if g["name"] == "Feeds")
    assert feeds["count"] == 1 and feeds["unread"] == 1
    assert main(["--store", root, "feeds", "remove", feed_server.url("/a.xml")]) == 0
    assert "its 1 item and their tags stay" in capsys.readouterr().out
    assert main(["--store", root, "list"]) == 0
    assert "A one" in capsys.readouterr().out
    assert main(["--store", root, "feeds", "remove", feed_server.url("/a.xml")]) == 1
    assert "not subscribed" in capsys.readouterr().err


def test_feeds_import_of_a_broken_file_exits_1_without_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_bytes(b"<opml><body><outline")
    assert main(["--store", str(tmp_path / "s"), "feeds", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.opml:1: not well-formed XML" in err and "Traceback" not in err


def test_feed_settings_are_read_and_checked(tmp_path: Path) -> None:
    from tui.config import load_settings

    path = tmp_path / "config.toml"
    path.write_text("fetch_timeout = 5\nrefresh_minutes = 30\n")
    settings = load_settings(path)
    assert (settings.fetch_timeout, settings.refresh_minutes) == (5.0, 30.0)
    path.write_text("fetch_timeout = 0\nrefresh_minutes = false\n")
    settings = load_settings(path)
    assert (settings.fetch_timeout, settings.refresh_minutes) == (20.0, None)
    assert [p.line for p in settings.problems] == [1]
    assert "fetch_timeout must be a number of seconds" in str(settings.problems[0])
