"""Every offer in content/prompts.yaml, answered yes or no, does what its yes: and no: say —
checked from the content itself, so a new offer is covered without a new test."""

from __future__ import annotations

import pytest

from skill.runtime.content import load_content

CONTENT = load_content()
CASES = [(offer, answer) for offer in CONTENT.offers for answer in ("yes", "no")]


def expectation(offer: str, answer: str):
    actions = CONTENT.offer_actions[offer]
    return actions.yes if answer == "yes" else actions.no


@pytest.mark.parametrize("offer, answer", CASES, ids=[f"{o}-{a}" for o, a in CASES])
def test_her_answer_to_an_offer_does_what_the_content_says(she, content, offer, answer):
    she.ask("BedtimeIntent")  # a topic she has heard, so "more" and "repeat" have something to go on
    she.session.attributes["offer"] = offer  # as if that answer had ended with this offer
    heard = she.ask("AMAZON.YesIntent" if answer == "yes" else "AMAZON.NoIntent")

    action = expectation(offer, answer)
    assert not heard.says("not sure what that yes was for") and not heard.says("something went wrong")
    if action.kind == "answer":
        topic = content.topics[action.target[0]]
        assert any(heard.says(v) for v in topic.answers[0].line.variants)
    elif action.kind in ("start", "resume"):
        assert heard.says("step 1 of") and heard.session_open
    elif action.kind == "more":
        assert any(heard.says(v) for v in content.topics["bedtime"].answers[1].line.variants)
    elif action.kind == "repeat":
        assert heard.says("keep your legs warm")
    elif action.kind == "listen":
        assert heard.session_open and any(heard.says(v) for v in content.prompts[action.target[0]].variants)
    elif action.kind == "close":
        assert not heard.session_open and any(heard.says(v) for v in content.prompts["goodbye"].variants)
    elif action.kind == "forget":
        assert not heard.session_open and heard.says(content.prompts["forgotten"].variants[0])
    elif action.kind == "change_reminder":  # no time pending in this set-up: it asks for one
        from skill.runtime.reminder_words import load_reminder_words

        assert heard.session_open and heard.says(load_reminder_words().lines["ask_time"].variants[0])
    elif action.kind == "cancel_reminder":  # no reminders permission in this set-up: there is none to cancel
        from skill.runtime.reminder_words import load_reminder_words

        assert not heard.session_open and heard.says(load_reminder_words().lines["none_set"].variants[0])
    else:
        pytest.fail(f"no expectation for action {action.kind!r}")
