"""Subjects discovered from the text itself: a two-level grouping nobody wrote rules for.

``discover`` reads every item once: TF-IDF over its folded words (the wire's dateline
and credit left out) plus one feature per person and organisation it names, reduced by
LSA to a few dozen latent dimensions. Spherical k-means on the strongest of those
dimensions makes up to ``MAX_TOPS`` top subjects; k-means on all of them and on a few of
the top's own (LSA on its items alone) splits each top into leaves (``MAX_LEAVES`` in all,
shared by the tops' size and scatter). Each subject is named by its most distinctive
words and names (``store.derive.naming``).
What is kept (the ``SubjectModel``) is small: per leaf, its strongest terms and their
weights and its size, the idf of those terms, and the floor below which an item fits
no subject.

``assign`` files an item with that model alone: under the top whose centroid (its
leaves', by size) it matches best, then under that top's best leaf; under none when even
its best leaf scores below the floor (the worst-fitting ``UNFILED_SHARE`` of items). An
import assigns its new items to the existing subjects, and the subjects of
stored items stay put until ``newsdesk retopic --subjects`` discovers them again. The
same weights explain each assignment ("Why here": the words that count most).

Local and lexical: scikit-learn (imported inside the functions that need it), no
network, no model download. Words are ``store.text.clean.terms``, as search sees them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from store.derive.naming import ENTITY as _ENTITY
from store.derive.naming import NAME_CHARS, SHAPE, name_all  # noqa: F401 (NAME_CHARS: API)
from store.text.clean import mask_wire, source_suffix, terms, tokens

MAX_TOPS = 15
MAX_LEAVES = 60
MIN_ITEMS = 40
DISCOVER_ITEMS = 20_000
"""Subjects are discovered from at most this many items (a seeded sample of a bigger
store; ``assign_many`` files them all): 60 leaves need nowhere near 100,000 items, and
discovering from all of them cost ~4 s of that import."""
"""Fewer items than this are too few to discover subjects in."""
ITEMS_PER_LEAF = 10
"""About this many items make one leaf (so 600 items or more make the full 60 leaves)."""
LSA_DIMS = 64
"""At most this many latent dimensions; fewer for fewer items (about their square root)."""
DIMS_PER_ROOT = 1.0
"""Latent dimensions per square root of the item count (at least 8, at most LSA_DIMS)."""
TOP_DIMS_SHARE = 0.6
"""Top subjects are grouped in the first this-share of the latent dimensions: the broad
themes are in the strongest ones, the finer ones only split hairs between them."""
LEAVES_PER_TOP = 2
LOCAL_FIT_ITEMS = 1000
"""A top's own dimensions are fitted on at most this many of its items (at 100,000 items
fitting them on all cost 3 s of the import; a sample finds the same few directions)."""
LOCAL_DIMS_PER_ROOT = 0.5
"""A top's own latent dimensions (see ``_leaf_space``) per square root of its size. On
the AG News sample (36 splits) leaf purity rose 0.2, 0.6 and 2.8 points at ~10, ~30 and
~60 items a leaf (at 0.7 or 1.0 per root: less at ~60, the same at ~10)."""
SCATTER_POWER = 2.0
"""The leaves go to the tops in proportion to their size times their scatter (one less
the squared length of the mean of their unit vectors) to this power: a top that holds
several themes is split finer than a tight one of the same size. On the AG News sample
(36 splits, leaves found as ``_leaf_space`` says) leaf purity against size alone (power
0): +0.7, +0.6 and +1.0 points at ~10, ~30 and ~60 items a leaf (power 1: +0.4, +0.5, +0.6)."""
TOP_TRIES = 4
LEAF_TRIES = 3
"""k-means runs (from different starts) for the top subjects and for each one's leaves."""
TERMS_PER_LEAF = 400
"""A leaf keeps this many of its strongest terms: enough to assign, small to store."""
UNFILED_SHARE = 0.05
"""About this share of items, those that fit every subject worst, are filed under none:
forced in, they muddy the subject they land in (a story sharing only a common word)."""
MODEL_VERSION = 4
_STOP = frozenset("""
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it
its itself just me more most my myself no nor not now of off on once only or other our ours
out over own same she should so some such than that the their theirs them then there these
they this those through to too under until up very was we were what when where which while
who whom why will with would you your yours yourself said say says told tell new year years
week weeks month months day days today yesterday tomorrow monday tuesday wednesday thursday
friday saturday sunday january february april june july august september october
november december jan feb apr jun jul aug sep sept oct nov dec
reuters ap afp percent pct one two three four five six seven eight
nine ten first second last next back may might must could many much make made get got like
also still time times people us well even since lead quot http www com told way set take
go going according including near set another around around amid
""".split())
_WORD = re.compile(r"[^\W\d_]")
_NUMBER = re.compile(r"[0-9$€£¥][0-9.,]*(?:-[0-9]+)?")  # (one ASCII class first: fast)
_UNITS = ("million", "billion", "trillion", "bn", "mln")
_PERCENT = ("%", "percent", "per cent", "pct")
_MONEY, _SHARE, _SCORE = SHAPE + "money", SHAPE + "percent", SHAPE + "score"


def _shapes(text: str) -> list[str]:
    """The numbers a story's words leave out, by their shape: sums of money and percentages
    (business news), scores (sport), one feature each, counted like a word.

    One scan for numbers, each then told by what stands around it: three regular
    expressions over every text cost 4 s of a 100,000-item import, this a quarter of it."""
    out: list[str] = []
    if not any(digit in text for digit in "0123456789"):
        return out  # (most texts: ten substring searches cost less than one scan)
    for m in _NUMBER.finditer(text):
        number, end = m.group(), m.end()
        if number[0] in "$€£¥":
            if number[1:2].isdigit():  # "$3.4", not a lone "$"
                out.append(_MONEY)
            continue
        after = text[end:end + 10].lstrip().lower()
        lead = after[:1]
        if lead and lead in "mbt":
            unit = next((u for u in _UNITS if after.startswith(u)), "")
            if unit and not after[len(unit):len(unit) + 1].isalpha():
                out.append(_MONEY)
                continue
        elif lead and lead in "%p" and after.startswith(_PERCENT):
            out.append(_SHARE)
            continue
        if "-" in number:
            first, _, second = number.partition("-")
            before = text[m.start() - 1:m.start()]
            nxt = text[end:end + 1]
            if len(first) <= 3 and len(second) <= 3 and first.isdigit() and \
                    not (before and (before.isalnum() or before in "_.,/-")) and \
                    not (nxt and (nxt.isalnum() or nxt in "_/-")):
                out.append(_SCORE)
    return out
@dataclass
class SubjectModel:
    """What assignment needs: each leaf's path, top terms and weights; the terms' idf."""

    leaves: list[str]
    """``Top/Leaf`` paths, one per leaf."""
    weights: list[dict[str, float]]
    """Per leaf: term -> weight of its (unit-length) centroid, the strongest only."""
    idf: dict[str, float]
    items: int = 0
    """How many items it was discovered from."""
    floor: float = 0.0
    """An item whose best score is below this is filed under no subject (see UNFILED_SHARE)."""
    sizes: list[int] = field(default_factory=list)
    """Per leaf: how many of the discovering items it holds (weighs it in its top)."""
    version: int = MODEL_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "items": self.items, "floor": self.floor,
                "sizes": self.sizes, "leaves": self.leaves, "weights": self.weights,
                "idf": self.idf}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SubjectModel | None:
        if not isinstance(data, dict) or data.get("version") != MODEL_VERSION:
            return None
        try:
            return cls([str(p) for p in data["leaves"]],
                       [{str(t): float(w) for t, w in d.items()} for d in data["weights"]],
                       {str(t): float(v) for t, v in data["idf"].items()},
                       int(data.get("items", 0)), float(data.get("floor", 0.0)),
                       [int(n) for n in data.get("sizes") or ()])
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


def features(item: Mapping[str, Any]) -> list[str]:
    """The terms an item is grouped by: the title's words and the body's (without the
    wire's dateline and credit), its people and organisations as one term each, and one
    term per sum of money, percentage or score (``_shapes``).

    The title is counted once: counted twice (or three times), its few words outweighed
    the body's and purity on wire stories fell by one to five points."""
    title = item.get("title", "")
    title = title[:source_suffix(title)]
    body = mask_wire(item.get("body", ""))[:4000]
    words = [w for w in terms(title) if w not in _STOP and len(w) > 2 and _WORD.match(w)]
    out = list(words)
    text = body
    if not body.startswith(title.rstrip("…")):
        out += [w for w in terms(body) if w not in _STOP and len(w) > 2 and _WORD.match(w)]
        text = f"{title} {body}"
    for field_name in ("people", "orgs"):
        out += [_ENTITY + " ".join(terms(n)) for n in item.get(field_name) or ()]
    out += _shapes(text)
    return out


def discover(items: Sequence[Mapping[str, Any]], seed: int = 0,
             docs: Sequence[list[str]] | None = None) -> SubjectModel | None:
    """Discover subjects in ``items`` (None when there are fewer than MIN_ITEMS);
    ``docs``: their ``features``, when the caller has them already."""
    if len(items) < MIN_ITEMS:
        return None
    if len(items) > DISCOVER_ITEMS:  # a seeded sample finds the same few dozen subjects
        import random

        keep = sorted(random.Random(seed).sample(range(len(items)), DISCOVER_ITEMS))
        items = [items[i] for i in keep]
        docs = [docs[i] for i in keep] if docs is not None else None
    import warnings

    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    # One thread: these k-means runs are small, and their threads cost more than they save
    # (on two busy cores discovering 7,500 items took 3.1 s with them, 0.7 s without).
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")  # k-means on repeated texts warns of fewer clusters
        return _discover(items, seed, docs)


def _discover(items: Sequence[Mapping[str, Any]], seed: int,
              docs: Sequence[list[str]] | None) -> SubjectModel | None:
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = docs if docs is not None else [features(d) for d in items]
    vectorizer = TfidfVectorizer(analyzer=lambda doc: doc, min_df=2, max_df=0.25,
                                 sublinear_tf=True, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # no term in two items: nothing to group by
        return None
    vocab = vectorizer.get_feature_names_out()
    live = np.asarray(matrix.getnnz(axis=1) > 0)
    rows = matrix[live]
    if rows.shape[0] < MIN_ITEMS:
        return None
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    # LSA first: k-means on the raw sparse vectors makes one giant cluster of everything
    # that shares only common words; in a few dozen latent dimensions the groups separate.
    # Few: with more, the clusters follow the rare words of a handful of items (on wire
    # stories purity fell steadily beyond about the square root of the item count).
    n = rows.shape[0]
    dims = max(2, min(LSA_DIMS, rows.shape[1] - 1, max(8, round(DIMS_PER_ROOT * math.sqrt(n)))))
    raw = TruncatedSVD(dims, random_state=seed).fit_transform(rows)
    latent = normalize(raw)
    broad = normalize(raw[:, :max(2, round(dims * TOP_DIMS_SHARE))])
    n_leaves = max(2, min(MAX_LEAVES, round(n / ITEMS_PER_LEAF)))
    # As many top subjects as allowed once there are leaves enough: smaller tops are purer.
    n_tops = max(2, min(MAX_TOPS, n_leaves // LEAVES_PER_TOP))
    # Top-down: the top subjects first (on the broad dimensions), then each one's leaves
    # (on all of them), in proportion to its size.
    tops_of_docs = KMeans(n_clusters=n_tops, n_init=TOP_TRIES, random_state=seed,
                          max_iter=200).fit_predict(broad)
    labels = np.zeros(n, dtype=int)
    tops_list: list[int] = []
    counts = np.bincount(tops_of_docs, minlength=n_tops)
    scatter = np.zeros(n_tops)
    for top in np.flatnonzero(counts):
        centre = latent[tops_of_docs == top].mean(axis=0)
        scatter[top] = counts[top] * max(1e-3, 1 - float(centre @ centre)) ** SCATTER_POWER
    per_top = _allocate(n_leaves, scatter, counts // 3)
    for t in range(n_tops):
        members = np.flatnonzero(tops_of_docs == t)
        if not len(members):
            continue
        k = int(per_top[t])
        if k > 1:
            sub = KMeans(n_clusters=k, n_init=LEAF_TRIES, random_state=seed,
                         max_iter=200).fit_predict(_leaf_space(rows, latent, members, seed))
        else:
            sub = np.zeros(len(members), dtype=int)
        for j in range(k):
            if (sub == j).any():
                labels[members[sub == j]] = len(tops_list)
                tops_list.append(t)
    labels, tops = _refine(rows, labels, np.array(tops_list))
    n_leaves = len(tops)
    sizes = np.bincount(labels, minlength=n_leaves)
    sums = np.vstack([np.asarray(rows[labels == k].sum(axis=0)).ravel()
                      for k in range(n_leaves)])
    centroids = sums / (np.linalg.norm(sums, axis=1, keepdims=True) + 1e-12)
    paths = name_all(items, rows, vocab, labels, tops)
    weights: list[dict[str, float]] = []
    used: dict[str, float] = {}
    kept_columns: list[Any] = []
    for k in range(n_leaves):
        centre = centroids[k]
        strongest = np.argsort(-centre)[:TERMS_PER_LEAF]
        strongest = strongest[centre[strongest] > 0]
        kept_columns.append(strongest)
        kept = {str(vocab[j]): round(float(centre[j]), 5) for j in strongest}
        weights.append(kept)
        for term in kept:
            used[term] = round(float(vectorizer.idf_[vectorizer.vocabulary_[term]]), 4)
    floor = _floor(rows, labels, sums, kept_columns)
    return SubjectModel(paths, weights, used, len(items), round(floor, 5),
                        [int(n) for n in sizes])


REFINE_ROUNDS = 10
"""Rounds of refining the leaves in the sparse space that ``assign`` scores in (see
``_refine``). On the AG News sample (16 splits) leaf and top purity rose 0.9 and 1.5
points at ~10 items a leaf, 0.7 and 0.7 at ~20. (3 rounds gave about half that and 20 no
more, measured while emptied leaves were still kept.)"""


def _refine(rows: Any, labels: Any, tops: Any) -> tuple[Any, Any]:
    """The leaves found in the latent space, made to agree with how items are filed: each
    round files every item as ``_choose`` would (its top by the tops' centroids, then the
    top's best leaf) against centroids summed from the previous round's leaves, each item
    scored against its own leaf *without itself* (a leaf's centroid holds its members' own
    rare words, so with itself in it no item would ever move). Items may change tops;
    the tops themselves stay as found. Returns the labels and each leaf's top, less any
    leaf the rounds left empty."""
    import numpy as np
    from scipy.sparse import csr_matrix

    n, n_leaves = rows.shape[0], len(tops)
    n_tops = int(tops.max()) + 1
    self_dot = np.asarray(rows.multiply(rows).sum(axis=1)).ravel()
    everyone = np.arange(n)
    for _ in range(REFINE_ROUNDS):
        member = csr_matrix((np.ones(n), (labels, everyone)), shape=(n_leaves, n))
        sums = np.asarray((member @ rows).todense())
        sizes = np.bincount(labels, minlength=n_leaves).astype(float)
        norms = np.linalg.norm(sums, axis=1) + 1e-12
        raw = np.asarray(rows @ sums.T)
        scores = raw / norms
        own = raw[everyone, labels]
        rest = np.sqrt(np.maximum(norms[labels] ** 2 - 2 * own + self_dot, 1e-12))
        scores[everyone, labels] = (own - self_dot) / rest
        top_sums = np.zeros((n_tops, sums.shape[1]))
        np.add.at(top_sums, tops, sizes[:, None] * sums / norms[:, None])
        by_top = np.zeros((n, n_tops))
        for k in range(n_leaves):
            by_top[:, tops[k]] += sizes[k] * scores[:, k]
        top = np.argmax(by_top / (np.linalg.norm(top_sums, axis=1) + 1e-12), axis=1)
        moved = np.argmax(np.where(tops[None, :] == top[:, None], scores, -np.inf), axis=1)
        if (moved == labels).all():
            break
        labels = moved
    kept, labels = np.unique(labels, return_inverse=True)  # a leaf left empty is dropped
    return labels, tops[kept]


def _leaf_space(rows: Any, latent: Any, members: Any, seed: int) -> Any:
    """Where a top's leaves are looked for: its items in the corpus's latent dimensions
    and, beside them (each half of unit length), in a few of the top's own (LSA on its
    items alone). The corpus's strongest dimensions are those that tell the tops apart;
    inside a top they hardly vary, and its own themes are in what its items alone share."""
    import numpy as np
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    part = rows[members]
    dims = max(2, round(LOCAL_DIMS_PER_ROOT * math.sqrt(len(members))))
    if min(part.shape) <= dims + 1:
        return latent[members]
    svd = TruncatedSVD(dims, random_state=seed)
    if len(members) > LOCAL_FIT_ITEMS:  # a big top's own dimensions, from a sample of it
        sample = np.random.default_rng(seed).choice(len(members), LOCAL_FIT_ITEMS, replace=False)
        local = svd.fit(part[np.sort(sample)]).transform(part)
    else:
        local = svd.fit_transform(part)
    return normalize(np.hstack([normalize(local), latent[members]]))


def _allocate(total: int, weights: Any, caps: Any) -> Any:
    """``total`` leaves shared among the tops in proportion to ``weights`` (the largest
    remainders rounding up): at least one each, at most ``caps`` (and never more than
    ``total`` in all, however the shares round)."""
    import numpy as np

    live = weights > 0
    caps = np.where(live, np.maximum(caps, 1), 0)
    out = live.astype(int)
    spare = total - int(out.sum())
    while spare > 0:
        room = out < caps
        if not room.any():
            break
        want = np.where(room, weights / weights[room].sum() * (total - out[~room].sum()), 0)
        gap = want - out
        t = int(np.argmax(np.where(room, gap, -np.inf)))
        out[t] += 1
        spare -= 1
    return out


def _floor(rows: Any, labels: Any, sums: Any, kept: list[Any]) -> float:
    """The best score (as ``assign`` computes it) of the UNFILED_SHARE worst-fitting items.

    Each item is scored against its own leaf *without itself* in it: a leaf's centroid
    holds its members' own rare words, so its members score higher than any item imported
    later would, and a floor taken from those scores would leave out most later items.
    """
    import numpy as np
    from sklearn.preprocessing import normalize

    columns = np.unique(np.concatenate(kept))  # the model's vocabulary
    where = [np.searchsorted(columns, c) for c in kept]
    # As assign sees items: the model's terms only, less those that only this item and
    # one other have (without the item, they would not be in the vocabulary at all).
    queries = rows[:, columns].tocsr(copy=True)
    rare = (rows.getnnz(axis=0) <= 2)[columns]
    queries.data[rare[queries.indices]] = 0
    queries.eliminate_zeros()
    queries = normalize(queries)
    norms = np.linalg.norm(sums, axis=1) + 1e-12
    weights = np.zeros((len(kept), len(columns)), dtype=np.float64)
    for k, cols in enumerate(kept):
        weights[k, where[k]] = sums[k, cols] / norms[k]
    scores = np.asarray(queries @ weights.T)
    for k, cols in enumerate(kept):
        members = np.flatnonzero(labels == k)
        if not len(members):
            continue
        own = rows[members]
        mine = queries[members][:, where[k]].toarray()
        dot = mine @ sums[k, cols] - (mine * own[:, cols].toarray()).sum(axis=1)
        rest = np.sqrt(np.maximum(norms[k] ** 2 - 2 * (own @ sums[k]) + 1.0, 0.0)) + 1e-12
        scores[members, k] = dot / rest
    return float(np.quantile(scores.max(axis=1), UNFILED_SHARE))


def _vector(model: SubjectModel, item: Mapping[str, Any]) -> dict[str, float]:
    counts = Counter(t for t in features(item) if t in model.idf)
    vec = {t: (1 + math.log(c)) * model.idf[t] for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


SECOND_SHARE = 0.85
"""A second subject is listed when it scores at least this share of the first."""


def assign(model: SubjectModel, item: Mapping[str, Any]) -> list[str]:
    """The item's subjects, best first (``Top/Leaf``): its best leaf, and a second one
    when that scores nearly as well; [] when it fits no subject (scores below the floor)."""
    vec = _vector(model, item)
    if not vec:
        return []
    return _choose(model, [sum(w.get(t, 0.0) * v for t, v in vec.items())
                           for w in model.weights])


def _tops(model: SubjectModel) -> tuple[list[int], list[float], list[int]]:
    """Each leaf's top (an index); the length of each top's centroid, the sum of its
    leaves' centroids weighed by their sizes; the sizes (computed once per model)."""
    if "tops" not in model.extra:
        names = [p.split("/")[0] for p in model.leaves]
        index = {n: k for k, n in enumerate(dict.fromkeys(names))}
        of = [index[n] for n in names]
        sizes = model.sizes if len(model.sizes) == len(model.leaves) else [1] * len(of)
        sums: list[dict[str, float]] = [{} for _ in index]
        for k, w in enumerate(model.weights):
            total = sums[of[k]]
            for t, v in w.items():
                total[t] = total.get(t, 0.0) + sizes[k] * v
        norms = [math.sqrt(sum(v * v for v in d.values())) or 1.0 for d in sums]
        model.extra["tops"] = (of, norms, sizes)
    tops: tuple[list[int], list[float], list[int]] = model.extra["tops"]
    return tops


def _choose(model: SubjectModel, scores: Sequence[float]) -> list[str]:
    """The subjects of an item scoring ``scores`` on the leaves: first its top (the one
    whose centroid it matches best: a top's centroid, of many more items than a leaf's,
    misleads less), then that top's best leaf; and a second leaf scoring nearly as well.
    None when even its best leaf scores below the model's floor."""
    if not scores:
        return []
    best = max(scores)
    if best <= 0 or best < model.floor - 1e-6:
        return []
    of, norms, sizes = _tops(model)
    top_scores = [0.0] * len(norms)
    for k, score in enumerate(scores):
        top_scores[of[k]] += sizes[k] * score
    top = max(range(len(norms)), key=lambda t: top_scores[t] / norms[t])
    first = max((k for k in range(len(scores)) if of[k] == top), key=lambda k: scores[k])
    out = [model.leaves[first]]
    others = [k for k in range(len(scores)) if k != first]
    if others:
        second = max(others, key=lambda k: scores[k])
        if scores[second] >= SECOND_SHARE * scores[first] and scores[second] > 0:
            out.append(model.leaves[second])
    return out


def why(model: SubjectModel, item: Mapping[str, Any], path: str,
        limit: int = 5) -> list[tuple[int, int]]:
    """Body spans of the words that count most for the item's place under ``path``."""
    if path not in model.leaves:
        return []
    weights = model.weights[model.leaves.index(path)]
    vec = _vector(model, item)
    best = sorted((t for t in vec if t in weights and not t.startswith((_ENTITY, SHAPE))),
                  key=lambda t: -vec[t] * weights[t])[:limit]
    wanted = set(best)
    body = item.get("body", "")
    start = len(body) - len(mask_wire(body).lstrip())
    return [(tok.start, tok.end) for tok in tokens(body) if tok.term in wanted
            and tok.start >= start]


ASSIGN_CHUNK = 20_000


def assign_many(model: SubjectModel, items: Sequence[Mapping[str, Any]],
                docs: Sequence[list[str]] | None = None,
                discovering: bool = False) -> list[list[str]]:
    """``assign`` for many items at once, as sparse products (an import's new items);
    ``docs``: their ``features``, when the caller has them already. ``discovering``: the
    items the model was discovered from (see ``_choose_many``).

    The items' terms are made and scored ASSIGN_CHUNK at a time: made all at once they
    were the import's peak (300,000 items' terms alone took about a gigabyte); only
    the scores (items x leaves) are kept whole, for the discovering items' quantile."""
    if not items:
        return []
    import numpy as np

    index = {t: n for n, t in enumerate(model.idf)}
    idf = np.array(list(model.idf.values()), dtype=np.float32)
    weights = np.zeros((len(model.leaves), len(index)), dtype=np.float32)
    for k, w in enumerate(model.weights):
        for t, v in w.items():
            weights[k, index[t]] = v
    chunks = [_scores_of(index, idf, weights, items[start:start + ASSIGN_CHUNK],
                         None if docs is None else docs[start:start + ASSIGN_CHUNK])
              for start in range(0, len(items), ASSIGN_CHUNK)]
    floor = model.floor
    if discovering and model.leaves:
        # Their own words are in the centroids they are scored against, so nearly all
        # of them clear the floor that later items must: the same share of them, the
        # worst-fitting, is left out instead.
        best = np.concatenate([chunk.max(axis=1) for chunk in chunks])
        floor = max(floor, float(np.quantile(best, UNFILED_SHARE)))
    return [subjects for chunk in chunks for subjects in _choose_many(model, chunk, floor)]


def _scores_of(index: Mapping[str, int], idf: Any, weights: Any,
               items: Sequence[Mapping[str, Any]], docs: Sequence[list[str]] | None) -> Any:
    """The items' scores against each leaf (items x leaves), as unit-length vectors."""
    import numpy as np
    from scipy.sparse import csr_matrix

    data: list[float] = []
    cols: list[int] = []
    ptr = [0]
    for n, d in enumerate(items):
        counts = Counter(index[t] for t in (docs[n] if docs is not None else features(d))
                         if t in index)
        cols.extend(counts)
        data.extend(1 + math.log(c) for c in counts.values())
        ptr.append(len(cols))
    matrix = csr_matrix((np.array(data, dtype=np.float32), np.array(cols, dtype=np.int64),
                         np.array(ptr, dtype=np.int64)), shape=(len(items), len(index)))
    matrix = matrix.multiply(idf).tocsr()
    # Scores of unit-length items (the floor is one): divided by the length afterwards,
    # without scikit-learn (importing it would cost an import a second or more).
    lengths = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return np.asarray(matrix @ weights.T, dtype=np.float64) / np.maximum(lengths, 1e-12)[:, None]


def _choose_many(model: SubjectModel, scores: Any, floor: float | None = None
                 ) -> list[list[str]]:
    """``_choose`` for each row of ``scores`` (items x leaves), with numpy: the same
    sums in the same order, and first-of-equal picks as ``max`` makes them (a test
    compares the two); 100,000 items in a tenth of the time. ``floor``: the least best
    score that files an item (the model's, unless given)."""
    import numpy as np

    n, width = scores.shape
    if not width:
        return [[] for _ in range(n)]
    of, norms, sizes = _tops(model)
    best = scores.max(axis=1)
    floor = model.floor if floor is None else floor
    filed = (best > 0) & (best >= floor - 1e-6)
    top_scores = np.zeros((n, len(norms)))
    for k in range(width):  # leaf by leaf, as _choose adds them
        top_scores[:, of[k]] += sizes[k] * scores[:, k]
    top = np.argmax(top_scores / np.array(norms), axis=1)
    in_top = np.array(of)[None, :] == top[:, None]
    first = np.argmax(np.where(in_top, scores, -np.inf), axis=1)
    rows = np.arange(n)
    rest = scores.copy()
    rest[rows, first] = -np.inf
    second = np.argmax(rest, axis=1)
    first_score, second_score = scores[rows, first], rest[rows, second]
    paired = (second_score >= SECOND_SHARE * first_score) & (second_score > 0) & (width > 1)
    leaves = model.leaves
    return [([leaves[f], leaves[s]] if p else [leaves[f]]) if ok else []
            for ok, f, s, p in zip(filed.tolist(), first.tolist(), second.tolist(),
                                   paired.tolist(), strict=True)]
