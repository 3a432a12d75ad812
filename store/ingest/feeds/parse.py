"""From a fetched answer to records: refuse what is not a feed, parse the rest safely.

Three checks come before feedparser sees a byte:

1. A web page is not a feed (an HTML content type, or a document that starts as
   HTML); when the page links to its feed, the message says where.
2. XML that declares entities is refused (defusedxml): that is how a "billion
   laughs" bomb grows a few hundred bytes into gigabytes, and no real feed needs it.
3. XML that does not parse is read leniently by feedparser if it still yields
   entries (many real feeds are slightly broken); with no entries it is reported as
   malformed XML, with its line and column.

The entries themselves are read by ``store.ingest.importers.feeds.read_feed``, the same
reader ``newsdesk import`` uses: HTML in titles and summaries becomes text there.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from store.ingest.importers.feeds import read_feed
from store.ingest.importers.records import Record
from store.text.clean import sanitize_line

_HTML_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html)",
                         re.IGNORECASE | re.DOTALL)
_FEED_LINK = re.compile(
    rb"<link\b[^>]*type=[\"']application/(?:rss|atom)\+xml[\"'][^>]*>", re.IGNORECASE)
_HREF = re.compile(rb"href=[\"']([^\"']+)[\"']", re.IGNORECASE)


@dataclass
class ParsedFeed:
    """A feed's records and channel title, or why it could not be read."""

    records: list[Record] = field(default_factory=list)
    title: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def _web_page(data: bytes, content_type: str, url: str) -> str | None:
    """"a web page, not a feed" (and where its feed is, if it says), or None."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind not in ("text/html", "application/xhtml+xml") and not _HTML_START.match(data[:4096]):
        return None
    reason = "a web page, not a feed"
    link = _FEED_LINK.search(data[:65536])
    href = _HREF.search(link.group(0)) if link else None
    if href:
        target = urljoin(url, href.group(1).decode("utf-8", "replace"))
        reason += f" (the page names its feed: {sanitize_line(target)[:200]})"
    return reason


def _xml_problem(data: bytes) -> tuple[str | None, str | None]:
    """(refusal, malformation): why the XML is refused outright (entities: a possible
    bomb), and where it is malformed; both None for well-formed, safe XML."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        return (f"refused: the XML declares entities ({type(exc).__name__}), as an "
                "XML bomb does; a feed never needs them"), None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        message = str(exc).split(":", 1)[0]
        return None, f"malformed XML ({message}, line {line}, column {column + 1})"
    except (ValueError, RecursionError) as exc:
        return None, f"malformed XML ({exc})"
    return None, None


def parse_answer(data: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Read a feed's bytes (fetched from ``url``) into records.

    The records carry ``feed`` (the channel's title, else the host), ``url`` (the
    entry's link), ``guid`` and ``source`` (the feed's host, so ``source:`` finds them).
    """
    out = ParsedFeed()
    if not data.strip():
        out.error = "an empty answer, not a feed"
        return out
    page = _web_page(data, content_type, url)
    if page is not None:
        out.error = page
        return out
    refusal, malformed = _xml_problem(data)
    if refusal is not None:
        out.error = refusal
        return out
    result = read_feed(data, url)
    if not result.records:
        if malformed is not None:
            out.error = malformed
        elif result.problems:
            out.error = sanitize_line(result.problems[0].reason)
        return out
    if malformed is not None:
        out.warnings.append(f"{malformed}; its entries were read leniently")
    host = urlsplit(url).netloc or url
    title = next((r.feed for r in result.records if r.feed), None)
    out.title = title
    out.records = [dataclasses.replace(r, source=host, feed=r.feed or host)
                   for r in result.records]
    out.warnings.extend(str(p) for p in result.problems)
    return out
