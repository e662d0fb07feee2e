"""The clinical review shows how long she listens to each answer and each stretch step: its spoken
words, and its seconds at a calm pace with every pause (skill.runtime.speech.spoken_seconds)."""

from __future__ import annotations

import random
import re

from skill.runtime import speech
from skill.runtime.replies import Voice
from skill.tools.review import build_review

LENGTH = re.compile(r'<span class="meta">(\d+) words, about (\d+) s</span>')


def test_every_answer_and_every_step_shows_its_words_and_seconds(content):
    page = build_review(content)
    voice = Voice(content, random.Random(0))  # the review's own voice, so the same wordings
    expected = []
    for topic in content.topics.values():
        for index in range(len(topic.answers)):
            expected.append(voice.answer(topic, index).speech)
    for index in range(voice.step_count):
        expected.append(voice.step(index).speech)
    shown = [(int(words), int(seconds)) for words, seconds in LENGTH.findall(page)]
    assert shown == [(speech.word_count(speech.ssml_to_text(speech.wrap(ssml))), round(speech.spoken_seconds(ssml)))
                     for ssml in expected]
