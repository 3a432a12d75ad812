"""Issue 16: free text is the item's own words; metadata is reached through fields.

Every expected count is worked out from the seed text itself (a regex over the
lines), so the test says *why* a number is right, not just that it did not change.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from store.desk import Store
from store.search.index import SearchIndex
from tests.conftest import SEED_BRIEFS


@pytest.fixture
def store(store_dir: Path) -> Store:
    return Store.open(store_dir)


def _seed() -> list[str]:
    return [line for line in SEED_BRIEFS.read_text(encoding="utf-8").splitlines() if line]


def _count(*patterns: str) -> int:
    """Seed lines matching every pattern (case-insensitive)."""
    return sum(all(re.search(p, line, re.I) for p in patterns) for line in _seed())


def test_seed_answers_count_what_the_text_says(store: Store) -> None:
    assert len(store) == len(_seed())
    assert store.count("briefs") == _count(r"\bbriefs\b") == 0  # the file name is not text
    assert store.count("txt") == 0
    assert store.count('"security guarantees"') == _count(r"\bsecurity guarantees\b") == 6
    assert store.count("guarant*") == _count(r"\bguarant") == 7
    assert store.count("(france OR french) troops") == _count(
        r"\b(france|french)\b", r"\btroops\b") == 1
    assert store.search("nato or russia") == store.search("nato OR russia")
    assert store.count("nato or russia") == _count(r"\b(nato|russia)\b")


def test_metadata_only_through_fields(store: Store) -> None:
    assert store.count("source:briefs") == len(store)
    topic = store.items()[0]["topics"][0]  # e.g. Security/NATO
    leaf = topic.split("/")[-1]
    assert store.count(f'topic:"{topic}"') >= 1
    # the leaf as free text counts only items whose words say it
    assert store.count(f'"{leaf}"') == _count(rf"\b{re.escape(leaf)}\b")


def test_a_phrase_never_spans_the_metadata() -> None:
    index = SearchIndex.build([
        {"id": "a", "title": "Talks", "body": "Talks went on.", "position": 1,
         "source": "security.txt", "topics": ["Guarantees"]},
    ])
    assert index.search('"security guarantees"') == []
    assert index.search("security") == [] and index.search("source:security") == ["a"]


def test_subject_and_feed_fields_match_the_item_keys() -> None:
    index = SearchIndex.build([
        {"id": "a", "title": "x", "body": "Oil prices rose.", "position": 1,
         "subjects": ["Economy/Energy"], "feed": "BBC World"},
        {"id": "b", "title": "y", "body": "Rain fell.", "position": 2,
         "subjects": ["Weather"], "feed": "Reuters Top News"},
    ])
    assert index.search("subject:economy") == ["a"]
    assert index.search("subject:energy") == ["a"]
    assert index.search('subject:"Economy/Energy"') == ["a"]
    assert index.search("subject:weather") == ["b"]
    assert index.search("feed:bbc") == ["a"]
    assert index.search('feed:"top news"') == ["b"]
    assert index.search("bbc") == [] and index.search("energy") == []


def test_quoted_operator_words_are_searched() -> None:
    index = SearchIndex.build([
        {"id": "a", "title": "x", "body": "Black or white.", "position": 1},
        {"id": "b", "title": "y", "body": "Black cat.", "position": 2},
    ])
    assert index.search('black "or" white') == ["a"]
    assert sorted(index.search("black or white")) == ["a", "b"]
