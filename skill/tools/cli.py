"""``cramp-coach``: talk to the real skill from a terminal, no Echo or AWS account needed.

Each command is one function; the skill and the interaction model are loaded inside the
commands so ``--help`` stays instant.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, TextIO

import click

from skill import __version__
from skill.tools.commands import build_lambda, check, evaluate, package, review
from skill.runtime.envelope import DEFAULT_LOCALE
from skill.web.serve import serve

if TYPE_CHECKING:
    from ask_sdk_core.skill import CustomSkill

    from skill.tools.conversation import LocalConversation, Turn
    from skill.tools.nlu import LocalUnderstanding, Understanding

PROMPT = "you> "
REPLY = "alexa> "
QUIT_WORDS = ("quit", "exit")
SESSION_ENDED_NOTE = '(session ended — say something to start again, or "quit")'

locale_option = click.option(
    "--locale",
    default=DEFAULT_LOCALE,
    show_default=True,
    metavar="LOCALE",
    help="Which interaction model to understand her words with (interaction_models/LOCALE.json).",
)
db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Remember her between runs in this SQLite file (default: forget everything on exit).",
)
show_intent_option = click.option(
    "--show-intent",
    is_flag=True,
    help="Also show the intent and slots the words were understood as, and how they matched.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cramp-coach")
def main() -> None:
    """Cramp Coach, the Alexa skill, on your own computer.

    Type what she would say; the words are matched against the skill's own interaction
    model, sent to the real skill as the request Alexa would send, and the reply is printed.

    \b
    Examples:
      cramp-coach say "what helps leg cramps"
      cramp-coach say --json "ask cramp coach what should I eat"
      cramp-coach chat --show-intent
    """


@main.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--ssml", "as_ssml", is_flag=True, help="Print the SSML Alexa would speak.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole response envelope as JSON.")
@show_intent_option
@db_option
@locale_option
def say(words: tuple[str, ...], as_ssml: bool, as_json: bool, show_intent: bool, db: Optional[Path],
        locale: str) -> None:
    """Say WORDS once, in a new session, and print what Alexa would answer.

    Like a one-shot "Alexa, ask cramp coach ...": a launch phrase such as "open cramp coach"
    (or "") sends a LaunchRequest, anything else the intent the words match.
    Plain text by default; --show-intent writes to stderr so --json output stays clean.

    \b
    Examples:
      cramp-coach say "my calf is cramping"
      cramp-coach say --ssml what should I eat
      cramp-coach say "open cramp coach"
    """
    if as_ssml and as_json:
        raise click.UsageError("choose one of --ssml and --json (plain text is the default)")
    from skill.tools.conversation import LocalConversation

    conversation = LocalConversation(_load_skill(db), _load_understanding(locale))
    try:
        turn = conversation.say(" ".join(words))
    except Exception as error:  # the skill's own failure, reported for a person to act on
        raise click.ClickException(_skill_failure(error)) from error
    if show_intent:
        click.echo(f"heard> {describe(turn.heard)}", err=True)
    if as_json:
        click.echo(json.dumps(turn.response, indent=2, ensure_ascii=False))
    elif as_ssml:
        click.echo(turn.ssml)
    else:
        click.echo(turn.text)


@main.command()
@click.option("--no-launch", is_flag=True, help='Start silently instead of with "open cramp coach".')
@click.option("--ssml", "with_ssml", is_flag=True, help="Show the SSML under each plain-text answer.")
@show_intent_option
@db_option
@locale_option
def chat(no_launch: bool, with_ssml: bool, show_intent: bool, db: Optional[Path], locale: str) -> None:
    """Hold a conversation with the skill, one line per thing she says.

    Session attributes carry from turn to turn as on an Echo. When the skill ends the
    session, the next line opens a new one. Type "quit" or "exit", or press Ctrl-D, to leave.
    Reads standard input line by line, so a script can drive it.

    \b
    Examples:
      cramp-coach chat
      printf 'what should I eat\\nyes\\nquit\\n' | cramp-coach chat
      cramp-coach chat --db cramp-coach.sqlite3   # remembered next time, like an Echo
    """
    from skill.tools.conversation import LocalConversation
    from skill.tools.practice_api import PracticeAlexaApi

    practice = PracticeAlexaApi().start()  # "remind me to stretch before bed": practice reminders only
    try:
        conversation = LocalConversation(_load_skill(db, practice.trust_bundle), _load_understanding(locale),
                                         practice=practice)
        _converse(conversation, no_launch, with_ssml, show_intent)
    finally:
        practice.stop()


def _converse(conversation: "LocalConversation", no_launch: bool, with_ssml: bool, show_intent: bool) -> None:
    stdin = sys.stdin
    echo_input = not stdin.isatty()
    try:
        if not no_launch:
            _show(_attempt(conversation.open), with_ssml, show_intent)
        while True:
            said = _read_line(stdin, echo_input)
            if said is None or said.lower().strip(" .!") in QUIT_WORDS:
                break
            if said:
                _show(_attempt(lambda: conversation.say(said)), with_ssml, show_intent)
        _attempt(conversation.end)
    except KeyboardInterrupt:
        click.echo()


def describe(heard: "Understanding") -> str:
    """One line for skill owners: which intent, which slots, and how sure the match was."""
    if heard.kind == "launch":
        return "LaunchRequest"
    parts = [heard.intent or heard.kind]
    for name, fill in heard.slots.items():
        resolved = fill.resolved_id if fill.resolved_id is not None else "(no match)"
        parts.append(f'{name}="{fill.spoken}"→{resolved}')
    how = f"{heard.method} {heard.score:.2f}"
    if heard.matched_sample:
        how += f' ~ "{heard.matched_sample}"'
    if heard.one_shot:
        how += ", one-shot"
    return f"{' '.join(parts)}  [{how}]"


def _read_line(stdin: TextIO, echo_input: bool) -> Optional[str]:
    """The next thing she says, or ``None`` at end of input."""
    click.echo(PROMPT, nl=False)
    line = stdin.readline()
    if not line:
        click.echo()
        return None
    said = line.strip()
    if echo_input:
        click.echo(said)
    return said


def _attempt(step: Callable[[], Optional["Turn"]]) -> Optional["Turn"]:
    """Run one turn; a failing skill is reported and the chat goes on, as a shell would."""
    try:
        return step()
    except Exception as error:
        click.echo(f"({_skill_failure(error)})", err=True)
        return None


def _show(turn: Optional["Turn"], with_ssml: bool, show_intent: bool) -> None:
    if turn is None:
        return
    if show_intent:
        click.echo(f"heard> {describe(turn.heard)}")
    click.echo(f"{REPLY}{turn.text}")
    if turn.practice_note:
        click.echo(f"      ({turn.practice_note})")
    if with_ssml:
        click.echo(f"ssml> {turn.ssml}")
    if turn.session_ended:
        click.echo(SESSION_ENDED_NOTE)


def _load_understanding(locale: str) -> "LocalUnderstanding":
    from skill.tools.nlu import LocalUnderstanding
    from skill.runtime.resources import data_dir

    try:
        return LocalUnderstanding.for_locale(locale)
    except FileNotFoundError as error:
        available = sorted(
            path.stem for path in data_dir("interaction_models").glob("*.json") if "-" in path.stem
            and not path.stem.startswith("local-")
        )
        raise click.BadParameter(
            f"{error}; available locales: {', '.join(available) or 'none'}", param_hint="--locale"
        ) from None
    except ValueError as error:
        raise click.ClickException(f"{error} (fix the interaction model, then try again)") from None


def _load_skill(db: Optional[Path] = None, api_ca_bundle: Optional[str] = None) -> "CustomSkill":
    from skill.runtime.builder import SkillConfig, build_skill
    from skill.runtime.stores import StoreConfig, open_store

    try:
        store = open_store(StoreConfig(kind="sqlite", sqlite_path=db)) if db else None
        return build_skill(SkillConfig(persistence_adapter=store, api_ca_bundle=api_ca_bundle))
    except ValueError as error:
        raise click.ClickException(f"{error} (fix the content, then try again)") from None


def _skill_failure(error: Exception) -> str:
    return f"the skill failed: {type(error).__name__}: {error}; run the tests to find the handler"


main.add_command(serve)  # the web service; its options and logic live in skill/web/serve.py
for command in (package, build_lambda, check, review, evaluate):  # publishing, sign-off, NLU: skill/tools/commands.py
    main.add_command(command)

if __name__ == "__main__":
    main(prog_name="cramp-coach")
