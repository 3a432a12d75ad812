"""Fetching feeds over HTTP: side by side, conditional, bounded in time and size.

``fetch_all`` runs one GET per feed on a few threads (``CONCURRENCY`` at a time)
over one httpx client, and yields each ``FetchResult`` as soon as its feed has
answered, so the caller imports a fast feed while a slow one still waits. The
threads are daemons and the caller can give up (``cancelled``): quitting the app
mid-fetch never waits for a hanging server's timeout.

Each request sends the feed's ETag (If-None-Match) and Last-Modified
(If-Modified-Since); a 304 is "not modified" and costs nothing more. Redirects are
followed by hand, so we know whether every hop was permanent (301/308): only then
does the subscription take the new URL. The whole fetch of one feed, body
included, is bounded by ``timeout`` seconds, and a body over ``MAX_BYTES`` (after
decompression, so a gzip bomb is cut off too) is refused. Nothing here raises for
a server's fault: every failure is a ``FetchResult`` with an ``error`` in words.
"""

from __future__ import annotations

import queue
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

DEFAULT_TIMEOUT = 20.0
"""Seconds one feed may take, from connecting to the last byte (config: fetch_timeout)."""
CONCURRENCY = 8
"""Feeds fetched at the same time."""
MAX_BYTES = 10 << 20
"""The largest feed read (10 MB); real feeds are tens or hundreds of kilobytes."""
MAX_REDIRECTS = 5
_CHUNK = 64 << 10


def user_agent() -> str:
    """A real User-Agent: some servers refuse the default one of HTTP libraries."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("newsdesk")
    except PackageNotFoundError:
        ours = "0.0.0"
    return f"newsdesk/{ours} (terminal feed reader; +https://pypi.org/project/newsdesk/)"


@dataclass(frozen=True)
class FetchRequest:
    """One feed to fetch, with the validators its last full answer gave."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class FetchResult:
    """What one feed's server answered (or why it did not)."""

    request: FetchRequest
    status: int | None = None
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    final_url: str = ""
    """Where the answer came from, after any redirects."""
    moved_to: str | None = None
    """The URL the feed moved to for good (every redirect on the way was 301/308)."""
    error: str | None = None
    """Why this feed could not be fetched, in words (None: it was)."""
    seconds: float = 0.0

    @property
    def not_modified(self) -> bool:
        """The server said 304: nothing new since the validators we sent."""
        return self.status == 304 and self.error is None


def _network_reason(exc: BaseException, host: str) -> str:
    """A failure below HTTP in words: DNS, refused, TLS, reset."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    for cause in seen:
        if isinstance(cause, socket.gaierror):
            return f"DNS: cannot find the host {host!r}"
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused by {host}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS: {cause.reason or cause}"
    text = str(exc)
    if "Name or service not known" in text or "nodename nor servname" in text or (
            "getaddrinfo" in text) or "No address associated" in text:
        return f"DNS: cannot find the host {host!r}"
    if "Connection refused" in text:
        return f"connection refused by {host}"
    return f"network error: {text or type(exc).__name__}"


class _TooBig(Exception):
    pass


class _Late(Exception):
    pass


def fetch_one(client: Any, request: FetchRequest, timeout: float) -> FetchResult:
    """GET one feed (``client``: an ``httpx.Client``); never raises for the server."""
    import httpx

    started = time.monotonic()
    deadline = started + timeout
    result = FetchResult(request, final_url=request.url)
    headers = {}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    url, permanent = request.url, True
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Late
            with client.stream("GET", url, headers=headers,
                               timeout=httpx.Timeout(left)) as response:
                status = response.status_code
                if status in (301, 302, 303, 307, 308) and "location" in response.headers:
                    target = urljoin(url, response.headers["location"])
                    if urlsplit(target).scheme not in ("http", "https"):
                        result.error = f"redirected to a non-web address ({target[:80]})"
                        return result
                    permanent = permanent and status in (301, 308)
                    if permanent:
                        result.moved_to = target
                    url = target
                    continue
                result.status, result.final_url = status, url
                if status == 304:
                    return result
                if status >= 400:
                    reason = response.reason_phrase or ""
                    result.error = f"HTTP {status}{' ' + reason if reason else ''}"
                    return result
                length = response.headers.get("content-length", "")
                if length.isdigit() and int(length) > MAX_BYTES:
                    raise _TooBig
                chunks, size = [], 0
                for chunk in response.iter_bytes(_CHUNK):
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise _TooBig
                    if time.monotonic() > deadline:
                        raise _Late
                    chunks.append(chunk)
                result.body = b"".join(chunks)
                result.content_type = response.headers.get("content-type", "")
                result.etag = response.headers.get("etag")
                result.last_modified = response.headers.get("last-modified")
                return result
        result.error = f"more than {MAX_REDIRECTS} redirects"
    except (_Late, httpx.TimeoutException):
        result.error = f"timed out after {timeout:g} s"
    except _TooBig:
        result.error = f"the answer is larger than {MAX_BYTES >> 20} MB; not read"
    except httpx.InvalidURL as exc:
        result.error = f"not a valid URL ({exc})"
    except (httpx.TransportError, OSError) as exc:
        result.error = _network_reason(exc, urlsplit(url).hostname or url)
    except httpx.HTTPError as exc:
        result.error = f"HTTP error: {exc}"
    finally:
        result.seconds = time.monotonic() - started
    return result


def fetch_all(requests: Sequence[FetchRequest], *, timeout: float = DEFAULT_TIMEOUT,
              concurrency: int = CONCURRENCY, transport: Any = None,
              cancelled: Callable[[], bool] | None = None) -> Iterator[FetchResult]:
    """Fetch every feed side by side; yield each result as soon as it is in.

    ``cancelled``: asked a few times a second while waiting; once it says True no
    more results are yielded (requests under way end on their own timeouts).
    ``transport``: an httpx transport for tests (default: the network).
    """
    import httpx

    if not requests:
        return
    workers = max(1, min(concurrency, len(requests)))
    client = httpx.Client(
        headers={"User-Agent": user_agent(),
                 "Accept": "application/rss+xml, application/atom+xml, application/rdf+xml, "
                           "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"},
        follow_redirects=False, transport=transport, trust_env=True,
        # $HTTPS_PROXY and friends are honoured, but never for this machine's own servers.
        mounts={"all://127.0.0.1": None, "all://localhost": None, "all://[::1]": None},
        limits=httpx.Limits(max_connections=workers, max_keepalive_connections=workers),
    )
    todo: queue.SimpleQueue[FetchRequest] = queue.SimpleQueue()
    done: queue.SimpleQueue[FetchResult] = queue.SimpleQueue()
    for request in requests:
        todo.put(request)

    def work() -> None:
        while True:
            try:
                request = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put(fetch_one(client, request, timeout))
            except Exception as exc:  # noqa: BLE001 - a bug here must not hang the caller
                done.put(FetchResult(request, error=f"could not be fetched ({exc})"))

    # Daemon threads, not a ThreadPoolExecutor: Python joins an executor's threads at
    # exit, so quitting while a server hangs would wait for its timeout.
    for n in range(workers):
        threading.Thread(target=work, name=f"newsdesk-fetch-{n}", daemon=True).start()
    finished = False
    try:
        for _ in requests:
            while True:
                try:
                    result = done.get(timeout=0.2)
                    break
                except queue.Empty:
                    if cancelled is not None and cancelled():
                        return
            yield result
        finished = True
    finally:
        while True:  # a consumer that stopped early: start nothing new
            try:
                todo.get_nowait()
            except queue.Empty:
                break
        if finished:  # else requests still run on it; they end on their timeouts
            client.close()
