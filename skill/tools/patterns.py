"""Compact sample patterns → the sample utterances Alexa is trained on.

A pattern such as ``(what|which) (food|foods) [should i] (eat|avoid) [for {bodyPart} cramps]``
stands for every sentence it can say: ``(a|b)`` is a choice, ``[...]`` is optional, ``<name>``
is a shared rule from the source's ``rules:``, and ``{slot}`` stays a slot reference for Alexa.
Parsing and expanding is Home Assistant's template language (the ``hassil`` package), done
when the locale models are generated, never while answering a request.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

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


@lru_cache(maxsize=None)
def _expand(pattern: str, rules: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """Cached: every locale's model (and every check) expands the same patterns."""
    parsed_rules = _parsed_rules(rules)  # a broken rule is reported at the first pattern, plain or not
    if pattern.strip() and _SYNTAX.isdisjoint(pattern):
        return (" ".join(pattern.split()),)  # plain words say themselves, as hassil would; without its parser
    from hassil.errors import MissingRuleError
    from hassil.parse_expression import parse_sentence
    from hassil.parser import ParseError
    from hassil.sample import sample_expression

    try:
        sentence = parse_sentence(pattern)
        said: dict[str, None] = {}
        for text in sample_expression(sentence.expression, expansion_rules=parsed_rules, expand_lists=False):
            words = " ".join(text.split())
            if words:
                said.setdefault(words, None)
            if len(said) > MAX_EXPANSIONS_PER_PATTERN:
                raise PatternError(f"says more than {MAX_EXPANSIONS_PER_PATTERN} sentences; split it")
    except ParseError as error:
        raise PatternError(f"cannot be parsed: {error}") from None
    except MissingRuleError as error:
        raise PatternError(f"{error}; define it under rules:") from None
    return tuple(said)


def is_pattern(text: str) -> bool:
    """Whether ``text`` uses pattern syntax (a plain sample expands to itself)."""
    return any(mark in text for mark in "()[]|<>")
