"""The guided stretch, hands-free: one step at a time, and every control she might say."""

from __future__ import annotations

import re

DOCTOR = "doctor or midwife"


def step_number(heard) -> int:
    match = re.search(r"Step (\d+) of 6", heard.text)
    assert match, heard.text
    return int(match.group(1))


def test_walk_me_through_a_stretch_starts_with_safety_then_step_one(she):
    heard = she.ask("StartWalkthroughIntent")
    assert heard.says("hold on to something steady")
    assert heard.text.index("steady") < heard.text.index("Step 1 of 6")
    assert heard.says("heels") and heard.session_open
    assert "next" in heard.reprompt.lower()


def test_a_calf_stretch_starts_the_stretch(she):
    assert step_number(she.ask("StartWalkthroughIntent", bodyPart="calf")) == 1


def test_a_back_stretch_is_not_the_leg_stretch_she_is_offered_back_advice_instead(she):
    heard = she.ask("StartWalkthroughIntent", bodyPart="back")
    assert "Step" not in heard.text and heard.session_open
    assert heard.says("not your back") or heard.says("don't have one for your back")
    assert heard.text.endswith("?") and "back" in heard.reprompt
    advice = she.ask("AMAZON.YesIntent")
    assert advice.says("keep your back warm") and advice.says(DOCTOR)


def test_a_stretch_for_a_part_the_skill_does_not_know_says_what_it_is_for_and_asks_first(she):
    heard = she.ask("StartWalkthroughIntent", bodyPart="neck")
    assert "Step" not in heard.text and heard.session_open
    assert heard.says("calf and foot") or heard.says("calves and feet")
    assert step_number(she.ask("AMAZON.YesIntent")) == 1


def test_next_walks_through_all_six_steps_then_recaps_with_the_doctor_line(she):
    she.ask("StartWalkthroughIntent")
    seen = [1]
    for _ in range(5):
        seen.append(step_number(she.ask("AMAZON.NextIntent")))
    assert seen == [1, 2, 3, 4, 5, 6]
    recap = she.ask("AMAZON.NextIntent")
    assert recap.says("Well done") or recap.says("That's the whole stretch")
    assert DOCTOR in recap.text
    assert recap.session_open and recap.text.endswith("?")


def test_yes_after_the_recap_goes_through_it_again(she):
    she.ask("StartWalkthroughIntent")
    for _ in range(6):
        she.ask("AMAZON.NextIntent")
    again = she.ask("AMAZON.YesIntent")
    assert step_number(again) == 1


def test_yes_with_no_question_pending_means_next(she):
    she.ask("StartWalkthroughIntent")
    assert step_number(she.ask("AMAZON.YesIntent")) == 2


def test_holds_are_counted_with_pauses_and_never_over_ten_seconds(she):
    she.ask("StartWalkthroughIntent")
    heard = she.ask("AMAZON.NextIntent")
    assert heard.says("Hold it", "And relax")
    assert heard.ssml.count('<say-as interpret-as="cardinal">') == 5
    assert heard.ssml.count("<break") >= 5
    for seconds in re.findall(r'<break time="([\d.]+)s"/>', heard.ssml):
        assert float(seconds) <= 10


def test_ankle_circles_get_time_to_do_them(she):
    she.ask("StartWalkthroughIntent")
    for _ in range(3):
        heard = she.ask("AMAZON.NextIntent")
    assert heard.says("circles")
    assert '<break time="8s"/>' in heard.ssml


def test_previous_goes_back_a_step_and_not_past_the_first(she):
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    assert step_number(she.ask("AMAZON.PreviousIntent")) == 1
    first = she.ask("AMAZON.PreviousIntent")
    assert first.says("This is the first step") and step_number(first) == 1


def test_repeat_says_the_same_step_again(she):
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    assert step_number(she.ask("AMAZON.RepeatIntent")) == 2
    assert step_number(she.ask("AMAZON.NextIntent")) == 3


def test_start_over_goes_back_to_step_one(she):
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    she.ask("AMAZON.NextIntent")
    heard = she.ask("AMAZON.StartOverIntent")
    assert heard.says("from the top") and step_number(heard) == 1


def test_pause_ends_with_the_exact_words_to_come_back_and_they_bring_her_to_her_step(she):
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    paused = she.ask("AMAZON.PauseIntent")
    assert paused.says("paused", "say, Alexa, ask cramp coach to continue my stretch")
    assert not paused.session_open
    resumed = she.later().ask("ResumeWalkthroughIntent")  # "Alexa, ask cramp coach to continue my stretch"
    assert resumed.says("picking up where we left off") or resumed.says("let's carry on")
    assert step_number(resumed) == 2
    assert step_number(she.ask("AMAZON.NextIntent")) == 3


def test_after_a_pause_opening_the_skill_offers_her_step_and_yes_carries_on(she):
    she.open()
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    she.ask("AMAZON.PauseIntent")
    assert she.later().open().says("you were on step 2")
    assert step_number(she.ask("AMAZON.YesIntent")) == 2


def test_stop_mid_stretch_ends_gently_with_the_doctor_line(she):
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    heard = she.ask("AMAZON.StopIntent")
    assert heard.says("stop the stretch", DOCTOR)
    assert not heard.session_open


def test_no_mid_stretch_also_stops_it(she):
    she.ask("StartWalkthroughIntent")
    heard = she.ask("AMAZON.NoIntent")
    assert heard.says("stop the stretch") and not heard.session_open


def test_a_question_mid_stretch_is_answered_and_resume_returns_to_her_step(she):
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    food = she.ask("FoodAndDrinkIntent")
    assert food.says("calcium")
    assert she.ask("AMAZON.NextIntent").says("cottage cheese")
    assert step_number(she.ask("AMAZON.ResumeIntent")) == 2


def test_help_mid_stretch_says_how_to_carry_on(she):
    she.ask("StartWalkthroughIntent")
    heard = she.ask("AMAZON.HelpIntent")
    assert "next" in heard.reprompt.lower()
    assert step_number(she.ask("AMAZON.NextIntent")) == 2


def test_stretch_controls_with_no_stretch_running_offer_one(she):
    for intent in ("AMAZON.PreviousIntent", "AMAZON.PauseIntent", "AMAZON.StartOverIntent", "AMAZON.ResumeIntent"):
        heard = she.ask(intent)
        assert heard.says("not in a stretch right now"), intent
        assert "stretch" in heard.reprompt.lower()
    assert step_number(she.ask("AMAZON.YesIntent")) == 1


def test_stretch_progress_lives_behind_the_store_interface(skill, model):
    """The walkthrough reads and writes progress only through its store (the persistence seam)."""
    from conftest import Conversation
    from skill.runtime.builder import SkillConfig, build_skill
    from skill.runtime.state import PersistentWalkthroughStore

    class CountingStore(PersistentWalkthroughStore):
        saves: list[int] = []

        def save(self, handler_input, progress):
            self.saves.append(progress.step)
            super().save(handler_input, progress)

    store = CountingStore()
    she = Conversation(build_skill(SkillConfig(walkthrough_store=store, seed=1)), model)
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    she.ask("AMAZON.NextIntent")
    assert store.saves == [0, 1, 2]
