"""Tokens of news English and the gazetteer lexicon they are matched against.

A token is a word, an abbreviation ("U.S."), an initial, a number or "&", with its span and
what it may be (part of a name, an all-capital abbreviation, a possessive). The lexicon maps
folded token sequences to the places, demonyms and organisations of the gazetteers.
"""

from __future__ import annotations

import re

from store.derive.entities import gazetteer as gz
from store.text.clean import fold, sentence_spans

# --------------------------------------------------------------------------- tokens

_TOKEN = re.compile(
    r"""
    (?P<acr>\b[A-Z]\.(?:[ ]?[A-Z]\.)+)                      # U.S.  U. S.  J. K.
    |(?P<init>\b[A-Z]\.(?=[ ][A-Z]))                        # an initial: S. Somanath
    |(?P<word>[^\W\d_]\w*(?:['’&-]\w+)*(?:['’](?!\w))?)     # Poland's  al-Assad  AT&T
    |(?P<num>\d[\w.,:%]*)                                   # 2023  1.5%  737
    |(?P<amp>&)
    """,
    re.X,
)
_NAME_PREFIXES = frozenset("al el ad as an ash at az ul bin ibn abu abd".split())
_APOS = "'’"


class _Tok:
    """A word, abbreviation, number or "&" with its span and what it may be."""

    __slots__ = ("text", "start", "end", "kind", "f", "low", "cap", "caps", "poss", "first")

    def __init__(self, text: str, start: int, end: int, kind: str, f: str, low: str,
                 cap: bool = False, caps: bool = False, poss: bool = False) -> None:
        self.text = text  # normalised surface ("US" for "U. S.")
        self.start = start
        self.end = end
        self.kind = kind  # word | acr | init | num | amp
        self.f = f  # folded (store.text.clean.fold)
        self.low = low  # lower-cased
        self.cap = cap  # may be part of a name
        self.caps = caps  # an all-capital abbreviation
        self.poss = poss  # ends in a possessive
        self.first = False  # first word of a sentence


def _is_caps(word: str) -> bool:
    return 2 <= len(word) <= 8 and word.isupper() and sum(c.isalpha() for c in word) >= 2


_INFO: dict[str, tuple[str, str, bool, bool, bool]] = {}  # word -> what _make computes


def _word_info(text: str) -> tuple[str, str, bool, bool, bool]:
    """(folded, lower, may be a name, all capitals, possessive) for one word, cached."""
    info = _INFO.get(text)
    if info is not None:
        return info
    if text.islower():  # the common case: a plain lower-case word
        info = (fold(text), text, False, False, False)
    else:
        poss = text[-2:] in ("'s", "’s") or text[-1] in _APOS
        cap = caps = False
        if text[0].isupper():
            cap = True
            caps = _is_caps(text.rstrip(_APOS + "s") if poss else text)
            if not caps and text[-1] == "s" and _is_caps(text[:-1]):
                cap = False  # "UAVs", "NGOs": plural abbreviations are common nouns
        elif "-" in text and text.split("-", 1)[0] in _NAME_PREFIXES and \
                text.split("-", 1)[1][:1].isupper():
            cap = True  # al-Assad
        elif text[:2] in ("d'", "d’", "l'", "l’") and text[2:3].isupper():
            cap = True  # Côte d'Ivoire, Giro d'Italia
        elif text in _MIXED_ORGS:
            cap = True  # eBay, easyJet
        info = (fold(text), text.lower(), cap, caps, poss)
    if len(_INFO) < 100_000:
        _INFO[text] = info
    return info


def _make(text: str, start: int, end: int, kind: str) -> _Tok:
    if kind == "word":
        return _Tok(text, start, end, kind, *_word_info(text))
    if kind == "acr":
        norm = text.replace(".", "").replace(" ", "")
        return _Tok(norm, start, end, kind, norm.lower(), norm.lower(), True, True)
    if kind == "init":
        return _Tok(text, start, end, kind, text.lower(), text.lower(), True)
    return _Tok(text, start, end, kind, text.lower(), text.lower())


def _split_hyphen(text: str, start: int) -> list[tuple[str, int, int]]:
    """Split "Paris-based", "pro-Russian", "Russian-Ukrainian" into their name parts."""
    parts, pos = [], start
    for p in text.split("-"):
        parts.append((p, pos, pos + len(p)))
        pos += len(p) + 1
    caps = [bool(p) and p[0].isupper() for p, _, _ in parts]
    if all(caps):
        keys = [(fold(p),) for p, _, _ in parts]
        if all(k in _LEX and _LEX[k][0] in ("place", "demonym") for k in keys) or all(
            p in _EXACT for p, _, _ in parts
        ):
            return parts  # Russian-Ukrainian, US-China: each part is its own place
        return [(text, start, start + len(text))]
    if caps[0]:
        n = caps.index(False)  # Paris-based, San Francisco-based
        tail = [fold(p) for p, _, _ in parts[n:]]
        if not all(w in gz.HYPHEN_TAILS for w in tail):
            return [(text, start, start + len(text))]  # Han Jong-hee, Bong Joon-ho
        head_end = parts[n - 1][2]
        return [(text[: head_end - start], start, head_end), (text[head_end - start :], head_end,
                                                              start + len(text))]
    if any(caps):
        n = caps.index(True)  # pro-Russian, anti-EU, mid-March
        cut = parts[n][1]
        return [(text[: cut - start], start, cut), (text[cut - start :], cut, start + len(text))]
    return [(text, start, start + len(text))]


_OPENERS = frozenset("\n:“\"‘(•—")


def _tokenize(text: str) -> list[_Tok]:
    """Tokens of ``text``, each marked when it opens a sentence (or a quote, or a line)."""
    toks: list[_Tok] = []
    append = toks.append
    starts = [s for s, _ in sentence_spans(text)]
    starts.append(len(text) + 1)
    si = 0
    prev_end = 0
    for m in _TOKEN.finditer(text):
        word = m.group()
        start, end = m.span()
        # The group that matched is the kind, but for a "word" starting with a
        # digit-like letter ("²"), a number (as the first-character test this was)
        kind = m.lastgroup or "word"  # every alternative of the pattern is named
        if kind == "word" and word[0].isdigit():
            kind = "num"
        parts = None  # the pieces of a hyphenated word, when it is cut up
        if kind == "word" and "-" in word and not word.islower() and not (
            word.split("-", 1)[0] in _NAME_PREFIXES or (fold(word),) in _LEX
        ):
            parts = [_make(p, s, e, "word" if p[:1].isalpha() else "num")
                     for p, s, e in _split_hyphen(word, start)]
            t = parts[0]
        elif kind == "word":
            info = _INFO.get(word)  # _word_info's cache, without the call: most words
            t = _Tok(word, start, end, kind, *(info or _word_info(word)))
        else:
            t = _make(word, start, end, kind)
        if start >= starts[si]:
            while start >= starts[si]:
                si += 1
            t.first = True
        elif start - prev_end > 1 or (start > prev_end and text[prev_end] != " "):
            if kind == "word" and not _OPENERS.isdisjoint(text[prev_end:start]):
                t.first = True
        if parts is None:
            append(t)
            prev_end = end
        else:
            toks.extend(parts)
            prev_end = parts[-1].end
    if toks:
        toks[0].first = True
    return toks


# --------------------------------------------------------------------------- lexicon

_LEX: dict[tuple[str, ...], tuple[str, str]] = {}  # folded tokens -> (kind, canonical)
_EXACT: dict[str, tuple[str, str]] = {}  # all-capital abbreviations, case-sensitive
_COUNTRIES: set[tuple[str, ...]] = set()
_MIXED_ORGS: set[str] = set()
_PREFIXES: set[tuple[str, ...]] = set()  # every start of a _LEX key


def _alias_key(name: str) -> tuple[list[_Tok], tuple[str, ...]]:
    toks = [_make(m.group(), m.start(), m.end(), m.lastgroup or "word") for m in
            _TOKEN.finditer(name)]
    return toks, tuple(t.f for t in toks)


def _register(name: str, kind: str, canonical: str, country: bool = False) -> None:
    if name[:1].islower() and any(c.isupper() for c in name):
        _MIXED_ORGS.add(name)
    toks, key = _alias_key(name)
    if not key:
        return
    if len(toks) == 1 and (toks[0].caps or toks[0].kind == "acr"):
        _EXACT.setdefault(toks[0].text, (kind, canonical))
        return
    if key not in _LEX:
        _LEX[key] = (kind, canonical)
        if country:
            _COUNTRIES.add(key)
        for n in range(1, len(key) + 1):
            _PREFIXES.add(key[:n])


def _build() -> None:
    for file, kind in (("countries.txt", "place"), ("regions.txt", "place"),
                       ("subdivisions.txt", "place"), ("orgs.txt", "org"),
                       ("cities.txt", "place")):
        for row in gz.rows(file):
            country = file == "countries.txt"
            for name in (row.canonical, *row.aliases):
                _register(name, kind, row.canonical, country)
            for adj in row.adjectives:
                _register(adj, "demonym", row.canonical)


_build()
_GIVEN = gz.words("given_names.txt")  # folded, as tokens' .f
_GIVEN_RAW = gz.words("given_names.txt", plurals=False)  # "james" but not "parks"


def _is_given(t: _Tok) -> bool:
    """Is ``t`` a given name? ("Parks" folds like "Park", but is not one.)"""
    return t.f in _GIVEN and gz.name_key(t.text) in _GIVEN_RAW


_COMMON = gz.words("common_words.txt")


def _is_common(t: _Tok) -> bool:
    return t.f in _COMMON or t.low in _COMMON



def _gap_ok(text: str, a: _Tok, b: _Tok) -> bool:
    gap = text[a.end : b.start]
    if gap == " " or (gap and gap.isspace() and "\n" not in gap):
        return True
    return gap.startswith(".") and gap[1:].isspace() and "\n" not in gap and a.f in gz.DOTTED



def _next_word(text: str, toks: list[_Tok], j: int) -> _Tok | None:
    """The token right after position j when only spaces separate them."""
    if j < len(toks) and j > 0 and _gap_ok(text, toks[j - 1], toks[j]):
        return toks[j]
    return None


def _prev_word(text: str, toks: list[_Tok], i: int) -> _Tok | None:
    if i > 0 and _gap_ok(text, toks[i - 1], toks[i]):
        return toks[i - 1]
    return None


def _verbish(t: _Tok | None, subject: bool = True) -> bool:
    """Is ``t`` a verb? Listed verbs always; "-ed" and "-s" words only after a subject
    ("Macron plans", but not "its retro Samba trainers")."""
    if t is None or t.cap:
        return False
    w = t.low
    if t.f in gz.SPEECH_VERBS or t.f in gz.AUX_VERBS or w in gz.AUX_VERBS:
        return True
    if subject and w in gz.PAST_VERBS:
        return True
    if not subject or w in gz.FUNCTION_WORDS or t.f in gz.ORG_AFTER or t.f in gz.PERSON_AFTER:
        return False
    return len(w) > 4 and (w.endswith("ed") or (w.endswith("s") and not w.endswith("ss")))


_SUBJECT_BEFORE = frozenset(
    "and but while as when that because after before if although since where so".split()
)


def _org_word_after(t: _Tok | None) -> bool:
    return t is not None and not t.cap and t.f in gz.ORG_AFTER  # "Tesla shares"
