"""Topic rules (TOML) -> the topics of an item, each with the words that put it there.

A rules file is a set of TOML tables, one per topic; ``Parent/Child`` nests::

    ["Security/NATO"]
    any = ["NATO", "North Atlantic alliance", "/Article\\s+5/"]
    all = []          # every one of these must match too
    not = ["NATO summit cancelled"]   # none of these may match

A term is a keyword (one word), a phrase (several words, consecutive), a prefix
(``guarant*``) or a regular expression between slashes. Words match whole words,
ignoring case, accents and simple plurals, through the same ``store.text.clean`` rules
as search. ``disabled = true`` in a user file switches a default topic off.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from store.errors import StoreError
from store.text.clean import Token, terms, tokens

Span = tuple[int, int]


class TopicRulesError(StoreError):
    """A rules file that cannot be used, with the file and topic named."""


@dataclass(frozen=True)
class Term:
    """One thing a rule looks for."""

    source: str
    words: tuple[str, ...] = ()
    prefix: str | None = None
    pattern: re.Pattern[str] | None = None

    def matches(self, text: str, toks: Sequence[Token], termset: frozenset[str]) -> bool:
        """Whether this term occurs (the fast path: no spans are built)."""
        if self.pattern is not None:
            return self.pattern.search(text) is not None
        if self.prefix is not None:
            return any(t.startswith(self.prefix) for t in termset)
        if len(self.words) == 1:
            return self.words[0] in termset
        if not termset.issuperset(self.words):
            return False
        return bool(self.spans(text, toks, termset))

    def spans(self, text: str, toks: Sequence[Token], termset: frozenset[str]) -> list[Span]:
        """Where this term matches in ``text`` (empty when it does not)."""
        if self.pattern is not None:
            return [m.span() for m in self.pattern.finditer(text) if m.end() > m.start()]
        if self.prefix is not None:
            return [(t.start, t.end) for t in toks if t.term.startswith(self.prefix)]
        first = self.words[0]
        if first not in termset:
            return []
        n = len(self.words)
        found: list[Span] = []
        for i, tok in enumerate(toks):
            if tok.term == first and tuple(t.term for t in toks[i:i + n]) == self.words:
                found.append((tok.start, toks[i + n - 1].end))
        return found


@dataclass(frozen=True)
class TopicRule:
    """A topic and the terms that decide membership."""

    name: str
    any: tuple[Term, ...]
    all: tuple[Term, ...]
    none: tuple[Term, ...]

    def applies(self, text: str, toks: Sequence[Token], termset: frozenset[str]) -> bool:
        """Whether ``text`` belongs to this topic."""
        if any(t.matches(text, toks, termset) for t in self.none):
            return False
        if not all(t.matches(text, toks, termset) for t in self.all):
            return False
        return not self.any or any(t.matches(text, toks, termset) for t in self.any)

    def explain(self, text: str, toks: Sequence[Token], termset: frozenset[str]) -> list[Span]:
        """The spans that put ``text`` in this topic, or [] if it does not belong."""
        hits: list[Span] = []
        for term in self.none:
            if term.spans(text, toks, termset):
                return []
        for term in self.all:
            found = term.spans(text, toks, termset)
            if not found:
                return []
            hits.extend(found)
        if self.any:
            any_hits = [span for term in self.any for span in term.spans(text, toks, termset)]
            if not any_hits:
                return []
            hits.extend(any_hits)
        return sorted(set(hits))


def _kind(term: Term) -> str:
    """"word" (one word), "phrase" (several) or "other" (a prefix or a pattern)."""
    if term.pattern is not None or term.prefix is not None:
        return "other"
    return "word" if len(term.words) == 1 else "phrase"


class _LazyTokens(Sequence[Token]):
    """``list(tokens(text))``, made on first use: deriving topics at import mostly
    needs only the set of words (a third of the cost was making tokens)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._toks: list[Token] | None = None

    def _list(self) -> list[Token]:
        if self._toks is None:
            self._toks = list(tokens(self._text))
        return self._toks

    def __getitem__(self, i):  # type: ignore[no-untyped-def]  # int or slice
        return self._list()[i]

    def __len__(self) -> int:
        return len(self._list())

    def __iter__(self) -> Iterator[Token]:
        return iter(self._list())


@dataclass(frozen=True)
class TopicRules:
    """An ordered set of topic rules, with a signature that changes when they do."""

    rules: tuple[TopicRule, ...]
    signature: str
    _plan: tuple[tuple[str, tuple[Term, ...], tuple[Term, ...], frozenset[str], tuple[Term, ...],
                       bool], ...] = field(init=False, repr=False, compare=False)
    _phrases: dict[str, tuple[tuple[int, Term], ...]] = field(init=False, repr=False,
                                                             compare=False)

    def __post_init__(self) -> None:
        # ``TopicRule.applies`` in a form for many texts: a rule's one-word "any" terms
        # are one set, tested against the text's words in C (``isdisjoint``); its "any"
        # phrases are found from the text's words (by their first word) once for all
        # rules; prefixes and patterns are tested as before. Matching has no side
        # effects, so the order of the tests does not change the answer (topics were
        # a quarter of the derivation's time at import, mostly calls of Term.matches).
        plan = []
        phrases: dict[str, list[tuple[int, Term]]] = {}
        for n, rule in enumerate(self.rules):
            words = frozenset(t.words[0] for t in rule.any if _kind(t) == "word")
            rest = tuple(t for t in rule.any if _kind(t) == "other")
            for t in rule.any:
                if _kind(t) == "phrase":
                    phrases.setdefault(t.words[0], []).append((n, t))
            plan.append((rule.name, rule.none, rule.all, words, rest, bool(rule.any)))
        object.__setattr__(self, "_plan", tuple(plan))
        object.__setattr__(self, "_phrases", {w: tuple(v) for w, v in phrases.items()})

    def topics_for(self, text: str) -> list[str]:
        """Names of the topics ``text`` belongs to, in rule order (``TopicRule.applies``)."""
        termset = frozenset(terms(text))
        toks = _LazyTokens(text)  # positions only for a phrase whose words all occur
        by_phrase: set[int] = set()  # the rules one of whose "any" phrases occurs
        for first in termset.intersection(self._phrases):
            for n, term in self._phrases[first]:
                if n not in by_phrase and term.matches(text, toks, termset):
                    by_phrase.add(n)
        out = []
        for n, (name, none, every, words, rest, has_any) in enumerate(self._plan):
            if none and any(t.matches(text, toks, termset) for t in none):
                continue
            if every and not all(t.matches(text, toks, termset) for t in every):
                continue
            if not has_any or n in by_phrase or not words.isdisjoint(termset) or any(
                    t.matches(text, toks, termset) for t in rest):
                out.append(name)
        return out

    def explain(self, text: str) -> dict[str, list[Span]]:
        """For each topic of ``text``, the spans of the words that put it there."""
        toks = list(tokens(text))
        termset = frozenset(t.term for t in toks)
        out: dict[str, list[Span]] = {}
        for rule in self.rules:
            spans = rule.explain(text, toks, termset)
            if spans:
                out[rule.name] = spans
        return out


def _term(raw: object, where: str) -> Term:
    if not isinstance(raw, str) or not raw.strip():
        raise TopicRulesError(f"{where}: each term must be a non-empty string, got {raw!r}.")
    text = raw.strip()
    if len(text) >= 2 and text.startswith("/") and text.endswith("/"):
        try:
            return Term(text, pattern=re.compile(text[1:-1], re.IGNORECASE))
        except re.error as exc:
            raise TopicRulesError(f"{where}: bad regular expression {text}: {exc}.") from exc
    if text.endswith("*") and " " not in text:
        stem = terms(text[:-1])
        if len(stem) != 1:
            raise TopicRulesError(f"{where}: a prefix term is one word followed by *, not {raw!r}.")
        return Term(text, prefix=stem[0])
    words = tuple(terms(text))
    if not words:
        raise TopicRulesError(f"{where}: the term {raw!r} has no words in it.")
    return Term(text, words=words)


def _terms(table: dict[str, object], key: str, where: str) -> tuple[Term, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise TopicRulesError(f"{where}: '{key}' must be a list of strings.")
    return tuple(_term(v, f"{where}, '{key}'") for v in value)


_KEYS = {"any", "all", "not", "disabled"}


def parse_rules(text: str, origin: str) -> dict[str, TopicRule | None]:
    """Parse one rules file; a topic mapped to None is switched off (``disabled``)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TopicRulesError(f"{origin}: not valid TOML ({exc}). Fix the file.") from exc
    out: dict[str, TopicRule | None] = {}
    for name, table in data.items():
        where = f"{origin}: topic {name!r}"
        clean_name = "/".join(part.strip() for part in name.split("/"))
        if not isinstance(table, dict):
            raise TopicRulesError(f"{where}: expected a table like [\"{name}\"] with any = [...].")
        if any(not part for part in clean_name.split("/")):
            raise TopicRulesError(f"{where}: empty part in the topic path.")
        unknown = set(table) - _KEYS
        if unknown:
            raise TopicRulesError(
                f"{where}: unknown key(s) {', '.join(sorted(unknown))}; use any, all, not."
            )
        if table.get("disabled") is True:
            out[clean_name] = None
            continue
        rule = TopicRule(clean_name, _terms(table, "any", where), _terms(table, "all", where),
                         _terms(table, "not", where))
        if not rule.any and not rule.all:
            raise TopicRulesError(f"{where}: give at least one term in 'any' or 'all'.")
        out[clean_name] = rule
    return out


def load_rules(paths: Iterable[Path]) -> TopicRules:
    """Load rules files in order; a later file extends or overrides an earlier one."""
    merged: dict[str, TopicRule | None] = {}
    digest = hashlib.sha1()
    for path in paths:
        path = Path(path)
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TopicRulesError(f"{path}: cannot be read ({exc}).") from exc
        digest.update(text.encode("utf-8"))
        merged.update(parse_rules(text, str(path)))
    rules = tuple(rule for rule in merged.values() if rule is not None)
    return TopicRules(rules, digest.hexdigest()[:16])
