"""She is remembered between sessions — the same conversations against SQLite and against a real
local DynamoDB (dynalite): the returning greeting, picking up the stretch, forgetting her."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import uuid

import pytest

from conftest import Conversation
from skill.runtime.builder import SkillConfig, build_skill
from skill.runtime.stores import StoreConfig, open_store
from skill.runtime.stores.sqlite import SqliteAdapter

HOUR = 60 * 60
ALLOWED_KEYS = {"schema", "intro_heard", "walkthrough"}


class Clock:
    """The night, under the test's control."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def step_number(heard) -> int:
    match = re.search(r"Step (\d+) of 6", heard.text)
    assert match, heard.text
    return int(match.group(1))


@pytest.fixture(params=["sqlite", "dynamodb"])
def store_config(request, tmp_path) -> StoreConfig:
    if request.param == "sqlite":
        return StoreConfig(kind="sqlite", sqlite_path=tmp_path / "cramp-coach.sqlite3")
    server = request.getfixturevalue("dynalite")
    return StoreConfig(
        kind="dynamodb",
        dynamodb_table=f"cramp-coach-{uuid.uuid4().hex[:8]}",
        dynamodb_region="us-east-1",
        dynamodb_endpoint_url=server.endpoint_url,
        dynamodb_create_table=True,
        user_key_salt="test-salt",
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(store_config):
    return open_store(store_config)


@pytest.fixture
def she(store, clock, content, model) -> Conversation:
    """She, talking to a skill that remembers her in the store under test."""
    skill = build_skill(SkillConfig(content=content, persistence_adapter=store, clock=clock, seed=3))
    return Conversation(skill, model)


def stored_records(store_config, store) -> list[tuple[str, dict]]:
    """Every (key, attributes) the store holds, read straight from the database."""
    if store_config.kind == "sqlite":
        with sqlite3.connect(store_config.sqlite_path) as connection:
            rows = connection.execute("SELECT user_key, attributes FROM listeners").fetchall()
        return [(key, json.loads(attributes)) for key, attributes in rows]
    table = store.inner.dynamodb.Table(store_config.dynamodb_table)
    return [(item["id"], item["attributes"]) for item in table.scan()["Items"]]


# -- greeting ---------------------------------------------------------------------------------------
def test_first_visit_gets_the_full_welcome_and_a_returning_one_a_single_short_sentence(she):
    first = she.open()
    assert "not medical advice" in first.text
    she.ask("AMAZON.StopIntent")
    again = she.later().open()
    assert again.says("Welcome back") or again.says("Hello again")
    assert "not medical advice" not in again.text
    assert len(again.text.split()) <= 10 and again.session_open


# -- picking up the stretch -------------------------------------------------------------------------------
def start_stretch_and_fall_asleep_at_step_three(she) -> None:
    she.open()
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    assert step_number(she.ask("AMAZON.NextIntent")) == 3
    she.end("EXCEEDED_MAX_REPROMPTS")


def test_launching_with_an_unfinished_stretch_offers_to_carry_on_at_her_step(she, clock):
    start_stretch_and_fall_asleep_at_step_three(she)
    clock.advance(2 * HOUR)
    greeting = she.open()
    assert greeting.says("Welcome back, you were on step 3 of the stretch")
    assert "carry on" in greeting.reprompt or "pick up" in greeting.reprompt
    carried_on = she.ask("AMAZON.YesIntent")
    assert step_number(carried_on) == 3
    assert step_number(she.ask("AMAZON.NextIntent")) == 4


def test_resume_in_a_new_session_goes_straight_back_to_her_step(she, clock):
    start_stretch_and_fall_asleep_at_step_three(she)
    clock.advance(HOUR)
    assert step_number(she.ask("AMAZON.ResumeIntent")) == 3


def test_no_to_carrying_on_keeps_listening_and_keeps_her_place(she, clock):
    start_stretch_and_fall_asleep_at_step_three(she)
    she.open()
    declined = she.ask("AMAZON.NoIntent")
    assert declined.session_open
    assert step_number(she.ask("AMAZON.ResumeIntent")) == 3


def test_a_stretch_older_than_twelve_hours_is_offered_from_the_top(she, clock):
    start_stretch_and_fall_asleep_at_step_three(she)
    clock.advance(13 * HOUR)
    greeting = she.open()
    assert greeting.says("Your last stretch was a while ago")
    assert "top" in greeting.reprompt or "afresh" in greeting.reprompt
    assert step_number(she.ask("AMAZON.YesIntent")) == 1


def test_resume_after_a_long_time_offers_to_begin_again(she, clock):
    start_stretch_and_fall_asleep_at_step_three(she)
    clock.advance(24 * HOUR)
    heard = she.ask("AMAZON.ResumeIntent")
    assert heard.says("best to begin again")
    assert step_number(she.ask("AMAZON.YesIntent")) == 1


def test_the_age_limit_is_configurable(store, clock, content, model):
    skill = build_skill(SkillConfig(content=content, persistence_adapter=store, clock=clock,
                                    walkthrough_max_age_seconds=60, seed=3))
    she = Conversation(skill, model)
    start_stretch_and_fall_asleep_at_step_three(she)
    clock.advance(120)
    assert she.open().says("a while ago")


def test_a_finished_stretch_is_not_offered_again(she):
    she.open()
    she.ask("StartWalkthroughIntent")
    for _ in range(6):
        she.ask("AMAZON.NextIntent")
    she.ask("AMAZON.NoIntent")
    greeting = she.later().open()
    assert "step" not in greeting.text


# -- forgetting her ----------------------------------------------------------------------------------------
def test_forget_me_says_what_is_kept_asks_first_then_deletes_her_record(she, store_config, store):
    she.open()
    she.ask("FoodAndDrinkIntent")
    assert len(stored_records(store_config, store)) == 1
    asked = she.ask("ForgetMeIntent")
    assert asked.says("I only remember") and asked.text.endswith("?")
    done = she.ask("AMAZON.YesIntent")
    assert done.says("forgotten everything") and not done.session_open
    assert stored_records(store_config, store) == []
    assert "not medical advice" in she.later().open().text


def test_no_to_forgetting_keeps_her_record(she, store_config, store):
    she.open()
    she.ask("ForgetMeIntent")
    kept = she.ask("AMAZON.NoIntent")
    assert kept.session_open
    assert len(stored_records(store_config, store)) == 1
    greeting = she.later().open()
    assert greeting.says("Welcome back") or greeting.says("Hello again")


def test_disabling_the_skill_deletes_her_record(she, store_config, store):
    she.open()
    she.ask("StartWalkthroughIntent")
    assert len(stored_records(store_config, store)) == 1
    response = she.disables_the_skill()
    assert "outputSpeech" not in response["response"]
    assert stored_records(store_config, store) == []


# -- what is stored ------------------------------------------------------------------------------------------
def test_her_record_is_keyed_by_a_salted_hash_and_holds_no_words_or_ids(she, store_config, store):
    she.open()
    she.ask("CrampNowIntent", bodyPart="calf")
    she.ask("AMAZON.YesIntent")
    (key, attributes), = stored_records(store_config, store)
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert she.session.user_id not in json.dumps(attributes, default=str)
    assert set(attributes) <= ALLOWED_KEYS
    assert int(attributes["walkthrough"]["step"]) == 0
    if store_config.kind == "sqlite":
        assert she.session.user_id.encode() not in store_config.sqlite_path.read_bytes()


# One conversation per topic, tiers included; what she said must leave no trace in her record.
EVERY_TOPIC = [
    ("CrampNowIntent", {"bodyPart": "calf"}), ("FoodAndDrinkIntent", {}), ("BedtimeIntent", {}),
    ("PreventionIntent", {}), ("CausesIntent", {}), ("BackSpasmIntent", {}), ("SevereSymptomsIntent", {}),
    ("EmergencyIntent", {}), ("SevereCrampIntent", {}), ("MedicineIntent", {"medicine": "ibuprofen"}),
    ("MedicineTakenIntent", {"medicine": "paracetamol"}), ("WhenToSeeDoctorIntent", {}), ("PrecautionsIntent", {}),
    ("CrampNowIntent", {"bodyPart": "elbow"}), ("FeelingBetterIntent", {}),
]


def test_no_stored_value_names_a_symptom_a_topic_or_anything_she_said(she, store_config, store, content):
    she.open()
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    for intent, slots in EVERY_TOPIC:
        she.ask(intent, **slots)
        she.ask("TellMeMoreIntent")
    (_, attributes), = stored_records(store_config, store)
    assert set(attributes) <= ALLOWED_KEYS
    stored = json.dumps(attributes, default=str).lower()
    names = set(content.topics) | {t.intent.lower() for t in content.topics.values() if t.intent}
    words = {"calf", "elbow", "ibuprofen", "paracetamol", "bleeding", "severe", "urgent", "emergency", "pain"}
    assert [name for name in names | words if name.lower() in stored] == []
    if store_config.kind == "sqlite":
        raw = store_config.sqlite_path.read_bytes().lower()
        assert [name for name in names | words if name.lower().encode() in raw] == []


def she_request(she):
    """A request envelope from her, to write to the store directly as an older version would have."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    from skill.runtime.envelope import Session, launch_request

    envelope = launch_request(Session(user_id=she.session.user_id))
    return DefaultSerializer().deserialize(json.dumps(envelope), RequestEnvelope)


def test_an_old_record_holding_the_last_topic_is_cleaned_at_her_next_turn(she, store_config, store):
    she.open()
    she.ask("AMAZON.StopIntent")
    (_, attributes), = stored_records(store_config, store)
    old = {**attributes, "schema": 1, "last_topic": "severe"}
    store.inner.save_attributes(she_request(she), old)
    she.later().open()
    (_, attributes), = stored_records(store_config, store)
    assert "last_topic" not in attributes and int(attributes["schema"]) == 2
    assert attributes["intro_heard"]


def test_a_turn_that_changes_nothing_writes_nothing(she, store_config, store, monkeypatch):
    she.open()
    she.ask("AMAZON.StopIntent")
    writes = []
    original = type(store.inner).save_attributes
    monkeypatch.setattr(type(store.inner), "save_attributes",
                        lambda self, envelope, attributes: (writes.append(1), original(self, envelope, attributes)))
    she.later().ask("AMAZON.HelpIntent")
    assert writes == []


def count_reads(store, monkeypatch) -> list[int]:
    """Every read of her record that reaches the store under test."""
    reads: list[int] = []
    original = type(store.inner).get_attributes
    monkeypatch.setattr(type(store.inner), "get_attributes",
                        lambda self, envelope: (reads.append(1), original(self, envelope))[1])
    return reads


def test_her_record_is_read_once_a_session_and_every_change_is_still_written_at_once(
        she, store_config, store, monkeypatch):
    reads = count_reads(store, monkeypatch)
    she.open()
    she.ask("FoodAndDrinkIntent")
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    assert step_number(she.ask("AMAZON.NextIntent")) == 3
    assert reads == [1]
    (_, attributes), = stored_records(store_config, store)
    assert int(attributes["walkthrough"]["step"]) == 2 and set(attributes) <= ALLOWED_KEYS
    assert she.later().open().says("you were on step 3")
    assert reads == [1, 1]


def test_a_read_that_fails_at_the_start_of_a_session_is_tried_again_on_her_next_turn(tmp_path, clock, content, model):
    store = open_store(StoreConfig(kind="sqlite", sqlite_path=tmp_path / "cc.sqlite3"))
    skill = build_skill(SkillConfig(content=content, persistence_adapter=store, clock=clock, seed=3))
    she = Conversation(skill, model)
    she.open()
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    she.ask("AMAZON.PauseIntent")
    real_get = SqliteAdapter.get_attributes
    SqliteAdapter.get_attributes = lambda self, envelope: (_ for _ in ()).throw(sqlite3.OperationalError("disk I/O error"))
    try:
        assert "not medical advice" in she.later().open().text  # she is not remembered this turn
    finally:
        SqliteAdapter.get_attributes = real_get
    assert step_number(she.ask("ResumeWalkthroughIntent")) == 2


def test_forgetting_her_forgets_the_sessions_copy_too(she, store_config, store):
    she.open()
    she.ask("StartWalkthroughIntent")
    she.ask("ForgetMeIntent")
    done = she.ask("AMAZON.YesIntent")
    assert not done.response.get("sessionAttributes", {}).get("memory")
    assert stored_records(store_config, store) == []


# -- a store that is down or locked never silences her -----------------------------------------------------------
def test_a_locked_sqlite_store_is_answered_without_memory_logged_once_and_recovered(tmp_path, clock, content, model, caplog):
    path = tmp_path / "locked.sqlite3"
    store = open_store(StoreConfig(kind="sqlite", sqlite_path=path))
    store.inner.busy_timeout_ms = 50
    store.inner.close()
    skill = build_skill(SkillConfig(content=content, persistence_adapter=store, clock=clock, seed=3))
    she = Conversation(skill, model)
    she.open()  # her record exists
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    caplog.set_level(logging.WARNING, logger="skill.runtime.stores")
    try:
        for _ in range(3):
            heard = she.later().ask("StartWalkthroughIntent")
            assert step_number(heard) == 1
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    failures = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(failures) == 1
    she.later().ask("StartWalkthroughIntent")
    assert any("is back" in r.getMessage() for r in caplog.records)
    assert she.later().open().says("Welcome back, you were on step 1")


def test_a_dynamodb_that_goes_down_is_answered_without_memory_and_her_record_survives(tmp_path, clock, content, model, caplog):
    from local_dynamodb import Dynalite, aws_test_credentials

    aws_test_credentials()
    server = Dynalite(tmp_path / "leveldb").start()
    try:
        store = open_store(StoreConfig(kind="dynamodb", dynamodb_table="cramp-coach", dynamodb_region="us-east-1",
                                       dynamodb_endpoint_url=server.endpoint_url, dynamodb_create_table=True,
                                       user_key_salt="salt"))
        store.inner.dynamodb.meta.client.meta.config.retries = {"max_attempts": 1}
        skill = build_skill(SkillConfig(content=content, persistence_adapter=store, clock=clock, seed=3))
        she = Conversation(skill, model)
        she.open()
        she.ask("StartWalkthroughIntent")
        server.stop()
        caplog.set_level(logging.WARNING, logger="skill.runtime.stores")
        while_down = she.later().open()
        assert while_down.text and "not medical advice" in while_down.text  # no memory, still kind
        she.ask("AMAZON.StopIntent")
        assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1
        server.start()
        back = she.later().open()
        assert back.says("Welcome back, you were on step 1")
    finally:
        server.stop()


def test_a_table_the_skill_creates_is_ready_before_her_first_turn(tmp_path, clock, content, model):
    """Amazon's adapter asks for the table and returns while it is still CREATING; reads then fail."""
    from local_dynamodb import Dynalite, aws_test_credentials

    aws_test_credentials()
    server = Dynalite(tmp_path / "leveldb", create_table_ms=700).start()
    try:
        store = open_store(StoreConfig(kind="dynamodb", dynamodb_table="cramp-coach", dynamodb_region="us-east-1",
                                       dynamodb_endpoint_url=server.endpoint_url, dynamodb_create_table=True,
                                       user_key_salt="salt"))
        skill = build_skill(SkillConfig(content=content, persistence_adapter=store, clock=clock, seed=3))
        she = Conversation(skill, model)
        she.open()
        she.ask("StartWalkthroughIntent")
        assert store.healthy
        assert she.later().open().says("Welcome back, you were on step 1")
    finally:
        server.stop()


def test_a_failed_read_is_never_written_back_over_her_record(tmp_path, clock, content, model):
    path = tmp_path / "cc.sqlite3"
    store = open_store(StoreConfig(kind="sqlite", sqlite_path=path))
    skill = build_skill(SkillConfig(content=content, persistence_adapter=store, clock=clock, seed=3))
    she = Conversation(skill, model)
    she.open()
    she.ask("StartWalkthroughIntent")
    she.ask("AMAZON.NextIntent")
    real_get = SqliteAdapter.get_attributes
    SqliteAdapter.get_attributes = lambda self, envelope: (_ for _ in ()).throw(sqlite3.OperationalError("disk I/O error"))
    try:
        she.later().ask("StartWalkthroughIntent")  # would save step 1 over her step 2
    finally:
        SqliteAdapter.get_attributes = real_get
    assert she.later().open().says("you were on step 2")


def test_the_sqlite_schema_is_created_and_migrated_on_start(tmp_path):
    path = tmp_path / "new.sqlite3"
    adapter = SqliteAdapter(path)
    assert adapter.schema_version() == 1
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"meta", "listeners"} <= tables
    assert SqliteAdapter(path).schema_version() == 1  # opening again migrates nothing


def test_stretch_progress_is_stored_with_every_field_and_read_back_the_same():
    from dataclasses import fields

    from skill.runtime.state import WalkthroughProgress

    progress = WalkthroughProgress(step=3, paused=True, calm=True, updated_at=1_800_000_123)
    stored = progress.to_dict()
    assert set(stored) == {f.name for f in fields(WalkthroughProgress)}
    assert json.loads(json.dumps(stored)) == stored
    assert WalkthroughProgress.from_dict(stored) == progress
