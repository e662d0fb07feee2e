"""The ``cramp-coach`` command as a person runs it: a real process, started from a folder
that is not the project, talking to the real skill.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SESSION_ENDED_NOTE = "(session ended"


@pytest.fixture
def cramp_coach(tmp_path: Path):
    """Run ``cramp-coach ARGS`` from an empty temporary folder; returns the finished process."""

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
        return subprocess.run(
            [sys.executable, "-m", "skill.tools.cli", *args],
            cwd=tmp_path, env=env, input=stdin if stdin is not None else "",
            capture_output=True, text=True, timeout=120,
        )

    return run


def _answers(stdout: str) -> list[str]:
    return [line.split("alexa> ", 1)[1] for line in stdout.splitlines() if "alexa> " in line]


def test_say_prints_what_alexa_would_say_as_plain_text(cramp_coach) -> None:
    result = cramp_coach("say", "what helps leg cramps")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert "<speak>" not in result.stdout and "<break" not in result.stdout


def test_say_ssml_prints_the_speech_markup(cramp_coach) -> None:
    result = cramp_coach("say", "--ssml", "what should I eat")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("<speak>")
    assert result.stdout.strip().endswith("</speak>")


def test_say_json_prints_the_whole_response_envelope(cramp_coach) -> None:
    result = cramp_coach("say", "--json", "ask cramp coach what should I eat")
    assert result.returncode == 0, result.stderr
    envelope = json.loads(result.stdout)
    assert envelope["version"] == "1.0"
    assert envelope["response"]["outputSpeech"]["ssml"].startswith("<speak>")


def test_say_open_cramp_coach_sends_a_launch_request(cramp_coach) -> None:
    result = cramp_coach("say", "--show-intent", "open cramp coach")
    assert result.returncode == 0, result.stderr
    assert "heard> LaunchRequest" in result.stderr
    assert result.stdout.strip()


def test_say_show_intent_names_the_intent_and_slot_on_stderr(cramp_coach) -> None:
    result = cramp_coach("say", "--show-intent", "--json", "my calf is cramping")
    assert result.returncode == 0, result.stderr
    assert 'CrampNowIntent bodyPart="calf"→calf' in result.stderr
    json.loads(result.stdout)


def test_say_without_words_is_a_usage_error(cramp_coach) -> None:
    result = cramp_coach("say")
    assert result.returncode == 2
    assert "Missing argument" in result.stderr


def test_say_with_both_ssml_and_json_says_to_choose_one(cramp_coach) -> None:
    result = cramp_coach("say", "--ssml", "--json", "hello")
    assert result.returncode == 2
    assert "choose one of --ssml and --json" in result.stderr


def test_an_unknown_locale_lists_the_locales_there_are(cramp_coach) -> None:
    result = cramp_coach("say", "--locale", "xx-XX", "hello")
    assert result.returncode == 2
    assert "xx-XX" in result.stderr and "en-US" in result.stderr


def test_help_lists_say_and_chat(cramp_coach) -> None:
    result = cramp_coach("--help")
    assert result.returncode == 0
    assert "say" in result.stdout and "chat" in result.stdout


def test_chat_holds_a_conversation_and_quits_cleanly(cramp_coach) -> None:
    result = cramp_coach("chat", stdin="what should I eat\nyes\nquit\n")
    assert result.returncode == 0, result.stderr
    answers = _answers(result.stdout)
    assert len(answers) == 3  # the launch greeting, the food tip, and the next tip after "yes"
    assert answers[1] != answers[2]
    assert "Traceback" not in result.stderr


def test_chat_ends_cleanly_at_end_of_input(cramp_coach) -> None:
    result = cramp_coach("chat", "--no-launch", stdin="my calf is cramping\n")
    assert result.returncode == 0, result.stderr
    assert len(_answers(result.stdout)) == 1


def test_chat_opens_a_new_session_after_the_skill_ends_one(cramp_coach) -> None:
    result = cramp_coach("chat", stdin="stop\nwhat helps leg cramps\nquit\n")
    assert result.returncode == 0, result.stderr
    assert SESSION_ENDED_NOTE in result.stdout
    after_stop = result.stdout.split(SESSION_ENDED_NOTE, 1)[1]
    assert _answers(after_stop) and _answers(after_stop)[0].strip()


def test_chat_show_intent_and_ssml_explain_each_answer(cramp_coach) -> None:
    result = cramp_coach("chat", "--no-launch", "--show-intent", "--ssml", stdin="my calf is cramping\nexit\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    heard = next(i for i, line in enumerate(lines) if "heard> " in line)
    assert 'CrampNowIntent bodyPart="calf"→calf' in lines[heard]
    assert "alexa> " in lines[heard + 1]
    assert lines[heard + 2].startswith("ssml> <speak>")


def test_chat_with_a_database_remembers_her_unfinished_stretch_next_time(cramp_coach, tmp_path) -> None:
    db = str(tmp_path / "memory.sqlite3")
    first = cramp_coach("chat", "--db", db, stdin="walk me through a stretch\nnext\nquit\n")
    assert first.returncode == 0, first.stderr
    assert "Step 2 of 6" in first.stdout
    later = cramp_coach("chat", "--db", db, stdin="yes\nquit\n")
    assert later.returncode == 0, later.stderr
    greeting, carried_on = _answers(later.stdout)[:2]
    assert "you were on step 2 of the stretch" in greeting
    assert "Step 2 of 6" in carried_on


def test_chat_without_a_database_forgets_her_on_exit(cramp_coach) -> None:
    cramp_coach("chat", stdin="walk me through a stretch\nquit\n")
    later = cramp_coach("chat", stdin="quit\n")
    assert "not medical advice" in _answers(later.stdout)[0]
