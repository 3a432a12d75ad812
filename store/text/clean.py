"""Text handling shared by every part of the store: one place for each rule.

Item text is untrusted. ``sanitize`` makes it inert (no terminal controls, no bidi
overrides) and is applied at import and again before anything is rendered.
``normalize`` gives the canonical form an item's id is derived from. ``fold`` and
``tokens`` define what a "word" is for search, topics and highlighting, so the
query, the index and the topic rules can never disagree about matching.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

# C0 controls except tab and newline, DEL, and the C1 block. ESC (0x1b) is in here,
# so no CSI/OSC sequence survives: what is left of one is plain, printable text.
_CONTROLS = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n") + "\x7f"
_CONTROLS += "".join(chr(c) for c in range(0x80, 0xA0))
# Bidi embeddings, overrides and isolates: they reorder the text around them.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DROP = {ord(ch): None for ch in _CONTROLS + _BIDI}
_DROP_KEEP_CR = dict(_DROP)
del _DROP_KEEP_CR[ord("\r")]

_SPACE_RUN = re.compile(r"[^\S\n]+")
_WORD = re.compile(r"\w+(?:['’]\w+)*")


def sanitize(text: str) -> str:
    """Remove control characters (except tab and newline) and bidi controls.

    CR is dropped too: a lone CR moves the terminal cursor, and CRLF line ends
    are handled by the importers before this is called.
    """
    # Every character removed is a control (Cc) or a format character (Cf), which
    # str.isprintable rejects: text that passes is returned as it is, 25x faster
    # than translate's per-character lookup (most briefs have none to remove).
    if text.isprintable():
        return text
    return text.translate(_DROP)


def sanitize_line(text: str) -> str:
    """Sanitize for a single screen line: tabs and newlines become spaces."""
    return sanitize(text).replace("\t", " ").replace("\n", " ")


# -- remnants of escaping: what scraped feeds and datasets do to text ------------------

# Named entities that lost their ampersand ("quot;", "hellip;"): only names no English word
# shares, so "success;" or "or;" is never touched.
_BARE_NAMES = (
    "quot amp lt gt apos nbsp hellip lsquo rsquo ldquo rdquo sbquo bdquo mdash ndash laquo "
    "raquo middot bull trade reg copy euro pound yen cent deg eacute egrave aacute agrave "
    "oacute uacute iacute ntilde ccedil uuml ouml auml szlig"
).split()
_BARE_ENTITY = re.compile(
    r"(?<![&\w])(?:#(\d{2,7})|#x([0-9a-fA-F]{2,6})|(" + "|".join(_BARE_NAMES) + r"));"
)
_SUSPECT = re.compile(r"[\\<>]|&[#a-zA-Z]|(?:#\d{2,7}|#x[0-9a-fA-F]{2,6}|[a-z]{2,6});")
_SUSPECT_CHARS = re.compile(r"[\\<>&;]")  # each of _SUSPECT's branches holds one of these
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
# "it 's", "Fed 's": an apostrophe that was an entity, with the space before it.
_LOOSE_APOS = re.compile(r"(\w) +(['’])(s|t|re|ve|ll|d|m)\b")
# Exchange tickers in angle brackets, Reuters style: <TXN.N>, <KMRT.O>, <CLc1>, <.DJI>.
_TICKER = re.compile(
    r"\s*<(?:\.?[A-Za-z0-9]{1,8}\.[A-Za-z]{1,3}|\.[A-Z]{2,8}|[A-Z]{2,5}[a-z]?\d{1,2})>")
# What is left of a tag that lost its brackets, or was cut off: href="...", <a href=...
_ATTRIBUTE = re.compile(
    r"\b(?:href|src|face|size|color|class|style|target|alt|width|height|border|align)"
    r"\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+)\s*>?", re.IGNORECASE)
_OPEN_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?(?:>|$)")
_CP1252 = bytes(range(0x80, 0xA0)).decode("cp1252", errors="replace")


def _char(number: int) -> str:
    """The character a numeric entity meant; 128-159 are Windows-1252, as the web uses them."""
    if 0x80 <= number < 0xA0:
        char = _CP1252[number - 0x80]
        return "" if char == "\ufffd" else char
    if number == 0 or number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
        return ""
    return chr(number)


def _bare_entity(m: re.Match[str]) -> str:
    import html

    if m.group(1):
        return _char(int(m.group(1)))
    if m.group(2):
        return _char(int(m.group(2), 16))
    return html.unescape(f"&{m.group(3)};")


def _unescape(m: re.Match[str]) -> str:
    import html

    body = m.group()[1:-1]
    if body.startswith(("#x", "#X")):
        return _char(int(body[2:], 16))
    if body.startswith("#"):
        return _char(int(body[1:]))
    return html.unescape(m.group())


def repair(text: str) -> str:
    """Undo the damage escaping does to text on its way through scrapers and datasets.

    Double-escaped entities (``&amp;lt;``) and entities that lost their ampersand
    (``#39;``, ``quot;``, ``#36;``) become their characters; a backslash that stood for a
    line break becomes a space (``\\$`` is a dollar sign); exchange tickers (``<TXN.N>``),
    tags and tag attributes left in the text are dropped. Idempotent, and plain text
    comes back as it was: ``a < b``, ``Tom & Jerry`` and ``success;`` are left alone.
    """
    if not _SUSPECT_CHARS.search(text) or not _SUSPECT.search(text):
        return text  # (the first: one character class, scanned at C speed; 20x faster)
    if "\\" in text:
        text = re.sub(r"\\+(?=[$\"'])", "", text)
        text = re.sub(r"\\+", " ", text)
    for _ in range(3):  # &amp;amp;lt; is three escapes deep
        before = text
        if "&" in text:
            text = _ENTITY.sub(_unescape, text)
        text = _BARE_ENTITY.sub(_bare_entity, text)
        if text == before:
            break
    text = _LOOSE_APOS.sub(r"\1\2\3", text)
    if "<" in text:
        text = _TICKER.sub("", text)
        if _OPEN_TAG.search(text):
            from store.text.html import html_to_text, looks_like_html

            if looks_like_html(text):
                text = html_to_text(text.replace("\n", "<br>"))
            # a tag cut off, or one html.parser does not know, still has its attributes
            text = _OPEN_TAG.sub(lambda m: "" if "=" in m.group() else m.group(), text)
    if "=" in text:
        text = _ATTRIBUTE.sub("", text)
    return text


def clean(text: str) -> str:
    """Sanitize, repair escaping remnants (``repair``), then collapse runs of spaces and
    trim: the form an item is stored in."""
    text = repair(text)
    if text.isprintable() and "  " not in text:
        # The common case, one line without controls whose only whitespace is single
        # ASCII spaces (other spaces, tabs and newlines are not printable): nothing to
        # remove or collapse, so the result is the same as below, five times faster.
        return unicodedata.normalize("NFC", text).strip()
    text = unicodedata.normalize("NFC", sanitize(text))
    lines = (_SPACE_RUN.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines).strip()


def normalize(text: str) -> str:
    """Canonical form for identity: NFKC, case-folded, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", sanitize(text)).casefold()
    return " ".join(text.split())


def item_id(text: str) -> str:
    """A stable id for a brief: the same text (up to case and spacing) gives the same id."""
    return hashlib.sha1(normalize(text).encode("utf-8")).hexdigest()[:12]


def key_id(kind: str, key: str) -> str:
    """A stable id from an identity given by the source (``kind`` "guid" or "url").

    The kind is hashed in, so a guid, a url and a text never share an id; the key
    is only trimmed, as feeds compare guids exactly.
    """
    return hashlib.sha1(f"{kind}\x00{key.strip()}".encode()).hexdigest()[:12]


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Fold one word for matching: case, accents, possessives, simple English plurals.

    ``Ukraine's`` -> ``ukraine``, ``drones`` -> ``drone``, ``allies`` -> ``ally``,
    ``Zelenskyy`` -> ``zelenskyy``. Deliberately small and predictable; both the
    query and the indexed text go through it, so it only has to be consistent.
    """
    w = fold_prefix(word)
    if len(w) > 3 and w.isalpha():
        if w.endswith("ies"):
            w = w[:-3] + "y"
        elif w.endswith("sses"):
            w = w[:-2]
        elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
    return w


def fold_prefix(word: str) -> str:
    """Fold a word that may be cut short (the ``guarant`` of ``guarant*``): case,
    accents and a possessive ``'s``, but no plural rule, so ``pres*`` stays ``pres``.

    ``fold`` is this plus the plural rule, so a prefix search compares this with
    the start of folded terms (``guarant*`` finds the folded ``guarantee``).
    """
    w = word.casefold().replace("’", "'")
    if not w.isascii():
        w = "".join(
            c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c)
        )
    if w.endswith("'s"):
        w = w[:-2]
    return w.rstrip("'")


def fold_path(path: str) -> str:
    """Fold a hierarchical name (a tag or topic such as ``Security/NATO``) for matching.

    Each ``/`` segment becomes its folded words joined by one space and empty
    segments go, so ``Region / Europe`` and ``region/europe`` compare equal.
    """
    segments = (" ".join(terms(part)) for part in path.split("/"))
    return "/".join(seg for seg in segments if seg)


class Token(NamedTuple):
    """A word in a text: its folded form and where it stands (for highlighting)."""

    term: str
    start: int
    end: int


def tokens(text: str) -> Iterator[Token]:
    """Yield every word of ``text`` with its folded form and character span."""
    for m in _WORD.finditer(text):
        term = fold(m.group())
        if term:
            yield Token(term, m.start(), m.end())


def terms(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return [term for term in map(fold, _WORD.findall(text)) if term]


# Words that end in a period without ending a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen col lt sgt capt cmdr adm gov sen rep pres st jr sr
    inc ltd co corp plc vs etc eg ie no nos approx dept est fig vol ed rev hon
    jan feb mar apr jun jul aug sep sept oct nov dec mt ft av ave blvd""".split()
)
_BOUNDARY = re.compile(r"[.!?]+[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9\u00c0-\u024f])")


def _ends_with_abbreviation(before: str) -> bool:
    word = before.rsplit(None, 1)[-1] if before.strip() else ""
    word = word.lstrip("\"“‘'([").rstrip(".")
    if not word:
        return False
    if len(word) == 1 and word.isalpha():  # an initial: "U. S.", "J. Smith"
        return True
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]?", word):  # "U.S", "e.g"
        return True
    return word.casefold().replace(".", "") in _ABBREVIATIONS


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences, returned as (start, end) spans.

    A period ends a sentence only when an upper-case letter, digit or opening quote
    follows, and the word before it is not an initial or a known abbreviation, so
    "The U. S. senators discussed…" stays one sentence.
    """
    return list(_sentence_spans(text))


def _sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in _BOUNDARY.finditer(text):
        punct_end = m.start() + len(m.group().rstrip())
        if text[m.start()] == "." and _ends_with_abbreviation(text[start : m.start()]):
            continue
        yield start, punct_end
        start = m.end()
    if start < len(text) and text[start:].strip():
        yield start, len(text.rstrip())


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (the whole text if it has no boundary)."""
    first = next(_sentence_spans(text), None)  # the others are not needed: not looked for
    if first is None:
        return text.strip()
    start, end = first
    return text[start:end].strip()


TITLE_MAX = 120
GIVEN_TITLE_MAX = 300
"""A title the source gives is kept up to this long (a hostile feed's 100k-character
title is shortened on import; the text itself is always kept whole)."""


def make_title(text: str, limit: int = TITLE_MAX) -> str:
    """A one-line title: the first sentence, without its final period, shortened
    at a word boundary with an ellipsis when longer than ``limit`` characters."""
    title = " ".join(first_sentence(text).split())
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1]
    return shorten(title, limit)


def shorten(title: str, limit: int) -> str:
    """``title`` if it fits in ``limit`` characters, else cut at a word boundary (when
    one is near) and ended with an ellipsis."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


# -- newswire furniture: datelines, credits, bylines -----------------------------------

_WIRE_PREFIX = re.compile(
    r"""\s*
    (?:By\ [A-Z][A-Za-z.'-]*(?:\ [A-Z][A-Za-z.'-]*){0,3}(?:\s+|,\s*)|\ )?  # byline
    (?:
      (?P<place>[A-Z][A-Z.'’-]*(?:[ /][A-Z][A-Z.'’-]*){0,4})                # LONDON, NEW YORK
      (?:,\s*[A-Z][A-Za-z.]*(?:\ [A-Z][A-Za-z.]*)?)?                        # , Greece  , N.J.
      (?:,\s*[A-Z][a-z]{2,4}\.?\ \d{1,2})?                                  # , Aug. 14
      \s*(?:\([^()]{1,30}\))?                                              # (Reuters)
     |\([^()]{1,30}\)                                                      # (AP) alone
     |(?P<credit>[A-Z][\w.&'’]*(?:\ [A-Z][\w.&'’]*){0,3})                   # Reuters, SPACE.com
    )
    \s*(?:--?|[–—])\s+""",
    re.X,
)
_SOURCE_SUFFIX = re.compile(r"\s*\((?:[A-Z][\w.&'’-]*|[a-z][\w-]*\.(?:com|net|org))"
                            r"(?:\ [A-Z][\w.&'’-]*){0,3}\)\s*$", re.X)


def wire_prefix(text: str) -> int:
    """Where a wire story's own text begins: after its byline, dateline and credit
    (``LONDON (Reuters) - ``, ``ATHENS, Greece (AP) -- ``, ``AFP - ``), or 0."""
    m = _WIRE_PREFIX.match(text)
    if m is None:
        return 0
    place = m.group("place")
    if place is not None and not place.replace(".", "").isupper():
        return 0
    if m.group("credit") is not None and not text[m.end():m.end() + 1].isupper():
        return 0  # "Apple - the firm that ...": a dash inside a sentence, not a credit
    return m.end()


def source_suffix(title: str) -> int:
    """Where a title's source credit begins (``Oil soars (Reuters)``), or its length."""
    m = _SOURCE_SUFFIX.search(title)
    return m.start() if m else len(title)


def mask_wire(text: str) -> str:
    """``text`` with its byline, dateline and credit blanked out, offsets unchanged: what
    entity extraction and subject discovery read, so ``LONDON`` in ``LONDON (Reuters) -``
    is no organisation and "Reuters" no subject."""
    end = wire_prefix(text)
    return " " * end + text[end:] if end else text
