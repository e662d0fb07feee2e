"""Every request type Alexa can send gets one answer, whether the skill runs as a web service or on Lambda.

Each real request (tests/requests/, shaped as Alexa sends them) goes through the Flask app and
through ``skill.lambda_function.handler``; both answer it as skill/runtime/request_types.py's table says.
"""

from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from skill.runtime.inbound import BadEnvelope
from skill.runtime.request_types import REQUEST_TYPES, Answer, row_for
from skill.web.app import WebConfig, create_app

REQUESTS = Path(__file__).parent / "requests"
EMPTY = {"version": "1.0", "response": {}}
CANNOT_FULFILL = {"version": "1.0", "response": {"canFulfillIntent": {"canFulfill": "NO"}}}
SAFETY_NET = "midwife"

SPEAKS = "speaks"
SPEAKS_SAFELY = "speaks, with when to contact her doctor or midwife"
SILENT = "the skill's answer, nothing spoken"
REFUSED = "refused: request.type: 'Alexa.Presentation.APL.UserEvent' is not supported by this skill"

EXPECTED = {
    "launch_request_echo_dot": SPEAKS,
    "intent_request_echo_show": SPEAKS_SAFELY,
    "session_ended_error": SILENT,
    "skill_disabled_event": SILENT,
    "session_resumed_request": SPEAKS_SAFELY,  # no token of the skill's: not its question, so the apology with the safety net
    "connections_response": SPEAKS_SAFELY,  # likewise (with its token: the reminder's answer, tests/test_reminders.py)
    "can_fulfill_intent_request": CANNOT_FULFILL,
    "system_exception_encountered": EMPTY,
    "apl_runtime_error": EMPTY,
    "audioplayer_playback_stopped": EMPTY,
    "playback_controller_next": EMPTY,
    "apl_user_event": REFUSED,
}


def alexa_sends(name: str) -> dict[str, Any]:
    return json.loads((REQUESTS / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def web():
    app = create_app(WebConfig(verify=False))  # its own skill, built as `serve` builds it

    def answer(envelope: dict[str, Any]) -> Any:
        response = app.test_client().post("/alexa", json=envelope)
        if response.status_code == 400:
            return f"refused: {response.get_json()['error']}"
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    return answer


@pytest.fixture
def on_lambda(monkeypatch):
    for name in ("CRAMP_COACH_SKILL_ID", "CRAMP_COACH_DYNAMODB_TABLE"):
        monkeypatch.delenv(name, raising=False)
    import skill.lambda_function

    handler = importlib.reload(skill.lambda_function).handler  # a fresh container

    def answer(envelope: dict[str, Any]) -> Any:
        try:
            return handler(envelope, None)
        except BadEnvelope as problem:
            return f"refused: {problem}"

    return answer


def heard(answer: Any) -> Any:
    """What she gets from an answer: the fixed JSON, a refusal, or whether the skill spoke (and safely)."""
    if isinstance(answer, str) or answer in (EMPTY, CANNOT_FULFILL):
        return answer
    speech = answer["response"].get("outputSpeech")
    if speech is None:
        return SILENT
    return SPEAKS_SAFELY if SAFETY_NET in speech["ssml"] else SPEAKS


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_web_service_and_lambda_answer_each_request_type_alike(web, on_lambda, name):
    envelope = alexa_sends(name)
    from_web, from_lambda = web(json.loads(json.dumps(envelope))), on_lambda(json.loads(json.dumps(envelope)))
    assert heard(from_web) == heard(from_lambda) == EXPECTED[name]
    if from_web in (EMPTY, CANNOT_FULFILL):
        assert from_web == from_lambda


NOTIFICATIONS = ["AlexaSkillEvent.SkillEnabled", "AlexaHouseholdListEvent.ItemsCreated", "Messaging.MessageReceived",
                 "AudioPlayer.PlaybackFailed", "PlaybackController.PauseCommandIssued"]


def test_every_row_of_the_table_is_tested_through_both_entries():
    covered = {row_for(alexa_sends(name)["request"]["type"]) for name in EXPECTED} | set(map(row_for, NOTIFICATIONS))
    assert [row.name for row in REQUEST_TYPES if row not in covered] == []


@pytest.mark.parametrize("request_type", NOTIFICATIONS)
def test_notifications_without_a_session_get_the_empty_response_on_both(web, on_lambda, request_type):
    envelope = alexa_sends("skill_disabled_event")
    envelope["request"]["type"] = request_type
    assert web(envelope) == on_lambda(envelope) == EMPTY


def test_a_malformed_request_is_refused_with_the_same_words_on_both(web, on_lambda):
    envelope = alexa_sends("launch_request_echo_dot")
    del envelope["request"]["timestamp"]
    assert web(envelope) == on_lambda(envelope) == "refused: request.timestamp: missing"
    envelope = alexa_sends("intent_request_echo_show")
    envelope["request"]["dialogState"] = "HALFWAY"  # the envelope checks pass; ask-sdk cannot read it
    assert web(envelope) == on_lambda(envelope) == "refused: request: does not match the Alexa request format"


def test_a_fault_alexa_reports_is_a_warning_in_the_log(web, on_lambda, caplog):
    caplog.set_level(logging.WARNING)
    web(alexa_sends("system_exception_encountered"))
    on_lambda(alexa_sends("apl_runtime_error"))
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert any("System.ExceptionEncountered: INVALID_RESPONSE: Invalid directive" in line for line in warnings)
    assert any("Alexa.Presentation.APL.RuntimeError: LIST_ERROR: List items missing" in line for line in warnings)



def test_the_table_fits_what_the_skill_package_declares():
    """CanFulfillIntentRequest is answered NO because the manifest does not declare it; every event the
    manifest subscribes to has a row the skill's handlers answer."""
    from skill.tools import publish

    manifest = publish.build_manifest(publish.load_listing(), ["en-US"], publish.endpoint_for(
        lambda_arn="arn:aws:lambda:us-east-1:123456789012:function:cramp-coach"))["manifest"]
    interfaces = [interface["type"] for interface in manifest["apis"]["custom"]["interfaces"]]
    assert "CAN_FULFILL_INTENT_REQUEST" not in interfaces
    assert row_for("CanFulfillIntentRequest").answer is Answer.CANNOT_FULFILL
    for event in manifest["events"]["subscriptions"]:
        request_type = "AlexaSkillEvent." + "".join(word.title() for word in event["eventName"].split("_"))
        assert row_for(request_type).answer is Answer.SKILL, request_type
