"""The words around a request: wake and launch words, connectors, and how typed or sampled text is normalised.

One list for the local understanding (nlu), Amazon's model rules and the publishing checks, from
"Understand How Users Invoke Custom Skills": [wake word], [launch word] [invocation name]
[connecting word] [utterance]. Kept apart so the three never drift from each other.
"""

from __future__ import annotations

import re
import unicodedata

WAKE_WORD = "Alexa"
"""The wake word an example phrase starts with."""
WAKE_WORDS = ("alexa", "amazon", "echo", "computer", "ziggy")
"""Words that make Alexa treat the start of a request as a wake phrase."""
OPEN_WORDS = ("open", "start", "launch", "begin", "load", "run", "talk to", "play", "use")
"""Launch words that open a skill: "open cramp coach", "open cramp coach and ..."."""
ASK_WORDS = ("ask", "tell")
"""Launch words of a one-shot request: "ask cramp coach about ..."."""
CONNECTING_WORDS = ("to", "about", "for", "if", "whether", "that")
"""Between the invocation name and the request after ASK_WORDS."""
OPEN_CONNECTORS = ("and", "to")
"""Between the invocation name and the request after OPEN_WORDS."""
LAUNCH_PHRASES = (
    "ask", "open", "launch", "start", "begin", "load", "run", "enable", "play",
    "use", "talk to", "resume",
)
"""A sample starting with one of these would be heard as a launch, not as the intent."""
FORBIDDEN_IN_INVOCATION = ("alexa", "amazon", "echo", "skill", "app")
""""Choose the Invocation Name for a Custom Skill": words an invocation name may not contain."""
LAUNCH_WORDS_IN_INVOCATION = (
    "launch", "ask", "tell", "open", "start", "stop", "begin", "load", "play",
    "enable", "run", "use", "resume",
)
"""Launch words an invocation name may not contain either."""

_NOT_WORD = re.compile(r"[^\w']+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})


def normalise(text: str) -> str:
    """Typed text as heard: lowercase words with apostrophes kept, no punctuation, no leading "alexa"."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    words = [word.strip("'") for word in _NOT_WORD.sub(" ", text.replace("_", " ")).split()]
    words = [word for word in words if word]
    while words and words[0] == "alexa":
        words = words[1:]
    return " ".join(words)


def normalize(text: str) -> str:
    """Lowercase and collapse whitespace, the way Amazon compares utterances (model rules, publishing)."""
    return " ".join(text.lower().split())
