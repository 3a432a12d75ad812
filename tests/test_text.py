"""The shared text rules: titles, sanitizing, folding."""

from __future__ import annotations

import pytest

from store.text.clean import (
    clean,
    fold,
    item_id,
    make_title,
    sanitize,
    sentence_spans,
    terms,
)


def test_title_keeps_spaced_initials_together() -> None:
    body = ("The U. S. senators discussed possible options for guaranteeing security for "
            "Ukraine after the war. Sheehan and Tillis emphasized the importance.")
    assert make_title(body) == ("The U. S. senators discussed possible options for "
                                "guaranteeing security for Ukraine after the war")


def test_title_respects_common_abbreviations() -> None:
    assert make_title("Dr. Smith met Mr. Jones in St. Louis. Then they left.") == (
        "Dr. Smith met Mr. Jones in St. Louis")
    assert make_title("Prices rose 3.5 percent in the U.S. economy. Analysts agree.") == (
        "Prices rose 3.5 percent in the U.S. economy")


def test_long_title_is_cut_at_a_word_with_ellipsis() -> None:
    title = make_title("word " * 100)
    assert len(title) <= 120 and title.endswith("…") and not title.endswith(" …")


def test_sentences_split_on_real_boundaries() -> None:
    text = "One thing happened. Another thing! A third? Yes."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "One thing happened.", "Another thing!", "A third?", "Yes."]


def test_sanitize_removes_controls_escapes_and_bidi() -> None:
    hostile = "a\x1b]52;c;aGk=\x07b\x1b[2Jc\x9b31md\u202ee\x00f\tg\nh\ri"
    clean = sanitize(hostile)
    assert "\x1b" not in clean and "\x07" not in clean and "\x9b" not in clean
    assert "\u202e" not in clean and "\x00" not in clean and "\r" not in clean
    assert "\t" in clean and "\n" in clean
    assert clean == "a]52;c;aGk=b[2Jc31mdef\tg\nhi"


def test_fold_handles_case_accents_possessives_plurals() -> None:
    assert fold("Ukraine's") == "ukraine"
    assert fold("Ukraine’s") == "ukraine"
    assert fold("drones") == fold("drone") == "drone"
    assert fold("Müller") == "muller"
    assert fold("allies") == fold("ally")
    assert fold("crisis") == "crisis" and fold("us") == "us"
    assert terms("NATO's drones, allies!") == ["nato", "drone", "ally"]


def test_item_id_is_stable_under_case_and_spacing() -> None:
    assert item_id("Hello  world.") == item_id("hello world.")
    assert item_id("Hello world.") != item_id("Hello world!")
    assert len(item_id("x")) == 12


@pytest.mark.parametrize(("damaged", "repaired"), [
    ("Wall Street #39;s dwindling\\band of", "Wall Street's dwindling band of"),
    ("surged past  #36;46\\a barrel", "surged past $46 a barrel"),
    ("a record \\$55.8bn", "a record $55.8bn"),
    ("the Summer Sizzler, quot; Aug. 11", 'the Summer Sizzler, " Aug. 11'),
    ("struck again  #151; this time", "struck again — this time"),
    ("Allstate Corp. &lt;ALL.N&gt;, the No. 2", "Allstate Corp., the No. 2"),
    ("&amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt; news", "bold news"),
    ('said. &lt;A HREF="http://x.example/q"&gt;Full Quote&lt;/A&gt;', "said. Full Quote"),
    ('&lt;FONT face=""verdana,MS Sans Serif"" size=""-2""\\ color=""#666""&gt;Hi&lt;/font&gt;',
     "Hi"),
    ('color="#666666"&gt; Hello', "Hello"),
])
def test_escaping_remnants_are_repaired(damaged: str, repaired: str) -> None:
    assert clean(damaged) == repaired
    assert clean(clean(damaged)) == repaired  # idempotent: import cleans twice


@pytest.mark.parametrize("plain", [
    "a < b and Tom & Jerry", "a success; or; not", "AT&T and R&D; fine", "x <not a tag> y",
    "Ukraine's army", "costs #1 in sales",
])
def test_plain_text_is_not_repaired(plain: str) -> None:
    assert clean(plain) == plain
