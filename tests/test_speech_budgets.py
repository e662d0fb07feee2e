"""Shorter speech, over every wording the content can produce: no answer outside the stretch steps
is over 40 spoken words or 15 seconds (answer, caution, doctor line, safety net and offer, all
counted), a cramp right now is at most 25 words with its action first, and a "tell me more" chain
never says a sentence twice within three turns."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from skill.runtime import speech
from skill.runtime.content import (
    ANSWER_SECONDS_BUDGET,
    ANSWER_WORD_BUDGET,
    BRIEF_ACTION_WITHIN_WORDS,
    BRIEF_ANSWER_WORD_BUDGET,
    load_content,
)
from skill.runtime.replies import Voice

DOCTOR = "doctor or midwife"


def wordings(*parts):
    """Every way these parts can be said: one wording of each, in order (None parts skipped)."""
    choices = [part.variants if hasattr(part, "variants") else part for part in parts if part]
    for chosen in itertools.product(*choices):
        yield " ".join(chosen)


def seconds(text: str) -> float:
    return speech.spoken_seconds(speech.text(text))


@pytest.fixture(scope="module")
def everything_heard(content):
    """(what, text) for every wording of every reply outside the stretch steps."""
    prompts, safety, offers, walk = content.prompts, content.safety, content.offers, content.walkthrough.lines
    nets = [safety["safety_net"], safety["urgent_short"], safety["emergency_short"]]
    heard = []
    for topic in content.topics.values():
        for index, answer in enumerate(topic.answers):
            doctors = {answer.doctor_line, answer.short_doctor_line} - {None} or {None}
            offer_names = {answer.offer, "back_to_stretch"}
            for doctor, offer in itertools.product(doctors, offer_names):
                for text in wordings(topic.lead, answer.line, answer.caution, doctor, offers[offer]):
                    heard.append((f"{topic.name}.answers[{index}]", text))
    for net in nets:
        for lead in ("fallback", "yes_without_offer", "help"):
            heard += [(f"{lead} + safety net", t) for t in wordings(prompts[lead], net, prompts["what_would_you_like"])]
        for offer in offers.values():
            heard += [("not caught + offer again", t) for t in wordings(prompts["not_caught"], net, offer)]
            heard += [("help + offer again", t) for t in wordings(prompts["help"], net, offer)]
        heard += [("not caught mid-stretch", t) for t in wordings(prompts["not_caught"], net, walk["next_cue"])]
        heard += [("help mid-stretch", t) for t in wordings(walk["help"], net)]
        heard += [("legs only", t) for t in wordings(walk["legs_only"], net, offers["walkthrough"])]
        heard += [("error", t) for t in wordings(prompts["error"], net)]  # the reprompt is not in the same breath
    heard += [("welcome", t) for t in wordings(prompts["welcome"], prompts["disclaimer"], prompts["suggestions"])]
    heard += [("ease off", t) for t in wordings(walk["ease_off"], walk["next_cue"])]
    heard += [("recap", t) for t in wordings(walk["recap"], walk["recap_doctor_line"], offers["walkthrough_again"])]
    for name in ("paused", "stopped", "not_started", "too_old"):
        heard += [(name, t) for t in wordings(walk[name], offers["walkthrough"])]
    for name in ("feeling_better", "goodbye", "forgotten", "what_else", "no_more"):
        heard += [(name, t) for t in wordings(prompts[name])]
    return heard


def test_nothing_outside_the_stretch_steps_is_over_forty_words_or_fifteen_seconds(everything_heard):
    assert len(everything_heard) > 500  # every wording, not a sample of them
    too_long = [(what, speech.word_count(text), round(seconds(text), 1), text) for what, text in everything_heard
                if speech.word_count(text) > ANSWER_WORD_BUDGET or seconds(text) > ANSWER_SECONDS_BUDGET]
    assert too_long == []


def test_a_cramp_right_now_is_at_most_25_words_with_the_doctor_line_the_offer_and_the_action_first(content):
    topic = content.topics["cramp_now"]
    first = topic.answers[0]
    assert first.brief and first.doctor_line is not None
    for text in wordings(first.line, first.caution, first.doctor_line, content.offers[first.offer]):
        assert speech.word_count(text) <= BRIEF_ANSWER_WORD_BUDGET, text
        assert DOCTOR in text and text.endswith("?")
        assert "pull your toes up" in " ".join(text.lower().split()[:BRIEF_ACTION_WITHIN_WORDS]), text


def test_she_hears_the_cramp_steps_at_once_through_a_real_request(she):
    heard = she.ask("CrampNowIntent", bodyPart="calf")
    assert len(heard.text.split()) <= BRIEF_ANSWER_WORD_BUDGET
    assert "pull your toes up" in " ".join(heard.text.lower().split()[:BRIEF_ACTION_WITHIN_WORDS])


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()]


@pytest.mark.parametrize("seed", range(6))
def test_the_full_doctor_line_once_per_topic_then_a_short_form_and_no_sentence_twice_within_three_turns(
        skill, model, content, seed):
    from conftest import Conversation
    from skill.runtime.builder import SkillConfig, build_skill

    she = Conversation(build_skill(SkillConfig(content=content, seed=seed)), model)
    full_lines = {v for name, line in content.safety.items() if name.endswith("doctor_line") and name != "short_doctor_line"
                  for v in line.variants}
    for intent in ("CrampNowIntent", "BackSpasmIntent", "FoodAndDrinkIntent", "SeeDoctor", "PrecautionsIntent"):
        intent = "WhenToSeeDoctorIntent" if intent == "SeeDoctor" else intent
        turns = [she.ask(intent)]
        while turns[-1].session_open and "That's everything" not in turns[-1].text and len(turns) < 6:
            turns.append(she.ask("TellMeMoreIntent"))
        said = [sentences(t.text) for t in turns]
        for i in range(len(said)):
            recent = [s for earlier in said[max(0, i - 2):i] for s in earlier]
            assert [s for s in said[i] if s in recent] == [], (intent, said[max(0, i - 2):i + 1])
        full = [t for t in turns if any(line in t.text for line in full_lines)]
        assert len(full) <= 1, intent
        for turn in turns:
            if "That's everything" not in turn.text:
                assert DOCTOR in turn.text or intent in ("FoodAndDrinkIntent", "PrecautionsIntent"), turn.text
