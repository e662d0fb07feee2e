"""On AWS Lambda: the same skill behind ``skill.lambda_function.handler``, with a light cold start."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from skill.runtime.envelope import LOCAL_SKILL_ID, Session, intent_request, launch_request, skill_event_request
from skill.runtime.stores import StoreConfig, StoreConfigError, open_store

REPO = Path(__file__).resolve().parents[1]
NOT_ON_LAMBDA = ("flask", "werkzeug", "gunicorn", "skill.web.verify", "skill.web", "skill.web.serve", "cryptography", "boto3",
                 "hassil", "skill.tools.patterns")  # patterns are expanded when models are generated, not here


def test_the_lambda_entry_imports_neither_flask_nor_verification():
    script = "import json, sys, skill.lambda_function; print(json.dumps(sorted(sys.modules)))"
    env = {name: value for name, value in os.environ.items() if not name.startswith("CRAMP_COACH_")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            cwd=REPO, env={**env, "PYTHONPATH": str(REPO)})
    loaded = json.loads(result.stdout)
    assert "skill.lambda_function" in loaded
    assert [name for name in loaded if name.split(".")[0] in NOT_ON_LAMBDA or name in NOT_ON_LAMBDA] == []
    assert "orjson" not in loaded  # the web service's JSON: `build-lambda` leaves it out of the bundle


@pytest.fixture
def lambda_function(monkeypatch):
    """A fresh Lambda container: the module imported anew with this environment."""
    def load(skill_id=None, **environment: str):
        if skill_id is None:
            monkeypatch.delenv("CRAMP_COACH_SKILL_ID", raising=False)
        else:
            monkeypatch.setenv("CRAMP_COACH_SKILL_ID", skill_id)
        for name in ("CRAMP_COACH_DYNAMODB_TABLE", "CRAMP_COACH_FAST_SERIALIZER"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        import skill.lambda_function

        return importlib.reload(skill.lambda_function)

    return load


def test_the_lambda_handler_answers_alexas_event(lambda_function):
    answer = lambda_function().handler(intent_request(Session(), "FoodAndDrinkIntent"), None)
    assert "calcium" in answer["response"]["outputSpeech"]["ssml"]


def test_the_lambda_refuses_another_skills_request_when_its_skill_id_is_set(lambda_function):
    handler = lambda_function(skill_id="amzn1.ask.skill.mine").handler
    with pytest.raises(Exception, match="Skill ID Verification failed"):
        handler(launch_request(Session()), None)
    assert lambda_function(skill_id=LOCAL_SKILL_ID).handler(launch_request(Session()), None)["response"]


def test_the_lambda_refuses_another_skills_notification_too(lambda_function):
    """Notifications get the table's empty response without reaching ask-sdk: the skill id is checked anyway."""
    notification = skill_event_request(Session(), "AlexaSkillEvent.SkillEnabled")
    with pytest.raises(Exception, match="Skill ID Verification failed"):
        lambda_function(skill_id="amzn1.ask.skill.mine").handler(notification, None)
    assert lambda_function(skill_id=LOCAL_SKILL_ID).handler(notification, None) == {"version": "1.0", "response": {}}


def test_with_a_dynamodb_table_her_stretch_survives_a_new_lambda_container(lambda_function, dynalite):
    table = f"cramp-coach-lambda-{uuid.uuid4().hex[:8]}"
    open_store(StoreConfig(kind="dynamodb", dynamodb_table=table, dynamodb_region="us-east-1",
                           dynamodb_endpoint_url=dynalite.endpoint_url, dynamodb_create_table=True,
                           user_key_salt="lambda-test-salt"))
    environment = {"CRAMP_COACH_DYNAMODB_TABLE": table, "CRAMP_COACH_USER_SALT": "lambda-test-salt",
                   "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_DYNAMODB": dynalite.endpoint_url}
    session = Session(user_id=f"amzn1.ask.account.{uuid.uuid4().hex}")
    container = lambda_function(**environment)
    session.absorb(container.handler(intent_request(session, "StartWalkthroughIntent"), None))
    stepped = container.handler(intent_request(session, "AMAZON.NextIntent"), None)
    assert "Step 2 of 6" in stepped["response"]["outputSpeech"]["ssml"]
    session.restart()  # a new session, in a new container: only DynamoDB remembers her step
    resumed = lambda_function(**environment).handler(intent_request(session, "AMAZON.ResumeIntent"), None)
    assert "Step 2 of 6" in resumed["response"]["outputSpeech"]["ssml"]


def test_a_dynamodb_table_without_a_salt_fails_the_cold_start_loudly(lambda_function):
    with pytest.raises(StoreConfigError, match="salt is required"):
        lambda_function(CRAMP_COACH_DYNAMODB_TABLE="cramp-coach")


def test_the_lambda_reads_and_writes_with_the_compiled_serializer_unless_switched_off(lambda_function):
    from ask_sdk_core.serialize import DefaultSerializer

    from skill.runtime.compiled_serializer import CompiledSerializer

    assert isinstance(lambda_function()._skill.serializer, CompiledSerializer)  # as the web service does
    switched_off = lambda_function(CRAMP_COACH_FAST_SERIALIZER="0")
    assert type(switched_off._skill.serializer) is DefaultSerializer
    assert "calcium" in switched_off.handler(intent_request(Session(), "FoodAndDrinkIntent"), None)["response"][
        "outputSpeech"]["ssml"]
