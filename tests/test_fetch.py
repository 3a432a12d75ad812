"""Fetching over real HTTP (a server on 127.0.0.1): the faults real servers have.

404, a hang (bounded by a short timeout), a web page, a permanent redirect,
ETag / Last-Modified answered with 304, malformed XML and an XML bomb; and the
`fetch` command's lines and exit codes. Never the internet.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from store.desk import Store
from store.ingest.feeds.fetch import FetchRequest, fetch_all
from store.ingest.feeds.parse import parse_answer
from tests.feed_server import BOMB, PAGE, FeedServer, Route, atom, http_date, rss
from tui.cli import main

LAST_MODIFIED = http_date(1_738_400_000)


@pytest.fixture
def server(feed_server: FeedServer) -> FeedServer:
    r = feed_server.routes
    r["/rss.xml"] = Route(rss("Daily", [("g1", "First", "One."), ("g2", "Second", "Two.")]),
                          etag='"v1"')
    html_title = "&lt;em&gt;Big&lt;/em&gt; news"
    html_summary = "&lt;p&gt;Hello &lt;b&gt;there&lt;/b&gt;&lt;/p&gt;"
    r["/atom.xml"] = Route(atom("Atom site", [("urn:a:1", html_title, html_summary)]),
                           content_type="application/atom+xml", last_modified=LAST_MODIFIED)
    r["/old.xml"] = Route(status=301, location="/new.xml")
    r["/new.xml"] = Route(rss("Moved", [("m1", "Moved entry", "Here now.")]))
    r["/temp.xml"] = Route(status=302, location="/other.xml")
    r["/other.xml"] = Route(rss("Other", [("o1", "Other entry", "Elsewhere.")]))
    r["/page"] = Route(PAGE, content_type="text/html; charset=utf-8")
    r["/hang"] = Route(hang=True)
    r["/bad.xml"] = Route(b'<?xml version="1.0"?><rss><channel><title>x<<<</channel>')
    r["/bomb.xml"] = Route(BOMB)
    return feed_server


def subscribed(tmp_path: Path, server: FeedServer, *paths: str) -> Store:
    store = Store.open(tmp_path / "store", seed=False)
    store.feeds.add_many([(server.url(p), "", None) for p in paths])
    return store


def by_url(outcomes: list) -> dict:
    return {o.url: o for o in outcomes}


# -- fetch: one feed at a time ----------------------------------------------------------


@pytest.mark.slow
def test_each_fault_is_named_and_never_stops_the_others(tmp_path: Path,
                                                        server: FeedServer) -> None:
    store = subscribed(tmp_path, server, "/rss.xml", "/missing", "/page", "/bad.xml",
                       "/bomb.xml", "/hang")
    heard: list[str] = []
    outcomes = by_url(store.fetch_feeds(timeout=1, on_feed=lambda o: heard.append(o.url)))
    u = server.url
    assert outcomes[u("/rss.xml")].new == 2 and not outcomes[u("/rss.xml")].failed
    assert outcomes[u("/missing")].error == "HTTP 404 Not Found"
    assert outcomes[u("/page")].error.startswith("a web page, not a feed")
    assert u("/rss.xml") in outcomes[u("/page")].error  # the page names its feed
    assert outcomes[u("/bad.xml")].error.startswith("malformed XML")
    assert outcomes[u("/bomb.xml")].error.startswith("refused: the XML declares entities")
    assert outcomes[u("/hang")].error == "timed out after 1 s"
    assert heard[-1] == u("/hang")  # the others were imported before the hang gave up
    # Each error is kept on its subscription, and the good feed's is cleared.
    subs = {s.url: s for s in store.feeds.all()}
    assert subs[u("/missing")].error == "HTTP 404 Not Found"
    assert subs[u("/rss.xml")].error is None and subs[u("/rss.xml")].title == "Daily"
    store.refresh()
    assert len(store) == 2


def test_items_carry_feed_url_guid_and_text_without_html(tmp_path: Path,
                                                         server: FeedServer) -> None:
    store = subscribed(tmp_path, server, "/atom.xml")
    store.fetch_feeds(timeout=5)
    store.refresh()
    [item] = store.items()
    assert item["title"] == "Big news"  # type="html": tags gone
    assert item["body"] == "Hello there"
    assert item["feed"] == "Atom site" and item["guid"] == "urn:a:1"
    assert item["url"] == "http://example.org/atom/1"
    assert item["source"] == f"127.0.0.1:{server.port}"


def test_etag_and_last_modified_make_the_next_fetch_conditional(tmp_path: Path,
                                                                server: FeedServer) -> None:
    store = subscribed(tmp_path, server, "/rss.xml", "/atom.xml")
    store.fetch_feeds(timeout=5)
    again = by_url(store.fetch_feeds(timeout=5))
    assert all(o.not_modified and o.new == 0 for o in again.values())
    assert again[server.url("/rss.xml")].line().endswith("not modified (304)")
    rss_seen, atom_seen = server.requests_to("/rss.xml"), server.requests_to("/atom.xml")
    assert "if-none-match" not in rss_seen[0].headers
    assert rss_seen[1].headers["if-none-match"] == '"v1"' and rss_seen[1].status == 304
    assert atom_seen[1].headers["if-modified-since"] == LAST_MODIFIED
    assert atom_seen[1].status == 304
    assert all("newsdesk/" in s.headers["user-agent"] for s in server.seen)


def test_a_permanent_redirect_moves_the_subscription(tmp_path: Path,
                                                     server: FeedServer) -> None:
    store = subscribed(tmp_path, server, "/old.xml", "/temp.xml")
    outcomes = by_url(store.fetch_feeds(timeout=5))
    moved = outcomes[server.url("/old.xml")]
    assert moved.moved_to == server.url("/new.xml") and moved.new == 1
    assert "moved permanently to" in moved.line()
    assert outcomes[server.url("/temp.xml")].moved_to is None  # 302: stays where it was
    urls = [s.url for s in store.feeds.all()]
    assert urls == [server.url("/new.xml"), server.url("/temp.xml")]
    store.fetch_feeds(timeout=5)
    assert len(server.requests_to("/old.xml")) == 1  # never asked again


def test_a_changed_entry_is_refreshed_in_place_with_its_tags(tmp_path: Path,
                                                             server: FeedServer) -> None:
    store = subscribed(tmp_path, server, "/rss.xml")
    store.fetch_feeds(timeout=5)
    store.refresh()
    first = {i["guid"]: i["id"] for i in store.items()}
    store.state.tag([first["g1"]], ["follow-up"])
    server.routes["/rss.xml"] = Route(
        rss("Daily", [("g1", "First, corrected", "One."), ("g2", "Second", "Two."),
                      ("g3", "Third", "Three.")]), etag='"v2"')
    [outcome] = store.fetch_feeds(timeout=5)
    assert (outcome.new, outcome.updated) == (1, 1)
    store.refresh()
    items = {i["guid"]: i for i in store.items()}
    assert len(store) == 3
    assert items["g1"]["id"] == first["g1"] and items["g1"]["title"] == "First, corrected"
    assert store.state.tags_of(first["g1"]) == ["follow-up"]
    assert set(store.feeds.all()[0].ids) == {i["id"] for i in store.items()}


@pytest.mark.slow
def test_the_lock_is_free_while_a_feed_hangs(tmp_path: Path, server: FeedServer) -> None:
    """Another session can write while we wait on the network."""
    store = subscribed(tmp_path, server, "/hang")
    other = Store.open(tmp_path / "store")
    done = threading.Event()
    worker = threading.Thread(target=lambda: (store.fetch_feeds(timeout=2), done.set()))
    worker.start()
    assert server.hung.wait(5)  # the request is out, the answer pending
    other._lock.timeout = 0.5  # would raise StoreBusyError if the fetch held it
    record = other.state.save_search("later", "news")
    assert record is not None and not done.is_set()
    worker.join(10)
    assert done.is_set()


@pytest.mark.slow
def test_fetch_all_yields_each_answer_as_it_comes(server: FeedServer) -> None:
    requests = [FetchRequest(server.url("/hang")), FetchRequest(server.url("/rss.xml"))]
    results = list(fetch_all(requests, timeout=1))
    assert [r.request.url for r in results] == [server.url("/rss.xml"), server.url("/hang")]
    assert results[0].status == 200 and results[0].etag == '"v1"'


def test_a_body_over_the_limit_is_refused(server: FeedServer,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from store.ingest.feeds import fetch

    monkeypatch.setattr(fetch, "MAX_BYTES", 100)
    [result] = fetch_all([FetchRequest(server.url("/rss.xml"))], timeout=5)
    assert result.error is not None and "larger than" in result.error and result.body == b""


def test_an_unknown_host_is_a_dns_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_such_host(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)  # no resolver needed
    [result] = fetch_all([FetchRequest("http://newsdesk-test.invalid/feed")], timeout=5)
    assert result.error is not None and result.error.startswith("DNS: ")


def test_parse_refuses_a_bomb_without_expanding_it() -> None:
    parsed = parse_answer(BOMB, "http://x/bomb")
    assert parsed.records == [] and parsed.error is not None and "entities" in parsed.error


def test_slightly_broken_xml_is_read_leniently_with_a_warning() -> None:
    data = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
            b"<guid>x1</guid><title>Kept</title></item></channel>")  # no </rss>
    parsed = parse_answer(data, "http://x/feed")
    assert [r.title for r in parsed.records] == ["Kept"] and parsed.error is None
    assert parsed.warnings and "read leniently" in parsed.warnings[0]


# -- the fetch command -----------------------------------------------------------------


def test_fetch_command_prints_a_line_per_feed_and_exits_1_on_failure(
        tmp_path: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(tmp_path / "store")
    assert main(["--store", root, "init", "--empty"]) == 0
    assert main(["--store", root, "feeds", "add", server.url("/rss.xml")]) == 0
    assert main(["--store", root, "feeds", "add", server.url("/missing")]) == 1
    capsys.readouterr()
    assert main(["--store", root, "fetch", "--timeout", "5"]) == 1
    out, err = capsys.readouterr()
    lines = sorted(out.splitlines())
    assert lines == sorted([f"{server.url('/rss.xml')}: not modified (304)",
                            f"{server.url('/missing')}: failed: HTTP 404 Not Found"])
    assert "Traceback" not in err and "2 feeds: 0 new, 0 updated, 1 failed" in err
    assert main(["--store", root, "feeds", "remove", server.url("/missing")]) == 0
    assert main(["--store", root, "fetch"]) == 0


def test_feeds_add_refuses_what_is_not_a_web_url(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", str(tmp_path / "s"), "feeds", "add", "ftp://x/feed"]) == 1
    assert "not a feed address" in capsys.readouterr().err
