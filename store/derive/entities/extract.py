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

The steps live in their own modules: ``tokens`` (1, and the lexicon), ``chunks`` (2),
``classify`` (3), ``merge`` (4, across the store); this one runs them and settles each
text's readings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from store.derive.entities import gazetteer as gz
from store.derive.entities.chunks import _chunks, _prepare, _Unit
from store.derive.entities.classify import (
    GROUPS,
    ORGS,
    PEOPLE,
    PLACES,
    _Cand,
    _classify,
    _context,
    _surface_name,
)
from store.derive.entities.merge import resolve_people
from store.derive.entities.shape import refine
from store.derive.entities.tokens import (
    _COUNTRIES,
    _LEX,
    _is_given,
    _Tok,
    _tokenize,
)
from store.text.clean import fold

__all__ = ["GROUPS", "Mention", "entities", "extract", "group_names", "resolve_people"]


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity occurrence: its group, canonical name and the words that put it there."""

    group: str  # "people" | "places" | "orgs"
    name: str  # canonical name
    start: int  # span of ``surface`` in the text
    end: int
    surface: str



# --------------------------------------------------------------------------- extract


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
    return _finish(text, toks, refine(text, toks, cands))


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
                last = toks[units[m - 1].j - 1]
                team = last.low.endswith("s") and not last.low.endswith("ss") and not last.poss
                grp = PEOPLE if _is_given(toks[u.i]) and not team else ORGS  # Houston Astros
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
                and m + 1 < n and (units[m + 1].kind == "name" or (  # "van den Hoogenband"
                    units[m + 1].kind == "conn" and toks[units[m + 1].i].low in
                    gz.NAME_PARTICLES and m + 2 < n and units[m + 2].kind == "name")))
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
        # ... and so is a ticker: "Google Inc. (GOOG)", "Dell Inc. (DELL.O)"
        if a.group == ORGS and b.group == ORGS and b.j - b.i == 1 and toks[b.i].caps and \
                text[toks[a.j - 1].end : toks[b.i].start].replace(".", "").strip() == "(":
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

