"""Deriving topics and entities on several cores gives what one core gives."""

from __future__ import annotations

import pytest

import store.derive.pipeline as derive
from store.derive.rules import TopicRules, parse_rules
from store.desk import default_rules


def test_the_process_pool_derives_like_a_plain_loop(seed_lines: list[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    rules = default_rules()
    docs = [{"title": "", "body": line} for line in seed_lines if line.strip()]
    serial = [dict(d) for d in docs]
    for doc in serial:
        derive.derive(doc, rules)
    monkeypatch.setattr(derive, "PARALLEL_FROM", 2)
    monkeypatch.setattr(derive.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(derive, "CHUNK", 3)  # several jobs, the last one short
    deriving = derive.Deriving(rules, len(docs))
    for n, doc in enumerate(docs):
        deriving.add(doc)
        if n == 4:
            assert deriving.pool is not None  # the workers start before all items are in
    assert all("people" not in doc for doc in docs)  # nothing changes before finish()
    deriving.finish()
    assert docs == serial and deriving.pool is None


def test_topics_from_the_word_set_match_the_explained_spans() -> None:
    rules = parse_rules('''
["Talks"]
any = ["peace talks", "ceasefire"]
["Gas"]
any = ["gas*", "/LNG\\\\s+terminal/"]
not = ["gas station"]
''', "test")
    r = TopicRules(tuple(rules.values()), "x")
    for text in ("Peace talks resumed.", "The talks on peace stalled.", "A gas station closed.",
                 "Gasoline prices rose at the LNG  terminal.", "Ceasefire!"):
        assert r.topics_for(text) == list(r.explain(text)), text


def _themed(n: int) -> dict:
    themes = [("sport", "striker goals league match coach fans stadium"),
              ("money", "shares stocks investors profit earnings market traders"),
              ("space", "telescope planet orbit nasa launch mission probe")]
    name, words = themes[n % 3]
    w = words.split()
    body = " ".join(w[(n + k) % len(w)] for k in range(5)) + f" in report {n}."
    return {"id": f"i{n}", "title": f"Report {n}", "body": body, "theme": name}


def test_subjects_group_by_theme_assign_new_items_and_say_why() -> None:
    from store.derive.subjects import NAME_CHARS, assign, assign_many, discover, why

    items = [_themed(n) for n in range(90)]
    model = discover(items)
    assert model is not None and len(model.leaves) <= 60
    assert len({p.split("/")[0] for p in model.leaves}) <= 15
    assert all(len(part) <= NAME_CHARS for p in model.leaves for part in p.split("/"))
    assigned = assign_many(model, items)
    tops: dict[str, set[str]] = {}
    for it, subjects in zip(items, assigned, strict=True):
        tops.setdefault(subjects[0].split("/")[0], set()).add(it["theme"])
    assert all(len(themes) == 1 for themes in tops.values())  # each top is pure
    new = _themed(1000)
    assert assign(model, new)[0] == assign_many(model, [new])[0][0]
    spans = why(model, new, assign(model, new)[0])
    assert spans and all(new["body"][a:b].isalpha() for a, b in spans)
    assert discover(items[:10]) is None  # too few to discover anything


def test_choosing_subjects_for_many_items_picks_as_one_at_a_time() -> None:
    """``_choose_many`` (numpy, an import's items at once) gives ``_choose``'s answers,
    ties, zero rows, rows under the floor and near-equal second leaves included."""
    import numpy as np

    from store.derive.subjects import _choose, _choose_many, discover

    model = discover([_themed(n) for n in range(90)])
    assert model is not None and len(model.leaves) > 2
    rng = np.random.default_rng(5)
    width = len(model.leaves)
    rows = [rng.random(width) * rng.choice([0.2, 1.0]) for _ in range(300)]
    rows += [np.zeros(width), np.full(width, 0.5), np.full(width, model.floor / 2)]
    tied = np.zeros(width)
    tied[[0, width - 1]] = 0.9  # two leaves tied for the best
    rows += [tied, tied * 0.86]
    near = rng.random(width) * 0.1
    near[1], near[2] = 0.8, 0.8 * 0.85  # the second exactly at its share of the first
    rows.append(near)
    scores = np.vstack(rows)
    assert _choose_many(model, scores) == [_choose(model, row.tolist()) for row in scores]


def test_the_discovering_items_worst_fitting_share_is_left_unfiled_as_later_ones() -> None:
    """The items a model was discovered from score against centroids holding their own
    words: filed by the later items' floor, all of them cleared it. Filed as
    discovering, the worst-fitting UNFILED_SHARE of them stay out, as later items do."""
    import random

    from store.derive.subjects import UNFILED_SHARE, assign_many, discover

    rng = random.Random(3)
    items = []
    for n in range(120):  # themed items of fewer words, some with one of another theme
        item, other = _themed(n), _themed(n + rng.choice([3, 3, 1, 2]))
        words = item["body"].split()[:rng.randint(2, 5)] + other["body"].split()[:1]
        item["body"] = " ".join(words) + f" in report {n}."
        items.append(item)
    model = discover(items)
    assert model is not None
    as_later = assign_many(model, items)
    as_discovering = assign_many(model, items, discovering=True)
    left_out = [n for n, got in enumerate(as_discovering) if not got]
    assert sum(not got for got in as_later) < int(UNFILED_SHARE * len(items)) <= len(left_out)
    assert all(got == as_later[n] for n, got in enumerate(as_discovering) if got)
    assert len(left_out) < 3 * UNFILED_SHARE * len(items)


def test_assigning_by_chunks_files_as_assigning_at_once(monkeypatch) -> None:
    """Items are scored a chunk at a time (bounded memory); the discovering items'
    floor is still the quantile over all of them, so the answers are the same."""
    from store.derive import subjects

    items = [_themed(n) for n in range(150)]
    for n, item in enumerate(items):
        item["body"] = " ".join(item["body"].split()[: 2 + n % 5]) + f" note {n}."
    model = subjects.discover(items)
    assert model is not None
    whole = [subjects.assign_many(model, items, discovering=d) for d in (False, True)]
    monkeypatch.setattr(subjects, "ASSIGN_CHUNK", 7)
    chunked = [subjects.assign_many(model, items, discovering=d) for d in (False, True)]
    assert chunked == whole
    assert sum(not got for got in whole[1]) >= int(subjects.UNFILED_SHARE * len(items))


def test_subject_model_round_trips_and_refuses_older_versions() -> None:
    from store.derive.subjects import MODEL_VERSION, SubjectModel, assign_many, discover

    items = [_themed(n) for n in range(90)]
    model = discover(items)
    assert model is not None and 0 < model.floor < 1 and sum(model.sizes) == len(items)
    data = model.to_json()
    again = SubjectModel.from_json(data)
    assert again is not None and again.floor == model.floor and again.sizes == model.sizes
    new = [_themed(n) for n in range(1000, 1030)]
    assert assign_many(again, new) == assign_many(model, new)
    assert SubjectModel.from_json({**data, "version": MODEL_VERSION - 1}) is None


def test_subject_names_use_whole_names_and_no_dateline_capitals() -> None:
    from store.derive.naming import name as _name
    from store.derive.naming import surfaces as _surfaces
    from store.derive.naming import whole_names as _whole_names

    assert _whole_names(["mark", "rutte", "§mark rutte", "need", "drones"]) == [
        "§mark rutte", "drones"]
    items = [{"title": "Games open", "body": "ATHENS (Reuters) - The Games opened in Athens."},
             {"title": "Athens ready", "body": "ATHENS - Athens is ready, the IPO said."}]
    surfaces = _surfaces(items, {"athen", "ipo"} | {"athens"})
    assert surfaces.get("athens", surfaces.get("athen")) == "Athens"
    assert _name(["mark", "§mark rutte", "rutte", "athens"], set(), (),
                 {"mark": "Mark", "rutte": "Rutte", "athens": "Athens"}) == "Mark Rutte, Athens"


def test_subject_names_prefer_distinctive_words_and_join_collocations() -> None:
    import numpy as np
    from scipy.sparse import csr_matrix

    from store.derive.naming import TextStats, lift, name_all

    # a word common everywhere ("city") has no lift; one only in this group has much
    counts = np.array([5.0, 5.0, 1.0])
    against = np.array([0.5, 0.05, 0.01])
    score = lift(counts, 10, against)
    assert score[1] > score[0] and score[2] == -np.inf  # (seen once: names nothing)
    items = [{"title": "Storm", "body": f"Officials said Hurricane Charley hit the city {n}, "
              "as President Bush and President Putin spoke."} for n in range(4)]
    stats = TextStats(items, {"hurricane", "charley", "city", "president", "bush", "putin"})
    assert stats.joined(["hurricane", "city", "charley"]) == ["§hurricane charley", "city"]
    # "president" stands before several names, none always: a part of names, not one
    assert stats.fragment("president") and not stats.fragment("city")
    assert stats.joined(["president", "bush"]) == ["bush"]
    # name_all: each part named by what sets it apart (the shared "city" names neither leaf)
    vocab = ["city", "weather", "storm", "flood", "goal", "match"]
    rows = csr_matrix(np.array([[1, 1, 1, 0, 0, 0], [1, 1, 1, 0, 0, 0], [1, 1, 0, 1, 0, 0],
                                [1, 1, 0, 1, 0, 0], [1, 0, 0, 0, 1, 1], [1, 0, 0, 0, 1, 1]],
                               float))
    docs = [{"title": "", "body": " ".join(w for w, x in zip(vocab, r, strict=True) if x)}
            for r in rows.toarray()]
    paths = name_all(docs, rows, vocab, np.array([0, 0, 1, 1, 2, 2]), np.array([0, 0, 1]))
    assert paths[:2] == ["Weather, Storm/Storm", "Weather, Storm/Flood"]
    assert paths[2].startswith("Goal match/")  # (side by side each time: one name)


def test_subject_features_count_money_percentages_and_scores() -> None:
    from store.derive.subjects import features

    got = features({"title": "Shares up", "body": "Profit rose 12% to $3.4 billion."})
    assert got.count("¤money") == 1 and got.count("¤percent") == 1
    got = features({"title": "Cubs win", "body": "The Cubs beat the Reds 5-3 on 2004-08-15."})
    assert got.count("¤score") == 1 and "¤money" not in got


def test_leaves_go_to_the_tops_by_size_and_scatter_never_beyond_the_total() -> None:
    import numpy as np

    from store.derive.subjects import _allocate

    got = _allocate(60, np.array([1.0, 1.0, 3.0, 0.0] * 4), np.full(16, 100))
    assert got.sum() == 60 and not got[3::4].any() and (got[2::4] > 2 * got[0::4]).all()
    # shares that all round up (15 x 4.5) still make no more than the total
    assert _allocate(60, np.ones(15) * 4.5, np.full(15, 100)).sum() == 60
    # each top has one leaf at least and no more than its cap
    assert sorted(_allocate(10, np.array([100.0, 1.0, 1.0]), np.array([3, 5, 5]))) == [3, 3, 4]
    assert list(_allocate(10, np.array([100.0, 1.0]), np.array([3, 2]))) == [3, 2]


def test_leaves_are_found_in_the_tops_own_dimensions_too() -> None:
    import numpy as np
    from scipy.sparse import random as sparse_random

    from store.derive import subjects

    rows = sparse_random(400, 300, density=0.05, format="csr", random_state=1)
    latent = np.random.default_rng(0).normal(size=(400, 8))
    members = np.arange(0, 400, 2)
    space = subjects._leaf_space(rows, latent, members, 0)
    assert space.shape == (200, 8 + round(subjects.LOCAL_DIMS_PER_ROOT * 200 ** 0.5))
    assert np.allclose(np.linalg.norm(space, axis=1), 1)
    old = subjects.LOCAL_FIT_ITEMS
    subjects.LOCAL_FIT_ITEMS = 50  # a big top: fitted on a sample, every member placed
    try:
        assert subjects._leaf_space(rows, latent, members, 0).shape == space.shape
    finally:
        subjects.LOCAL_FIT_ITEMS = old


def test_a_big_store_discovers_from_a_sample_and_files_every_item(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from store.derive import subjects

    monkeypatch.setattr(subjects, "DISCOVER_ITEMS", 60)
    items = [_themed(n) for n in range(150)]
    model = subjects.discover(items)
    assert model is not None and sum(model.sizes) == 60 == model.items
    assigned = subjects.assign_many(model, items)
    tops: dict[str, set[str]] = {}
    for it, subs in zip(items, assigned, strict=True):
        if subs:
            tops.setdefault(subs[0].split("/")[0], set()).add(it["theme"])
    assert sum(1 for s in assigned if s) >= 0.9 * len(items)
    assert all(len(themes) == 1 for themes in tops.values())
    assert subjects.discover(items).leaves == model.leaves  # the same sample each time


def test_refining_moves_a_misfiled_item_to_its_leaf_and_drops_an_emptied_leaf() -> None:
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.preprocessing import normalize

    from store.derive.subjects import _refine

    # Two themes of words (0-4 and 5-9), ten items each, one tail word of its own per item.
    dense = np.zeros((21, 31))
    for i in range(20):
        dense[i, (i // 10) * 5:(i // 10) * 5 + 5] = 1.0
        dense[i, 10 + i] = 1.0
    dense[20, 0:5] = 1.0  # a third-theme-looking outsider, truly of the first theme
    rows = normalize(csr_matrix(dense))
    labels = np.array([0] * 10 + [1] * 10 + [2])  # filed alone, in a leaf of its own
    labels[3] = 1  # an item of the first theme misfiled under the second
    tops = np.array([0, 1, 1])
    got, kept_tops = _refine(rows, labels, tops)
    assert list(got[:10]) == [got[0]] * 10 and list(got[10:20]) == [got[10]] * 10
    assert got[0] != got[10] and got[20] == got[0]  # the outsider joined its theme
    assert len(kept_tops) == 2 and sorted(set(got.tolist())) == [0, 1]  # leaf 2 emptied
    assert kept_tops[got[0]] == 0 and kept_tops[got[10]] == 1
