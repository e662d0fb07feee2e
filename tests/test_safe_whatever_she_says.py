"""Safe whatever she says: the safety net under every answer that did not understand her, three
tiers of escalation, urgency that sticks, and the dialog repairs — through real request envelopes."""

from __future__ import annotations

import re

import pytest

DOCTOR = "doctor or midwife"
EMERGENCY = "emergency services"


def lines(content, name: str) -> tuple[str, ...]:
    return content.safety[name].variants


def hears_one_of(heard, options) -> bool:
    return any(option in heard.text for option in options)


def step_number(heard) -> int:
    match = re.search(r"Step (\d+) of 6", heard.text)
    assert match, heard.text
    return int(match.group(1))


# 1. The safety net -----------------------------------------------------------------------------------
def test_every_safety_net_wording_is_at_most_fifteen_words_and_names_the_doctor(content):
    for wording in lines(content, "safety_net"):
        assert len(wording.split()) <= 15 and DOCTOR in wording, wording


def test_a_fallback_after_an_offer_asks_it_again_so_yes_still_works(she, content):
    she.ask("CrampNowIntent", bodyPart="calf")
    heard = she.ask("AMAZON.FallbackIntent")
    assert hears_one_of(heard, lines(content, "safety_net"))
    assert "stretch" in heard.reprompt.lower() and heard.text.endswith(heard.reprompt)
    assert step_number(she.ask("AMAZON.YesIntent")) == 1


def test_a_fallback_mid_stretch_keeps_her_step_so_next_still_works(she, content):
    she.ask("StartWalkthroughIntent")
    heard = she.ask("AMAZON.FallbackIntent")
    assert hears_one_of(heard, lines(content, "safety_net")) and "next" in heard.reprompt.lower()
    assert step_number(she.ask("AMAZON.NextIntent")) == 2


def test_yes_with_nothing_pending_carries_the_safety_net(she, content):
    heard = she.ask("AMAZON.YesIntent")
    assert hears_one_of(heard, lines(content, "safety_net")) and heard.session_open


@pytest.mark.parametrize("said", ["a glass of wine", "the other leg"])
def test_something_that_is_not_a_medicine_never_reaches_the_medicine_answer(she, content, said):
    heard = she.ask("MedicineIntent", medicine=said)
    assert "can't advise on medicines" not in heard.text
    assert hears_one_of(heard, lines(content, "safety_net"))


def test_a_body_part_the_skill_does_not_know_gets_the_safety_net(she, content):
    assert hears_one_of(she.ask("CrampNowIntent", bodyPart="elbow"), lines(content, "safety_net"))


# 2. Three tiers ---------------------------------------------------------------------------------------
def test_tier_one_first_tells_her_to_call_emergency_services_then_her_midwife_or_doctor(she):
    heard = she.ask("EmergencyIntent")
    assert EMERGENCY in heard.first_sentence.lower()
    assert heard.text.index(EMERGENCY) < heard.text.index(DOCTOR)


def test_tier_two_first_tells_her_to_contact_her_doctor_or_midwife_now(she):
    heard = she.ask("SevereSymptomsIntent")
    assert DOCTOR in heard.first_sentence and "now" in heard.first_sentence


def test_a_severe_cramp_gets_the_doctor_line_first_then_the_first_relief_step_not_the_emergency_script(she):
    heard = she.ask("SevereCrampIntent")
    assert DOCTOR in heard.first_sentence
    assert heard.says("pull your toes up") and EMERGENCY not in heard.text
    assert step_number(she.ask("AMAZON.YesIntent")) == 1


def test_ouch_mid_stretch_eases_off_with_the_doctor_line_and_stays_on_the_step(she):
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    heard = she.ask("SevereCrampIntent")
    assert heard.says("ease off", DOCTOR) and heard.session_open and "Step" not in heard.text
    assert step_number(she.ask("AMAZON.NextIntent")) == 3


def test_the_tiers_never_diagnose(content):
    for tier in content.tiers():
        for answer in tier.answers:
            for banned in ("might be", "could be", "probably", "sounds like", "pre-eclampsia", "clot", "labour"):
                assert banned not in answer.line.variants[0].lower(), (tier.name, banned)


# Urgency sticks -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("tier_intent,short", [("EmergencyIntent", "emergency_short"), ("SevereSymptomsIntent", "urgent_short")])
@pytest.mark.parametrize("closing", ["AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NoIntent", "FeelingBetterIntent"])
def test_after_an_urgent_answer_closing_repeats_the_urgent_line_never_rest_well(she, content, tier_intent, short, closing):
    she.ask(tier_intent)
    she.ask("FoodAndDrinkIntent")  # later in the same session, about something else
    heard = she.ask(closing)
    assert heard.text in lines(content, short)
    assert not heard.session_open and "Rest well" not in heard.text


def test_is_this_an_emergency_after_an_urgent_answer_repeats_it_short(she, content):
    she.ask("SevereSymptomsIntent")
    heard = she.ask("WhenToSeeDoctorIntent")  # "is this an emergency", "should I go to the hospital"
    assert hears_one_of(heard, lines(content, "urgent_short")) and heard.session_open


def test_a_fallback_after_an_urgent_answer_carries_the_urgent_line(she, content):
    she.ask("EmergencyIntent")
    assert hears_one_of(she.ask("AMAZON.FallbackIntent"), lines(content, "emergency_short"))


@pytest.mark.parametrize("again", ["AMAZON.YesIntent", "AMAZON.RepeatIntent"])
def test_say_that_again_after_a_fallback_repeats_her_answer_not_the_apology(she, again):
    urgent = she.ask("SevereSymptomsIntent")  # ends with "Shall I say that again?"
    she.ask("AMAZON.FallbackIntent")  # sorry, the urgent line, and the same question again
    assert she.ask(again).text == urgent.text


def test_urgency_ends_with_the_session(she, content):
    she.ask("SevereSymptomsIntent")
    she.ask("AMAZON.StopIntent")
    she.later()
    assert she.ask("AMAZON.StopIntent").text in content.prompts["goodbye"].variants


# 3. Dialog repairs ---------------------------------------------------------------------------------------
def test_help_mid_stretch_names_her_step_and_every_control(she, content):
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    heard = she.ask("AMAZON.HelpIntent")
    assert heard.says("step 2 of 6", "next", "back", "repeat", "pause", "stop")
    assert hears_one_of(heard, lines(content, "safety_net"))
    assert step_number(she.ask("AMAZON.NextIntent")) == 3


def test_help_after_an_offer_keeps_the_offer(she):
    she.ask("CrampNowIntent", bodyPart="calf")
    she.ask("AMAZON.HelpIntent")
    assert step_number(she.ask("AMAZON.YesIntent")) == 1


@pytest.mark.parametrize("closing", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_mid_stretch_keeps_her_place_for_resume_and_for_the_next_launch(she, closing):
    she.open()
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    stopped = she.ask(closing)
    assert stopped.says("keep your place", DOCTOR) and not stopped.session_open
    assert step_number(she.later().ask("ResumeWalkthroughIntent")) == 2
    she.ask("AMAZON.StopIntent")
    assert she.later().open().says("you were on step 2")


def test_a_question_mid_stretch_is_answered_then_she_is_asked_to_go_back_to_her_step(she):
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    food = she.ask("FoodAndDrinkIntent")
    assert food.says("calcium") and "stretch" in food.reprompt.lower()
    assert step_number(she.ask("AMAZON.YesIntent")) == 2


def test_no_to_going_back_to_the_stretch_keeps_listening(she):
    she.ask("StartWalkthroughIntent")
    she.ask("BedtimeIntent")
    heard = she.ask("AMAZON.NoIntent")
    assert heard.session_open


def test_feeling_better_closes_kindly_with_the_doctor_line_for_if_it_comes_back(she):
    she.ask("CrampNowIntent", bodyPart="calf")
    heard = she.ask("FeelingBetterIntent")
    assert heard.says(DOCTOR) and ("coming back" in heard.text or "comes back" in heard.text)
    assert not heard.session_open and len(heard.text.split()) <= 25


def test_medicine_she_already_took_gets_no_dosing_only_tell_her_doctor(she):
    heard = she.ask("MedicineTakenIntent", medicine="paracetamol")
    assert heard.says(DOCTOR, "what you took")
    for word in ("dose", "more", "another", "two", "mg"):
        assert word not in heard.text.lower().replace("doses", "").split()


def test_a_thigh_cramp_is_not_given_calf_instructions(she):
    heard = she.ask("CrampNowIntent", bodyPart="thigh")
    assert "thigh" in heard.text and "pull your toes" not in heard.text and heard.says(DOCTOR)
    stretch = she.ask("StartWalkthroughIntent", bodyPart="thigh")
    assert "Step" not in stretch.text


def test_the_goodbye_after_a_bedtime_answer_stays_soft(she):
    she.ask("BedtimeIntent")
    for ending in ("AMAZON.StopIntent",):
        heard = she.ask(ending)
        assert 'volume="soft"' in heard.ssml


def test_thats_everything_after_the_bedtime_tips_stays_soft(she):
    she.ask("BedtimeIntent")
    she.ask("TellMeMoreIntent")
    she.ask("TellMeMoreIntent")
    heard = she.ask("TellMeMoreIntent")
    assert heard.says("That's everything") and 'volume="soft"' in heard.ssml


def test_no_after_a_bedtime_answer_says_goodnight_softly(she):
    she.ask("BedtimeIntent")
    assert 'volume="soft"' in she.ask("AMAZON.NoIntent").ssml
