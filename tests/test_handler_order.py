"""Registration order does not matter: every intent has one handler, so the skill registered in
reverse says exactly what it says forwards, turn by turn, through the same path as `cramp-coach say`."""

from __future__ import annotations

import pytest

from skill.runtime.builder import SkillConfig, build_skill
from skill.tools.conversation import LocalConversation
from skill.tools.nlu import LocalUnderstanding

CONVERSATIONS = [
    ["open cramp coach", "yes", "no"],
    ["what helps leg cramps", "yes", "next", "yes", "previous", "repeat", "help", "what should I eat", "yes", "next", "no"],
    ["what helps leg cramps", "tell me more", "tell me more", "tell me more", "yes", "no"],
    ["I'm going to bed", "tell me more", "tell me more", "yes", "next", "pause"],
    ["walk me through a stretch"] + ["next"] * 6 + ["yes", "start over", "stop"],
    ["walk me through a stretch", "next", "no"],
    ["walk me through a stretch", "next", "stop", "resume", "next"],
    ["walk me through a stretch", "ouch it really hurts", "next", "yes", "cancel"],
    ["walk me through a stretch", "next", "what should I eat", "yes", "next"],
    ["walk me through a stretch", "next", "what should I eat", "no", "next"],
    ["walk me through a stretch", "next", "when should I see a doctor", "repeat", "yes"],
    ["my chest hurts", "no"],
    ["my chest hurts", "is this an emergency", "stop"],
    ["there's blood", "what should I eat", "no"],
    ["there's blood", "it's gone now"],
    ["there's blood", "walk me through a stretch", "stop"],
    ["forget me", "no", "what should I eat", "no"],
    ["forget me", "yes"],
    ["why do I get cramps", "tell me more", "yes", "yes"],
    ["can I take ibuprofen", "yes", "yes"],
    ["walk me through a back stretch", "yes", "no"],
    ["walk me through an elbow stretch", "yes", "next", "help", "go home"],
    ["what helps leg cramps", "blah blah", "yes", "blah", "next"],
    ["yes"], ["no"], ["repeat"], ["previous"], ["start over"], ["pause"], ["resume", "yes", "previous"],
]


def transcript(arrange, words: list[str]) -> list[tuple[str, str, bool]]:
    skill = build_skill(SkillConfig(seed=11, log_requests=False), arrange)
    conversation = LocalConversation(skill, LocalUnderstanding.for_locale("en-US"))
    turns = [conversation.say(said) for said in words]
    return [(turn.ssml, turn.reprompt_ssml or "", turn.session_ended) for turn in turns]


@pytest.mark.parametrize("words", CONVERSATIONS, ids=lambda words: " / ".join(words)[:60])
def test_the_skill_registered_in_reverse_says_the_same(words):
    forwards = transcript(list, words)
    assert transcript(lambda handlers: list(reversed(handlers)), words) == forwards
