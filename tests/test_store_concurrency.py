"""Many listeners at once: threads and processes writing different users and the same user,
with nothing lost and nothing crossed — against SQLite and a real local DynamoDB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import uuid
from pathlib import Path

import pytest

from skill.runtime.envelope import Session, launch_request
from skill.runtime.stores import StoreConfig, open_store

THREADS = 8
WRITES_PER_THREAD = 40
PROCESSES = 3
WRITES_PER_PROCESS = 60


def request_for(user_id: str):
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    envelope = launch_request(Session(user_id=user_id))
    return DefaultSerializer().deserialize(json.dumps(envelope), RequestEnvelope)


@pytest.fixture(params=["sqlite", "dynamodb"])
def store_config(request, tmp_path) -> StoreConfig:
    if request.param == "sqlite":
        return StoreConfig(kind="sqlite", sqlite_path=tmp_path / "busy.sqlite3", user_key_salt="salt")
    server = request.getfixturevalue("dynalite")
    table = f"busy-{uuid.uuid4().hex[:8]}"
    open_store(StoreConfig(kind="dynamodb", dynamodb_table=table, dynamodb_region="us-east-1",
                           dynamodb_endpoint_url=server.endpoint_url, dynamodb_create_table=True,
                           user_key_salt="salt"))
    return StoreConfig(kind="dynamodb", dynamodb_table=table, dynamodb_region="us-east-1",
                       dynamodb_endpoint_url=server.endpoint_url, user_key_salt="salt")


def test_threads_writing_their_own_users_and_a_shared_user_lose_and_cross_nothing(store_config):
    store = open_store(store_config)
    shared = request_for("amzn1.ask.account.SHARED")
    errors: list[BaseException] = []

    def listener(thread: int) -> None:
        try:
            own = request_for(f"amzn1.ask.account.THREAD{thread}")
            for n in range(WRITES_PER_THREAD):
                store.save_attributes(own, {"last_topic": f"t{thread}", "walkthrough": {"step": n}})
                store.save_attributes(shared, {"last_topic": f"t{thread}", "walkthrough": {"step": n}})
                assert store.get_attributes(own)["walkthrough"]["step"] == n
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=listener, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == [] and store.healthy
    for t in range(THREADS):
        record = store.get_attributes(request_for(f"amzn1.ask.account.THREAD{t}"))
        assert record == {"last_topic": f"t{t}", "walkthrough": {"step": WRITES_PER_THREAD - 1}}
    shared_record = store.get_attributes(shared)
    assert shared_record["last_topic"] in {f"t{t}" for t in range(THREADS)}  # one whole write, never a mix
    assert shared_record["walkthrough"]["step"] == WRITES_PER_THREAD - 1


WRITER = textwrap.dedent(
    """
    import json, sys
    from skill.runtime.stores import StoreConfig, open_store
    sys.path.insert(0, {tests!r})
    from test_store_concurrency import request_for
    config = StoreConfig(**json.loads(sys.argv[1]))
    store = open_store(config)
    worker = int(sys.argv[2])
    own = request_for(f"amzn1.ask.account.PROC{{worker}}")
    shared = request_for("amzn1.ask.account.SHARED")
    for n in range({writes}):
        store.save_attributes(own, {{"last_topic": f"p{{worker}}", "walkthrough": {{"step": n}}}})
        store.save_attributes(shared, {{"last_topic": f"p{{worker}}", "walkthrough": {{"step": n}}}})
    print("healthy" if store.healthy else "unhealthy")
    """
)


def test_processes_writing_at_once_lose_and_cross_nothing(store_config):
    fields = {k: (str(v) if isinstance(v, Path) else v) for k, v in store_config.__dict__.items()}
    script = WRITER.format(tests=str(Path(__file__).parent), writes=WRITES_PER_PROCESS)
    processes = [
        subprocess.Popen([sys.executable, "-c", script, json.dumps(fields), str(p)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
        for p in range(PROCESSES)
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (out, err) in zip(processes, outputs):
        assert process.returncode == 0, err
        assert out.strip() == "healthy", err
    store = open_store(store_config)
    for p in range(PROCESSES):
        record = store.get_attributes(request_for(f"amzn1.ask.account.PROC{p}"))
        assert record == {"last_topic": f"p{p}", "walkthrough": {"step": WRITES_PER_PROCESS - 1}}
    assert store.get_attributes(request_for("amzn1.ask.account.SHARED"))["last_topic"] in {
        f"p{p}" for p in range(PROCESSES)
    }
