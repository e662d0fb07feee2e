"""A conversation with the real skill, turn by turn, as an Echo would hold it.

Text goes through the local NLU, becomes the request envelope Alexa would send, runs through
the real skill, and the reply's session attributes carry into the next turn. No printing or
IO here: the CLI and the browser console both drive it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping, Optional

from ask_sdk_core.skill import CustomSkill

from skill.envelope import Session, intent_request, launch_request, session_ended_request
from skill.invoke import invoke
from skill.nlu import LocalUnderstanding, Understanding
from skill.speech import ssml_to_text

LAUNCH_UTTERANCE = Understanding(kind="launch", method="launch")
WALKED_AWAY = Understanding(kind="session_ended", method="session_ended")


@dataclass(frozen=True)
class Turn:
    """One exchange: what the NLU heard and what the skill answered."""

    heard: Understanding
    ssml: str
    text: str
    reprompt_ssml: Optional[str]
    session_ended: bool
    response: dict[str, Any]


class LocalConversation:
    """Talk to ``skill`` in one session; when the skill ends it, the next utterance opens another.

    Pass a ``session`` that has already had turns (``new`` false) to carry on where it left off.
    """

    def __init__(
        self,
        skill: CustomSkill,
        understanding: LocalUnderstanding,
        session: Optional[Session] = None,
    ) -> None:
        self.skill = skill
        self.understanding = understanding
        self.session = session or Session(locale=understanding.locale)
        self._open = not self.session.new  # the skill is waiting for her next words

    @property
    def in_session(self) -> bool:
        """True while the skill is waiting for her next words."""
        return self._open

    def open(self) -> Turn:
        """"Alexa, open cramp coach": a LaunchRequest in a fresh session."""
        return self._launch(LAUNCH_UTTERANCE)

    def say(self, text: str) -> Turn:
        """What she says next; a launch phrase always opens a fresh session."""
        heard = self.understanding.understand(text)
        if heard.kind == "launch":
            return self._launch(heard)
        self._start_if_closed()
        slots = {name: heard.slots.get(name) for name in self.understanding.slot_names(heard.intent or "")}
        slots.update(heard.slots)
        return self._send(heard, intent_request(self.session, heard.intent or "", slots))

    def end(self) -> Optional[Turn]:
        """She walks away: Alexa tells the skill the session ended (``None`` if none is open)."""
        if not self._open:
            return None
        turn = self._send(WALKED_AWAY, session_ended_request(self.session, "USER_INITIATED"))
        self._open = False
        return replace(turn, session_ended=True)

    def _launch(self, heard: Understanding) -> Turn:
        if self._open or not self.session.new:
            self.session.restart()
        return self._send(heard, launch_request(self.session))

    def _start_if_closed(self) -> None:
        if not self._open and not self.session.new:
            self.session.restart()

    def _send(self, heard: Understanding, envelope: Mapping[str, Any]) -> Turn:
        response = invoke(self.skill, envelope)
        self.session.absorb(response)
        body = response.get("response") or {}
        ended = skill_ended_session(body)
        self._open = not ended
        ssml, text = _speech(body.get("outputSpeech"))
        reprompt_ssml, _ = _speech((body.get("reprompt") or {}).get("outputSpeech"))
        return Turn(
            heard=heard, ssml=ssml, text=text, reprompt_ssml=reprompt_ssml or None,
            session_ended=ended, response=response,
        )


def skill_ended_session(body: Mapping[str, Any]) -> bool:
    """As a headless Echo decides: ended if the skill said so, or left it unset with no reprompt."""
    should_end = body.get("shouldEndSession")
    if should_end is None:
        return not body.get("reprompt")
    return bool(should_end)


def _speech(output_speech: Optional[Mapping[str, Any]]) -> tuple[str, str]:
    """(ssml, plain text) of an outputSpeech; PlainText speech has no SSML."""
    if not output_speech:
        return "", ""
    if output_speech.get("ssml"):
        ssml = str(output_speech["ssml"])
        return ssml, ssml_to_text(ssml)
    return "", str(output_speech.get("text") or "")

