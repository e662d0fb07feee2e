"""Her words made comparable: stems, apostrophes, fillers ("ugh", "please") and slot padding dropped."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence


# Words that carry no topic: a fuzzy match must rest on her other words ("joke", "weather").
FUNCTION_WORDS = frozenset("""
    a about am an and any anything are as at be been can could did do does doing for from get got
    give go going had has have how i i'd i'll i'm i've if in is it it's its just know let let's like
    make me my need now of oh ok okay on or please really should so some something start begin
    that that's the them then there these they this to try up very want was we what what's when
    where which who why will with would you your play tell show set put
""".split())

INTERJECTIONS = ("ugh", "um", "umm", "uhm", "uh", "er", "erm", "hmm", "oh", "ow", "ouch", "ah",
                 "argh", "hey", "so", "well", "okay so", "ok so", "oh my god", "oh god")
POLITENESS = ("please", "thank you", "thanks")
SLOT_FILLER_WORDS = ("a", "an", "the", "some", "any", "my", "your", "more", "of", "little", "bit")

def _key(phrase: str) -> str:
    """Apostrophes dropped: "what's" and "whats" are the same words to a listener."""
    return phrase.replace("'", "")


_IRREGULAR = {"calves": "calf", "feet": "foot"}


@lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    """Just enough stemming that "cramps", "cramping" and "cramped" meet (cached: the model's tens of
    thousands of samples share a few thousand words)."""
    word = _key(word)
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _tokens(phrase: str) -> tuple[str, ...]:
    return tuple(_stem(word) for word in phrase.split())


_FUNCTION_STEMS = frozenset(_stem(word) for word in FUNCTION_WORDS)


def _words_pattern(phrase: str) -> str:
    """Regex for a normalised phrase; an apostrophe in the model is optional in what she says."""
    return re.escape(phrase).replace("'", "'?")


def _strip_words(text: str, phrases: Sequence[str], *, leading: bool, trailing: bool) -> str:
    ordered = sorted(phrases, key=len, reverse=True)
    changed = True
    while changed and text:
        changed = False
        for phrase in ordered:
            if leading and (text == phrase or text.startswith(phrase + " ")):
                text, changed = text[len(phrase):].strip(), True
            elif trailing and (text == phrase or text.endswith(" " + phrase)):
                text, changed = text[: -len(phrase)].strip(), True
    return text


def _strip_fillers(text: str) -> str:
    """Drop "ugh", "please", "thanks": words that colour a request without changing it."""
    stripped = _strip_words(text, INTERJECTIONS, leading=True, trailing=False)
    stripped = _strip_words(stripped, POLITENESS, leading=True, trailing=True)
    stripped = " ".join(word for word in stripped.split() if word != "please")
    return stripped or text


def _trim(words: list[str]) -> list[str]:
    start, end = 0, len(words)
    while start < end and words[start] in SLOT_FILLER_WORDS:
        start += 1
    while end > start and words[end - 1] in POLITENESS:
        end -= 1
    return words[start:end] or words
