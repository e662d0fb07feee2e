"""Compact sample patterns → the sample utterances Alexa is trained on.

A pattern such as ``(what|which) (food|foods) [should i] (eat|avoid) [for {bodyPart} cramps]``
stands for every sentence it can say: ``(a|b)`` is a choice, ``[...]`` is optional, ``<name>``
is a shared rule from the source's ``rules:``, and ``{slot}`` stays a slot reference for Alexa.
The language is Home Assistant's template language (the ``hassil`` package). The common,
well-nested patterns are expanded by a small parser here, which a test holds to hassil's own
output (hassil's parser was most of ``cramp-coach check``'s time); hassil takes everything else
and words the errors. Done when the locale models are generated, never while answering a request.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Any, Mapping, Optional

MAX_EXPANSIONS_PER_PATTERN = 400
"""The skill's own bound: a pattern that says more than this is too broad to review."""


class PatternError(ValueError):
    """A pattern cannot be parsed or expanded; the message says which and why."""


def expand(pattern: str, rules: Mapping[str, str] | None = None) -> list[str]:
    """Every sentence ``pattern`` says, single-spaced, in first-seen order, without repeats."""
    return list(_expand(pattern, tuple(sorted((rules or {}).items()))))


@lru_cache(maxsize=None)
def _parsed_rules(rules: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    from hassil.parse_expression import parse_sentence
    from hassil.parser import ParseError

    parsed = {}
    for name, body in rules:
        try:
            parsed[name] = parse_sentence(body)
        except ParseError as error:
            raise PatternError(f"uses rule <{name}>, which cannot be parsed: {error}") from None
    return parsed


_SYNTAX = frozenset("()[]{}<>|;\\")
"""hassil's template characters (groups, optionals, lists, rules, alternatives, permutations, escapes)."""
MAX_OWN_SAMPLES = 4000
"""Above this many raw sentences a pattern streams through hassil, which stops at the bound."""


@lru_cache(maxsize=None)
def _expand(pattern: str, rules: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """Cached: every locale's model (and every check) expands the same patterns."""
    try:
        sentences: Any = _own_sentences(pattern, rules)
    except _NotPlain:
        sentences = _hassil_sentences(pattern, rules)
    said: dict[str, None] = {}
    try:
        for text in sentences:
            words = " ".join(text.split())
            if words:
                said.setdefault(words, None)
            if len(said) > MAX_EXPANSIONS_PER_PATTERN:
                raise PatternError(f"says more than {MAX_EXPANSIONS_PER_PATTERN} sentences; split it")
    except _hassil_errors() as error:
        raise PatternError(_hassil_problem(error)) from None
    return tuple(said)


def _hassil_sentences(pattern: str, rules: tuple[tuple[str, str], ...]) -> Any:
    """hassil's own parse and sampling, for whatever the small parser below leaves to it."""
    from hassil.parse_expression import parse_sentence
    from hassil.sample import sample_expression

    parsed_rules = _parsed_rules(rules)
    try:
        sentence = parse_sentence(pattern)
    except _hassil_errors() as error:
        raise PatternError(_hassil_problem(error)) from None
    return sample_expression(sentence.expression, expansion_rules=parsed_rules, expand_lists=False)


def _hassil_errors() -> tuple[type[Exception], ...]:
    """hassil's parse and missing-rule errors (evaluated only when something was raised)."""
    from hassil.errors import MissingRuleError
    from hassil.parser import ParseError

    return ParseError, MissingRuleError


def _hassil_problem(error: Exception) -> str:
    from hassil.errors import MissingRuleError

    if isinstance(error, MissingRuleError):
        return f"{error}; define it under rules:"
    return f"cannot be parsed: {error}"


# --------------------------------------------------------------------------- the plain subset
# Most patterns are words, (a|b) choices, [optional] words, <rules> and {slots}, well nested.
# Parsing them here gives the sentences hassil gives (a test holds the two together) at a
# fraction of hassil's cost; anything else (escapes, permutations, a bracket out of place, a
# rule that is missing or odd) goes to hassil, which also words the errors.

class _NotPlain(Exception):
    """The pattern is outside the subset parsed here."""


_Node = Any  # ("text", str) | ("seq", [nodes]) | ("alt", [seqs], optional) | ("rule", name)


def _own_sentences(pattern: str, rules: tuple[tuple[str, str], ...]) -> list[str]:
    bodies = _own_rules(rules)
    if bodies is None:
        raise _NotPlain
    tree = _parse(pattern.strip())
    if _count(tree, bodies, 0) > MAX_OWN_SAMPLES:
        raise _NotPlain
    return _sample(tree, bodies)


@lru_cache(maxsize=None)
def _own_rules(rules: tuple[tuple[str, str], ...]) -> Optional[dict[str, _Node]]:
    try:
        return {name: _parse(body.strip()) for name, body in rules}
    except _NotPlain:
        return None


def _parse(text: str) -> _Node:
    if not text:
        raise _NotPlain  # hassil refuses an empty pattern
    node, end = _alternatives(text, 0, "")
    if end != len(text):
        raise _NotPlain
    return node


def _alternatives(text: str, at: int, closer: str) -> tuple[_Node, int]:
    """Sequences separated by | up to ``closer`` (or the end); returns the node and where it stopped."""
    sequences = []
    while True:
        items: list[_Node] = []
        while at < len(text) and text[at] not in "|" + closer:
            char = text[at]
            if char in "([":
                inner, at = _alternatives(text, at + 1, ")" if char == "(" else "]")
                if inner == ("alt", [("seq", [])], False) or at >= len(text):
                    raise _NotPlain  # an empty group (hassil refuses it) or one never closed
                items.append(inner if char == "(" else ("alt", inner[1], True))
                at += 1
            elif char in "<{":
                end = text.find(">" if char == "<" else "}", at)
                name = text[at + 1:end] if end > at + 1 else ""
                if not name or not _SYNTAX.isdisjoint(name):
                    raise _NotPlain
                items.append(("rule", name) if char == "<" else ("text", "{" + name + "}"))
                at = end + 1
            elif char in _SYNTAX:
                raise _NotPlain  # ; \\ or a closing bracket out of place
            else:
                end = at
                while end < len(text) and text[end] not in _SYNTAX:
                    end += 1
                items.append(("text", text[at:end]))
                at = end
        sequences.append(("seq", items))
        if at < len(text) and text[at] == "|":
            at += 1
            continue
        return ("alt", sequences, False), at


def _count(node: _Node, bodies: dict[str, _Node], depth: int) -> int:
    if depth > 50:
        raise _NotPlain  # a rule that names itself: hassil's business
    kind = node[0]
    if kind == "text":
        return 1
    if kind == "rule":
        if node[1] not in bodies:
            raise _NotPlain  # hassil words the missing rule
        return _count(bodies[node[1]], bodies, depth + 1)
    if kind == "seq":
        total = 1
        for item in node[1]:
            total *= _count(item, bodies, depth + 1)
        return total
    return sum(_count(seq, bodies, depth + 1) for seq in node[1]) + (1 if node[2] else 0)


def _sample(node: _Node, bodies: dict[str, _Node]) -> list[str]:
    """The sentences in hassil's order: a sequence's first item varies slowest; an optional's "" last."""
    kind = node[0]
    if kind == "text":
        return [node[1]]
    if kind == "rule":
        return _sample(bodies[node[1]], bodies)
    if kind == "seq":
        return ["".join(words) for words in itertools.product(*(_sample(item, bodies) for item in node[1]))]
    return [text for seq in node[1] for text in _sample(seq, bodies)] + ([""] if node[2] else [])


def is_pattern(text: str) -> bool:
    """Whether ``text`` uses pattern syntax (a plain sample expands to itself)."""
    return any(mark in text for mark in "()[]|<>")
