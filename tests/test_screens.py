"""What she can read: a card in the Alexa app after each answer, and on an Echo Show the stretch
step or the answer as a short list. A device without a screen is never sent a screen."""

from __future__ import annotations

import shutil

import pytest

from skill.runtime import apl
from skill.runtime.content import ContentError
from skill.runtime.screens import CARD_MAX_CHARACTERS, card, load_screen_words
from skill.runtime.resources import content_dir

DOCTOR = "doctor or midwife"
ECHO_SHOW = {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "2023.3"}}}
OLD_ECHO_SHOW = {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "1.4"}}}
RENDER_DOCUMENT = "Alexa.Presentation.APL.RenderDocument"


def card_of(heard) -> dict | None:
    return heard.response["response"].get("card")


def screens_of(heard) -> list[dict]:
    return [d for d in heard.response["response"].get("directives") or [] if d["type"] == RENDER_DOCUMENT]


@pytest.fixture
def she_on_an_echo_show(she):
    she.session.supported_interfaces = dict(ECHO_SHOW)
    return she


# --------------------------------------------------------------------------- cards


def test_an_answer_leaves_a_card_titled_with_the_topic_holding_what_alexa_said(she, content):
    heard = she.ask("FoodAndDrinkIntent")
    shown = card_of(heard)
    assert shown["type"] == "Simple"
    assert shown["title"] == content.topics["food"].title
    assert shown["content"] == heard.text
    assert "<" not in shown["content"] and "calcium" in shown["content"]


def test_a_symptom_answer_card_keeps_the_doctor_line_to_read_in_the_morning(she, content):
    heard = she.ask("CrampNowIntent", bodyPart="calf")
    assert card_of(heard)["title"] == content.topics["cramp_now"].title
    assert DOCTOR in card_of(heard)["content"]


def test_tell_me_more_keeps_the_topic_title(she, content):
    she.ask("BackSpasmIntent")
    more = she.ask("TellMeMoreIntent")
    assert card_of(more)["title"] == content.topics["back_spasm"].title
    assert card_of(more)["content"] == more.text


def test_a_stretch_step_card_is_titled_with_the_step_and_leaves_out_the_spoken_count(she, content):
    she.ask("StartWalkthroughIntent")
    heard = she.ask("AMAZON.NextIntent")
    shown = card_of(heard)
    assert shown["title"] == "Stretch: step 2 of 6"
    assert content.walkthrough.steps[1].line.variants[0] in shown["content"]
    assert "Hold it" in shown["content"] and not any(ch.isdigit() for ch in shown["content"].split("Hold it")[1])


def test_the_first_step_card_names_step_one(she):
    assert card_of(she.ask("StartWalkthroughIntent"))["title"] == "Stretch: step 1 of 6"


def test_the_welcome_and_help_carry_the_skills_name(she):
    assert card_of(she.open())["title"] == "Cramp Coach"
    assert card_of(she.ask("AMAZON.HelpIntent"))["title"] == "Cramp Coach"


def test_help_after_an_answer_is_not_titled_as_that_answer(she):
    she.ask("FoodAndDrinkIntent")
    assert card_of(she.ask("AMAZON.HelpIntent"))["title"] == "Cramp Coach"


def test_a_plain_goodbye_leaves_no_card(she):
    she.open()
    bye = she.ask("AMAZON.StopIntent")
    assert not bye.session_open
    assert card_of(bye) is None


def test_stopping_the_stretch_leaves_the_doctor_line_on_a_card(she):
    she.ask("StartWalkthroughIntent")
    stopped = she.ask("AMAZON.StopIntent")
    assert not stopped.session_open
    assert DOCTOR in card_of(stopped)["content"]


def test_saying_no_after_worrying_symptoms_leaves_the_urgent_line_on_a_card(she):
    she.ask("SevereSymptomsIntent")
    closing = she.ask("AMAZON.NoIntent")
    assert not closing.session_open
    assert DOCTOR in card_of(closing)["content"]


def test_when_alexa_ends_the_session_there_is_no_card(she):
    she.open()
    ended = she.end("EXCEEDED_MAX_REPROMPTS")
    assert "card" not in ended["response"]
    assert "directives" not in ended["response"] or not ended["response"]["directives"]


def test_a_card_never_exceeds_amazons_size_limit():
    long = card("A title", "word " * 3000)
    assert len(long.title) + len(long.text) <= CARD_MAX_CHARACTERS
    assert long.title == "A title" and long.text.endswith("…")


# --------------------------------------------------------------------------- screens


def test_a_speaker_without_a_screen_never_gets_an_apl_screen(she):
    for heard in (she.open(), she.ask("FoodAndDrinkIntent"), she.ask("StartWalkthroughIntent"),
                  she.ask("AMAZON.NextIntent")):
        assert screens_of(heard) == []
        assert card_of(heard) is not None


def test_an_echo_show_sees_the_step_its_number_the_instruction_and_progress(she_on_an_echo_show, content):
    she = she_on_an_echo_show
    she.ask("StartWalkthroughIntent")
    (screen,) = screens_of(she.ask("AMAZON.NextIntent"))
    stretch = screen["datasources"]["stretch"]
    assert stretch["heading"] == "Step 2 of 6"
    assert stretch["instruction"] == content.walkthrough.steps[1].line.variants[0]
    assert stretch["hold"] == "Hold for 10 seconds"
    assert stretch["progressPercent"] == 33
    assert screen["document"]["mainTemplate"]["parameters"] == ["stretch"]


def test_progress_reaches_the_end_on_the_last_step(she_on_an_echo_show):
    she = she_on_an_echo_show
    she.ask("StartWalkthroughIntent")
    for _ in range(5):
        heard = she.ask("AMAZON.NextIntent")
    assert screens_of(heard)[0]["datasources"]["stretch"]["progressPercent"] == 100


def test_a_paused_stretch_ends_the_session_leaving_a_card_with_the_words_to_come_back(she_on_an_echo_show):
    she = she_on_an_echo_show
    she.ask("StartWalkthroughIntent")
    paused = she.ask("AMAZON.PauseIntent")
    assert not paused.session_open and screens_of(paused) == []
    assert "continue my stretch" in paused.response["response"]["card"]["content"]


def test_an_echo_show_sees_an_answer_as_a_short_list_under_its_title(she_on_an_echo_show, content):
    she = she_on_an_echo_show
    heard = she.ask("CrampNowIntent", bodyPart="calf")
    (screen,) = screens_of(heard)
    answer = screen["datasources"]["answer"]
    assert answer["title"] == content.topics["cramp_now"].title
    assert 2 <= len(answer["items"]) <= 6
    assert " ".join(answer["items"] + [answer["question"]]) == heard.text
    assert answer["question"].endswith("?") and answer["question"] == heard.reprompt
    assert "not medical advice" in answer["disclaimer"]


def test_no_screen_is_sent_with_a_goodbye(she_on_an_echo_show):
    she = she_on_an_echo_show
    she.ask("StartWalkthroughIntent")
    assert screens_of(she.ask("AMAZON.StopIntent")) == []


def test_an_older_screen_that_cannot_draw_the_document_gets_the_card_only(she):
    she.session.supported_interfaces = dict(OLD_ECHO_SHOW)
    heard = she.ask("FoodAndDrinkIntent")
    assert screens_of(heard) == [] and card_of(heard) is not None


def test_every_screen_sent_binds_only_data_the_skill_sends(she_on_an_echo_show, model):
    she = she_on_an_echo_show
    documents = apl.load_documents()
    by_parameters = {tuple(doc["mainTemplate"]["parameters"]): name for name, doc in documents.items()}
    turns = [she.open()]
    for intent in [i["name"] for i in model["interactionModel"]["languageModel"]["intents"]]:
        if intent not in ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent"):
            turns.append(she.ask(intent))
    she.ask("StartWalkthroughIntent")
    turns += [she.ask("AMAZON.NextIntent") for _ in range(6)]
    sent = [screen for heard in turns for screen in screens_of(heard)]
    assert {by_parameters[tuple(s["document"]["mainTemplate"]["parameters"])] for s in sent} == set(apl.DOCUMENTS)
    for screen in sent:
        name = by_parameters[tuple(screen["document"]["mainTemplate"]["parameters"])]
        assert screen["document"] == documents[name]
        assert apl.document_problems(name, screen["document"], screen["datasources"]) == []
    for heard in turns:
        shown = card_of(heard)
        assert shown is None or len(shown["title"]) + len(shown["content"]) <= CARD_MAX_CHARACTERS


# --------------------------------------------------------------------------- the documents and words


@pytest.mark.parametrize("name", apl.DOCUMENTS)
def test_each_apl_document_is_apl_of_a_released_version_the_test_device_can_draw(name):
    document = apl.load_documents()[name]
    assert apl.document_problems(name, document) == []
    assert apl.device_can_render(document, ECHO_SHOW["Alexa.Presentation.APL"]["runtime"]["maxVersion"])
    assert document["mainTemplate"]["parameters"] and document["mainTemplate"]["items"]


def test_a_document_binding_data_the_skill_does_not_send_is_caught():
    document = {"type": "APL", "version": "2023.3",
                "mainTemplate": {"parameters": ["stretch"], "items": [{"type": "Text", "text": "${stretch.colour}"}]}}
    problems = apl.document_problems("broken", document, {"stretch": {"heading": "Step 1 of 6"}})
    assert problems == ["apl/broken.json: binds ${stretch.colour}, which the skill's data sources lack"]


def test_a_document_of_an_unknown_version_or_type_is_caught():
    problems = apl.document_problems("odd", {"type": "APLA", "version": "3.0", "mainTemplate": {"parameters": []}})
    assert any("type" in p for p in problems) and any("version" in p for p in problems)
    assert any("parameters" in p for p in problems)


def test_versions_compare_in_release_order():
    assert apl.version_key("1.9") < apl.version_key("2022.1") < apl.version_key("2023.3")


def test_a_broken_screens_file_names_the_file_and_key(tmp_path):
    shutil.copytree(content_dir(), tmp_path, dirs_exist_ok=True)
    path = tmp_path / "screens.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("{number} of {total}\"", "{step} of {total}\""),
                    encoding="utf-8")
    with pytest.raises(ContentError, match=r"content/screens.yaml: card_titles.walkthrough_step: may only use"):
        load_screen_words(tmp_path)


def test_card_text_of_the_skills_replies_is_cached_but_a_made_up_long_speech_is_not():
    from skill.runtime.screens import PLAIN_TEXT_CACHE_MAX_CHARACTERS, _cached_plain_text, plain_text

    _cached_plain_text.cache_clear()
    reply = '<speak>Step 2 of 6. Hold it. <say-as interpret-as="cardinal">1</say-as> And relax.</speak>'
    assert plain_text(reply) == plain_text(reply) == "Step 2 of 6. Hold it. And relax."
    assert _cached_plain_text.cache_info().hits == 1
    made_up = "<speak>" + "cramp " * PLAIN_TEXT_CACHE_MAX_CHARACTERS + "</speak>"
    assert plain_text(made_up).startswith("cramp cramp")
    assert _cached_plain_text.cache_info().currsize == 1
