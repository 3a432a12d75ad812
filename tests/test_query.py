"""The query parser: trees for valid queries, positioned errors for the rest."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.search.query import (
    FIELDS,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    And,
    DateMatch,
    FieldMatch,
    Flag,
    MatchAll,
    Not,
    Or,
    Phrase,
    QuerySyntaxError,
    Term,
    parse,
    positive_text,
)


def t(text: str, field: str = "text", prefix: bool = False) -> Term:
    return Term(text, field, prefix)


# -- words, phrases, prefixes ----------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "...", "- ", "“”", '""'])
def test_empty_and_wordless_queries_match_all(query: str) -> None:
    assert parse(query) == MatchAll()


def test_words_are_folded_like_the_index_folds_them() -> None:
    assert parse("Ukraine's") == t("ukraine")
    assert parse("DRONES") == t("drone")
    assert parse("Zelenskyy") == t("zelenskyy")
    assert parse("café") == t("cafe")


def test_words_are_anded() -> None:
    assert parse("nato ukraine") == And((t("nato"), t("ukraine")))
    assert parse("nato AND ukraine") == And((t("nato"), t("ukraine")))


def test_wordless_chunks_are_ignored_between_words() -> None:
    assert parse("nato ... ukraine") == And((t("nato"), t("ukraine")))
    assert parse("nato OR ...") == t("nato")


def test_phrase_and_curly_quotes() -> None:
    expected = Phrase(("security", "guarantee"))
    assert parse('"security guarantees"') == expected
    assert parse("“Security Guarantees”") == expected
    assert parse('"ukraine"') == t("ukraine")


def test_hyphenated_word_is_a_phrase() -> None:
    assert parse("Russian-Ukrainian") == Phrase(("russian", "ukrainian"))


def test_prefix_keeps_plural_of_the_typed_stem() -> None:
    assert parse("guarant*") == t("guarant", prefix=True)
    assert parse("pres*") == t("pres", prefix=True)  # fold() would make it "pre"
    assert parse('"security guar*"') == Phrase(("security", "guar"), prefix=True)


def test_star_inside_a_word_is_not_a_prefix() -> None:
    assert parse("a*b") == Phrase(("a", "b"))


# -- operators and precedence -------------------------------------------------------------


def test_or_binds_weaker_than_and() -> None:
    assert parse("a b OR c") == Or((And((t("a"), t("b"))), t("c")))
    assert parse("a OR b c") == Or((t("a"), And((t("b"), t("c")))))


def test_not_binds_tighter_than_and() -> None:
    assert parse("NOT a b") == And((Not(t("a")), t("b")))
    assert parse("-a b") == And((Not(t("a")), t("b")))


def test_operators_in_any_case_and_quoted_ones_are_words() -> None:
    # issue 16: notmuch takes and/or/not in any case; quote one to search the word
    assert parse("scholz | tusk") == Or((t("scholz"), t("tusk")))
    assert parse("scholz or tusk") == parse("scholz OR tusk") == Or((t("scholz"), t("tusk")))
    assert parse("a and not b") == parse("a AND NOT b") == And((t("a"), Not(t("b"))))
    assert parse("Nato Or Russia") == Or((t("nato"), t("russia")))
    assert parse('scholz "or" tusk') == And((t("scholz"), t("or"), t("tusk")))


def test_subject_and_feed_fields_parse() -> None:
    assert parse("subject:Economy/Energy") == FieldMatch("subject", "economy/energy")
    assert parse('feed:"BBC World"') == FieldMatch("feed", "bbc world")


def test_parentheses_group() -> None:
    assert parse("a (b OR c)") == And((t("a"), Or((t("b"), t("c")))))
    assert parse("-(b OR c) a") == And((Not(Or((t("b"), t("c")))), t("a")))


def test_nested_operators_flatten() -> None:
    assert parse("a OR (b OR c)") == Or((t("a"), t("b"), t("c")))
    assert parse("(a b) c") == And((t("a"), t("b"), t("c")))


def test_double_negation_cancels() -> None:
    assert parse("NOT NOT a") == t("a")
    assert parse("--a") == t("a")
    assert parse("NOT (NOT a)") == t("a")


def test_hyphen_inside_a_word_is_not_negation() -> None:
    assert parse("mini-summit") == Phrase(("mini", "summit"))


def test_and_and_or_nodes_with_equal_children_differ() -> None:
    assert And((t("a"), t("b"))) != Or((t("a"), t("b")))
    assert parse("a b") != parse("a OR b")


# -- fields ---------------------------------------------------------------------------


def test_title_field_makes_title_terms() -> None:
    assert parse("title:Paris") == t("paris", "title")
    assert parse('title:"peace deal"') == Phrase(("peace", "deal"), "title")


def test_path_fields_fold_each_segment() -> None:
    assert parse('topic:"Security/NATO"') == FieldMatch("topic", "security/nato")
    assert parse("tag:Region/Europe") == FieldMatch("tag", "region/europe")
    assert parse("tag:reg*") == FieldMatch("tag", "reg", prefix=True)


def test_name_fields_take_words_or_quoted_names() -> None:
    assert parse("person:Tusk") == FieldMatch("person", "tusk")
    assert parse('person:"Donald Tusk"') == FieldMatch("person", "donald tusk")
    assert parse("place:kyiv") == FieldMatch("place", "kyiv")
    assert parse("org:NATO") == FieldMatch("org", "nato")
    assert parse("source:briefs.txt") == FieldMatch("source", "brief txt")


def test_field_names_are_case_insensitive() -> None:
    assert parse("TAG:x") == FieldMatch("tag", "x")


def test_id_is_a_prefix() -> None:
    assert parse("id:AB12") == FieldMatch("id", "ab12", prefix=True)


def test_dates() -> None:
    assert parse("date:2025-02") == DateMatch("=", "2025-02")
    assert parse("date:>2025-01-01") == DateMatch(">", "2025-01-01")
    assert parse("date:>=2025") == DateMatch(">=", "2025")
    assert parse("date:<2025-03") == DateMatch("<", "2025-03")
    assert parse("date:<=2025-03-31") == DateMatch("<=", "2025-03-31")
    assert parse("before:2025-03-01") == DateMatch("<", "2025-03-01")
    assert parse("after:2025-01-01") == DateMatch(">=", "2025-01-01")


def test_flags() -> None:
    assert parse("is:tagged") == Flag("tagged")
    assert parse("is:UNREAD") == Flag("unread")
    assert parse("-is:read") == Not(Flag("read"))


def test_fields_combine_with_words() -> None:
    assert parse("nato tag:region -is:read") == And(
        (t("nato"), FieldMatch("tag", "region"), Not(Flag("read")))
    )


def test_every_field_in_the_table_parses() -> None:
    samples = {"date": "2025", "before": "2025", "after": "2025", "is": "read"}
    expected = {
        "title": t("x", "title"),
        **{name: FieldMatch(name, "x") for name in
           ("tag", "topic", "source", "person", "place", "org", "subject", "feed")},
        "id": FieldMatch("id", "x", prefix=True),  # an id prefix
        "date": DateMatch("=", "2025"),
        "before": DateMatch("<", "2025"),
        "after": DateMatch(">=", "2025"),
        "is": Flag("read"),
    }
    assert set(FIELDS) == set(expected), "a new field needs its expected tree here"
    for name in FIELDS:
        assert parse(f"{name}:{samples.get(name, 'x')}") == expected[name], name


def test_positive_text_skips_negated_and_predicates() -> None:
    node = parse('nato "peace deal" -ukraine NOT (x OR -y) tag:t person:tusk')
    assert list(positive_text(node)) == [
        t("nato"),
        Phrase(("peace", "deal")),
        t("y"),
        FieldMatch("person", "tusk"),
    ]


# -- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("(a", 0, "unclosed '('"),
        ("x ((a) b", 2, "unclosed '('"),
        ("a)", 1, "unexpected ')'"),
        ("a b ) c", 4, "unexpected ')'"),
        (")", 0, "unexpected ')'"),
        ("()", 0, "empty parentheses"),
        ('say "hello', 4, "unclosed quote"),
        ("a OR", 2, "nothing after 'OR'"),
        ("a |", 2, "nothing after '|'"),
        ("OR a", 0, "unexpected 'OR'"),
        ("a OR OR b", 5, "unexpected 'OR'"),
        ("(a OR)", 3, "nothing after 'OR'"),
        ("a AND", 2, "nothing after 'AND'"),
        ("a NOT", 2, "nothing after 'NOT'"),
        ("NOT", 0, "nothing after 'NOT'"),
        ("a AND OR b", 6, "unexpected 'OR'"),
        ("nato foo:bar", 5, "unknown field 'foo:'"),
        ("http://example.org", 0, "unknown field 'http:'"),
        ("tag:", 4, "empty value for 'tag:'"),
        ('x topic:""', 8, "empty value for 'topic:'"),
        ("title:...", 6, "no words"),
        ("id:*", 3, "no id"),
        ("tag:*", 4, "no words"),
        ("date:2025-13", 5, "no such date"),
        ("date:2025-02-30", 5, "no such date"),
        ("date:>=feb", 7, "bad date"),
        ("date:2025/01", 5, "bad date"),
        ('date:"2025-02-30"', 6, "no such date"),
        ("before:>2025", 7, "plain date"),
        ("is:foo", 3, "takes one of"),
        ("(" * 100 + "a" + ")" * 100, 64, "nested too deeply"),
    ],
)
def test_errors_have_exact_positions(query: str, position: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    assert info.value.position == position
    assert message in info.value.message
    assert str(info.value) == f"{info.value.message} at column {position + 1}"


def test_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse("(")


# -- any input ------------------------------------------------------------------------

_PIECES = st.sampled_from(
    ["(", ")", '"', "“", "”", "|", "-", "*", " ", "OR", "AND", "NOT", "tag:", "topic:",
     "date:", "date:>", "before:", "is:", "id:", "title:", "person:", "nope:", "2025-02",
     "nato", "Ukraine's", "x", "é", "東京", "🚀", "\u202e", "\x00", ":", "/", "'"]
)
_QUERIES = st.one_of(st.text(max_size=40), st.lists(_PIECES, max_size=14).map("".join))


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(_QUERIES)
def test_any_string_parses_or_raises_a_positioned_syntax_error(query: str) -> None:
    try:
        node = parse(query)
    except QuerySyntaxError as error:
        assert 0 <= error.position <= len(query)
        assert str(error)
    else:
        assert node is not None
        list(positive_text(node))


# -- bounded queries (issue 19) --------------------------------------------------------


def test_repeated_terms_are_merged() -> None:
    assert parse(" OR ".join(["a*"] * 500)) == t("a", prefix=True)
    assert parse("nato nato NATO") == t("nato")
    assert parse("(x OR y) (x OR y) x") == And((Or((t("x"), t("y"))), t("x")))
    assert parse("-a -a b") == And((Not(t("a")), t("b")))


def test_a_query_over_4_kb_is_refused_saying_so() -> None:
    query = " OR ".join(["a*"] * 2000)
    with pytest.raises(QuerySyntaxError, match=r"too long \(11,996 characters; at most "
                       r"4,096\)") as caught:
        parse(query)
    assert caught.value.position == MAX_QUERY_CHARS
    parse("x" * MAX_QUERY_CHARS)  # exactly at the cap is fine


def test_more_than_256_different_terms_are_refused_where_they_start() -> None:
    words = [f"w{n}" for n in range(MAX_TERMS + 1)]
    assert isinstance(parse(" OR ".join(words[:-1] + words[:-1])), Or)  # repeats are free
    query = " OR ".join(words)
    with pytest.raises(QuerySyntaxError, match="too many different terms") as caught:
        parse(query)
    assert caught.value.position == query.index("w256")
    phrase = '"' + " ".join(words) + '"'  # a phrase counts its words
    with pytest.raises(QuerySyntaxError, match="at most 256"):
        parse(phrase)
