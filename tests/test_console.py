"""The browser console's JSON endpoint: she types (or says) words, the same local understanding as
``cramp-coach chat`` turns them into Alexa's request, and the page gets what to say, show and
whether to listen again. Bad input is a short 4xx JSON error; /alexa keeps its verification."""

from __future__ import annotations

import json
import logging
from typing import Any, Optional

import pytest
from click.testing import CliRunner

from skill.web import serve as serve_module
from skill.tools.cli import main
from skill.web.console import MAX_TEXT_CHARACTERS
from skill.tools.console_turns import ConsoleConversations, SpokenPart, spoken_parts
from skill.runtime.envelope import Session, launch_request
from skill.web.app import VERIFICATION_FAILED, WebConfig, create_app


@pytest.fixture
def console(skill):
    """A console on the app /alexa is served by, verification on as in production."""
    return create_app(WebConfig(console=True), skill=skill).test_client()


class Browser:
    """One browser tab: it keeps the conversation id each answer gives, as console.js does."""

    def __init__(self, client) -> None:
        self.client = client
        self.conversation: Optional[str] = None

    def say(self, text: str) -> dict[str, Any]:
        response = self.client.post("/console/say", json={"text": text, "conversation": self.conversation})
        assert response.status_code == 200, response.get_json()
        answer = response.get_json()
        self.conversation = answer["conversation"]
        return answer

    def start_over(self) -> dict[str, Any]:
        response = self.client.post("/console/start-over", json={"conversation": self.conversation})
        assert response.status_code == 200
        self.conversation = None
        return response.get_json()


@pytest.fixture
def her(console) -> Browser:
    return Browser(console)


def refusal(client, body: Any, *, raw: Optional[bytes] = None, content_type: str = "application/json"):
    data = raw if raw is not None else json.dumps(body).encode()
    response = client.post("/console/say", data=data, content_type=content_type)
    return response.status_code, response.get_json()


# What she hears, reads and sees.

def test_she_types_a_question_and_gets_the_answer_its_card_and_what_it_was_understood_as(her):
    answer = her.say("what helps leg cramps")
    assert "toes" in answer["text"] and "doctor or midwife" in answer["text"]
    assert answer["ssml"].startswith("<speak>")
    assert answer["card"]["title"] == "A cramp right now" and answer["card"]["text"] == answer["text"]
    assert answer["heard"]["kind"] == "intent" and answer["heard"]["intent"] == "CrampNowIntent"
    assert answer["expects_reply"] is True and answer["session_ended"] is False
    assert answer["conversation"] and answer["restarted"] is True


def test_the_same_understanding_as_chat_a_launch_phrase_opens_the_skill(her):
    answer = her.say("open cramp coach")
    assert answer["heard"]["kind"] == "launch" and answer["heard"]["intent"] is None
    assert "not medical advice" in answer["text"].lower()


def test_slots_she_names_are_shown_as_heard(her):
    heard = her.say("my calf is cramping")["heard"]
    assert heard["intent"] == "CrampNowIntent"
    assert heard["slots"]["bodyPart"] == {"spoken": "calf", "resolved": "calf"}


def test_the_conversation_carries_on_across_calls_to_step_3_of_6(her):
    first = her.say("walk me through a stretch")
    conversation = first["conversation"]
    her.say("next")
    third = her.say("next")
    assert her.conversation == conversation and third["restarted"] is False
    assert "Step 3 of 6" in third["text"]
    assert third["screen"]["kind"] == "stretch"
    step = third["screen"]["data"]
    assert step["heading"] == "Step 3 of 6" and step["progressPercent"] == 50
    assert step["instruction"] in third["text"] and step["hold"] == "Hold for 10 seconds"
    assert third["card"]["title"] == "Stretch: step 3 of 6"


def test_an_answer_that_is_not_a_step_shows_the_answer_screen(her):
    screen = her.say("what should I eat")["screen"]
    assert screen["kind"] == "answer" and screen["data"]["items"]


def test_she_is_listened_to_again_only_while_the_skill_waits_for_her(her):
    assert her.say("what should I eat")["expects_reply"] is True
    goodbye = her.say("stop")
    assert goodbye["expects_reply"] is False and goodbye["session_ended"] is True
    again = her.say("what helps leg cramps")  # a new session, as on an Echo
    assert again["expects_reply"] is True and again["conversation"] == her.conversation


def test_two_browsers_are_two_conversations(console):
    one, two = Browser(console), Browser(console)
    one.say("walk me through a stretch")
    two.say("what should I eat")
    assert "Step 2 of 6" in one.say("next")["text"]
    assert one.conversation != two.conversation


def test_start_over_forgets_the_conversation(her):
    her.say("walk me through a stretch")
    her.say("next")
    forgotten = her.conversation
    assert her.start_over() == {"conversation": None, "forgotten": True}
    fresh = her.say("next")
    assert fresh["restarted"] is True and fresh["conversation"] != forgotten
    assert "Step 3 of 6" not in fresh["text"]


def test_start_over_of_an_unknown_conversation_is_fine(console):
    response = console.post("/console/start-over", json={"conversation": "no-such-id"})
    assert response.status_code == 200 and response.get_json() == {"conversation": None, "forgotten": False}


def test_an_unknown_or_forgotten_conversation_starts_a_new_one(console):
    response = console.post("/console/say", json={"text": "next", "conversation": "expired-long-ago"})
    answer = response.get_json()
    assert response.status_code == 200 and answer["restarted"] is True
    assert answer["conversation"] != "expired-long-ago"


# How the browser speaks it.

def test_the_bedtime_answer_is_spoken_slower(her):
    answer = her.say("I'm going to bed")
    assert answer["speech"] and all(part["rate"] == pytest.approx(0.9) for part in answer["speech"])


def test_the_hold_count_is_spoken_with_its_pauses(her):
    her.say("walk me through a stretch")
    speech = her.say("next")["speech"]
    counted = [part for part in speech if part["pause_ms"] == 1500]
    assert len(counted) == 5
    assert [part["text"][-1] for part in counted] == ["1", "2", "3", "4", "5"]


def test_spoken_parts_split_at_pauses_and_changes_of_pace():
    ssml = ('<speak>Normal. <prosody rate="90%" volume="soft">Slow <break time="2s"/> still slow.</prosody>'
            ' <say-as interpret-as="cardinal">3</say-as> <break strength="strong"/></speak>')
    assert spoken_parts(ssml) == [
        SpokenPart("Normal.", 1.0, 0),
        SpokenPart("Slow", 0.9, 2000),
        SpokenPart("still slow.", 0.9, 0),
        SpokenPart("3", 1.0, 750),
    ]


# Bad input: a clear 4xx JSON error, never a 5xx.

@pytest.mark.parametrize("body, error", [
    ({"text": ""}, "text: empty: type what she would say"),
    ({"text": "   "}, "text: empty: type what she would say"),
    ({}, "text: missing: send what she would say"),
    ({"text": 42}, "text: must be a string"),
    ({"text": "x" * (MAX_TEXT_CHARACTERS + 1)}, f"text: 501 characters, the limit is {MAX_TEXT_CHARACTERS}"),
    ({"text": "next", "conversation": 7}, "conversation: must be a string, the id the last answer gave (or null)"),
    (["what helps leg cramps"], 'body: must be a JSON object, e.g. {"text": "what helps leg cramps"}'),
])
def test_bad_input_is_a_400_naming_the_problem(console, body, error):
    assert refusal(console, body) == (400, {"error": error})


def test_text_of_exactly_the_limit_is_fine(console):
    assert console.post("/console/say", json={"text": "x" * MAX_TEXT_CHARACTERS}).status_code == 200


def test_a_body_that_is_not_json_is_a_400(console):
    assert refusal(console, None, raw=b"{not json") == (400, {"error": "body: not JSON"})


def test_a_form_post_from_another_site_is_refused_as_not_json(console):
    status, body = refusal(console, None, raw=b"text=hello", content_type="application/x-www-form-urlencoded")
    assert status == 415 and body["error"].startswith("content type")


def test_a_name_other_than_this_computer_is_refused(console):
    response = console.post("/console/say", json={"text": "hello"}, headers={"Host": "coach.example.org"})
    assert response.status_code == 403 and "this computer" in response.get_json()["error"]
    assert console.get("/", headers={"Host": "127.0.0.1:8080"}).status_code == 200
    assert console.get("/", headers={"Host": "[::1]:8080"}).status_code == 200


@pytest.mark.parametrize("header", ["Forwarded", "X-Forwarded-For", "X-Real-IP", "X-Forwarded-Host"])
def test_a_request_a_proxy_forwarded_is_refused_whatever_its_host(console, header):
    """nginx's default sends Host: 127.0.0.1:8080, so the Host check alone would let the internet in."""
    headers = {"Host": "127.0.0.1:8080", header: "for=203.0.113.9" if header == "Forwarded" else "203.0.113.9"}
    response = console.post("/console/say", json={"text": "hello"}, headers=headers)
    assert response.status_code == 403 and "proxy" in response.get_json()["error"]
    assert console.get("/", headers=headers).status_code == 403


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "http://127.0.0.1:9999"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
])
def test_a_post_from_another_page_is_refused(console, headers):
    response = console.post("/console/say", json={"text": "hello"}, headers={"Host": "127.0.0.1:8080", **headers})
    assert response.status_code == 403 and "own page" in response.get_json()["error"]


def test_a_post_from_its_own_page_is_answered(console):
    headers = {"Host": "127.0.0.1:8080", "Origin": "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"}
    assert console.post("/console/say", json={"text": "hello"}, headers=headers).status_code == 200


def test_the_log_names_the_intent_but_never_her_words(console, caplog):
    caplog.set_level(logging.INFO)
    console.post("/console/say", json={"text": "my calf is cramping tonight"})
    lines = [r.getMessage() for r in caplog.records if r.name == "skill.web"]
    assert any("POST /console/say 200" in line and "intent=CrampNowIntent" in line for line in lines)
    assert "tonight" not in caplog.text


# The page, and what stays as it was.

def test_the_page_and_its_files_are_served_with_nothing_from_elsewhere(console):
    page = console.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "General tips, not medical advice" in html
    assert "http://" not in html and "https://" not in html
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    for name, mimetype in (("console.js", "text/javascript"), ("console.css", "text/css"),
                           ("theme.js", "text/javascript"), ("icon.svg", "image/svg+xml")):
        response = console.get(f"/console/static/{name}")
        assert response.status_code == 200 and response.mimetype == mimetype, name
        response.close()


def test_without_console_there_is_no_page(skill):
    client = create_app(WebConfig(verify=False), skill=skill).test_client()
    assert client.get("/").status_code == 404
    assert client.post("/console/say", json={"text": "hello"}).status_code == 404


def test_alexa_keeps_its_verification_with_the_console_on(console):
    response = console.post("/alexa", data=json.dumps(launch_request(Session())), content_type="application/json")
    assert response.status_code == 400 and response.get_json() == {"error": VERIFICATION_FAILED}


# Conversations are bounded and forgotten when idle.

class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_least_recently_used_conversation_is_forgotten_beyond_the_limit():
    conversations = ConsoleConversations(object, capacity=2, clock=FakeClock())
    first, _ = conversations.find_or_start(None)
    second, _ = conversations.find_or_start(None)
    assert conversations.find_or_start(first.id) == (first, False)  # first is now the more recent
    conversations.find_or_start(None)
    assert len(conversations) == 2
    assert conversations.find_or_start(second.id)[1] is True


def test_an_idle_conversation_is_forgotten():
    clock = FakeClock()
    conversations = ConsoleConversations(object, idle_seconds=60, clock=clock)
    kept, _ = conversations.find_or_start(None)
    clock.now += 59
    assert conversations.find_or_start(kept.id) == (kept, False)
    clock.now += 61
    again, restarted = conversations.find_or_start(kept.id)
    assert restarted and again.id != kept.id and len(conversations) == 1


# `cramp-coach serve --console`: settings only (tests/test_console_browser.py runs it for real).

@pytest.fixture
def started(monkeypatch, tmp_path) -> list:
    calls: list = []
    monkeypatch.setattr(serve_module, "run_server", calls.append)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return calls


def run_serve(*args: str):
    return CliRunner().invoke(main, ["serve", *args], catch_exceptions=False)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "coach.example.org"])
def test_console_off_loopback_is_refused_with_exit_code_2(started, host):
    result = run_serve("--console", "--host", host)
    assert result.exit_code == 2 and started == []
    assert "--console" in result.output and "127.0.0.1" in result.output


def test_console_off_loopback_is_refused_even_when_she_insists(started):
    result = run_serve("--console", "--no-verify", "--host", "0.0.0.0", "--i-know-this-is-insecure")
    assert result.exit_code == 2 and started == []


def test_console_runs_one_worker_and_says_so(started, caplog):
    caplog.set_level(logging.INFO)
    assert run_serve("--console", "--workers", "4").exit_code == 0
    (settings,) = started
    assert settings.workers == 1 and settings.web.console and settings.web.verify
    assert "one worker, not 4" in caplog.text and "http://127.0.0.1:8080/" in caplog.text


def test_console_with_her_memory_in_this_process_is_allowed(started):
    assert run_serve("--console", "--store", "memory").exit_code == 0
    assert started[0].workers == 1


def test_the_console_keeps_try_outs_in_memory_unless_a_store_is_named(monkeypatch):
    """Browser try-outs must not land in the SQLite file real listeners' memory lives in."""
    from click.testing import CliRunner

    from skill.web import serve as serve_module
    from skill.tools.cli import main

    started = []
    monkeypatch.setattr(serve_module, "run_server", lambda settings: started.append(settings))
    monkeypatch.setattr(serve_module, "_check_store", lambda store: None)
    runner = CliRunner()
    assert runner.invoke(main, ["serve", "--console", "--no-verify"]).exit_code == 0
    assert runner.invoke(main, ["serve", "--console", "--no-verify", "--store", "sqlite"]).exit_code == 0
    assert [s.web.store.kind for s in started] == ["memory", "sqlite"]
