"""Classification of a name run from its context: person, place or organisation.

Titles and role nouns ("coach X"), speech verbs ("X said"), pronouns, prepositions
("in X"), company nouns ("X shares"), given names and surname endings each add evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.derive.entities import gazetteer as gz
from store.derive.entities.chunks import _Unit
from store.derive.entities.tokens import (
    _APOS,
    _COMMON,
    _SUBJECT_BEFORE,
    _gap_ok,
    _is_common,
    _is_given,
    _next_word,
    _prev_word,
    _Tok,
    _verbish,
)
from store.text.clean import fold

GROUPS = ("people", "places", "orgs")
PEOPLE, PLACES, ORGS = GROUPS



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


_QUANTIFIERS = frozenset("""other many several some all few both various numerous
two three four five six seven eight nine ten dozen dozens hundreds thousands""".split())
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
            person += 2 if (nx is not None and nx.f in gz.SPEECH_VERBS) or pron == PEOPLE else 1
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
    if first.first and n == 1 and best == place <= 2 and person == org == 0:
        return None  # a sentence's first word before a place: "Bondholders, Wall Street's..."
    if best <= 0:
        if first.first and n == 1:
            return None  # a capitalised first word with no evidence
        if all_common:
            return None
        if n == 1 and (_is_given(first) or GIVEN in ctx.coord):
            return None  # a first name alone ("Fernando and Jarno"): no one's whole name
        hyphen = j < len(toks) and toks[j].start == run[-1].end and toks[j].low[:1] == "-"
        if n == 1 and (hyphen or _modifier(p, nx)):
            return None  # a modifier: "other Linux vendors", "four Aegis warships", "Linux-based"
        if n == 1:
            return _Cand(ORGS, name, i, j, 0.5, weak=True)  # "the Bundestag", "Qantas"
        return None
    if all_common and best < 2:
        return None
    if person == best and n >= 2 and not_a_person(run):
        return None
    if person == best:
        group = PEOPLE
    elif org == best:
        group = ORGS
    else:
        group = PLACES
    return _Cand(group, name, i, j, best, weak=best < 2)



GIVEN = "given"
"""In a context's ``coord``: a lone given name stands beside the name ("Fernando and X")."""


def _modifier(before: _Tok | None, after: _Tok | None) -> bool:
    """Does a lone capitalised word stand between a lower-case word (or a number) and a
    lower-case noun ("the annual Perseid meteor shower")? Then it says what kind of thing
    the noun is (a product, an event), and with no other evidence it is no organisation."""
    if before is None or after is None or after.cap or (before.cap and before.kind != "num"):
        return False
    if before.low in _PREPOSITIONS or after.low in gz.FUNCTION_WORDS:
        return False  # "at Qantas", "Qantas and ..."
    # after a number or a quantifier the phrase is plural: "vendors" is a noun, no verb
    plural = before.kind == "num" or before.low in _QUANTIFIERS
    return not _verbish(after, not plural) and after.f not in gz.ORG_AFTER


def not_a_person(run: list[_Tok]) -> bool:
    """Does a run that reads as a person end in a word no one is named by? A religious,
    ethnic or political group ("Roman Catholics", "Shiite Muslims"), or a title with no
    given name before it ("Panchen Lama", "Attorney General"): "John Major" stays."""
    last = run[-1]
    if last.f in gz.NOT_ENTITIES or last.low in gz.NOT_ENTITIES:
        return True
    if last.f in gz.TITLES_ALONE:
        return True
    return last.f in gz.TITLE_HEADS and not any(_is_given(t) for t in run[:-1])


def _known_group(units: list[_Unit], toks: list[_Tok]) -> set[str]:
    out = set()
    for u in units:
        if u.kind in ("place", "demonym"):
            out.add(PLACES)
        elif u.kind == "org":
            out.add(ORGS)
        elif u.kind == "name" and u.j - u.i == 1 and _is_given(toks[u.i]):
            out.add(GIVEN)
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
        ctx.coord |= _known_group(units[: k0 - 1], toks)
        inner_before = any(u.kind not in ("conn", "place", "org", "demonym", "name", "drop")
                           for u in units[: k0 - 1])
    if inner_after and units[k1].kind == "conn" and toks[units[k1].i].low in ("and", "or"):
        ctx.coord |= _known_group(units[k1 + 1 :], toks)
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
                ctx.coord |= _known_group(seg[cc - 1], toks)
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
                ctx.coord |= _known_group(seg[cc + 1], toks)
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

