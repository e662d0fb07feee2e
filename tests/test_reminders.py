"""A nightly bedtime reminder, set by voice: through real request envelopes, with the SDK's own service
clients calling a local Reminders and Settings API over real HTTPS (skill.tools.practice_api), which checks
every call against Amazon's documented request shape. On the web service and on AWS Lambda."""

from __future__ import annotations

import importlib
import json
import time
import uuid
from datetime import datetime
from typing import Any, Callable, Optional

import pytest

from skill.runtime import speech
from skill.runtime.api_client import API_TIMEOUT_SECONDS
from skill.runtime.bedtime import Bedtime, read_slot
from skill.runtime.builder import SkillConfig, build_skill
from skill.runtime.envelope import (
    REMINDERS_SCOPE,
    Session,
    SlotFill,
    connections_response,
    intent_request,
    session_resumed_request,
)
from skill.runtime.invoke import invoke
from skill.tools.practice_api import PracticeAlexaApi
from skill.runtime.reminder_words import REMINDER_TIP_WORD_BUDGET, load_reminder_words
from skill.web.app import WebConfig, create_app

from ssml_rules import ssml_problems

Runner = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture(scope="module")
def api():
    with PracticeAlexaApi(time_zone="America/New_York") as practice:
        yield practice


@pytest.fixture(scope="module")
def reminder_skill(api):
    return build_skill(SkillConfig(seed=3, api_ca_bundle=api.ca_file, api_timeout_seconds=WEB_DEADLINE_SECONDS))


@pytest.fixture(scope="module")
def words():
    return load_reminder_words()


@pytest.fixture(scope="module")
def web(reminder_skill) -> Runner:
    client = create_app(WebConfig(verify=False), skill=reminder_skill).test_client()

    def post(envelope: dict[str, Any]) -> dict[str, Any]:
        answer = client.post("/alexa", data=json.dumps(envelope), content_type="application/json")
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    return post


@pytest.fixture(scope="module")
def on_lambda(api) -> Runner:
    """One Lambda container for these tests; requests trusts the practice API's CA as it would a system root."""
    import skill.lambda_function

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("CRAMP_COACH_SKILL_ID", raising=False)
        patch.delenv("CRAMP_COACH_DYNAMODB_TABLE", raising=False)
        patch.setenv("REQUESTS_CA_BUNDLE", api.ca_file)
        handler = importlib.reload(skill.lambda_function).handler
        yield lambda envelope: handler(envelope, None)


class Listener:
    """One listener on one Echo; each turn a real envelope whose apiEndpoint and token lead to the practice API."""

    def __init__(self, run: Runner, api: PracticeAlexaApi, granted: bool = True) -> None:
        self.run = run
        self.api = api
        self.token = f"atza|{uuid.uuid4().hex}"
        self.session = Session(user_id=f"amzn1.ask.account.{uuid.uuid4().hex}", api_endpoint=api.endpoint,
                               api_access_token=self.token, granted_scopes=(REMINDERS_SCOPE,) if granted else ())
        self.response: dict[str, Any] = {}
        self.deadline = API_TIMEOUT_SECONDS

    def _turn(self, envelope: dict[str, Any]) -> "Listener":
        self.response = self.run(envelope)
        for ssml in filter(None, [self.ssml, self._reprompt_ssml]):
            assert ssml_problems(ssml) == [], ssml
        if self.response["response"].get("shouldEndSession") is True:
            self.session.restart()
        else:
            self.session.absorb(self.response)
        return self

    def says(self, intent: str, time: Optional[str] = None) -> "Listener":
        slots = {"time": SlotFill(time) if time else None} if intent != "AMAZON.YesIntent" and intent != "AMAZON.NoIntent" else {}
        if intent in ("BedtimeReminderWhenIntent", "CancelBedtimeReminderIntent"):
            slots = {}
        return self._turn(intent_request(self.session, intent, slots))

    def alexa_asked_permission(self, status: str, code: str = "200", resumed: bool = False) -> "Listener":
        """Alexa's consent dialog ended: she accepted, denied or said nothing."""
        token = self.directive("Connections.SendRequest")["token"]
        if status == "ACCEPTED":
            self.session.granted_scopes = (REMINDERS_SCOPE,)
        build = session_resumed_request if resumed else connections_response
        return self._turn(build(self.session, status, token, code))

    @property
    def ssml(self) -> str:
        return (self.response["response"].get("outputSpeech") or {}).get("ssml", "")

    @property
    def _reprompt_ssml(self) -> str:
        return ((self.response["response"].get("reprompt") or {}).get("outputSpeech") or {}).get("ssml", "")

    @property
    def hears(self) -> str:
        return speech.ssml_to_text(self.ssml)

    @property
    def session_open(self) -> bool:
        return self.response["response"].get("shouldEndSession") is False

    def directive(self, kind: str) -> dict[str, Any]:
        found = [d for d in self.response["response"].get("directives") or [] if d["type"] == kind]
        assert found, (kind, self.response["response"])
        return found[0]

    @property
    def card(self) -> dict[str, Any]:
        return self.response["response"].get("card") or {}

    @property
    def reminders(self) -> list[dict[str, Any]]:
        return self.api.reminders(self.token)


def line(words, name: str, **values: str) -> str:
    return words.lines[name].variants[0].format(**values)


WEB_DEADLINE_SECONDS = 1.0
"""The web tests' skill gives each API call this long; Lambda's keeps the shipped API_TIMEOUT_SECONDS."""


@pytest.fixture(params=["web service", "lambda"])
def she(request, api, web) -> Callable[..., Listener]:
    run = web if request.param == "web service" else request.getfixturevalue("on_lambda")
    deadline = WEB_DEADLINE_SECONDS if request.param == "web service" else API_TIMEOUT_SECONDS

    def listener(granted: bool = True) -> Listener:
        made = Listener(run, api, granted)
        made.deadline = deadline
        return made

    return listener


@pytest.fixture(autouse=True)
def no_shape_problems(api):
    before = len(api.problems)
    yield
    assert api.problems[before:] == [], "the skill broke the documented request shape"


# -- conversations -----------------------------------------------------------------------------------


def test_set_with_a_time_creates_one_daily_reminder_in_her_time_zone(she, words):
    listener = she().says("SetBedtimeReminderIntent", time="21:30")
    assert listener.hears == line(words, "set", time="9:30 PM")
    assert not listener.session_open
    [reminder] = listener.reminders
    trigger = reminder["trigger"]
    assert trigger["type"] == "SCHEDULED_ABSOLUTE" and trigger["timeZoneId"] == "America/New_York"
    assert trigger["recurrence"]["recurrenceRules"] == ["FREQ=DAILY;BYHOUR=21;BYMINUTE=30;BYSECOND=0;INTERVAL=1;"]
    [spoken] = reminder["alertInfo"]["spokenInfo"]["content"]
    assert spoken["locale"] == "en-US" and "walk me through a stretch" in spoken["text"]
    assert any(spoken["text"].startswith(tip) for tip in words.tip.variants)
    assert reminder["pushNotification"] == {"status": "ENABLED"}


def test_set_without_a_time_elicits_the_time_slot_then_sets_it(she, words):
    listener = she().says("SetBedtimeReminderIntent")
    elicit = listener.directive("Dialog.ElicitSlot")
    assert elicit["slotToElicit"] == "time" and elicit["updatedIntent"]["name"] == "SetBedtimeReminderIntent"
    assert listener.hears == line(words, "ask_time") and listener.session_open
    assert listener.reminders == []
    listener.says("SetBedtimeReminderIntent", time="22:00")
    assert listener.hears == line(words, "set", time="10 PM")
    assert len(listener.reminders) == 1


def test_at_nine_means_nine_in_the_evening_and_she_is_told(she, words):
    listener = she().says("SetBedtimeReminderIntent", time="09:00")
    assert listener.hears == line(words, "set_assumed_evening", time="9 PM")
    assert "BYHOUR=21;BYMINUTE=0;" in listener.reminders[0]["trigger"]["recurrence"]["recurrenceRules"][0]


def test_a_part_of_the_day_is_not_a_time_so_she_is_asked_again(she, words):
    listener = she().says("SetBedtimeReminderIntent", time="NI")
    assert listener.hears == line(words, "ask_time_again")
    assert listener.directive("Dialog.ElicitSlot")["slotToElicit"] == "time"


def test_permission_missing_asks_by_voice_then_sets_it_when_granted(she, words):
    listener = she(granted=False).says("SetBedtimeReminderIntent", time="21:00")
    ask = listener.directive("Connections.SendRequest")
    assert ask["name"] == "AskFor"
    assert ask["payload"] == {"@type": "AskForPermissionsConsentRequest", "@version": "1",
                              "permissionScope": REMINDERS_SCOPE}
    assert "shouldEndSession" not in listener.response["response"]
    assert listener.reminders == [] and listener.api.calls  # nothing asked of the API yet for her
    listener.alexa_asked_permission("ACCEPTED")
    assert listener.hears == line(words, "set", time="9 PM")
    assert len(listener.reminders) == 1


def test_granted_through_a_resumed_session_works_the_same(she, words):
    listener = she(granted=False).says("SetBedtimeReminderIntent", time="09:30")
    listener.alexa_asked_permission("ACCEPTED", resumed=True)
    assert listener.hears == line(words, "set_assumed_evening", time="9:30 PM")


@pytest.mark.parametrize("status, said", [("DENIED", "denied"), ("NOT_ANSWERED", "not_answered")])
def test_denied_or_unanswered_sets_nothing_and_says_so(she, words, status, said):
    listener = she(granted=False).says("SetBedtimeReminderIntent", time="21:00")
    listener.alexa_asked_permission(status)
    assert listener.hears == line(words, said)
    assert not listener.session_open and listener.reminders == []


def test_where_voice_consent_is_not_available_a_consent_card_goes_to_the_app(she, words):
    listener = she(granted=False).says("SetBedtimeReminderIntent", time="21:00")
    listener.alexa_asked_permission("NOT_ANSWERED", code="400")
    assert listener.hears == line(words, "permission_card")
    assert listener.card == {"type": "AskForPermissionsConsent", "permissions": [REMINDERS_SCOPE]}


def test_revoked_in_the_app_gets_the_card_and_changes_nothing(she, words, api):
    listener = she().says("SetBedtimeReminderIntent", time="21:00")
    api.revoke(listener.token)
    listener.says("ChangeBedtimeReminderIntent", time="22:00")
    assert listener.hears == line(words, "permission_revoked")
    assert listener.card["type"] == "AskForPermissionsConsent"


def test_asking_again_offers_to_change_the_one_she_has(she, words, content):
    listener = she().says("SetBedtimeReminderIntent", time="21:00")
    listener.says("SetBedtimeReminderIntent", time="22:30")
    assert listener.hears.startswith(line(words, "already_set", time="9 PM", new_time="10:30 PM"))
    assert any(listener.hears.endswith(q) for q in content.offers["change_reminder"].variants)
    assert listener.session_open
    listener.says("AMAZON.YesIntent")
    assert listener.hears == line(words, "changed", time="10:30 PM")
    [reminder] = listener.reminders
    assert "BYHOUR=22;BYMINUTE=30;" in reminder["trigger"]["recurrence"]["recurrenceRules"][0]


def test_no_to_the_change_keeps_it_and_says_goodnight(she, words, content):
    listener = she().says("SetBedtimeReminderIntent", time="21:00")
    listener.says("SetBedtimeReminderIntent", time="22:00").says("AMAZON.NoIntent")
    assert listener.hears in content.prompts["goodbye"].variants and not listener.session_open
    assert "BYHOUR=21;" in listener.reminders[0]["trigger"]["recurrence"]["recurrenceRules"][0]


def test_change_ask_when_and_cancel(she, words):
    listener = she()
    listener.says("BedtimeReminderWhenIntent")
    assert listener.hears == line(words, "none_set")
    listener.says("SetBedtimeReminderIntent", time="21:00")
    listener.says("ChangeBedtimeReminderIntent", time="22:15")
    assert listener.hears == line(words, "changed", time="10:15 PM")
    listener.says("BedtimeReminderWhenIntent")
    assert listener.hears == line(words, "when", time="10:15 PM")
    listener.says("CancelBedtimeReminderIntent")
    assert listener.hears.startswith(line(words, "when", time="10:15 PM")) and listener.session_open
    assert len(listener.reminders) == 1  # asked first: nothing is deleted on one misheard phrase
    listener.says("AMAZON.YesIntent")
    assert listener.hears == line(words, "cancelled") and listener.reminders == []
    listener.says("CancelBedtimeReminderIntent")
    assert listener.hears == line(words, "none_set")


def test_no_to_cancelling_keeps_her_reminder(she, words, content):
    listener = she().says("SetBedtimeReminderIntent", time="21:00")
    listener.says("CancelBedtimeReminderIntent").says("AMAZON.NoIntent")
    assert listener.hears in content.prompts["goodbye"].variants and not listener.session_open
    assert len(listener.reminders) == 1


@pytest.mark.parametrize("status, code, said", [
    (403, "MAX_REMINDERS_EXCEEDED", "device_limit"),
    (429, "", "busy"),
    (500, "", "unavailable"),
    (503, "", "unavailable"),
    (401, "", "permission_revoked"),
])
def test_every_api_failure_gets_a_short_answer_and_nothing_half_done(she, words, api, status, code, said):
    listener = she()
    api.fail_next(status, code, on="POST /v1/alerts/reminders")
    listener.says("SetBedtimeReminderIntent", time="21:00")
    assert listener.hears == line(words, said)
    assert not listener.session_open and listener.reminders == []


def test_a_hanging_api_is_given_up_on_well_inside_alexas_eight_seconds(she, words, api):
    listener = she()
    api.fail_next(200, on="GET /v1/alerts/reminders", delay_seconds=listener.deadline + 2)
    started = time.monotonic()
    listener.says("BedtimeReminderWhenIntent")
    assert time.monotonic() - started < listener.deadline + 1
    assert listener.hears == line(words, "unavailable")


# -- rules -------------------------------------------------------------------------------------------


def test_the_reminder_deadline_is_well_inside_alexas_eight_seconds():
    assert 3 * API_TIMEOUT_SECONDS < 8 - 2  # at most three calls in a turn, with time to spare for the rest


def test_without_her_time_zone_the_reminder_is_still_set_in_utc(she, words, api):
    listener = she()
    api.fail_next(500, on="GET /v2/devices/")
    listener.says("SetBedtimeReminderIntent", time="21:00")
    assert listener.hears == line(words, "set", time="9 PM")
    assert listener.reminders[0]["trigger"]["timeZoneId"] == "UTC"


def test_the_reminder_tip_is_short_and_from_the_articles_bedtime_advice(words):
    assert words.tip.source == "first"
    assert all(speech.word_count(tip) <= REMINDER_TIP_WORD_BUDGET for tip in words.tip.variants)


@pytest.mark.parametrize("said, hour, minute, assumed", [
    ("21:30", 21, 30, False), ("09:30", 21, 30, True), ("9:00", 21, 0, True), ("22:00", 22, 0, False),
    ("00:15", 0, 15, False), ("12:00", 12, 0, False), ("NI", None, None, None), ("", None, None, None),
])
def test_what_time_she_means(said, hour, minute, assumed):
    bedtime = read_slot(said)
    if hour is None:
        assert bedtime is None
    else:
        assert bedtime == Bedtime(hour, minute, assumed)


def test_a_time_already_past_today_starts_tomorrow():
    bedtime = Bedtime(21, 30)
    assert bedtime.first_time(datetime(2026, 3, 1, 20, 0)) == datetime(2026, 3, 1, 21, 30)
    assert bedtime.first_time(datetime(2026, 3, 1, 22, 0)) == datetime(2026, 3, 2, 21, 30)


# -- trying it without a device: chat and the browser console ----------------------------------------


def test_chat_sets_practice_reminders_by_typed_times_and_says_they_are_practice(words):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    typed = "remind me to stretch before bed\nnine thirty\nyes\nchange it to 10 pm\nwhen is my bedtime reminder\nquit\n"
    result = subprocess.run([sys.executable, "-m", "skill.tools.cli", "chat", "--no-launch"], input=typed, env=env,
                            capture_output=True, text=True, timeout=120, cwd=root)
    assert result.returncode == 0, result.stderr
    answers = [line.split("alexa> ", 1)[1] for line in result.stdout.splitlines() if "alexa> " in line]
    assert answers[0] == line(words, "ask_time")
    assert answers[1].startswith(line(words, "ask_permission"))
    assert answers[2:] == [line(words, "set_assumed_evening", time="9:30 PM"), line(words, "changed", time="10 PM"),
                           line(words, "when", time="10 PM")]
    assert "(practice reminders, nothing is set on a device)" in result.stdout


def test_the_browser_console_sets_practice_reminders_labelled_as_practice(words):
    client = create_app(WebConfig(console=True, verify=False)).test_client()

    def say(text: str, conversation: Optional[str]) -> dict[str, Any]:
        answer = client.post("/console/say", json={"text": text, "conversation": conversation}).get_json()
        return answer

    first = say("set a bedtime reminder for 10 pm", None)
    assert first["practice"] == "practice reminders, nothing is set on a device"
    assert first["expects_reply"]
    done = say("yes", first["conversation"])
    assert done["text"] == line(words, "set", time="10 PM") and done["practice"]
    assert say("what should i eat", first["conversation"])["practice"] is None


def test_the_manifest_declares_the_reminders_permission():
    from skill.tools.publish import build_manifest, endpoint_for, load_listing

    manifest = build_manifest(load_listing(), ["en-US"], endpoint_for(endpoint="https://coach.example.org/alexa"))
    assert manifest["manifest"]["permissions"] == [{"name": REMINDERS_SCOPE}]


def test_the_clinicians_review_shows_the_reminder_words_with_their_source(words):
    from html import escape

    from skill.tools.review import build_review

    page = build_review()
    section = page[page.index("Nightly bedtime reminder"):]
    for wording in (*words.tip.variants, *words.invitation.variants):
        assert escape(wording, quote=False) in section
    assert "<td>First (warmth, rest, massage)</td>" in section and "<td>Third (when a cramp comes)</td>" in section


@pytest.mark.parametrize("typed, intent, value", [
    ("set a bedtime reminder for nine thirty", "SetBedtimeReminderIntent", "09:30"),
    ("remind me every night at 10 pm", "SetBedtimeReminderIntent", "22:00"),
    ("remind me at 9 every night", "SetBedtimeReminderIntent", "09:00"),
    ("remind me to stretch at half past nine tonight", "SetBedtimeReminderIntent", "21:30"),
    ("change it to 10:15 p.m.", "ChangeBedtimeReminderIntent", "22:15"),
    ("move my reminder to midnight", "ChangeBedtimeReminderIntent", "00:00"),
    ("ask cramp coach to remind me every night at ten", "SetBedtimeReminderIntent", "10:00"),
])
def test_say_and_chat_understand_typed_times_as_alexa_fills_amazon_time(typed, intent, value):
    from skill.tools.nlu import LocalUnderstanding

    heard = LocalUnderstanding.for_locale("en-US").understand(typed)
    assert heard.intent == intent
    assert heard.slots["time"].spoken == value


@pytest.mark.parametrize("typed", ["when is my bedtime reminder", "cancel my bedtime reminder",
                                   "remind me to stretch before bed"])
def test_reminder_requests_without_a_time_carry_no_time(typed):
    from skill.tools.nlu import LocalUnderstanding

    assert "time" not in LocalUnderstanding.for_locale("en-US").understand(typed).slots


def test_the_privacy_notice_says_what_a_reminder_creates_and_how_to_remove_it():
    from skill.tools.model_rules import spoken_samples
    from skill.tools.models import generate
    from skill.runtime.resources import content_dir

    notice = " ".join((content_dir() / "privacy.md").read_text(encoding="utf-8").split())
    assert "creates one daily reminder in your Alexa reminders" in notice
    assert "Cramp Coach keeps no copy" in notice
    assert '"Alexa, ask Cramp Coach to cancel my bedtime reminder"' in notice
    assert "cancel my bedtime reminder" in spoken_samples(generate("en-US"))


def test_after_a_worrying_symptom_the_reminder_answer_still_ends_with_the_urgent_line(she, words, content):
    listener = she()
    listener._turn(intent_request(listener.session, "SevereSymptomsIntent", {}))
    listener.says("SetBedtimeReminderIntent", time="21:00")
    assert listener.hears.startswith(line(words, "set", time="9 PM"))
    assert any(short in listener.hears for short in content.topics["contact_now"].short.variants)


@pytest.mark.parametrize("break_it, problem", [
    (lambda r: r["trigger"].update(type="SCHEDULED_RELATIVE"), "trigger.type"),
    (lambda r: r["trigger"]["recurrence"].update(recurrenceRules=["FREQ=WEEKLY;BYDAY=MO"]), "recurrenceRules"),
    (lambda r: r["trigger"]["recurrence"].update(startDateTime="2026-03-01T21:00:00Z"), "startDateTime"),
    (lambda r: r["alertInfo"]["spokenInfo"].update(content=[{"text": "hello"}]), "locale"),
    (lambda r: r["pushNotification"].update(status="ON"), "pushNotification.status"),
    (lambda r: r.pop("requestTime"), "requestTime"),
    (None, "Authorization"),
])
def test_the_practice_api_refuses_what_amazon_would(break_it, problem):
    import requests

    good = {
        "requestTime": "2026-03-01T20:00:00",
        "trigger": {"type": "SCHEDULED_ABSOLUTE", "timeZoneId": "Europe/London",
                    "recurrence": {"startDateTime": "2026-03-01T21:00:00",
                                   "recurrenceRules": ["FREQ=DAILY;BYHOUR=21;BYMINUTE=0;BYSECOND=0;INTERVAL=1;"]}},
        "alertInfo": {"spokenInfo": {"content": [{"locale": "en-GB", "text": "Bedtime."}]}},
        "pushNotification": {"status": "ENABLED"},
    }
    with PracticeAlexaApi() as practice:
        url = practice.endpoint + "/v1/alerts/reminders"
        headers = {"Authorization": "Bearer t"} if break_it else {}
        assert requests.post(url, json=good, headers={"Authorization": "Bearer t"}, verify=practice.ca_file).status_code == 200
        if break_it:
            break_it(good)
        answer = requests.post(url, json=good, headers=headers, verify=practice.ca_file, timeout=5)
        assert answer.status_code in (400, 401)
        assert len(practice.problems) == 1 and problem in practice.problems[0]


def test_a_permission_answer_to_a_question_the_skill_never_asked_gets_the_safety_net(she, content):
    listener = she(granted=False)
    listener._turn(connections_response(listener.session, "ACCEPTED", token=""))
    assert any(net in listener.hears for net in content.safety["safety_net"].variants)
    assert listener.reminders == []
