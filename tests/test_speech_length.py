"""How long she listens: every answer as spoken, in words and in seconds (150 words a minute,
pauses counted), within budget — short enough for one breath, or one stretch."""

from __future__ import annotations

import random

import pytest

from skill.runtime import speech
from skill.runtime.content import ANSWER_SECONDS_BUDGET, load_content
from skill.runtime.replies import Voice

STEP_SECONDS_BUDGET = 30.0
"""A walkthrough step with its hold count, pauses and cue."""


def every_answer(voice: Voice):
    for topic in voice.content.topics.values():
        for index in range(len(topic.answers)):
            yield f"{topic.name}.answers[{index}]", voice.answer(topic, index).speech


def every_step(voice: Voice):
    for index in range(voice.step_count):
        yield f"steps[{index}]", voice.step(index).speech


@pytest.mark.parametrize("seed", range(5))
def test_every_answer_with_its_offer_is_heard_within_budget(seed):
    voice = Voice(load_content(), random.Random(seed))
    for key, ssml in every_answer(voice):
        seconds = speech.spoken_seconds(ssml)
        assert seconds <= ANSWER_SECONDS_BUDGET, f"{key}: {seconds:.1f}s"


@pytest.mark.parametrize("seed", range(5))
def test_every_walkthrough_step_with_its_holds_fits_the_step_budget(seed):
    voice = Voice(load_content(), random.Random(seed))
    for key, ssml in every_step(voice):
        seconds = speech.spoken_seconds(ssml)
        assert seconds <= STEP_SECONDS_BUDGET, f"{key}: {seconds:.1f}s"


def test_spoken_seconds_counts_words_at_a_calm_pace_and_every_pause():
    assert speech.spoken_seconds("<speak>one two three four five</speak>") == pytest.approx(2.0)
    ssml = '<speak>Hold it. <break time="2s"/> and <break time="500ms"/> relax <break strength="strong"/></speak>'
    assert speech.spoken_seconds(ssml) == pytest.approx(4 * 0.4 + 2 + 0.5 + 0.75)


def test_a_hold_step_takes_longer_than_its_words_alone():
    voice = Voice(load_content(), random.Random(1))
    ssml = voice.step(1).speech
    words_only = speech.word_count(speech.ssml_to_text(speech.wrap(ssml))) * 60 / speech.WORDS_PER_MINUTE
    assert speech.spoken_seconds(ssml) >= words_only + 8
