"""HTML to plain text, for feed content and HTML-looking fields of JSON and CSV.

newsdesk never stores or shows markup: entities are decoded, tags dropped, and
``<p>``, ``<br>``, ``<li>`` and the ends of other blocks become line breaks, so
paragraphs survive as text. ``<script>``, ``<style>`` and similar elements are
dropped with their contents. Built on the standard ``html.parser``, which never
raises on broken markup; the result still goes through ``store.text.clean.clean``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose start and end are paragraph breaks.
_BLOCKS = frozenset(
    """address article aside blockquote center dd details div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 header hr main nav ol p pre section summary table tbody
    thead tfoot tr ul""".split()
)
# Elements dropped together with everything inside them.
_SKIPPED = frozenset("script style head template noscript iframe object svg math".split())
_CELLS = frozenset(("td", "th"))

_LOOKS_LIKE_TAG = re.compile(
    r"</?(?:a|abbr|b|blockquote|br|center|cite|code|dd|del|div|dl|dt|em|figcaption|figure|"
    r"font|h[1-6]|hr|i|iframe|img|ins|li|mark|ol|p|pre|q|s|script|section|small|span|"
    r"strike|strong|style|sub|sup|table|tbody|td|th|thead|time|tr|u|ul)\b[^<>]*>",
    re.IGNORECASE,
)
_LOOKS_LIKE_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});",
                                re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_LINE_SPACES = re.compile(r"[^\S\n]+")
_BREAK = "\n"


def looks_like_html(text: str) -> bool:
    """Whether ``text`` holds a known HTML tag or an entity (``&amp;``, ``&#8217;``).

    Plain text such as ``a < b`` or ``Tom & Jerry`` does not: converting it would
    lose characters the writer meant.
    """
    return bool(_LOOKS_LIKE_TAG.search(text) or _LOOKS_LIKE_ENTITY.search(text))


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str | int] = []  # text, or an int: a break of that many newlines
        self.skip_depth = 0
        self.pre_depth = 0

    def _break(self, lines: int) -> None:
        if self.parts and isinstance(self.parts[-1], int):
            self.parts[-1] = max(self.parts[-1], lines)
        else:
            self.parts.append(lines)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skip_depth += 1
        elif self.skip_depth:
            return
        elif tag == "br":
            self.parts.append(1)  # consecutive <br>s are kept as written
        elif tag == "li":
            self._break(1)
            self.parts.append("• ")
        elif tag in _BLOCKS:
            self._break(2)
            if tag == "pre":
                self.pre_depth += 1
        elif tag in _CELLS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <hr/>, <p/>: a start with no content; skipped elements have no inside.
        if tag not in _SKIPPED:
            self.handle_starttag(tag, attrs)
            if tag == "pre":
                self.pre_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif self.skip_depth:
            return
        elif tag == "li":
            self._break(1)
        elif tag in _BLOCKS:
            self._break(2)
            if tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if not self.pre_depth:
            data = _SPACES.sub(" ", data)
        self.parts.append(data)

    def unknown_decl(self, data: str) -> None:
        if data.startswith("CDATA[") and not self.skip_depth:
            self.handle_data(data[len("CDATA["):])

    def text(self) -> str:
        out: list[str] = []
        for part in self.parts:
            out.append(_BREAK * part if isinstance(part, int) else part)
        lines = [_LINE_SPACES.sub(" ", line).strip() for line in "".join(out).split("\n")]
        text = "\n".join(lines)
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_to_text(html: str) -> str:
    """The readable text of an HTML fragment: no tags, entities decoded, paragraphs
    as blank lines, list items on lines of their own (``• item``)."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; never fail an import over markup
        pass
    return parser.text()


def text_of(value: str, html: bool | None = None) -> str:
    """``value`` as plain text: converted when ``html`` is true, or when it is None
    (unknown) and the value looks like HTML; otherwise returned as it is."""
    if html or (html is None and looks_like_html(value)):
        return html_to_text(value)
    return value
