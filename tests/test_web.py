"""The web service and bad input: every wrong thing gets the right 4xx and a short JSON error naming
the problem, one log line, never a stack trace; nothing anyone sends makes it answer 5xx."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any, Callable

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from skill import __version__
from skill.runtime.envelope import (
    LOCAL_SKILL_ID, Session, SlotFill, connections_response, intent_request, launch_request, session_ended_request,
)
from skill.web.verify import RequestVerifier
from skill.web.app import INTERNAL_ERROR, MAX_BODY_BYTES, VERIFICATION_FAILED, WebConfig, create_app

from alexa_signing import CERT_URL, NOW, Authority, Clock, FakeS3, iso
from fuzz_budget import examples
from json_shapes import containers

EMPTY_RESPONSE = {"version": "1.0", "response": {}}


@pytest.fixture(scope="module")
def client(skill):
    """Verification off (as for local testing), so each body reaches the shape checks."""
    return create_app(WebConfig(verify=False), skill=skill).test_client()


def post(client, body: Any, **kwargs: Any):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post("/alexa", data=data, content_type="application/json", **kwargs)


def launch() -> dict[str, Any]:
    return launch_request(Session())


def calf_cramp() -> dict[str, Any]:
    return intent_request(Session(), "CrampNowIntent", {"bodyPart": SlotFill("calf", "calf", "calf", "BodyPart")})


def without(path: str, envelope: Callable[[], dict[str, Any]] = calf_cramp) -> dict[str, Any]:
    document = json.loads(json.dumps(envelope()))  # as received: no dicts shared between fields
    *parents, last = path.split(".")
    node = document
    for key in parents:
        node = node[key]
    del node[last]
    return document


def with_value(path: str, value: Any, envelope: Callable[[], dict[str, Any]] = calf_cramp) -> dict[str, Any]:
    document = json.loads(json.dumps(envelope()))
    *parents, last = path.split(".")
    node = document
    for key in parents:
        node = node[key]
    node[last] = value
    return document


def of_type(request_type: str) -> dict[str, Any]:
    document = launch()
    document["request"] = {"type": request_type, "requestId": "amzn1.echo-api.request.1",
                           "timestamp": document["request"]["timestamp"], "locale": "en-US"}
    return document


def test_healthz_answers_with_the_version_once_the_skill_is_loaded(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "version": __version__}


def test_a_real_request_gets_the_skills_answer(client):
    response = post(client, calf_cramp())
    assert response.status_code == 200
    assert "toes" in response.get_json()["response"]["outputSpeech"]["ssml"]


BAD_INPUT = {
    "not JSON": (b"what helps leg cramps", "body: not JSON"),
    "empty body": (b"", "body: empty"),
    "invalid UTF-8": (b'{"version": "\xff\xfe"}', "body: not JSON"),
    "a JSON list": ([1, 2], "body: must be a JSON object, got a list"),
    "a JSON string": ("LaunchRequest", "body: must be a JSON object, got a string"),
    "nested far too deep": (b"[" * 100 + b"]" * 100, "body: nested deeper than 64 levels"),
    "nested past any parser's limit": (b"[" * 5000 + b"]" * 5000, "body: not JSON"),
    "a byte-order mark": (b'\xef\xbb\xbf{"version": "1.0"}', "body: not JSON"),
    "NaN, which JSON has not": (b'{"version": NaN}', "body: not JSON"),
    "JSON, but not an envelope": ({"hello": "world"}, "version: missing"),
    "version missing": (without("version"), "version: missing"),
    "version a number": (with_value("version", 1.0), "version: must be a string, got a number"),
    "request missing": (without("request"), "request: missing"),
    "request a list": (with_value("request", []), "request: must be an object, got a list"),
    "request.type missing": (without("request.type"), "request.type: missing"),
    "request.type a number": (with_value("request.type", 7), "request.type: must be a string, got a number"),
    "request.type empty": (with_value("request.type", ""), "request.type: must not be empty"),
    "request.requestId missing": (without("request.requestId"), "request.requestId: missing"),
    "request.requestId null": (with_value("request.requestId", None), "request.requestId: must be a string, got null"),
    "request.timestamp missing": (without("request.timestamp"), "request.timestamp: missing"),
    "request.timestamp not a time": (with_value("request.timestamp", "yesterday"), "request.timestamp: not an ISO 8601 time"),
    "request.timestamp impossible": (with_value("request.timestamp", "2026-02-30T25:00:00Z"), "request.timestamp: not an ISO 8601 time"),
    "request.timestamp in epoch ms": (with_value("request.timestamp", 1767225600000), "request.timestamp: must be a string"),
    "request.locale missing": (without("request.locale"), "request.locale: missing"),
    "request.locale a number": (with_value("request.locale", 1033), "request.locale: must be a string"),
    "request.locale not a locale": (with_value("request.locale", "<script>"), "request.locale: not a locale"),
    "context missing": (without("context"), "context: missing"),
    "context.System missing": (without("context.System"), "context.System: missing"),
    "context applicationId missing": (without("context.System.application.applicationId"),
                                      "context.System.application.applicationId: missing"),
    "context applicationId a number": (with_value("context.System.application.applicationId", 42),
                                       "context.System.application.applicationId: must be a string"),
    "context user not an object": (with_value("context.System.user", "me"), "context.System.user: must be an object"),
    "session missing from an intent": (without("session"), "session: missing"),
    "session.new a string": (with_value("session.new", "true"), "session.new: must be true or false"),
    "session.new missing": (without("session.new"), "session.new: missing"),
    "session.sessionId missing": (without("session.sessionId"), "session.sessionId: missing"),
    "session applicationId missing": (without("session.application.applicationId"),
                                      "session.application.applicationId: missing"),
    "session.attributes a list": (with_value("session.attributes", ["walkthrough"]),
                                  "session.attributes: must be an object, got a list"),
    "session.user.userId a number": (with_value("session.user.userId", 5), "session.user.userId: must be a string"),
    "intent missing": (without("request.intent"), "request.intent: missing"),
    "intent name missing": (without("request.intent.name"), "request.intent.name: missing"),
    "slots a list": (with_value("request.intent.slots", []), "request.intent.slots: must be an object"),
    "slot a string": (with_value("request.intent.slots.bodyPart", "calf"), "request.intent.slots.bodyPart: must be an object"),
    "slot value a number": (with_value("request.intent.slots.bodyPart.value", 3),
                            "request.intent.slots.bodyPart.value: must be a string"),
    "session-ended reason a number": (with_value("request.reason", 1, lambda: session_ended_request(Session())),
                                      "request.reason: must be a string"),
    "an unknown request type": (of_type("PizzaRequest"), "request.type: 'PizzaRequest' is not supported by this skill"),
    "an APL user event": (of_type("Alexa.Presentation.APL.UserEvent"), "is not supported by this skill"),
    "a Connections.Response": (without("session", lambda: connections_response(Session())), "session: missing"),
    "a Gadgets event": (of_type("GameEngine.InputHandlerEvent"), "is not supported by this skill"),
    "a very long request type": (of_type("X" * 500), "request.type: '" + "X" * 60 + "…' is not supported"),
}


@pytest.mark.parametrize("body, message", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_a_400_naming_the_problem(client, body, message):
    response = post(client, body)
    assert response.status_code == 400
    assert set(response.get_json()) == {"error"}
    assert message in response.get_json()["error"]
    assert len(response.get_json()["error"]) < 160


@pytest.mark.parametrize("request_type", [
    "AudioPlayer.PlaybackStarted", "AudioPlayer.PlaybackFailed", "PlaybackController.NextCommandIssued",
    "System.ExceptionEncountered", "AlexaSkillEvent.SkillEnabled", "AlexaSkillEvent.SkillPermissionAccepted",
    "Messaging.MessageReceived",
])
def test_notifications_the_skill_does_not_act_on_get_the_empty_response(client, request_type):
    envelope = of_type(request_type)
    if not request_type.startswith("AudioPlayer."):
        del envelope["session"]
    response = post(client, envelope)
    assert response.status_code == 200
    assert response.get_json() == EMPTY_RESPONSE


def test_a_body_over_128_kib_is_a_413(client):
    envelope = launch()
    envelope["session"]["attributes"] = {"padding": "x" * MAX_BODY_BYTES}
    response = post(client, envelope)
    assert response.status_code == 413
    assert response.get_json() == {"error": f"body too large: the limit is {MAX_BODY_BYTES} bytes"}


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/alexa", 405), ("PUT", "/alexa", 405), ("DELETE", "/alexa", 405), ("POST", "/healthz", 405),
    ("GET", "/", 404), ("POST", "/alexa/", 404), ("GET", "/admin", 404), ("POST", "/Alexa", 404),
])
def test_wrong_methods_and_paths_get_a_json_405_or_404(client, method, path, status):
    response = client.open(path, method=method, data=b"{}")
    assert response.status_code == status
    assert response.is_json and set(response.get_json()) == {"error"}
    assert "POST /alexa" in response.get_json()["error"]


def test_each_bad_request_is_one_log_line_without_a_stack_trace(client, caplog):
    caplog.set_level(logging.INFO)
    post(client, without("request.timestamp"))
    lines = [record for record in caplog.records if record.name.startswith("skill")]
    assert len(lines) == 1
    assert lines[0].getMessage().startswith("POST /alexa 400")
    assert "problem=request.timestamp: missing" in lines[0].getMessage()
    assert lines[0].exc_info is None


def test_the_log_names_request_type_and_intent_but_never_the_user_or_her_words(client, caplog):
    caplog.set_level(logging.DEBUG)
    session = Session(user_id="amzn1.ask.account.SECRETUSER", device_id="amzn1.ask.device.SECRETDEVICE")
    envelope = intent_request(session, "CrampNowIntent", {"bodyPart": SlotFill("my left calf muscle", None, None, "BodyPart")})
    assert post(client, envelope).status_code == 200
    assert "type=IntentRequest intent=CrampNowIntent" in caplog.text
    for private in ("SECRETUSER", "SECRETDEVICE", "left calf muscle", session.session_id):
        assert private not in caplog.text


def test_a_bug_in_the_skill_is_a_500_with_no_details(caplog):
    class BrokenSkill:
        serializer = DefaultSerializer()

        def invoke(self, request_envelope, context):
            raise RuntimeError("secret internals")

    client = create_app(WebConfig(verify=False), skill=BrokenSkill()).test_client()
    response = post(client, launch())
    assert response.status_code == 500
    assert response.get_json() == {"error": INTERNAL_ERROR}
    assert "secret internals" not in response.get_data(as_text=True)
    assert "secret internals" in caplog.text


def test_skill_ids_are_enforced_even_without_signature_checks(skill):
    client = create_app(WebConfig(verify=False, skill_ids=("amzn1.ask.skill.mine",)), skill=skill).test_client()
    response = post(client, launch())
    assert response.status_code == 400
    assert response.get_json() == {"error": VERIFICATION_FAILED}


@pytest.mark.parametrize("header", ["Forwarded", "X-Forwarded-For", "X-Real-IP"])
def test_without_verification_a_request_through_a_proxy_is_refused(client, header):
    """--no-verify is safe only on loopback; behind a proxy, loopback is everyone."""
    response = post(client, launch(), headers={header: "203.0.113.9"})
    assert response.status_code == 403 and "proxy" in response.get_json()["error"]


def test_with_verification_on_a_proxy_in_front_is_expected(skill, authority):
    app = create_app(WebConfig(skill_ids=(LOCAL_SKILL_ID,)), skill=skill,
                     verifier=RequestVerifier([authority.root_cert], load_chain=FakeS3()))
    response = post(app.test_client(), launch(), headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.get_json() == {"error": VERIFICATION_FAILED}  # refused for its missing signature, not the proxy


def test_serving_without_verification_warns_loudly(skill, caplog):
    create_app(WebConfig(verify=False), skill=skill)
    assert any(r.levelno == logging.WARNING and "VERIFICATION IS OFF" in r.getMessage() for r in caplog.records)


def test_verifying_without_a_skill_id_warns(skill, authority, caplog):
    create_app(WebConfig(), skill=skill, verifier=RequestVerifier([authority.root_cert]))
    assert any("no skill id configured" in r.getMessage() for r in caplog.records)


# Fuzzing: bodies and headers anyone could send, against the app with verification on and off.

@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority()


@pytest.fixture(scope="module")
def signer(authority):
    return authority.issue()


@pytest.fixture(scope="module")
def verifying_client(skill, authority, signer):
    verifier = RequestVerifier([authority.root_cert], clock=Clock(), load_chain=FakeS3({CERT_URL: signer.chain_pem}))
    return create_app(WebConfig(skill_ids=(LOCAL_SKILL_ID,)), skill=skill, verifier=verifier).test_client()


def _base_envelopes() -> list[dict[str, Any]]:
    session = Session()
    envelopes = [
        launch_request(session),
        calf_cramp(),
        intent_request(session, "AMAZON.YesIntent"),
        intent_request(session, "AMAZON.NextIntent"),
        intent_request(session, "StartWalkthroughIntent"),
        intent_request(session, "NoSuchIntent"),
        session_ended_request(session, "ERROR"),
        of_type("AudioPlayer.PlaybackStopped"),
        of_type("AlexaSkillEvent.SkillDisabled"),
    ]
    walking = intent_request(session, "AMAZON.NextIntent")
    walking["session"]["attributes"] = {"walkthrough": {"step": 2, "paused": False}, "last": {"speech": "<speak/>"}}
    envelopes.append(walking)
    for envelope in envelopes:
        envelope["request"]["timestamp"] = iso(NOW)
    return envelopes


BASE_ENVELOPES = _base_envelopes()
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@st.composite
def mutated_envelopes(draw) -> dict[str, Any]:
    """A real envelope with a few fields deleted, replaced by any JSON, or added."""
    envelope = json.loads(json.dumps(draw(st.sampled_from(BASE_ENVELOPES))))
    for _ in range(draw(st.integers(1, 3))):
        objects = containers(envelope)
        node = objects[draw(st.integers(0, len(objects) - 1))]
        action = draw(st.sampled_from(["delete", "replace", "replace", "add"]))
        keys = sorted(node)
        if action == "add" or not keys:
            node[draw(st.text(max_size=12))] = draw(json_values)
        elif action == "delete":
            del node[draw(st.sampled_from(keys))]
        else:
            node[draw(st.sampled_from(keys))] = draw(json_values)
    return envelope


bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda value: json.dumps(value).encode()),
    mutated_envelopes().map(lambda envelope: json.dumps(envelope).encode()),
    st.sampled_from(BASE_ENVELOPES).map(lambda envelope: json.dumps(envelope).encode()),
)
cert_urls = st.one_of(
    st.none(), header_text, st.just(CERT_URL),
    st.sampled_from(["http://s3.amazonaws.com/echo.api/c.pem", "https://s3.amazonaws.com:8443/echo.api/c.pem",
                     "https://s3.amazonaws.com/echo.api/../x.pem", "https://[::1/echo.api/", "https://s3.amazonaws.com:x/"]),
)
signatures = st.one_of(st.none(), st.just("SIGN"), header_text, st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode()))
headers = st.one_of(st.just("signed by Alexa"), st.tuples(cert_urls, signatures))
to_alexa = st.just(("POST", "/alexa"))
anywhere = st.tuples(st.sampled_from(["POST", "GET", "PUT"]), st.sampled_from(["/alexa", "/healthz", "/nope"]))
requests_ = st.tuples(st.one_of(to_alexa, to_alexa, to_alexa, anywhere), bodies, headers)


def _send(client, signer, request: tuple) -> Any:
    (method, path), body, sent = request
    if sent == "signed by Alexa":
        sent = (CERT_URL, "SIGN")
    url, signature = sent
    headers = {}
    if url is not None:
        headers["SignatureCertChainUrl"] = url
    if signature == "SIGN":
        signature = signer.sign(body)
    if signature is not None:
        headers["Signature-256"] = signature
    return client.open(path, method=method, data=body, headers=headers, content_type="application/json")


def _assert_handled(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)
    document = response.get_json()
    event(f"{response.status_code} {str(document.get('error', 'answered'))[:40]}")
    assert isinstance(document, dict)
    if response.status_code >= 400:
        assert set(document) == {"error"} and len(document["error"]) < 200
    else:
        assert "response" in document or "status" in document


FUZZ = settings(max_examples=examples(500), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(request=requests_)
def test_nothing_anyone_sends_makes_it_answer_5xx_with_verification_off(client, signer, request):
    _assert_handled(_send(client, signer, request))


@FUZZ
@given(request=requests_)
def test_nothing_anyone_sends_makes_it_answer_5xx_with_verification_on(verifying_client, signer, request):
    _assert_handled(_send(verifying_client, signer, request))


# Log injection: whatever a request carries, each log line stays one line.

FORGERY = "CrampNowIntent\nINFO skill.web: POST /alexa 200 forged\u2028\u2029\r\x1b[2J\x85"


def test_a_log_line_built_from_an_intent_name_with_newlines_stays_one_line(client, caplog):
    caplog.set_level(logging.DEBUG)
    post(client, intent_request(Session(), FORGERY))
    ended = session_ended_request(Session(), "ERROR")
    ended["request"]["error"]["message"] = FORGERY
    post(client, ended)
    messages = [record.getMessage() for record in caplog.records if record.name.startswith("skill")]
    assert any("forged" in message for message in messages)
    for message in messages:
        assert not any(ch in message for ch in "\n\r\x1b\x85\u2028\u2029"), message
    assert any("CrampNowIntent\\x0aINFO" in message for message in messages)


def test_the_servers_formatter_keeps_any_message_on_one_line():
    from skill.runtime.logtext import OneLineFormatter

    record = logging.LogRecord("skill.x", logging.WARNING, __file__, 1, "intent %s", (FORGERY,), None)
    line = OneLineFormatter("%(levelname)s %(message)s").format(record)
    assert line.count("\n") == 0 and "\\u2028" in line and "\\x1b[2J" in line
