"""Names for discovered subjects: the words and names that set a group apart.

A subject is named by the terms that are both common in it and rare elsewhere: for each
term, the share of the group's items that have it (``a``) against its share of the items
it is compared with (``b``), scored ``a * log(a / b)`` (its part in how far the group's
words are from the corpus's). A top is compared with the whole corpus; a leaf with the
corpus and with its own top, whichever is the stronger, so that a leaf is named by what
sets it apart from its siblings, not by what it shares with them. A word that everyone
uses ("city", "company", "system") has a low lift everywhere and names nothing.

Names, written capitalised in the middle of sentences, count for more than common nouns
(a person, a place or a firm tells a reader more than "scientists"), and two words that
stand side by side in the text ("Puerto" "Rico") name the subject as one ("Puerto Rico").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from store.text.clean import mask_wire, terms, tokens

ENTITY = "§"  # marks an entity feature: "§hugo chavez"
SHAPE = "¤"  # marks a number-shape feature: "¤money" (groups items, names nothing)
NAME_CHARS = 40
CANDIDATES = 24
"""This many of a group's most distinctive terms are looked up in the text."""
PROPER_WEIGHT = 2.0
"""A term always written as a name scores this much more (times) than a common noun."""
PAIR_SHARE = 0.6
"""Two terms are one name when they stand side by side in at least this share of the
occurrences of each (and twice at least): "Puerto Rico", not "President Hugo"."""
LOOKED_AT = 1000
"""At most this many items are read for how the words are written (enough for shares)."""
NOT_NAMES = frozenset(
    """
need needs lot lots reason reasons thing things way ways part parts kind fact facts
best better good great big little top whole full real sure likely able less least
inc corp co ltd plc llc ag sa nv group
""".split()
)
"""Words that may group items but say nothing as a subject's name ("City, Need"), and the
suffixes of firms' names ("Inc", "Corp": the firm itself is an entity feature)."""


def lift(counts: Any, size: int, against: Any) -> Any:
    """The distinctiveness of each term in a group of ``size`` items that ``counts``
    of them have, against ``against`` (the share of the compared items that have it)."""
    import numpy as np

    a = counts / max(size, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(counts >= min(2, size), a * np.log(a / np.maximum(against, 1e-9)), -np.inf)
    return np.where(counts > 0, score, -np.inf)


class TextStats:
    """How the candidate words are written in the items: their usual surface form, how
    often mid-sentence they are capitalised, and which pairs of them stand side by side."""

    def __init__(self, items: Sequence[Mapping[str, Any]], wanted: set[str]) -> None:
        seen: dict[str, Counter[str]] = {}
        caps: Counter[str] = Counter()
        inner: Counter[str] = Counter()
        leads: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        phrases: dict[str, Counter[str]] = {}
        for n, d in enumerate(items):
            if n >= 300 and len(seen) >= 0.95 * len(wanted) or n >= LOOKED_AT:
                break  # (nearly) every wanted term seen, or enough looked at
            for field in ("people", "orgs"):
                for display in d.get(field) or ():
                    key = ENTITY + " ".join(terms(display))
                    phrases.setdefault(key, Counter())[display] += 1
            title = d.get("title", "")
            body = d.get("body", "")[:2000]
            start = len(body) - len(mask_wire(body).lstrip())  # past the dateline
            for text, is_body in ((title, False), (body, True)):
                previous: tuple[str, int, int] | None = None
                for tok in tokens(text):
                    form = text[tok.start : tok.end]
                    if previous is not None and text[previous[2] : tok.start] == " ":
                        if is_body and form[:1].isupper():
                            leads[previous[0]] += 1
                        if tok.term in wanted:
                            pairs[(previous[0], tok.term)] += 1
                            key = f"{ENTITY}{previous[0]} {tok.term}"
                            phrases.setdefault(key, Counter())[text[previous[1] : tok.end]] += 1
                    if tok.term not in wanted:
                        previous = None
                        continue
                    seen.setdefault(tok.term, Counter())[form] += 1
                    previous = (tok.term, tok.start, tok.end)
                    before = text[max(start, tok.start - 3) : tok.start].rstrip()
                    if (
                        is_body
                        and tok.start > start
                        and before
                        and before[-1] not in '.!?"“:'
                        and not (form.isupper() and len(form) > 1)
                    ):
                        inner[tok.term] += 1
                        caps[tok.term] += form[:1].isupper()
        self.surfaces = _surface_forms(seen)
        self.surfaces.update(_surface_forms(phrases))
        self.proper = {t: caps[t] / inner[t] for t in inner}
        self.pairs = pairs
        self.counts = {t: sum(forms.values()) for t, forms in seen.items()}
        self.leads = leads

    def fragment(self, term: str) -> bool:
        """A word mostly written just before another name ("John", "President", "Aug"):
        a part of many names, none of them, on its own it names nothing."""
        count = self.counts.get(term, 0)
        return not term.startswith(ENTITY) and count > 0 and self.leads[term] >= 0.5 * count

    def properness(self, term: str) -> float:
        """1 for an entity, else the share of its mid-sentence uses written capitalised."""
        if term.startswith(ENTITY):
            return 1.0
        return self.proper.get(term, 0.0)

    def joined(self, ranked: Sequence[str], pool: Sequence[str] = ()) -> list[str]:
        """``ranked`` with two words that stand side by side in the text as one name
        ("puerto", "rico" -> "§puerto rico", at the better one's rank); the partner may
        also be one of the ``pool`` of less distinctive terms ("red" + "sox")."""
        out: list[str] = []
        # the words of a ranked name are left to it ("hugo" to "§hugo chavez")
        in_names = {w for t in ranked if t.startswith(ENTITY) for w in t[1:].split()}
        free = [
            t
            for t in dict.fromkeys([*ranked, *pool])
            if t not in in_names and not t.startswith((ENTITY, SHAPE))
        ]
        used: set[str] = set()
        for term in ranked:
            if term in used:
                continue
            if term not in free:
                used.add(term)
                out.append(term)
                continue
            partner, best = None, 0.0
            for other in free:
                if other in used or other == term:
                    continue
                for pair in ((term, other), (other, term)):
                    commoner = max(self.counts.get(pair[0], 0), self.counts.get(pair[1], 0))
                    together = self.pairs.get(pair, 0)
                    share = together / max(commoner, 1)
                    if together >= 2 and share >= PAIR_SHARE and share > best:
                        partner, best = pair, share
            if partner:
                used.update(partner)
                out.append(ENTITY + " ".join(partner))
            elif not self.fragment(term):
                used.add(term)
                out.append(term)
        return out


def _surface_forms(seen: Mapping[str, Counter[str]]) -> dict[str, str]:
    out = {}
    for term, forms in seen.items():
        # Not a dateline's capitals ("ATHENS (Reuters) -") when the text also has "Athens"
        quiet = (
            Counter({f: n for f, n in forms.items() if f.istitle()})
            if any(f.isupper() and len(f) > 3 for f in forms)
            else forms
        )
        quiet = quiet or forms
        word = quiet.most_common(1)[0][0].rstrip("'’")
        word = word[:-2] if word.endswith(("'s", "’s")) else word
        out[term] = word if not word.islower() else word.capitalize()
    return out


def surfaces(items: Sequence[Mapping[str, Any]], wanted: set[str]) -> dict[str, str]:
    """How each wanted term is written most often in the items ("phelp" -> "Phelps")."""
    return TextStats(items, wanted).surfaces


def label(term: str, forms: Mapping[str, str]) -> str:
    if term in forms:
        return forms[term]
    if term.startswith(ENTITY):
        return " ".join(forms.get(w, w.capitalize()) for w in term[1:].split())
    return forms.get(term, term.capitalize())


def whole_names(ranked: Sequence[str]) -> list[str]:
    """The ranked terms with a word that is part of a ranked name replaced by that name
    (where the word ranks), so "mark", "rutte", "§mark rutte" name one "Mark Rutte"."""
    names = [t for t in ranked if t.startswith(ENTITY)]
    out: list[str] = []
    for term in ranked:
        if term.startswith(SHAPE) or "'" in term:  # a shape, a contraction ("isn't")
            continue
        if not term.startswith(ENTITY):
            term = next((n for n in names if term in n[1:].split()), term)
        out.append(term)
    named = [t for t in out if t not in NOT_NAMES]  # (all generic: keep them, not none)
    return list(dict.fromkeys(named or out))


def name(
    ranked: Sequence[str],
    taken: set[str],
    avoid: Sequence[str] = (),
    forms: Mapping[str, str] | None = None,
) -> str:
    """A readable, unique name of at most NAME_CHARS from the best terms, "/"-free."""
    shunned = {a.casefold() for a in avoid}
    every = list(
        dict.fromkeys(label(t, forms or {}).replace("/", "-") for t in whole_names(ranked))
    )
    # (a leaf whose best words all name its top already is named by them, not "Subject")
    labels = [lb for lb in every if lb.casefold() not in shunned] or every
    # A label whose words are all in a better one's says nothing more ("Google", "Google IPO")
    words = [set(lb.casefold().split()) for lb in labels]
    labels = [
        lb
        for k, lb in enumerate(labels)
        if not any(
            j != k and words[k] <= words[j] and (words[k] < words[j] or j < k)
            for j in range(len(labels))
        )
    ]
    for size in (2, 3, 4, 1):
        text = ", ".join(labels[:size])
        if text and len(text) <= NAME_CHARS and text not in taken:
            return text
    base = (labels[0] if labels else "Subject")[: NAME_CHARS - 4]
    n = 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"


def name_all(
    items: Sequence[Mapping[str, Any]], rows: Any, vocab: Sequence[str], labels: Any, tops: Any
) -> list[str]:
    """``Top/Leaf`` paths for leaves ``0..len(tops)-1`` (``labels``: each row's leaf;
    ``tops``: each leaf's top), each part named by its most distinctive terms."""
    import numpy as np
    from scipy.sparse import csr_matrix

    present = rows.copy().tocsr()
    present.data[:] = 1.0
    n = present.shape[0]
    usable = np.array([not str(t).startswith(SHAPE) for t in vocab])
    # how many of each leaf's items have each term: (leaves x items) @ (items x terms)
    member = csr_matrix(
        (np.ones(n, dtype=np.float32), (labels, np.arange(n))), shape=(len(tops), n)
    )
    leaf_counts = np.asarray((member @ present).todense(), dtype=np.float64)
    sizes = np.bincount(labels, minlength=len(tops))
    df = leaf_counts.sum(axis=0)
    overall = df / max(n, 1)
    groups: dict[tuple[int, int], tuple[Any, int, Any]] = {}  # (top, leaf or -1) -> counts
    for t in sorted(set(int(x) for x in tops)):
        members = np.flatnonzero(tops == t)
        counts, size = leaf_counts[members].sum(axis=0), int(sizes[members].sum())
        groups[(t, -1)] = (counts, size, overall)
        for k in members:
            groups[(t, int(k))] = (
                leaf_counts[k],
                int(sizes[k]),
                np.maximum(overall, counts / max(size, 1)),
            )
    scores: dict[tuple[int, int], Any] = {}
    candidates: dict[tuple[int, int], list[int]] = {}
    for key, (counts, size, against) in groups.items():
        score = np.where(usable, lift(counts, size, against), -np.inf)
        best = np.argsort(-score)[:CANDIDATES]
        scores[key] = score
        # (a term no commoner here than elsewhere names nothing, unless nothing else does)
        candidates[key] = [int(j) for j in best if score[j] > 0] or [
            int(j) for j in best if np.isfinite(score[j])
        ]
    wanted = {
        w for c in candidates.values() for j in c for w in str(vocab[j]).lstrip(ENTITY).split()
    }
    stats = TextStats(items, wanted)

    def ranked(key: tuple[int, int]) -> list[str]:
        order = sorted(
            candidates[key],
            key=lambda j: -scores[key][j] * (1 + PROPER_WEIGHT * stats.properness(str(vocab[j]))),
        )
        words = [str(vocab[j]) for j in order]
        return stats.joined(words[:8], words[8:])

    top_names: dict[int, str] = {}
    taken: set[str] = set()
    for t in sorted({k[0] for k in groups}, key=lambda t: -groups[(t, -1)][1]):
        top_names[t] = name(ranked((t, -1)), taken, (), stats.surfaces)
        taken.add(top_names[t])
    paths = []
    leaf_taken: dict[int, set[str]] = {}
    for leaf_at, top_at in enumerate(int(x) for x in tops):
        names = leaf_taken.setdefault(top_at, set())
        leaf = name(ranked((top_at, leaf_at)), names, _words(top_names[top_at]), stats.surfaces)
        names.add(leaf)
        paths.append(f"{top_names[top_at]}/{leaf}")
    return paths


def _words(top: str) -> list[str]:
    """The parts of a top's name, and each word of them, not to be repeated in a leaf's."""
    parts = top.split(", ")
    return parts + [w for p in parts for w in p.split() if len(p.split()) > 1]
