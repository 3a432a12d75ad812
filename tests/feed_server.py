"""A real HTTP server on 127.0.0.1 for the feed tests: feeds, faults, and what it saw.

Never the internet: it binds an ephemeral port on the loopback interface and runs
in a daemon thread. Each path is a ``Route``: a body with an optional ETag or
Last-Modified (a matching If-None-Match / If-Modified-Since gets a 304), a status
(404, a redirect with ``location``), or ``hang``: the handler waits, without
answering, until the server stops, so a client must give up on its own timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    location: str | None = None
    hang: bool = False


@dataclass
class Seen:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    status: int = 0


@dataclass
class FeedServer:
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    hung: threading.Event = field(default_factory=threading.Event)
    """Set when a request reached a hanging route (its client now waits)."""
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]


def http_date(seconds: float) -> str:
    return formatdate(seconds, usegmt=True)


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # quiet tests

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
            server.seen.append(seen)
            route = server.routes.get(self.path)
            if route is None:
                route = Route(b"not here", status=404, content_type="text/plain")
            if route.hang:
                server.hung.set()
                server.released.wait(30)  # bounded: the test ends it sooner
                self.close_connection = True  # hang up without an answer
                return
            status, body = route.status, route.body
            if status == 200 and (
                    (route.etag and seen.headers.get("if-none-match") == route.etag)
                    or (route.last_modified
                        and seen.headers.get("if-modified-since") == route.last_modified)):
                status, body = 304, b""
            seen.status = status
            self.send_response(status)
            if route.location:
                self.send_header("Location", route.location)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            if status != 304:
                self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up on a hang resets its connection: expected here


def serve() -> Iterator[FeedServer]:
    """Start a server (use as a fixture body); stops it, and releases hangs, after."""
    state = FeedServer()
    httpd = _QuietServer(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.released.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def rss(title: str, entries: list[tuple[str, str, str]], *, extra: str = "") -> bytes:
    """An RSS 2.0 feed: entries are (guid, title, description)."""
    items = "".join(
        f"<item><guid>{g}</guid><title>{t}</title><link>http://example.org/{g}</link>"
        f"<description>{d}</description><pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate>"
        "</item>" for g, t, d in entries)
    return (f'<?xml version="1.0" encoding="utf-8"?>{extra}<rss version="2.0"><channel>'
            f"<title>{title}</title><link>http://example.org/</link>{items}</channel></rss>"
            ).encode()


def atom(title: str, entries: list[tuple[str, str, str]]) -> bytes:
    """An Atom feed: entries are (id, HTML title, HTML summary), both type="html"."""
    body = "".join(
        f'<entry><id>{i}</id><title type="html">{t}</title>'
        f'<link href="http://example.org/atom/{i.rsplit(":", 1)[-1]}"/>'
        f'<updated>2025-02-01T09:00:00Z</updated><summary type="html">{s}</summary></entry>'
        for i, t, s in entries)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{title}</title><id>urn:feed</id><updated>2025-02-01T09:00:00Z</updated>"
            f"{body}</feed>").encode()


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><guid>b1</guid><title>&lol9;</title><description>&lol9;</description></item>
</channel></rss>
"""

PAGE = (b"<!DOCTYPE html><html><head><title>Home</title>"
        b'<link rel="alternate" type="application/rss+xml" href="/rss.xml"></head>'
        b"<body><p>Welcome</p></body></html>")
