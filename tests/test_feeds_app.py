"""Feeds in the browser: the Feeds group, R refreshing in a worker, a failed feed's mark."""

from __future__ import annotations

import asyncio
from pathlib import Path

from store.desk import Store
from tests.feed_server import FeedServer, Route, rss
from tui.app import make_app
from tui.config import Settings
from tui.screens.main import MainScreen
from tui.widgets.detail_view import DetailView
from tui.widgets.item_list import ItemList
from tui.widgets.topic_tree import TopicTree


def tree_node(tree: TopicTree, key: tuple[str, ...]):  # -> textual TreeNode | None
    def walk(node):  # noqa: ANN001, ANN202
        for child in node.children:
            if child.data is not None and child.data.key == key:
                return child
            found = walk(child)
            if found is not None:
                return found
        return None

    return walk(tree.root)


def label_of(tree: TopicTree, key: tuple[str, ...]) -> str:
    node = tree_node(tree, key)
    assert node is not None, f"no tree node {key}"
    return tree.render_label(node, tree.rich_style, tree.rich_style).plain


async def test_r_brings_a_feed_in_while_another_still_hangs(
        store_dir: Path, feed_server: FeedServer) -> None:
    feed_server.routes["/a.xml"] = Route(rss("Alpha", [("a1", "Alpha one", "First.")]))
    feed_server.routes["/hang"] = Route(hang=True)
    store = Store.open(store_dir, seed=False)
    store.feeds.add(feed_server.url("/a.xml"), folder="News")
    store.feeds.add(feed_server.url("/hang"))
    app = make_app(store, Settings(mark_read_after=None, fetch_timeout=30))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        answered = asyncio.Event()
        heard = screen._feed_answered

        def spy(outcome, done: int, total: int) -> None:  # noqa: ANN001
            heard(outcome, done, total)
            answered.set()

        screen._feed_answered = spy  # type: ignore[method-assign]
        await pilot.press("R")
        await asyncio.wait_for(answered.wait(), 10)
        await pilot.pause()
        items = screen.query_one(ItemList)
        tree = screen.query_one(TopicTree)
        # Alpha is in, while the hanging feed is still being waited on.
        assert screen._fetching and feed_server.hung.is_set()
        assert [store.get(i)["title"] for i in items.ids] == ["Alpha one"]
        assert "answered" in str(screen.query_one("#feeds-status").render())
        assert label_of(tree, ("feed", feed_server.url("/a.xml"))).split() == [
            "Alpha", "1/1"]
        assert label_of(tree, ("folder", "News")).split()[-2:] == ["News", "1/1"]
        feed_server.released.set()  # the hang ends: the server hangs up without answering
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen._fetching
        hang = ("feed", feed_server.url("/hang"))
        assert label_of(tree, hang).startswith("! ")
        tree.move_cursor(tree_node(tree, hang))
        await pilot.pause()
        screen._draw_detail()
        assert "The last fetch of this feed failed" in screen.query_one(DetailView).plain


async def test_r_without_feeds_says_how_to_subscribe(store_dir: Path) -> None:
    store = Store.open(store_dir, seed=False)
    app = make_app(store, Settings(mark_read_after=None))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("R")
        await pilot.pause()
        assert any("feeds add URL" in n.message for n in app._notifications)
        assert not app.screen._fetching  # type: ignore[attr-defined]


async def test_items_a_cron_fetch_writes_show_up_live(store_dir: Path,
                                                      feed_server: FeedServer) -> None:
    """Another process (here: another Store on the same folder) fetches; the app's
    poll picks the items and the feed's counts up."""
    feed_server.routes["/a.xml"] = Route(rss("Alpha", [("a1", "Alpha one", "First."),
                                                        ("a2", "Alpha two", "Second.")]))
    store = Store.open(store_dir, seed=False)
    store.feeds.add(feed_server.url("/a.xml"))
    app = make_app(store, Settings(mark_read_after=None))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        cron = Store.open(store_dir)
        await asyncio.to_thread(cron.fetch_feeds, timeout=5)
        app.screen._poll()  # type: ignore[attr-defined]  # the timer's job, now
        await pilot.pause()
        tree = app.screen.query_one(TopicTree)
        assert label_of(tree, ("feed", feed_server.url("/a.xml"))).split() == [
            "Alpha", "2/2"]
        assert app.screen.query_one(ItemList).item_count == 2


async def test_quitting_mid_refresh_does_not_wait_for_a_hanging_feed(
        store_dir: Path, feed_server: FeedServer) -> None:
    feed_server.routes["/hang"] = Route(hang=True)
    store = Store.open(store_dir, seed=False)
    store.feeds.add(feed_server.url("/hang"))
    app = make_app(store, Settings(mark_read_after=None, fetch_timeout=60))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("R")
        assert await asyncio.to_thread(feed_server.hung.wait, 10)
        workers = [w for w in app.workers if w.group == "feeds"]
        await pilot.press("q")
    assert [w.is_cancelled for w in workers] == [True]
    # What asyncio.run does as the app's process ends: join the worker threads. A fetch
    # still waiting on the hang would hold this for the whole fetch_timeout.
    await asyncio.get_running_loop().shutdown_default_executor()
    # Given up, not timed out: the hang is left for the next fetch, nothing recorded.
    assert not feed_server.released.is_set()
    assert Store.open(store_dir).feeds.get(feed_server.url("/hang")).last_fetched is None
