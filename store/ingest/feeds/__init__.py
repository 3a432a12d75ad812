"""Feeds: subscriptions, fetching them over HTTP, and OPML.

    subscriptions.py  the feeds a store follows (feeds.json, written like user state)
    fetch.py          HTTP: side by side, conditional GET, redirects, time and size limits
    parse.py          an answer -> records: web pages and XML bombs refused, feedparser
    refresh.py        fetch all, import each feed as it answers (never locked while waiting)
    opml.py           OPML 2.0 import and export (defusedxml)

Only ``subscriptions`` is imported by opening a store; httpx, defusedxml and
feedparser are imported when a feed is actually fetched or a file read.
"""
