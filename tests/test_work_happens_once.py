"""Content, models, trust roots and the signing chain are read once, at start: after warm-up, fifty
verified requests through the web app open no file at all (a Python audit hook sees every open)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from skill.runtime.envelope import LOCAL_SKILL_ID, Session, SlotFill, intent_request, launch_request
from skill.runtime.stores import StoreConfig
from skill.web.app import WebConfig, create_app

from alexa_signing import CERT_URL, Authority, body_of

REQUESTS_AFTER_WARM_UP = 50
FILE_EVENTS = ("open", "os.listdir", "os.scandir", "glob.glob", "sqlite3.connect")
"""Audit events for reading files or directories, or opening a database (``sys.addaudithook``)."""

_watching: list[list[str]] = []


def _audit(event: str, args: Any) -> None:
    if _watching and event in FILE_EVENTS:
        _watching[-1].append(f"{event} {args[0] if args else ''}")


sys.addaudithook(_audit)  # hooks cannot be removed; this one only records while a test watches


class FilesOpened:
    def __enter__(self) -> list[str]:
        _watching.append([])
        return _watching[-1]

    def __exit__(self, *exc: Any) -> None:
        _watching.pop()


def _conversation(session: Session) -> list[dict[str, Any]]:
    return [
        launch_request(session),
        intent_request(session, "CrampNowIntent", {"bodyPart": SlotFill("calf", "calf", "calf", "BodyPart")}),
        intent_request(session, "AMAZON.YesIntent"),
        intent_request(session, "AMAZON.NextIntent"),
        intent_request(session, "FoodAndDrinkIntent"),
        intent_request(session, "AMAZON.HelpIntent"),
        intent_request(session, "AMAZON.FallbackIntent"),
    ]


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_fifty_verified_requests_after_warm_up_open_no_file(tmp_path, store):
    now = datetime.now(timezone.utc)
    authority = Authority()
    signer = authority.issue(not_before=now - timedelta(days=1), not_after=now + timedelta(days=30))
    roots = tmp_path / "roots.pem"
    roots.write_bytes(authority.root_pem)
    store_config = StoreConfig(kind=store, sqlite_path=tmp_path / "memory.sqlite3")
    client = create_app(WebConfig(skill_ids=(LOCAL_SKILL_ID,), ca_bundle=roots, test_cert_chain=signer.chain_pem,
                                  store=store_config)).test_client()

    def send(envelope: dict[str, Any], session: Session) -> None:
        body = body_of(envelope, at=datetime.now(timezone.utc))
        response = client.post("/alexa", data=body, headers=signer.headers(body, CERT_URL),
                               content_type="application/json")
        assert response.status_code == 200, response.get_json()
        session.absorb(response.get_json())

    warm_up = Session(user_id="amzn1.ask.account.WARMUP")
    for envelope in _conversation(warm_up):
        send(envelope, warm_up)

    with FilesOpened() as opened:
        sent = 0
        while sent < REQUESTS_AFTER_WARM_UP:
            session = Session(user_id=f"amzn1.ask.account.ONCE{sent}")
            for envelope in _conversation(session)[: REQUESTS_AFTER_WARM_UP - sent]:
                send(envelope, session)
                sent += 1
    assert opened == []


def test_the_audit_hook_does_see_a_file_being_read(tmp_path):
    from skill.runtime.content import load_content

    with FilesOpened() as opened:
        load_content()
    assert any("topics.yaml" in event for event in opened)
