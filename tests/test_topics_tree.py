"""The topic tree that explains itself: rules, entities, groups, why, retopic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from store.derive.rules import TopicRulesError, load_rules, parse_rules
from store.desk import Store
from store.tree import build_tree, select
from tests.conftest import REPO

REQUIRED_PEOPLE = ["Zelenskyy", "Macron", "Lavrov", "Peskov", "Olaf Scholz", "Donald Tusk",
                   "Mette Frederiksen", "Keir Starmer", "Mark Rutte", "Keith Kellogg", "Putin"]


@pytest.fixture
def store(store_dir: Path) -> Store:
    return Store.open(store_dir)


def group(store: Store, name: str):
    return next(n for n in build_tree(store) if n.name == name)


def test_people_places_orgs_groups_on_the_seed(store: Store) -> None:
    people = {n.name: n.count for n in group(store, "People").children}
    for name in REQUIRED_PEOPLE:
        assert name in people, name
    assert people["Donald Tusk"] == 2 and people["Olaf Scholz"] == 2  # "Scholz" alone merged
    assert "Scholz" not in people and "Tusk" not in people
    places = {n.name: n.count for n in group(store, "Places").children}
    assert places["Poland"] == 3  # Polish, Poland's, Poland
    assert places["France"] >= 3  # French, France
    assert "United States" in places and "US" not in places and "U.S" not in places
    orgs = {n.name for n in group(store, "Organisations").children}
    assert {"NATO", "European Union"} <= orgs and "EU" not in orgs
    groups = ("People", "Places", "Organisations")
    every = {n.name for g in groups for n in group(store, g).children}
    assert not every & {"The", "At", "According", "Over", "Both", "Most"}


def test_nodes_sorted_by_count_then_name_and_never_empty(store: Store) -> None:
    for name in ("People", "Places", "Organisations"):
        children = group(store, name).children
        keys = [(-n.count, n.name.casefold()) for n in children]
        assert keys == sorted(keys) and all(n.count > 0 for n in children)


def test_selecting_a_person_filters_to_their_briefs(store: Store) -> None:
    lines = {d["id"]: d["line"] for d in store.items()}
    assert [lines[i] for i in select(("person", "Donald Tusk"), store)] == [16, 26]
    assert [lines[i] for i in select(("place", "Poland"), store)] == [10, 16, 26]


def test_why_names_the_words_and_their_spans(store: Store) -> None:
    item = next(d for d in store.items() if d["line"] == 16)
    reasons = {(g, n): [item["body"][a:b] for a, b in spans]
               for g, n, spans in store.reasons(item["id"])}
    assert reasons[("places", "Poland")] == ["Polish"]
    assert reasons[("people", "Donald Tusk")] == ["Donald Tusk"]
    assert ("topics", "Security/Guarantees") in reasons


def test_rules_any_all_not_regex_prefix() -> None:
    rules = parse_rules('''
["Energy/Gas"]
any = ["gas", "pipeline*", "/LNG\\\\s+terminal/"]
all = ["price"]
not = ["gas station"]
''', "test")
    rule = rules["Energy/Gas"]
    from store.derive.rules import TopicRules
    r = TopicRules((rule,), "x")
    assert r.topics_for("Gas prices rose at the pipelines.") == ["Energy/Gas"]
    assert r.topics_for("The LNG  terminal price was set.") == ["Energy/Gas"]
    assert r.topics_for("Gas supplies rose.") == []  # no "price"
    assert r.topics_for("The gas station raised its price.") == []


@pytest.mark.parametrize("bad", ['["X"]\nany = "/(unclosed/"', '["X"]\nsome = ["a"]',
                                 '["X"]\nany = []', "not toml ["])
def test_bad_rules_are_reported_clearly(bad: str) -> None:
    with pytest.raises(TopicRulesError) as info:
        parse_rules(bad, "rules.toml")
    assert "rules.toml" in str(info.value)


def test_user_rules_extend_override_and_disable(tmp_path: Path) -> None:
    user = tmp_path / "topics.toml"
    user.write_text('["Cables"]\nany = ["cable"]\n\n["Security/NATO"]\ndisabled = true\n')
    rules = load_rules([REPO / "seeds" / "topics.toml", user])
    names = [r.name for r in rules.rules]
    assert "Cables" in names and "Security/NATO" not in names


def test_changed_rules_retopic_on_open_and_never_touch_tags(store_dir: Path) -> None:
    store = Store.open(store_dir)
    first = store.ids()[0]
    store.state.tag([first], add=["keep"])
    config = Path(os.environ["NEWSDESK_CONFIG_DIR"])
    config.mkdir(parents=True)
    (config / "topics.toml").write_text('["Alliance politics"]\nany = ["NATO"]\n')
    reopened = Store.open(store_dir)
    assert "Alliance politics" in reopened.get(first)["topics"]
    assert reopened.state.tags_of(first) == ["keep"]


def test_tree_json_has_the_named_groups(store_dir: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "tui", "--store", str(store_dir), "tree", "--json"],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    groups = {g["name"]: g for g in json.loads(out.stdout)}
    assert {"Topics", "People", "Places", "Organisations", "Tags"} <= set(groups)
    people = {c["name"] for c in groups["People"]["children"]}
    assert set(REQUIRED_PEOPLE) <= people


@pytest.mark.slow
def test_a_new_extractor_version_rederives_a_big_store_on_every_core(store_dir: Path,
                                                                      tmp_path: Path) -> None:
    """Above the pool's threshold, retopic derives entities in worker processes: the
    result must be what deriving each item here gives, and tags stay untouched."""
    from store.derive.pipeline import PARALLEL_FROM, derive, resolve_all

    seeds = (REPO / "seeds" / "briefs.txt").read_text().splitlines()
    src = tmp_path / "many.txt"
    src.write_text("".join(f"{seeds[n % len(seeds)]} (copy {n})\n"
                           for n in range(PARALLEL_FROM + 300)))
    store = Store.open(store_dir, seed=False)
    store.import_files([src])
    first = store.ids()[0]
    store.state.tag([first], add=["keep"])
    path = store_dir / "items.json"
    data = json.loads(path.read_bytes())
    data["_meta"]["1"]["entities"] = 0  # written by an older extractor
    for doc in data["items"].values():
        doc["people"] = doc["people_raw"] = doc["places"] = doc["orgs"] = []
    path.write_text(json.dumps(data))

    reopened = Store.open(store_dir)  # re-derives on open
    expected = [dict(d) for d in reopened.items()]
    for doc in expected:
        derive(doc, reopened.rules)
    resolve_all(expected)
    fields = ("topics", "people_raw", "people", "places", "orgs")
    assert [[d[k] for k in fields] for d in reopened.items()] == [
        [d[k] for k in fields] for d in expected]
    assert any(d["people"] for d in reopened.items())
    assert reopened.state.tags_of(first) == ["keep"]
