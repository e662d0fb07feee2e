"""`serve --log-format json`: one JSON object a line, a request's line with the same fields as the
text line, and still never her user id or her words."""

from __future__ import annotations

import json

from live_server import LiveServer
from skill.runtime.envelope import Session, intent_request

USER = "amzn1.ask.account.JSONLOGSECRETUSER"


def test_json_logs_have_one_object_a_line_with_the_request_fields_and_nothing_private(tmp_path):
    server = LiveServer(tmp_path, "--workers", "1", "--store", "memory", "--no-verify", "--log-format", "json")
    try:
        server.wait_until_healthy()
        envelope = intent_request(Session(user_id=USER), "FoodAndDrinkIntent")
        assert server.post(json.dumps(envelope).encode())[0] == 200
        assert server.post(b"not json")[0] == 400
    finally:
        server.stop()
    lines = [line for line in server.log.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line, gunicorn's own included
    assert any(r["logger"] == "gunicorn.error" and r["message"].startswith("Starting gunicorn") for r in records)
    answered = next(r for r in records if r.get("path") == "/alexa" and r.get("status") == 200)
    assert answered["method"] == "POST" and answered["type"] == "IntentRequest"
    assert answered["intent"] == "FoodAndDrinkIntent" and answered["ms"] >= 0 and answered["level"] == "INFO"
    refused = next(r for r in records if r.get("path") == "/alexa" and r.get("status") == 400)
    assert refused["problem"] == "body: not JSON" and refused["level"] == "WARNING"
    assert any(r.get("message", "").startswith("REQUEST VERIFICATION IS OFF") for r in records)
    assert USER not in server.log and "calcium" not in server.log
