"""The shape of a name once its group is known: what is part of it and what is not.

Newswire glues roles to names ("Democrat John Kerry", "Second-seeded Lleyton Hewitt",
"Secretary of State Colin Powell" cut to "State Colin Powell"), writes companies with
their legal form ("Microsoft Corp.") and shouts datelines and headlines in capitals.
These rules run on each text's candidates after classification, before variants merge:

- a person's name loses leading role, rank, party and nationality words, and leading
  common words while two name words remain;
- a "person" holding an all-capital word is not one: a product ("Windows XP"), a league
  ("AL Central"), or an organisation;
- a "person" whose last word has a company ending ("Sun Microsystems") is an organisation;
- an organisation is named without its legal form; a shouted place is title-cased.
"""

from __future__ import annotations

import re

from store.derive.entities import gazetteer as gz
from store.derive.entities.classify import ORGS, PEOPLE, PLACES, _Cand, _surface_name
from store.derive.entities.tokens import _is_common, _is_given, _Tok
from store.text.clean import fold

_ROMAN = re.compile(r"[IVX]{1,4}")
_SEEDED = re.compile(r"(?:\w+-)?(?:seeded|ranked|time|year-old)$")


def _is_role(t: _Tok) -> bool:
    """A role, rank, party or nationality word, hyphenated ones by any of their parts."""
    f = t.f
    if f in gz.ROLE_WORDS or f in gz.TITLE_HEADS or f in gz.PERSON_NOUNS:
        return True
    if "-" in f:
        parts = f.split("-")
        return bool(_SEEDED.search(f)) or any(
            p in gz.ROLE_WORDS or p in gz.TITLE_MODIFIERS for p in parts)
    return False


def _strip_roles(toks: list[_Tok], c: _Cand) -> None:
    i = c.i
    while c.j - i > 1:
        t = toks[i]
        if t.caps or t.kind != "word" or _is_given(t):
            break
        if _is_role(t) or (t.f in gz.TITLE_MODIFIERS and c.j - i > 2):
            i += 1
        elif _is_common(t) and c.j - i > 2:
            i += 1  # "Political Hopeful John Doe": two name words still follow
        else:
            break
    while i < c.j and toks[i].kind != "word" and toks[i].kind != "init":
        i += 1
    c.i = i


def _org_ending(word: str) -> bool:
    w = word.casefold()
    return len(w) > 6 and w.endswith(gz.ORG_ENDINGS)


def refine(text: str, toks: list[_Tok], cands: list[_Cand]) -> list[_Cand]:
    """Apply the module's rules to one text's candidates (see the docstring)."""
    out: list[_Cand] = []
    for c in cands:
        if c.group == PEOPLE:
            _strip_roles(toks, c)
            run = toks[c.i : c.j]
            shouted = [t for t in run if t.caps and not _ROMAN.fullmatch(t.text)]
            if shouted:
                rest = [t for t in run if t not in shouted]
                if run[-1] in shouted and len(run[-1].text) <= 3 or \
                        all(_is_common(t) for t in rest):
                    continue  # "Windows XP", "AL Central": a product, a league table
                c.group = ORGS
            elif len(run) > 1 and _org_ending(run[-1].text):
                c.group = ORGS  # "Sun Microsystems"
            elif all(_is_common(t) and not _is_given(t) for t in run):
                continue  # "Political Troublemakers": a headline's capitals
            c.name = _surface_name(text, toks, c.i, c.j)[0]
        if c.group == ORGS:
            if c.j - c.i > 1 and toks[c.i].text in gz.NOT_ORG_ACRONYMS:
                continue  # "DVD Studio Pro": a product named by its kind
            c.name = org_name(c.name)
            if not c.name:
                continue
        elif c.group == PLACES and c.name.isupper() and len(c.name) > 4:
            c.name = c.name.title()  # "PUNTA GORDA" -> "Punta Gorda"
        out.append(c)
    return out


def org_name(name: str) -> str:
    """An organisation's node name: without its legal form ("Microsoft Corp." ->
    "Microsoft", "Kmart Holding Corp" -> "Kmart Holding"); "" for a legal form alone."""
    words = name.split()
    while words and (fold(words[-1].rstrip(".,")) in gz.LEGAL_SUFFIXES
                     or len(words) > 1 and words[-1] in gz.NOT_ORG_ACRONYMS):
        words.pop()  # "Google IPO" is Google
    while words and words[-1] in ("&", "and", ","):
        words.pop()
    return " ".join(words).rstrip(",")
