"""What she says, what she hears: every conversation of the core skill, through real request JSON."""

from __future__ import annotations

import pytest

DOCTOR = "doctor or midwife"


def variants(content, section: str, name: str) -> tuple[str, ...]:
    lines = {"prompts": content.prompts, "offers": content.offers, "safety": content.safety}[section]
    return lines[name].variants


def any_of(heard_text: str, options: tuple[str, ...]) -> bool:
    return any(option in heard_text for option in options)


# 1. Opening the skill -----------------------------------------------------------------------
def test_opening_welcomes_her_briefly_with_the_disclaimer_and_things_to_ask(she, content):
    heard = she.open()
    assert any_of(heard.text, variants(content, "prompts", "welcome"))
    assert "general tips, not medical advice" in heard.text
    assert any_of(heard.text, variants(content, "prompts", "suggestions"))
    assert heard.session_open and heard.reprompt


def test_welcome_is_at_most_two_short_sentences(content):
    for welcome in variants(content, "prompts", "welcome"):
        assert welcome.count(".") <= 2 and len(welcome.split()) <= 16, welcome


# 2. A cramp right now -------------------------------------------------------------------------
def test_cramp_now_starts_with_flexing_the_foot_then_offers_the_stretch(she):  # heels come next
    heard = she.ask("CrampNowIntent", bodyPart="calf")
    assert heard.first_sentence.startswith("Pull your toes up")
    assert "hold something steady" in heard.text
    assert "heels" in she.ask("TellMeMoreIntent").text
    assert DOCTOR in heard.text
    assert heard.text.endswith("?") and "stretch" in heard.reprompt.lower()
    assert heard.session_open


@pytest.mark.parametrize("part", ["calf", "leg", "calves", "foot", None])
def test_any_leg_body_part_gets_the_cramp_steps(she, part):
    heard = she.ask("CrampNowIntent", bodyPart=part)
    assert heard.says("pull your toes up", DOCTOR)


def test_yes_after_cramp_now_starts_the_guided_stretch(she):
    she.ask("CrampNowIntent", bodyPart="calf")
    heard = she.ask("AMAZON.YesIntent")
    assert heard.says("Step 1 of 6", "hold on to something steady")
    assert heard.reprompt.lower().count("next") == 1


def test_a_cramp_in_the_back_is_answered_as_a_back_spasm(she):
    heard = she.ask("CrampNowIntent", bodyPart="lower back")
    assert heard.says("keep your back warm", "bleeding", "regular tightening", "fever", "leaking fluid", DOCTOR)


def test_a_body_part_the_skill_does_not_cover_gets_a_kind_answer_not_an_error(she):
    heard = she.ask("CrampNowIntent", bodyPart="elbow")
    assert heard.says("leg cramps and lower back spasms", DOCTOR)
    assert heard.session_open


# 3. Food and drink ----------------------------------------------------------------------------
def test_what_should_i_eat_covers_calcium_vitamin_d_salt_and_juice(she):
    heard = she.ask("FoodAndDrinkIntent")
    assert heard.says("calcium", "milk", "vitamin D", "salty and pickled", "juice")
    assert heard.session_open


def test_tell_me_more_about_food_walks_through_the_details_in_order(she):
    she.ask("FoodAndDrinkIntent")
    assert she.ask("TellMeMoreIntent").says("cottage cheese", "ribs")
    assert she.ask("TellMeMoreIntent").says("sausages", "canned")
    assert she.ask("TellMeMoreIntent").says("orange", "guava", "tomato")
    last = she.ask("TellMeMoreIntent")
    assert last.says("That's everything I have on that") and last.session_open


# 4. Bedtime -----------------------------------------------------------------------------------
def test_bedtime_is_spoken_softly_and_covers_warmth_side_and_raised_feet(she):
    heard = she.ask("BedtimeIntent")
    assert heard.ssml.startswith('<speak><prosody rate="90%" volume="soft">')
    assert heard.says("legs warm", "lie on your side", "raise your feet", "toes up")
    assert 'volume="soft"' in heard.response["response"]["reprompt"]["outputSpeech"]["ssml"]


def test_the_bedtime_soak_is_warm_never_hot(she):
    she.ask("BedtimeIntent")
    heard = she.ask("TellMeMoreIntent")
    assert heard.says("ten-minute soak", "warm, never hot")


def test_bedtime_ends_by_offering_a_gentle_stretch_that_stays_soft(she):
    she.ask("BedtimeIntent")
    she.ask("TellMeMoreIntent")
    last = she.ask("TellMeMoreIntent")
    assert "stretch" in last.reprompt.lower()
    stretch = she.ask("AMAZON.YesIntent")
    assert stretch.says("Step 1 of 6") and 'volume="soft"' in stretch.ssml


# 5. Prevention, habits and causes ----------------------------------------------------------------
def test_prevention_says_not_to_overdo_it_or_stand_too_long(she):
    heard = she.ask("PreventionIntent")
    assert heard.says("overdo it", "standing for long")
    assert she.ask("TellMeMoreIntent").says("massage", "warm compress")


def test_causes_points_to_cold_and_tiredness_and_only_her_doctor_can_tell(she):
    heard = she.ask("CausesIntent")
    assert heard.says("cold", "tiredness", "Only your doctor or midwife can tell")
    more = she.ask("TellMeMoreIntent")
    assert more.says("calcium", "vitamin D", DOCTOR)


# 6. Back spasm ---------------------------------------------------------------------------------
def test_back_spasm_offers_warmth_rest_and_the_warning_signs(she):
    heard = she.ask("BackSpasmIntent")
    assert heard.says("rest", "warm", "overdo it", "massage", "warm compress")
    assert heard.says("bleeding", "regular tightening", "fever", "leaking fluid", "call your doctor or midwife now") or heard.says(
        "bleeding", "regular tightening", "fever", "leaking fluid", "contact your doctor or midwife straight away"
    )


# 7. Severe or worrying symptoms ----------------------------------------------------------------------
@pytest.mark.parametrize("part", [None, "leg", "back", "elbow"])
def test_severe_symptoms_first_tell_her_to_contact_her_doctor_or_midwife_now(she, content, part):
    heard = she.ask("SevereSymptomsIntent", bodyPart=part)
    urgent = variants(content, "safety", "urgent_line")
    assert any(heard.text.startswith(line) for line in urgent), heard.text
    assert "emergency services" in heard.first_sentence


def test_after_severe_symptoms_no_closes_with_the_urgent_line_not_a_cheery_goodbye(she, content):
    she.ask("SevereSymptomsIntent")
    heard = she.ask("AMAZON.NoIntent")
    assert heard.text in variants(content, "safety", "urgent_short")
    assert not heard.session_open


def test_after_severe_symptoms_yes_repeats_the_urgent_advice(she):
    first = she.ask("SevereSymptomsIntent")
    again = she.ask("AMAZON.YesIntent")
    assert again.text == first.text


# 8. Medicines --------------------------------------------------------------------------------------
@pytest.mark.parametrize("medicine", ["ibuprofen", "painkiller", "Tylenol", None])
def test_medicine_questions_get_no_drug_advice_only_the_precaution(she, medicine):
    heard = she.ask("MedicineIntent", medicine=medicine)
    assert heard.says("can't advise on medicines", "without guidance from your doctor or midwife")
    for drug in ("ibuprofen", "paracetamol", "acetaminophen", "aspirin", "magnesium", "mg"):
        assert drug not in heard.text.lower().split()


def test_after_the_medicine_answer_yes_gives_drug_free_relief(she):
    she.ask("MedicineIntent", medicine="ibuprofen")
    assert she.ask("AMAZON.YesIntent").says("pull your toes up")


# 9. When to see a doctor, general precautions ------------------------------------------------------------
def test_when_to_see_a_doctor_names_the_warning_signs(she):
    heard = she.ask("WhenToSeeDoctorIntent")
    assert heard.says(DOCTOR, "severe", "swollen")


def test_general_precautions_cover_diet_warmth_rest_and_check_ups(she):
    heard = she.ask("PrecautionsIntent")
    assert heard.says("balanced diet", "warm", "rest", "check-ups")
    assert she.ask("TellMeMoreIntent").says("medicines", DOCTOR)


# 10. Follow-ups ----------------------------------------------------------------------------------------
ADVICE_INTENTS = [
    ("CrampNowIntent", {"bodyPart": "calf"}),
    ("FoodAndDrinkIntent", {}),
    ("BedtimeIntent", {}),
    ("PreventionIntent", {}),
    ("CausesIntent", {}),
    ("BackSpasmIntent", {}),
    ("SevereSymptomsIntent", {}),
    ("MedicineIntent", {"medicine": "ibuprofen"}),
    ("WhenToSeeDoctorIntent", {}),
    ("PrecautionsIntent", {}),
]


@pytest.mark.parametrize("intent,slots", ADVICE_INTENTS)
def test_every_answer_ends_with_one_short_offer_that_is_also_the_reprompt(she, content, intent, slots):
    heard = she.ask(intent, **slots)
    offers = [v for line in content.offers.values() for v in line.variants]
    assert heard.reprompt in offers
    assert heard.text.endswith(heard.reprompt)
    assert heard.text.count("?") == 1
    assert heard.session_open


@pytest.mark.parametrize("intent,slots", ADVICE_INTENTS)
def test_no_after_any_answer_closes_the_session_kindly(she, intent, slots):
    she.ask(intent, **slots)
    heard = she.ask("AMAZON.NoIntent")
    assert not heard.session_open and heard.text


def test_yes_to_more_gives_the_next_piece_of_the_same_topic(she):
    she.ask("PreventionIntent")
    heard = she.ask("AMAZON.YesIntent")
    assert heard.says("massage")


def test_next_outside_the_stretch_also_gives_the_next_piece(she):
    she.ask("FoodAndDrinkIntent")
    assert she.ask("AMAZON.NextIntent").says("cottage cheese")


def test_tell_me_more_with_no_topic_asks_what_about(she):
    heard = she.ask("TellMeMoreIntent")
    assert heard.says("What would you like to hear more about") and heard.session_open


def test_repeat_says_the_last_thing_again_and_keeps_its_offer(she):
    first = she.ask("CrampNowIntent", bodyPart="calf")
    again = she.ask("AMAZON.RepeatIntent")
    assert again.text == first.text
    assert she.ask("AMAZON.YesIntent").says("Step 1 of 6")


def test_repeat_before_anything_was_said_is_gentle(she):
    heard = she.ask("AMAZON.RepeatIntent")
    assert heard.says("haven't said anything yet") and heard.session_open


def test_yes_out_of_the_blue_is_answered_not_guessed(she):
    heard = she.ask("AMAZON.YesIntent")
    assert heard.says("not sure what that yes was for") and heard.session_open


def test_yes_to_anything_else_asks_what_she_would_like(she):
    she.ask("WhenToSeeDoctorIntent")
    she.ask("TellMeMoreIntent")
    she.ask("TellMeMoreIntent")
    heard = she.ask("AMAZON.YesIntent")
    assert heard.says("What would you like to know") and heard.session_open


# 12. Help, Stop, Cancel, NavigateHome, Fallback, session end ------------------------------------------------
def test_help_says_what_she_can_ask_and_when_to_call_and_listens(she, content):
    heard = she.ask("AMAZON.HelpIntent")
    assert heard.says("leg cramps", "walk me through a stretch") and heard.session_open
    assert any_of(heard.text, variants(content, "safety", "safety_net"))


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent"])
def test_stop_cancel_and_home_say_goodbye_and_close(she, content, intent):
    heard = she.ask(intent)
    assert heard.text in variants(content, "prompts", "goodbye")
    assert not heard.session_open


def test_fallback_is_friendly_says_what_she_can_ask_and_when_to_call(she, content):
    heard = she.ask("AMAZON.FallbackIntent")
    assert heard.says("Sorry", "cramps", "back") and heard.session_open
    assert any_of(heard.text, variants(content, "safety", "safety_net"))


def test_an_intent_the_skill_does_not_know_is_answered_as_fallback(she, content):
    heard = she.ask("SomethingNewIntent")
    assert heard.says("Sorry", "cramps") and heard.session_open
    assert any_of(heard.text, variants(content, "safety", "safety_net"))


@pytest.mark.parametrize("reason", ["USER_INITIATED", "EXCEEDED_MAX_REPROMPTS", "ERROR"])
def test_session_ended_gets_an_empty_response(she, reason):
    response = she.end(reason)
    assert "outputSpeech" not in response["response"]


def test_an_error_inside_the_skill_becomes_a_short_apology(she, skill, content, monkeypatch):
    from skill.runtime.replies import Voice

    def broken(self, topic, index):
        raise RuntimeError("content exploded")

    monkeypatch.setattr(Voice, "answer", broken)
    heard = she.ask("FoodAndDrinkIntent")
    assert any(heard.text.startswith(line) for line in variants(content, "prompts", "error"))
    assert any_of(heard.text, variants(content, "safety", "safety_net"))
    assert heard.session_open


# 13. One-shot ------------------------------------------------------------------------------------------
def test_a_one_shot_question_is_answered_at_once_in_a_new_session(she):
    assert she.session.new
    heard = she.ask("FoodAndDrinkIntent")
    assert heard.says("calcium") and heard.session_open


# Safety, across everything ----------------------------------------------------------------------------------
SYMPTOM_INTENTS = [
    ("CrampNowIntent", {"bodyPart": "calf"}),
    ("CrampNowIntent", {"bodyPart": "back"}),
    ("CrampNowIntent", {"bodyPart": "elbow"}),
    ("BackSpasmIntent", {}),
    ("SevereSymptomsIntent", {}),
    ("MedicineIntent", {"medicine": "aspirin"}),
    ("CausesIntent", {}),
    ("WhenToSeeDoctorIntent", {}),
]


@pytest.mark.parametrize("intent,slots", SYMPTOM_INTENTS)
def test_every_symptom_answer_and_every_more_carries_the_doctor_line(she, intent, slots):
    heard = she.ask(intent, **slots)
    assert DOCTOR in heard.text
    for _ in range(4):
        more = she.ask("TellMeMoreIntent")
        if "That's everything" in more.text:
            break
        assert DOCTOR in more.text, more.text
