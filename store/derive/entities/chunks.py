"""Chunks: runs of name-like tokens, segmented against the gazetteers and assembled into
titles ("Prime Minister"), organisation heads ("... Bank") and place heads ("... County")."""

from __future__ import annotations

from dataclasses import dataclass

from store.derive.entities import gazetteer as gz
from store.derive.entities.tokens import (
    _APOS,
    _COMMON,
    _COUNTRIES,
    _EXACT,
    _LEX,
    _PREFIXES,
    _gap_ok,
    _is_common,
    _is_given,
    _next_word,
    _org_word_after,
    _Tok,
    _verbish,
)

# --------------------------------------------------------------------------- chunks


@dataclass(slots=True)
class _Unit:
    kind: str  # place | demonym | org | title | name | conn | drop
    i: int  # token range [i, j)
    j: int
    name: str = ""  # canonical, for gazetteer matches


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



def _sentence_start_ok(text: str, toks: list[_Tok], units: list[_Unit], i: int) -> bool:
    """May the first word of a sentence, a common word, still be a name here?"""
    t = toks[i]
    if t.f in gz.STOP_CAPS or t.f in gz.GENERIC_SUBJECTS:
        return False
    if t.low != t.f and t.f in _COMMON:
        return False  # "Officials", "Investors"
    nx = _next_word(text, toks, i + 1)
    return nx is not None and nx.f in gz.SPEECH_VERBS and len(units) == 1



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
        return k > 0 and (toks[units[k - 1].j - 1].f in gz.GAMES_EVENT
                          or units[k - 1].kind == "place")  # "Athens Games"
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

