"""People, places and organisations in English news briefs, found at import time.

Briefs come from any field, so the extractor leans on the *structure* of news English and
uses lists only where real gazetteers exist (countries, cities, regions, well-known
organisations, given names; see ``store.derive.entities.gazetteer``):

1. The text is cut into tokens; runs of capitalised tokens (joined by "of", "de", "van"...)
   form *chunks*. A sentence's first word is capitalised anyway, so it only counts when it
   is not a common English word or when the evidence says so ("Peskov said").
2. Each chunk is segmented by longest match against the gazetteers (places, demonyms,
   organisations), then titles ("Prime Minister"), organisation heads ("... Bank",
   "Ministry of ...") and place heads ("... County") are assembled.
3. The remaining name runs are classified from their context: titles and role nouns
   ("coach X"), speech verbs ("X said"), pronouns, prepositions ("in X"), company nouns
   ("X shares"), given names, surname endings.
4. Name variants are merged: demonyms and abbreviations map to their place or organisation,
   a lone surname joins the full name mentioned in the same text (``extract``) or anywhere
   in the store (``resolve_people``).

Every ``Mention`` keeps the span of the words that produced it, for highlighting.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from store.derive.entities import gazetteer as gz
from store.text.clean import fold, sentence_spans

GROUPS = ("people", "places", "orgs")
PEOPLE, PLACES, ORGS = GROUPS


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity occurrence: its group, canonical name and the words that put it there."""

    group: str  # "people" | "places" | "orgs"
    name: str  # canonical name
    start: int  # span of ``surface`` in the text
    end: int
    surface: str


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
        kind = m.lastgroup
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


# --------------------------------------------------------------------------- chunks


@dataclass(slots=True)
class _Unit:
    kind: str  # place | demonym | org | title | name | conn | drop
    i: int  # token range [i, j)
    j: int
    name: str = ""  # canonical, for gazetteer matches


def _gap_ok(text: str, a: _Tok, b: _Tok) -> bool:
    gap = text[a.end : b.start]
    if gap == " " or (gap and gap.isspace() and "\n" not in gap):
        return True
    return gap.startswith(".") and gap[1:].isspace() and "\n" not in gap and a.f in gz.DOTTED


def _chunks(text: str, toks: list[_Tok]) -> list[tuple[int, int]]:
    """Runs of name-like tokens, joined by connectors, never across punctuation."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if not _starts_chunk(t, toks, i):
            i += 1
            continue
        j = i + 1
        while j < n and not toks[j - 1].poss and _gap_ok(text, toks[j - 1], toks[j]):
            u = toks[j]
            if _continues(u, toks[j - 1]):
                j += 1
                continue
            if (u.low in gz.CONNECTORS or u.kind == "amp") and not u.cap:
                k = j  # connectors must lead to another name word
                while k < n and (toks[k].low in gz.CONNECTORS or toks[k].kind == "amp") and \
                        not toks[k].cap and _gap_ok(text, toks[k - 1], toks[k]):
                    k += 1
                if k < n and k > j and _gap_ok(text, toks[k - 1], toks[k]) and \
                        _continues(toks[k], toks[k - 1]):
                    j = k + 1
                    continue
            break
        out.append((i, j))
        i = j
    return out


def _starts_chunk(t: _Tok, toks: list[_Tok], i: int) -> bool:
    if not t.cap:
        return False
    if t.f in gz.STOP_CAPS and not t.caps:
        # "The Hague", "The Economist": keep "The" when a gazetteer name starts with it.
        return t.f == "the" and i + 1 < len(toks) and toks[i + 1].cap
    return True


def _continues(u: _Tok, prev: _Tok) -> bool:
    if not u.cap:
        return False
    if u.f in gz.STOP_CAPS and not u.caps:
        return u.f == "may" and _is_given(prev)  # Theresa May
    return True


def _segment(toks: list[_Tok], i: int, j: int) -> list[_Unit]:
    """Longest gazetteer matches; everything else is a single-token name or connector."""
    units: list[_Unit] = []
    k = i
    while k < j:
        t = toks[k]
        if not t.cap:
            units.append(_Unit("conn", k, k + 1))
            k += 1
            continue
        hit = None
        if t.caps or t.kind == "acr":
            if t.text.rstrip(_APOS + "s") in _EXACT and t.poss:
                kind, name = _EXACT[t.text.rstrip(_APOS + "s")]
                hit = (1, kind, name)
            elif t.text in _EXACT:
                kind, name = _EXACT[t.text]
                hit = (1, kind, name)
        key: tuple[str, ...] = ()
        m = k
        while m < j:  # walk the prefix table; remember the longest full name
            x = toks[m]
            key += (x.f,)
            if key not in _PREFIXES:
                break
            m += 1
            if x.cap and key in _LEX and (m - k > 1 or not (t.caps or t.kind == "acr")):
                if hit is None or m - k > hit[0]:
                    hit = (m - k, *_LEX[key])
            if x.poss:
                break
        if hit is None:
            units.append(_Unit("name", k, k + 1))
            k += 1
        else:
            size, kind, name = hit
            units.append(_Unit(kind, k, k + size, name))
            k += size
    return units


# --------------------------------------------------------------------------- assembly


def _is_common(t: _Tok) -> bool:
    return t.f in _COMMON or t.low in _COMMON


def _assemble_titles(toks: list[_Tok], units: list[_Unit]) -> None:
    n = len(units)
    for k, u in enumerate(units):
        if u.kind != "name" or toks[u.i].f not in gz.TITLE_HEADS or toks[u.i].caps and \
                toks[u.i].f not in ("ceo", "cfo", "coo", "cto", "pm", "mp", "mep"):
            continue
        if k + 1 < n and units[k + 1].kind == "name" and toks[units[k + 1].i].f in gz.ORG_CUES:
            continue  # "Director General" would be a title, "Council" heads an org
        u.kind = "title"
        left = k - 1
        while left >= 0 and units[left].kind in ("name", "title"):
            t = toks[units[left].i]
            if t.f in gz.TITLE_MODIFIERS or t.f in gz.TITLE_HEADS or (
                _is_common(t) and not _is_given(t) and not t.caps
            ):
                units[left].kind = "title"
                left -= 1
            else:
                break
        # "Secretary of State", "Minister of Foreign Affairs"
        if k + 2 < n and toks[units[k + 1].i].low == "of":
            m = k + 2
            while m < n and units[m].kind == "name" and _is_common(toks[units[m].i]) and \
                    toks[units[m].i].f not in gz.ORG_CUES:
                m += 1
            if m > k + 2 and (m == n or units[m].kind != "conn"):
                for x in range(k + 1, m):
                    units[x].kind = "title"


def _merge(units: list[_Unit], a: int, b: int, kind: str, name: str = "") -> None:
    """Replace units[a:b] by one unit."""
    units[a:b] = [_Unit(kind, units[a].i, units[b - 1].j, name)]


_ORG_JOIN = frozenset(["of", "for", "on", "de", "du", "des", "der", "&", "and", "the", "am"])


def _common_pair(toks: list[_Tok], units: list[_Unit], k: int) -> bool:
    """Is connector ``units[k]`` ("and") between two common words ("Snow and Ice")?"""
    if k == 0 or k + 1 >= len(units):
        return False
    a, b = units[k - 1], units[k + 1]
    return a.kind == "name" and b.kind == "name" and _is_common(toks[a.i]) and \
        _is_common(toks[b.i])


def _assemble_heads(toks: list[_Tok], units: list[_Unit]) -> None:
    """Organisation names around a cue word, then place names around a place cue."""
    k = 0
    while k < len(units):
        u = units[k]
        t = toks[u.i]
        if u.kind == "name" and t.f in gz.ORG_CUES and not _is_event(toks, units, k):
            left = k
            while left > 0:
                p = units[left - 1]
                if p.kind in ("name", "place", "demonym", "org"):
                    left -= 1
                elif p.kind == "conn" and (toks[p.i].kind == "amp" or
                                           (toks[p.i].low == "and" and
                                            _common_pair(toks, units, left - 1))):
                    left -= 2
                else:
                    break
            left = max(left, 0)
            right = k + 1
            while right < len(units):
                r = units[right]
                if r.kind == "name" and toks[r.i].f in gz.ORG_CUES:
                    right += 1
                    continue
                if r.kind == "conn" and toks[r.i].low in _ORG_JOIN:
                    m = right
                    while m < len(units) and units[m].kind == "conn":
                        m += 1
                    if m < len(units) and units[m].kind in ("name", "place", "demonym", "org"):
                        if toks[r.i].low == "and" and not _common_pair(toks, units, right):
                            break
                        while m < len(units) and units[m].kind in ("name", "place", "demonym",
                                                                   "org"):
                            m += 1
                        right = m
                        continue
                break
            while left < k and units[left].kind == "conn":
                left += 1
            if right - left == 1:
                if not (k > 0 and units[k - 1].kind == "conn" and
                        toks[units[k - 1].i].low in gz.NAME_PARTICLES):
                    u.kind = "drop"  # a cue word alone: "Parliament", "the Alliance"
                k += 1
                continue
            _merge(units, left, right, "org")
            k = left + 1
            continue
        k += 1
    k = 0
    while k < len(units):
        u = units[k]
        if u.kind == "name" and toks[u.i].f in gz.FOREIGN_ORG_CUES:
            m = k + 1
            while m < len(units) and (units[m].kind in ("name", "place", "demonym", "org") or (
                units[m].kind == "conn" and toks[units[m].i].low in gz.NAME_PARTICLES
                and m + 1 < len(units) and units[m + 1].kind != "conn"
            )):
                m += 1
            if m > k + 1:
                _merge(units, k, m, "org")
        k += 1
    k = 0
    while k < len(units):
        u = units[k]
        t = toks[u.i]
        if u.kind == "name" and t.f in gz.PLACE_CUES and k > 0 and units[k - 1].kind in (
            "name", "place"
        ) and not (k + 1 < len(units) and units[k + 1].kind == "name"):
            left = k - 1
            while left > 0 and units[left - 1].kind in ("name", "place"):
                left -= 1
            _merge(units, left, k + 1, "place")
            k = left + 1
            continue
        if u.kind == "name" and t.f in gz.PLACE_PREFIXES and k + 1 < len(units):
            m = k + 1
            while m < len(units) - 1 and units[m].kind == "conn" and \
                    toks[units[m].i].low in gz.NAME_PARTICLES:
                m += 1  # "Pointe du Raz"
            if units[m].kind in ("name", "place"):
                _merge(units, k, m + 1, "place")
        k += 1


# --------------------------------------------------------------------------- classification


@dataclass(slots=True)
class _Cand:
    group: str
    name: str
    i: int
    j: int
    score: float
    weak: bool = False  # decided by default, may follow a stronger reading


def _surface_name(text: str, toks: list[_Tok], i: int, j: int) -> tuple[str, int, int]:
    """The canonical spelling of tokens i..j: spaces collapsed, no "the", no possessive."""
    while i < j - 1 and toks[i].f == "the":
        i += 1
    start, end = toks[i].start, toks[j - 1].end
    last = toks[j - 1]
    if last.poss:
        end -= 2 if last.text[-2:] in ("'s", "’s") else 1
    words = []
    for t in toks[i:j]:
        w = t.text if t.kind == "acr" else text[t.start : t.end]
        words.append(w)
    name = " ".join(words)
    if last.poss:
        name = name[: len(name) - (toks[j - 1].end - end)]
    return name, start, end


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


def _pronoun_after(toks: list[_Tok], j: int, limit: int = 8) -> str:
    """The first "he/his" or "it/its" within ``limit`` words after j, in the same sentence."""
    for t in toks[j : j + limit]:
        if t.first:
            break
        if t.low in gz.PERSON_PRONOUNS:
            return PEOPLE
        if t.low in gz.ORG_PRONOUNS:
            return ORGS
    return ""


class _Context:
    """What surrounds a name run: the words before and after its coordination group."""

    __slots__ = ("prev", "prev2", "next", "next2", "after_j", "appositive", "coord",
                 "next_opener")

    def __init__(self) -> None:
        self.prev: _Tok | None = None
        self.prev2: _Tok | None = None
        self.next: _Tok | None = None
        self.next2: _Tok | None = None
        self.after_j = 0
        self.appositive = ""
        self.coord: set[str] = set()
        self.next_opener = ""  # how the next sentence refers back to this one's subject


_ARTICLES = frozenset("Le La Les El Los Las Il Lo Die Der Das Het De".split())


def _others_are_people(toks: list[_Tok], j: int) -> bool:
    """Does "and other ... officials" follow position j?"""
    words = [t.f for t in toks[j : j + 6]]
    if len(words) < 3 or words[0] not in ("and", "or") or words[1] not in ("other", "others"):
        return False
    return any(w in gz.PERSON_NOUNS or w in _PEOPLE_WORDS for w in words[2:])


_PUBLISHED = frozenset("published appeared reported wrote writing journal".split())
_PREPOSITIONS = frozenset("at from with by for of in on to into near".split())
_PEOPLE_WORDS = frozenset(fold(w) for w in "officials leaders politicians people figures".split())


def _classify(text: str, toks: list[_Tok], i: int, j: int, ctx: _Context, title_before: bool,
              title_rank: bool, poss_before_person: bool) -> _Cand | None:
    run = toks[i:j]
    n = len(run)
    name, _, _ = _surface_name(text, toks, i, j)
    first = run[0]
    if n == 1 and (first.f in gz.NOT_ENTITIES or first.f in gz.STOP_CAPS and not first.caps):
        return None
    if n == 1 and not first.poss and first.low != first.f and first.f in _COMMON:
        return None  # "Officials", "Analysts": a plural common noun
    if any(c.isdigit() for c in name):
        return None
    nx = ctx.next
    if nx is not None and not nx.cap and nx.f in gz.KIND_AFTER:
        return None  # "Nipah virus", "Boeing 737 jets" are kinds of things
    if n == 1 and nx is not None and not nx.cap and not first.caps and \
            first.low.endswith(gz.ADJECTIVE_SUFFIXES) and nx.low not in gz.FUNCTION_WORDS and \
            nx.f not in gz.SPEECH_VERBS and nx.low not in gz.AUX_VERBS and \
            not nx.low.endswith("ed") and not first.poss:
        return None  # "Kurdish militants", "Midwestern states": an adjective
    if n == 1 and first.caps:
        base = first.text.rstrip(_APOS + "s") if first.poss else first.text
        if base in gz.NOT_ORG_ACRONYMS or first.text in gz.NOT_ORG_ACRONYMS:
            return None
        if i > 0 and toks[i - 1].kind == "num":
            return None  # "737 MAX"
        if first.f in _COMMON and len(base) > 5:
            return None  # shouting, not an acronym
        return _Cand(ORGS, base, i, j, 2.0)
    all_common = all(_is_common(t) or t.low in gz.NAME_PARTICLES for t in run)
    person = org = place = 0.0
    if title_before:
        if title_rank and all_common:
            org += 2
        else:
            person += 3
    p = ctx.prev
    if p is not None and not p.cap:
        if p.f in gz.PERSON_NOUNS:
            person += 3
        elif p.f in gz.ORG_NOUNS:
            org += 3
        elif p.low == "in" and ctx.prev2 is not None and ctx.prev2.low in _PUBLISHED:
            org += 3  # "published in Science Advances"
        elif p.low in gz.PLACE_BEFORE:
            place += 2
        elif p.low in gz.PLACE_BEFORE_WEAK:
            place += 1
        elif p.low == "the" and ctx.prev2 is not None and ctx.prev2.low in ("in", "at"):
            org += 1  # "in the Bundestag"
        elif p.low == "at":
            org += 2  # "analysts at Bernstein"
        elif p.low == "of" and ctx.prev2 is not None and ctx.prev2.f in gz.PLACE_OF:
            place += 3  # "the town of Grindavík"
    if n >= 2 and first.text in _ARTICLES:
        org += 2  # "Le Figaro", "El País", "Der Spiegel"
    elif n >= 2 and _is_given(first):
        person += 3
    if nx is not None and not nx.cap:
        if nx.f in gz.ORG_AFTER:
            org += 3
        elif nx.f in gz.PERSON_AFTER:
            person += 2
        elif nx.f in gz.PLACE_AFTER:
            place += 3
    if poss_before_person:
        org += 2
    if ctx.appositive:
        if ctx.appositive == PEOPLE:
            person += 2
        else:
            org += 2
    own_verb = p is None or p.cap or p.low not in _PREPOSITIONS  # "analysts at X said"
    subject = p is None or p.low in _SUBJECT_BEFORE
    if own_verb and _verbish(nx, subject):
        pron = _pronoun_after(toks, ctx.after_j)
        if pron == ORGS or (all_common and n > 1 and not person):
            org += 2  # "Alphabet said it", "National Highways said"
        else:
            person += 2 if nx.f in gz.SPEECH_VERBS or pron == PEOPLE else 1
    if ctx.next_opener == ORGS:
        org += 2  # "... The Danish energy company took ..."
    elif ctx.next_opener == PEOPLE:
        person += 1
    elif n == 1:
        pron = _pronoun_after(toks, ctx.after_j, 4)
        if pron == PEOPLE:
            person += 1
    if _others_are_people(toks, ctx.after_j):
        person += 2  # "Macron, Scholz and other senior officials"
    if PLACES in ctx.coord:
        place += 2
    if PEOPLE in ctx.coord:
        person += 2
    if ORGS in ctx.coord:
        org += 1
    if n == 1:
        w = first.text.rstrip(_APOS + "s") if first.poss else first.text
        if len(w) >= 5 and w.lower().endswith(gz.SURNAME_SUFFIXES):
            person += 2
        if any(c.isupper() for c in w[1:]) and not w.startswith(("Mc", "Mac", "O'", "O’", "De",
                                                                   "Di", "La", "Le", "Van")):
            org += 2
    if n >= 2 and not all_common and not (_is_common(run[-1]) and not _is_given(first)):
        person += 1  # two or three unknown capitalised words: most often a person
    best = max(person, org, place)
    if best <= 0:
        if first.first and n == 1:
            return None  # a capitalised first word with no evidence
        if all_common:
            return None
        if n == 1:
            return _Cand(ORGS, name, i, j, 0.5, weak=True)  # "the Bundestag", "Qantas"
        return None
    if all_common and best < 2:
        return None
    if person == best:
        group = PEOPLE
    elif org == best:
        group = ORGS
    else:
        group = PLACES
    return _Cand(group, name, i, j, best, weak=best < 2)


# --------------------------------------------------------------------------- extract


def _sentence_start_ok(text: str, toks: list[_Tok], units: list[_Unit], i: int) -> bool:
    """May the first word of a sentence, a common word, still be a name here?"""
    t = toks[i]
    if t.f in gz.STOP_CAPS or t.f in gz.GENERIC_SUBJECTS:
        return False
    if t.low != t.f and t.f in _COMMON:
        return False  # "Officials", "Investors"
    nx = _next_word(text, toks, i + 1)
    return nx is not None and nx.f in gz.SPEECH_VERBS and len(units) == 1


def extract(text: str) -> list[Mention]:
    """Every person, place and organisation mentioned in ``text``, in text order.

    Names are canonical: demonyms and abbreviations map to their place or organisation
    ("Polish" -> Poland, "U.S." -> United States, "EU" -> European Union) and a lone
    surname maps to the full name used elsewhere in the same text.
    """
    if not text or not text.strip():
        return []
    toks = _tokenize(text)
    if not toks:
        return []
    chunks = _chunks(text, toks)
    seg = [_prepare(text, toks, a, b) for a, b in chunks]
    openers = _subject_openers(toks, chunks, seg)
    cands: list[_Cand] = []
    for c in range(len(chunks)):
        cands.extend(_chunk_candidates(text, toks, chunks, seg, c, openers.get(c, "")))
    return _finish(text, toks, cands)


def _opener(toks: list[_Tok], k: int) -> str:
    """How a sentence starting at token k refers back: "He ..." (a person), "It ...",
    "The Danish energy company ..." (an organisation), or not at all."""
    t = toks[k]
    if t.low in ("he", "she"):
        return PEOPLE
    if t.low == "it":
        return ORGS
    if t.low == "the":
        for u in toks[k + 1 : k + 5]:
            if u.f in gz.AUX_VERBS or u.f in gz.SPEECH_VERBS:
                break
            if u.f in gz.ORG_NOUNS:
                return ORGS
            if u.f in gz.PERSON_NOUNS:
                return PEOPLE
    return ""


def _subject_openers(toks: list[_Tok], chunks: list[tuple[int, int]],
                     seg: list[list[_Unit]]) -> dict[int, str]:
    """For the first name of each sentence, how the next sentence refers back to it."""
    starts = [k for k, t in enumerate(toks) if t.first and t.kind == "word"]
    out: dict[int, str] = {}
    c = 0
    for x, s in enumerate(starts):
        end = starts[x + 1] if x + 1 < len(starts) else len(toks)
        while c < len(chunks) and (chunks[c][0] < s or not seg[c]):
            c += 1
        if c < len(chunks) and chunks[c][0] < end and chunks[c][0] - s <= 1:
            opener = _tail_reference(toks, chunks[c][1], end)
            if not opener and x + 1 < len(starts):
                opener = _opener(toks, starts[x + 1])
            if opener:
                out[c] = opener
    return out


def _tail_reference(toks: list[_Tok], i: int, end: int) -> str:
    """", the German optics company said." at the end of a sentence names its subject."""
    for k in range(i, end - 2):
        if toks[k].low != "the" or k == 0 or toks[k - 1].end == toks[k].start:
            continue
        for m in range(k + 1, min(k + 5, end - 1)):
            f = toks[m].f
            if f in gz.ORG_NOUNS or f in gz.PERSON_NOUNS:
                if toks[m + 1].f in gz.SPEECH_VERBS:
                    return ORGS if f in gz.ORG_NOUNS else PEOPLE
                break
    return ""


def _prepare(text: str, toks: list[_Tok], a: int, b: int) -> list[_Unit]:
    units = _segment(toks, a, b)
    # Sentence-initial common words are capitalised by position only ("Heavy rain").
    t = toks[a]
    if units and units[0].kind == "name" and t.f in gz.WEATHER_PREFIXES:
        return []  # "Hurricane Milton", "Storm Darragh"
    if t.first and units and units[0].kind == "name":
        if _is_common(t) and not _is_given(t) and not t.caps and not (
            len(units) > 1 and units[1].kind == "name" and (
                toks[units[1].i].f in gz.TITLE_HEADS or t.f in gz.TITLE_HEADS)
        ) and not _sentence_start_ok(text, toks, units, a):
            units[0].kind = "drop"
        elif t.f in gz.STOP_CAPS and not t.caps:
            units[0].kind = "drop"
    elif t.first and len(units) == 1 and units[0].kind in ("org", "place") and _is_common(t) \
            and units[0].j - units[0].i == 1 and (t.f,) not in _COUNTRIES \
            and not _verbish(_next_word(text, toks, a + 1)) and not t.poss \
            and not _org_word_after(_next_word(text, toks, a + 1)):
        units[0].kind = "drop"  # "Target shoppers", "Nice weather"
    while units and units[0].kind in ("drop", "conn"):
        units.pop(0)
    while units and units[-1].kind == "conn":
        units.pop()
    _drop_events(toks, units)
    _assemble_titles(toks, units)
    _assemble_heads(toks, units)
    return units


def _is_event(toks: list[_Tok], units: list[_Unit], k: int) -> bool:
    """Is name unit k an event word ("Open", "Prize"; "Games" after "Olympic")?"""
    f = toks[units[k].i].f
    if f == "game":
        return k > 0 and toks[units[k - 1].j - 1].f in gz.GAMES_EVENT
    return f in gz.EVENT_CUES


def _drop_events(toks: list[_Tok], units: list[_Unit]) -> None:
    """Drop event, award and law names whole: "French Open", "Tour de France",
    "Booker Prize for Prophet Song", "Las Vegas Grand Prix"."""
    start = 0
    for end in range(len(units) + 1):
        if end < len(units) and not (units[end].kind == "conn" and
                                     toks[units[end].i].low in ("and", "or")):
            continue
        part = range(start, end)
        head = None
        for k in part:
            if units[k].kind == "conn" and toks[units[k].i].low not in gz.NAME_PARTICLES:
                break
            if units[k].kind == "conn" and toks[units[k].i].low in ("de", "du", "des", "d"):
                break
            head = k
        first = next((k for k in part if units[k].kind != "conn"), None)
        if head is not None and (
            units[head].kind == "name" and _is_event(toks, units, head)
            or first is not None and units[first].kind == "name"
            and toks[units[first].i].f in ("tour", "giro", "vuelta")
        ):
            for k in part:
                units[k].kind = "drop"
        start = end + 1


def _known_group(units: list[_Unit]) -> set[str]:
    out = set()
    for u in units:
        if u.kind in ("place", "demonym"):
            out.add(PLACES)
        elif u.kind == "org":
            out.add(ORGS)
    return out


def _context(text: str, toks: list[_Tok], chunks: list[tuple[int, int]],
             seg: list[list[_Unit]], c: int, i: int, j: int, units: list[_Unit],
             k0: int, k1: int) -> _Context:
    """Context of the name run units[k0:k1] (token range i..j) in chunk ``c``."""
    ctx = _Context()
    # Inside the chunk, runs joined by "and" share the words around the chunk.
    inner_before = k0 > 0
    inner_after = k1 < len(units)
    if inner_before and units[k0 - 1].kind == "conn" and toks[units[k0 - 1].i].low in ("and",
                                                                                      "or"):
        ctx.coord |= _known_group(units[: k0 - 1])
        inner_before = any(u.kind not in ("conn", "place", "org", "demonym", "name", "drop")
                           for u in units[: k0 - 1])
    if inner_after and units[k1].kind == "conn" and toks[units[k1].i].low in ("and", "or"):
        ctx.coord |= _known_group(units[k1 + 1 :])
        inner_after = False
    a, b = chunks[c]
    start_tok = a if not inner_before else i
    end_tok = b if not inner_after else j
    if not inner_before:
        ctx.prev = _prev_word(text, toks, start_tok)
        if ctx.prev is not None and start_tok > 1:
            ctx.prev2 = _prev_word(text, toks, start_tok - 1)
        # coordination with earlier chunks: "X, Y and Z"
        cc = c
        while cc > 0:
            pa, pb = chunks[cc - 1]
            gap = text[toks[pb - 1].end : toks[chunks[cc][0]].start]
            between = toks[pb : chunks[cc][0]]
            if gap.strip() in (",",) or (len(between) == 1 and between[0].low in ("and", "or")):
                ctx.coord |= _known_group(seg[cc - 1])
                cc -= 1
                continue
            break
    if not inner_after:
        jj = end_tok
        cc = c
        while cc + 1 < len(chunks):
            na, nb = chunks[cc + 1]
            between = toks[jj:na]
            gap = text[toks[jj - 1].end : toks[na].start]
            if gap.strip() == "," or (len(between) == 1 and between[0].low in ("and", "or")
                                      and _gap_ok(text, toks[jj - 1], between[0])):
                ctx.coord |= _known_group(seg[cc + 1])
                jj = nb
                cc += 1
                continue
            break
        ctx.after_j = jj
        ctx.next = _next_word(text, toks, jj)
        if ctx.next is not None:
            ctx.next2 = _next_word(text, toks, jj + 1)
        if jj < len(toks) and text[toks[jj - 1].end : toks[jj].start].strip() == ",":
            words = toks[jj : jj + 5]
            lows = [w.low for w in words]
            if lows and lows[0] in ("who", "from"):
                ctx.appositive = PEOPLE  # "Jane Doe, who ...", "Jane Doe, from Leeds, ..."
            elif lows and lows[0] == "which":
                ctx.appositive = ORGS
            elif lows and lows[0] in ("the", "a", "an") and any(
                w.f in gz.PERSON_NOUNS for w in words[1:]
            ):
                ctx.appositive = PEOPLE
            elif lows and lows[0] in ("the", "a", "an") and any(
                w.f in gz.ORG_NOUNS for w in words[1:]
            ):
                ctx.appositive = ORGS
            elif len(words) > 1 and words[0].kind == "num" and \
                    text[words[0].end : words[1].start].strip() == ",":
                ctx.appositive = PEOPLE  # "Jane Doe, 45, said"
    else:
        ctx.after_j = j
    return ctx


def _chunk_candidates(text: str, toks: list[_Tok], chunks: list[tuple[int, int]],
                      seg: list[list[_Unit]], c: int, opener: str = "") -> list[_Cand]:
    units = seg[c]
    out: list[_Cand] = []
    title_seen = False
    title_rank = False
    title_at = -1
    demonym_at = -1
    k = 0
    n = len(units)
    while k < n:
        u = units[k]
        if u.kind == "title":
            title_seen = True
            title_rank = toks[u.i].f in gz.RANKS
            title_at = k
            k += 1
            continue
        if u.kind in ("conn", "drop"):
            k += 1
            continue
        if u.kind in ("place", "demonym", "org") and u.name:
            # "Tokyo Electron", "Paris Hilton": a place glued to an unknown name
            if u.kind == "place" and k + 1 < n and units[k + 1].kind == "name" and \
                    toks[units[k + 1].i].f not in gz.TITLE_HEADS and \
                    (toks[u.i].f,) not in _COUNTRIES and toks[u.i].f not in ("new",):
                m = k + 1
                while m < n and units[m].kind == "name":
                    m += 1
                nm, _, _ = _surface_name(text, toks, u.i, units[m - 1].j)
                grp = PEOPLE if _is_given(toks[u.i]) else ORGS
                out.append(_Cand(grp, nm, u.i, units[m - 1].j, 2.0))
                k = m
                continue
            if u.kind == "org" and k + 1 < n and units[k + 1].kind == "name" and \
                    u.j - u.i == 1 and not title_seen and \
                    toks[units[k + 1].i].f not in gz.TITLE_HEADS:
                m = k + 1  # "Siemens Healthineers", "Google Cloud"
                while m < n and units[m].kind == "name":
                    m += 1
                nm, _, _ = _surface_name(text, toks, u.i, units[m - 1].j)
                out.append(_Cand(ORGS, nm, u.i, units[m - 1].j, 3.0))
                k = m
                continue
            group = ORGS if u.kind == "org" else PLACES
            out.append(_Cand(group, u.name, u.i, u.j, 5.0))
            k += 1
            if u.kind == "demonym":
                demonym_at = len(out) - 1
            continue
        if u.kind in ("org", "place"):  # assembled from cue words
            nm, _, _ = _surface_name(text, toks, u.i, u.j)
            key = tuple(t.f for t in toks[u.i : u.j] if t.f != "the")
            if key in _LEX and _LEX[key][0] == u.kind:
                nm = _LEX[key][1]
            out.append(_Cand(ORGS if u.kind == "org" else PLACES, nm, u.i, u.j, 4.0))
            k += 1
            continue
        # a run of name tokens, with particles ("Lula da Silva")
        m = k + 1
        amp = False
        while m < n and (
            units[m].kind == "name"
            or (units[m].kind == "conn" and (toks[units[m].i].low in gz.NAME_PARTICLES or
                                             toks[units[m].i].kind == "amp")
                and m + 1 < n and units[m + 1].kind == "name")
        ):
            amp = amp or toks[units[m].i].kind == "amp"
            m += 1
        if amp:  # "Ben & Jerry's", "Marks & Spencer"
            nm, _, _ = _surface_name(text, toks, u.i, units[m - 1].j)
            out.append(_Cand(ORGS, nm, u.i, units[m - 1].j, 3.0))
            k = m
            continue
        i, j = u.i, units[m - 1].j
        # "Anglo American", "Air Canada", "George Washington": a name glued to a place
        if m < n and units[m].kind in ("place", "demonym") and units[m].name:
            nxt = units[m]
            if _is_given(toks[i]) and nxt.kind == "place" and nxt.j - nxt.i == 1:
                nm, _, _ = _surface_name(text, toks, i, nxt.j)
                out.append(_Cand(PEOPLE, nm, i, nxt.j, 3.0))
                k = m + 1
                continue
            if not title_seen:
                nm, _, _ = _surface_name(text, toks, i, nxt.j)
                out.append(_Cand(ORGS, nm, i, nxt.j, 2.0))
                k = m + 1
                continue
        ctx = _context(text, toks, chunks, seg, c, i, j, units, k, m)
        if not out and k == 0:
            ctx.next_opener = opener
        title_after = m < n and units[m].kind == "title"
        poss_before_person = toks[j - 1].poss and _next_is_person(text, toks, j)
        cand = _classify(text, toks, i, j, ctx, title_seen, title_rank, poss_before_person)
        if cand is not None and cand.group == ORGS and demonym_at >= 0 and \
                out[demonym_at].j == i and not cand.weak:
            dem = out.pop(demonym_at)  # "Georgian Dream": the adjective is part of the name
            cand.i = dem.i
            cand.name = _surface_name(text, toks, cand.i, cand.j)[0]
        demonym_at = -1
        if cand is not None:
            if title_after and cand.group != PEOPLE:
                cand.group, cand.score = ORGS, max(cand.score, 2.0)
            if cand.group == ORGS and title_rank and title_at == k - 1:
                cand.i = units[title_at].i  # "General Catalyst"
                cand.name = _surface_name(text, toks, cand.i, cand.j)[0]
            out.append(cand)
        k = m
    return out


def _next_is_person(text: str, toks: list[_Tok], j: int) -> bool:
    """Is token j the start of a capitalised name beginning with a given name?"""
    return j + 1 < len(toks) and toks[j].cap and _is_given(toks[j]) and toks[j + 1].cap


def _finish(text: str, toks: list[_Tok], cands: list[_Cand]) -> list[Mention]:
    """Merge variants inside one text, settle conflicting readings, build mentions."""
    full: dict[str, set[str]] = defaultdict(set)  # last name -> full names
    for c in cands:
        if c.group == PEOPLE and " " in c.name:
            full[fold(c.name.split()[-1])].add(c.name)
    for c in cands:
        if " " in c.name or c.group not in (PEOPLE, ORGS, PLACES):
            continue
        names = full.get(fold(c.name))
        if names and len(names) == 1 and (c.group == PEOPLE or c.weak):
            c.group, c.name = PEOPLE, next(iter(names))
    # "National Disaster Management Authority (NDMA)": the abbreviation is the same node.
    short: dict[str, str] = {}
    for a, b in zip(cands, cands[1:], strict=False):
        if a.group == ORGS and b.group == ORGS and b.j - b.i == 1 and toks[b.i].caps and \
                " " in a.name and text[toks[a.j - 1].end : toks[b.i].start].strip() == "(":
            short[b.name] = a.name
    for c in cands:
        if c.group == ORGS and c.name in short:
            c.name = short[c.name]
    # One reading per name: the best-supported one wins.
    best: dict[str, tuple[float, str]] = {}
    for c in cands:
        key = fold(c.name)
        if key not in best or c.score > best[key][0]:
            best[key] = (c.score, c.group)
    out = []
    for c in cands:
        group = best[fold(c.name)][1] if c.weak else c.group
        start, end = toks[c.i].start, toks[c.j - 1].end
        last = toks[c.j - 1]
        if last.poss:
            end -= 2 if last.text[-2:] in ("'s", "’s") else 1
        out.append(Mention(group, c.name, start, end, text[start:end]))
    return out


# --------------------------------------------------------------------------- grouping


def group_names(mentions: Iterable[Mention]) -> dict[str, list[str]]:
    """Unique canonical names per group, in order of first mention."""
    out: dict[str, list[str]] = {g: [] for g in GROUPS}
    seen: set[tuple[str, str]] = set()
    for m in mentions:
        if (m.group, m.name) not in seen:
            seen.add((m.group, m.name))
            out[m.group].append(m.name)
    return out


def entities(text: str) -> dict[str, list[str]]:
    """Shorthand for ``group_names(extract(text))``."""
    return group_names(extract(text))


def resolve_people(per_item: Sequence[Sequence[str]]) -> list[list[str]]:
    """Merge person names across a whole store: a lone surname, or a shorter tail of a
    name ("Lula da Silva"), becomes the one longer name that ends with it anywhere in the
    store ("Tusk" -> "Donald Tusk"). Ambiguous names (two Smiths) are left as they are.
    Each item's list keeps its order, without duplicates.
    """
    by_tail: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for names in per_item:
        for name in names:
            words = tuple(fold(w) for w in name.split())
            for k in range(1, len(words)):
                by_tail[words[k:]].add(name)
    out: list[list[str]] = []
    for names in per_item:
        resolved: list[str] = []
        for name in names:
            longer = by_tail.get(tuple(fold(w) for w in name.split()))
            if longer:
                # the longest names that end this way must all be one name
                top = max(len(x.split()) for x in longer)
                widest = {x for x in longer if len(x.split()) == top}
                if len(widest) == 1 and all(_ends_with(next(iter(widest)), x) for x in longer):
                    name = next(iter(widest))
            if name not in resolved:
                resolved.append(name)
        out.append(resolved)
    return out


def _ends_with(longer: str, shorter: str) -> bool:
    a = [fold(w) for w in longer.split()]
    b = [fold(w) for w in shorter.split()]
    return a[-len(b) :] == b
