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
