"""The query language: text in, syntax tree out, or a QuerySyntaxError saying where.

Grammar (NOT binds tighter than AND, AND tighter than OR; the operator words in
any case, as notmuch takes them, so ``"and"`` in quotes searches the word)::

    query   := or_expr
    or_expr := and_expr (("OR" | "|") and_expr)*
    and_expr:= unary (["AND"] unary)*
    unary   := ("NOT" | "-") unary | primary
    primary := "(" or_expr ")" | word | word* | "phrase" | field:value | field:"value"

Free words and phrases search the item's own words (title and text); metadata only
through its field (``source:``, ``topic:``, ``person:`` …). Words are folded with
``store.text.clean`` exactly as the index folds item text, so a query term and an
indexed term are equal exactly when they should match. Field names live in one
table, ``FIELDS``; the index evaluates a field by its ``kind``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

from store.text.clean import fold_path, fold_prefix, tokens

__all__ = [
    "FIELDS",
    "And",
    "DateMatch",
    "FieldMatch",
    "FieldSpec",
    "Flag",
    "MatchAll",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "QuerySyntaxError",
    "Term",
    "parse",
    "positive_text",
]

MAX_DEPTH = 64  # nesting of parentheses: deep enough for people, shallow for recursion
MAX_QUERY_CHARS = 4096
MAX_TERMS = 256
"""Different terms in one query (a phrase counts each word). Repeated ones are merged
first, so ``a* OR a* OR …`` is one term. With both caps any query answers or is refused
within 2 s on 20,000 items (bench/hardening.py); the TUI searches as you type, so a
pasted wall of terms must never freeze it."""


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed; ``position`` is a 0-based offset into it."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} at column {self.position + 1}"


# -- the syntax tree ------------------------------------------------------------------


class MatchAll(NamedTuple):
    """Every item: the empty query."""


class Term(NamedTuple):
    """One folded word in the text (``field`` "text") or the title; ``prefix`` for ``w*``."""

    text: str
    field: str = "text"
    prefix: bool = False


class Phrase(NamedTuple):
    """Consecutive folded words; with ``prefix`` the last one is a prefix."""

    terms: tuple[str, ...]
    field: str = "text"
    prefix: bool = False


class FieldMatch(NamedTuple):
    """``field:value`` for the hierarchical, name and id fields; ``value`` is folded."""

    field: str
    value: str
    prefix: bool = False


class DateMatch(NamedTuple):
    """The item date compared with ``value`` (``YYYY[-MM[-DD]]``) at that precision.

    ``op`` is ``=`` (same year/month/day), ``<``, ``<=``, ``>`` or ``>=``.
    """

    op: str
    value: str


class Flag(NamedTuple):
    """``is:tagged``, ``is:untagged``, ``is:read`` or ``is:unread``: user state."""

    name: str


class Not(NamedTuple):
    """Items not matching ``child``."""

    child: Node


class And(NamedTuple):
    """Items matching every child."""

    children: tuple[Node, ...]


class Or(NamedTuple):
    """Items matching any child."""

    children: tuple[Node, ...]


Node = MatchAll | Term | Phrase | FieldMatch | DateMatch | Flag | Not | And | Or


def _node_eq(self: tuple, other: object) -> bool:
    return type(self) is type(other) and tuple.__eq__(self, other)


def _node_ne(self: tuple, other: object) -> bool:
    return not _node_eq(self, other)


# Nodes are named tuples (cheap to define: this module is on the CLI's start-up path),
# but an And is never equal to an Or with the same children.
for _cls in (MatchAll, Term, Phrase, FieldMatch, DateMatch, Flag, Not, And, Or):
    _cls.__eq__ = _node_eq  # type: ignore[method-assign]
    _cls.__ne__ = _node_ne  # type: ignore[assignment,method-assign]
    _cls.__hash__ = tuple.__hash__  # type: ignore[method-assign]


# -- the field table ------------------------------------------------------------------


class FieldSpec(NamedTuple):
    """How one ``name:`` field is parsed and evaluated.

    kind: ``text`` (words/phrases in ``key``), ``path`` (hierarchical names like
    ``Security/NATO``), ``name`` (people, places: any run of words of a name),
    ``id`` (an id prefix), ``date`` (compared with ``op`` unless the value has one),
    ``flag`` (one of ``values``). ``user`` fields are evaluated against user state,
    the rest against ``key`` of the item, which the index indexes per field. ``marks``:
    the value names something the text mentions, so highlighting marks it.
    """

    kind: str
    key: str = ""
    user: bool = False
    op: str = "="
    values: tuple[str, ...] = ()
    help: str = ""
    marks: bool = False  # the value is words of the text too: highlight them


FIELDS: dict[str, FieldSpec] = {
    "title": FieldSpec("text", "title", help="words or a phrase in the title"),
    "tag": FieldSpec("path", "tags", user=True, help="a tag, its parent path or its leaf"),
    "topic": FieldSpec("path", "topics", help="a topic, its parent path or its leaf"),
    "subject": FieldSpec("path", "subjects",
                         help="a discovered subject (Top/Leaf), its parent or its leaf"),
    "source": FieldSpec("name", "source", help="words of the source file name"),
    "person": FieldSpec("name", "people", help="a person: any word(s) of the name", marks=True),
    "place": FieldSpec("name", "places", help="a place: any word(s) of the name", marks=True),
    "org": FieldSpec("name", "orgs", help="an organisation: any word(s) of it", marks=True),
    "feed": FieldSpec("name", "feed", help="words of the feed's name"),
    "id": FieldSpec("id", "id", help="an id prefix"),
    "date": FieldSpec("date", "date", help="2025-02, >2025-01-01, <=2025-03"),
    "before": FieldSpec("date", "date", op="<", help="dated before the day, month or year"),
    "after": FieldSpec("date", "date", op=">=", help="dated on or after it"),
    "is": FieldSpec(
        "flag", user=True, values=("tagged", "untagged", "read", "unread"), help="user state"
    ),
}


# -- the lexer -----------------------------------------------------------------------

_QUOTES = "\"“”"
_STOP = frozenset("()|" + _QUOTES)
_FIELD = re.compile(r"([A-Za-z_]+):")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_OPS = ("<=", ">=", "<", ">", "=")
_OPERATORS = frozenset(("OR", "AND", "NOT"))
"""Operators in any case (``nato or russia``); ``"or"`` in quotes is the word."""


class _Tok(NamedTuple):
    kind: str  # ( ) OR AND NOT WORD PHRASE FIELD END
    pos: int
    text: str = ""  # WORD/PHRASE: the raw text; FIELD: the raw value
    name: str = ""  # FIELD: the field name, lower-case
    vpos: int = 0  # FIELD: where the value starts
    quoted: bool = False


def _read_quoted(query: str, start: int) -> tuple[str, int]:
    """The text inside the quote opening at ``start`` and the index after its close."""
    end = start + 1
    while end < len(query) and query[end] not in _QUOTES:
        end += 1
    if end >= len(query):
        raise QuerySyntaxError("unclosed quote", start)
    return query[start + 1 : end], end + 1


def _lex(query: str) -> list[_Tok]:
    """Split ``query`` into tokens, each with its position."""
    toks: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            toks.append(_Tok(ch, i))
            i += 1
        elif ch == "|":
            toks.append(_Tok("OR", i, "|"))
            i += 1
        elif ch in _QUOTES:
            text, end = _read_quoted(query, i)
            toks.append(_Tok("PHRASE", i, text, quoted=True))
            i = end
        elif ch == "-" and i + 1 < n and not query[i + 1].isspace() and query[i + 1] not in ")|":
            toks.append(_Tok("NOT", i, "-"))
            i += 1
        else:
            end = i
            while end < n and not query[end].isspace() and query[end] not in _STOP:
                end += 1
            chunk = query[i:end]
            m = _FIELD.match(chunk)
            if chunk.upper() in _OPERATORS:  # in any case, as notmuch: quote the word
                toks.append(_Tok(chunk.upper(), i, chunk))
            elif m:
                vpos = i + m.end()
                value, quoted = chunk[m.end() :], False
                if not value and end < n and query[end] in _QUOTES:
                    value, end = _read_quoted(query, end)
                    quoted = True
                toks.append(_Tok("FIELD", i, value, m.group(1).lower(), vpos, quoted))
            else:
                toks.append(_Tok("WORD", i, chunk))
            i = end
    toks.append(_Tok("END", n))
    return toks


# -- building leaves -----------------------------------------------------------------


def _split_prefix(raw: str) -> tuple[list[str], bool]:
    """The folded words of ``raw`` and whether it ends in ``*`` (a prefix search).

    The last word of a prefix keeps its plural (``pres*`` must not become ``pre``).
    """
    toks = list(tokens(raw))
    if not toks:
        return [], False
    words = [t.term for t in toks]
    tail = raw[toks[-1].end :].strip()
    prefix = bool(tail) and not tail.strip("*")
    if prefix:
        words[-1] = fold_prefix(raw[toks[-1].start : toks[-1].end]) or words[-1]
    return words, prefix


def _text_node(raw: str, field: str) -> Node | None:
    """A word, prefix or phrase from raw text; None when it has no word characters."""
    words, prefix = _split_prefix(raw)
    if not words:
        return None
    if len(words) == 1:
        return Term(words[0], field, prefix)
    return Phrase(tuple(words), field, prefix)


def _parse_date(value: str, pos: int, spec: FieldSpec) -> DateMatch:
    """``[op]YYYY[-MM[-DD]]``; before:/after: have their own op and take none."""
    op = next((o for o in _OPS if value.startswith(o)), "")
    if op and spec.op != "=":
        raise QuerySyntaxError("before: and after: take a plain date", pos)
    value = value[len(op) :]
    pos += len(op)
    m = _DATE.fullmatch(value)
    if not m:
        raise QuerySyntaxError(f"bad date {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)", pos)
    year, month, day = m.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise QuerySyntaxError(f"no such date {value!r}", pos) from None
    return DateMatch(op or spec.op, value)


def _field_node(tok: _Tok) -> Node:
    """The leaf for ``name:value``, checked against the field table."""
    spec = FIELDS.get(tok.name)
    if spec is None:
        raise QuerySyntaxError(f"unknown field '{tok.name}:'", tok.pos)
    raw = tok.text.strip()
    vpos = tok.vpos + tok.quoted
    if not raw:
        raise QuerySyntaxError(f"empty value for '{tok.name}:'", tok.vpos)
    if spec.kind == "date":
        return _parse_date(raw, vpos, spec)
    if spec.kind == "flag":
        if raw.casefold() not in spec.values:
            allowed = ", ".join(spec.values)
            raise QuerySyntaxError(f"'{tok.name}:' takes one of {allowed}", vpos)
        return Flag(raw.casefold())
    if spec.kind == "id":
        value = raw.rstrip("*").casefold()
        if not value:
            raise QuerySyntaxError(f"no id in the value for '{tok.name}:'", vpos)
        return FieldMatch(tok.name, value, prefix=True)
    node: Node | None
    if spec.kind == "text":
        node = _text_node(raw, spec.key)
    elif spec.kind == "path":
        prefix = raw.endswith("*")
        value = fold_path(raw.rstrip("*"))
        node = FieldMatch(tok.name, value, prefix) if value else None
    else:
        words, prefix = _split_prefix(raw)
        node = FieldMatch(tok.name, " ".join(words), prefix) if words else None
    if node is None:
        raise QuerySyntaxError(f"no words in the value for '{tok.name}:'", vpos)
    return node


# -- the parser ---------------------------------------------------------------------


class _Parser:
    """Recursive descent over the token list; ``None`` stands for an ignored word."""

    def __init__(self, query: str) -> None:
        self.toks = _lex(query)
        self.i = 0
        self.depth = 0
        self.terms: dict[Node, int] = {}  # each different leaf -> its weight in terms
        self.weight = 0  # their sum

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if self.tok.kind == "END":
            return MatchAll()
        node = self.or_expr()
        if self.tok.kind != "END":
            raise QuerySyntaxError(f"unexpected '{self.tok.text or self.tok.kind}'", self.tok.pos)
        return MatchAll() if node is None else node

    def _need_operand(self, op: _Tok) -> None:
        """After an operator: END or ')' means it dangles; another operator is unexpected."""
        if self.tok.kind in ("END", ")"):
            raise QuerySyntaxError(f"nothing after '{op.text or op.kind}'", op.pos)
        if self.tok.kind in ("OR", "AND"):
            raise QuerySyntaxError(f"unexpected '{self.tok.text or 'OR'}'", self.tok.pos)

    def or_expr(self) -> Node | None:
        parts = [self.and_expr()]
        while self.tok.kind == "OR":
            op = self.take()
            self._need_operand(op)
            parts.append(self.and_expr())
        kept = [p for p in parts if p is not None]
        return _combine(Or, kept)

    def and_expr(self) -> Node | None:
        if self.tok.kind in ("OR", "AND"):
            raise QuerySyntaxError(f"unexpected '{self.tok.text or 'OR'}'", self.tok.pos)
        parts = [self.unary()]
        while True:
            kind = self.tok.kind
            if kind == "AND":
                op = self.take()
                self._need_operand(op)
            elif kind not in ("NOT", "(", "WORD", "PHRASE", "FIELD"):
                break
            parts.append(self.unary())
        kept = [p for p in parts if p is not None]
        return _combine(And, kept)

    def unary(self) -> Node | None:
        negate = False
        while self.tok.kind == "NOT":
            op = self.take()
            self._need_operand(op)
            negate = not negate
        node = self.primary()
        if node is None or not negate:
            return node
        return node.child if isinstance(node, Not) else Not(node)

    def primary(self) -> Node | None:
        tok = self.take()
        if tok.kind == "(":
            if self.tok.kind == ")":
                raise QuerySyntaxError("empty parentheses", tok.pos)
            if self.tok.kind == "END":
                raise QuerySyntaxError("unclosed '('", tok.pos)
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QuerySyntaxError("parentheses nested too deeply", tok.pos)
            node = self.or_expr()
            self.depth -= 1
            if self.tok.kind != ")":
                raise QuerySyntaxError("unclosed '('", tok.pos)
            self.take()
            return node
        if tok.kind in ("WORD", "PHRASE"):
            return self._count(_text_node(tok.text, "text"), tok)
        if tok.kind == "FIELD":
            return self._count(_field_node(tok), tok)
        if tok.kind == "END":
            raise QuerySyntaxError("unexpected end of query", tok.pos)
        raise QuerySyntaxError(f"unexpected '{tok.text or tok.kind}'", tok.pos)


    def _count(self, node: Node | None, tok: _Tok) -> Node | None:
        """Count a leaf towards MAX_TERMS (a repeat is free: ``_combine`` merges it)."""
        if node is not None and node not in self.terms:
            self.terms[node] = len(node.terms) if isinstance(node, Phrase) else 1
            self.weight += self.terms[node]
            if self.weight > MAX_TERMS:
                raise QuerySyntaxError(
                    f"too many different terms (at most {MAX_TERMS}; repeated ones count "
                    "once): shorten the query", tok.pos)
        return node


def _combine(kind: type[And] | type[Or], parts: list[Node]) -> Node | None:
    """Join ``parts`` with ``kind``, flattening nested nodes of the same kind and
    merging repeated ones (``a OR a`` is ``a``)."""
    flat: list[Node] = []
    for part in parts:
        flat.extend(part.children if isinstance(part, kind) else (part,))
    flat = list(dict.fromkeys(flat))
    if not flat:
        return None
    if len(flat) == 1:
        return flat[0]
    return kind(tuple(flat))


def parse(query: str) -> Node:
    """Parse ``query`` into a syntax tree; raise QuerySyntaxError if it is malformed.

    The empty query (and one of only ignored words such as ``...``) is MatchAll.
    A query longer than MAX_QUERY_CHARS, or with more than MAX_TERMS different terms,
    is refused (a QuerySyntaxError that says so) before any search runs.
    """
    if len(query) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(
            f"the query is too long ({len(query):,} characters; at most {MAX_QUERY_CHARS:,}): "
            "shorten it", MAX_QUERY_CHARS)
    return _Parser(query).parse()


def positive_text(node: Node) -> Iterator[Term | Phrase | FieldMatch]:
    """The text leaves a match is wanted for (under an even number of NOTs): what
    ranking scores and highlighting marks. Fields that ``mark`` (``person:``...) come
    too, as FieldMatch: their values are words that may stand in the text."""
    stack: list[tuple[Node, bool]] = [(node, True)]
    while stack:
        node, positive = stack.pop()
        if isinstance(node, Not):
            stack.append((node.child, not positive))
        elif isinstance(node, And | Or):
            stack.extend((child, positive) for child in reversed(node.children))
        elif positive and isinstance(node, Term | Phrase):
            yield node
        elif positive and isinstance(node, FieldMatch) and FIELDS[node.field].marks:
            yield node
