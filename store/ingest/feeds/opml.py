"""OPML 2.0: the subscription lists feed readers exchange.

Reading: every ``<outline>`` with an ``xmlUrl`` is a feed; the outlines around it
(with a ``text`` or ``title``, and no ``xmlUrl``) are its folders, nested as
``News/Tech``. The file is parsed by defusedxml: an OPML file from the internet is
as untrusted as a feed, and entity declarations (an XML bomb) are refused.

Writing: one folder outline per folder level, feeds inside (``type="rss"``,
``text`` and ``title`` the feed's name, ``xmlUrl``), so reading the file back gives
the same feeds in the same folders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formatdate
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from store.errors import StoreError
from store.ingest.feeds.subscriptions import Subscription, clean_folder


class OPMLError(StoreError):
    """A file that is not OPML (or not safe to read)."""


@dataclass(frozen=True)
class Outline:
    """One feed of an OPML file."""

    url: str
    title: str
    folder: str


def _name(node: Element) -> str:
    return " ".join(str(node.get("text") or node.get("title") or "").split())


def read_opml(data: bytes, source: str = "OPML") -> list[Outline]:
    """The feeds of an OPML file, in document order. OPMLError says what is wrong."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise OPMLError(f"{source}: refused: it declares XML entities ({type(exc).__name__}), "
                        "as an XML bomb does") from exc
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise OPMLError(f"{source}:{line}: not well-formed XML ({str(exc).split(':')[0]}, "
                        f"column {column + 1})") from exc
    if root.tag.rsplit("}", 1)[-1].lower() != "opml":
        raise OPMLError(f"{source}: not an OPML file (its root element is <{root.tag}>)")
    body = next((child for child in root if child.tag.rsplit("}", 1)[-1] == "body"), None)
    if body is None:
        raise OPMLError(f"{source}: an OPML file without a <body>")
    found: list[Outline] = []

    def walk(node: Element, folders: list[str]) -> None:
        for child in node:
            if child.tag.rsplit("}", 1)[-1] != "outline":
                continue
            url = (child.get("xmlUrl") or child.get("xmlurl") or "").strip()
            if url:
                found.append(Outline(url, _name(child), clean_folder("/".join(folders))))
                walk(child, folders)  # a feed outline with children: unusual, but read them
            else:
                name = _name(child).replace("/", "-")
                walk(child, [*folders, name] if name else folders)

    walk(body, [])
    return found


def write_opml(feeds: Sequence[Subscription], title: str = "newsdesk subscriptions") -> bytes:
    """OPML 2.0 for ``feeds``: folders as nested outlines, feeds by name within each."""
    root = Element("opml", version="2.0")
    head = SubElement(root, "head")
    SubElement(head, "title").text = title
    SubElement(head, "dateCreated").text = formatdate(usegmt=True)
    body = SubElement(root, "body")
    folders: dict[str, Element] = {"": body}

    def folder(path: str) -> Element:
        if path not in folders:
            parent, _, name = path.rpartition("/")
            folders[path] = SubElement(folder(parent), "outline", text=name, title=name)
        return folders[path]

    for sub in sorted(feeds, key=lambda s: (s.folder.casefold(), s.name.casefold(), s.url)):
        attrs = {"type": "rss", "text": sub.name, "title": sub.name, "xmlUrl": sub.url}
        SubElement(folder(sub.folder), "outline", attrs)
    indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8",
                                                                 xml_declaration=False) + b"\n"
