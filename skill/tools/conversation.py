"""A conversation with the real skill, turn by turn, as an Echo would hold it.

Text goes through the local NLU, becomes the request envelope Alexa would send, runs through
the real skill, and the reply's session attributes carry into the next turn. No printing or
IO here: the CLI and the browser console both drive it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Mapping, Optional

from ask_sdk_core.skill import CustomSkill

from skill.tools import spoken_times
from skill.runtime.envelope import (
    REMINDERS_SCOPE,
    Session,
    SlotFill,
    connections_response,
    intent_request,
    launch_request,
    session_ended_request,
)
from skill.runtime.invoke import invoke
from skill.tools.nlu import LocalUnderstanding, Understanding
from skill.tools.vocabulary import normalise
from skill.runtime.speech import ssml_to_text

if TYPE_CHECKING:
    from skill.tools.practice_api import PracticeAlexaApi

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
    practice_note: Optional[str] = None
    """Set when the turn used the practice reminders API: nothing is set on a device."""


class LocalConversation:
    """Talk to ``skill`` in one session; when the skill ends it, the next utterance opens another.

    Pass a ``session`` that has already had turns (``new`` false) to carry on where it left off.
    With ``practice``, the envelope's apiEndpoint leads to the local practice Reminders API, and
    Alexa's part is played here too: the time she says after Dialog.ElicitSlot fills the slot, and
    her yes or no to Alexa's permission question becomes the Connections.Response.
    """

    def __init__(
        self,
        skill: CustomSkill,
        understanding: LocalUnderstanding,
        session: Optional[Session] = None,
        practice: Optional["PracticeAlexaApi"] = None,
    ) -> None:
        self.skill = skill
        self.understanding = understanding
        self.session = session or Session(locale=understanding.locale)
        self._open = not self.session.new  # the skill is waiting for her next words
        self.practice = practice
        if practice is not None:
            self.session.api_endpoint = practice.endpoint
            self.session.api_access_token = f"practice-{uuid.uuid4().hex}"
        self._eliciting: Optional[tuple[str, str]] = None  # (intent, slot) Alexa is asking her for
        self._permission_token: Optional[str] = None  # Alexa is asking her for the reminders permission

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
        if self._permission_token is not None and heard.kind != "launch":
            return self._answer_permission(heard)
        if heard.kind == "launch":
            return self._launch(heard)
        heard = self._elicited(text) or heard
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

    def _elicited(self, text: str) -> Optional[Understanding]:
        """After Dialog.ElicitSlot, a time she says fills the slot Alexa asked for, as Alexa's dialog does."""
        eliciting, self._eliciting = self._eliciting, None
        spoken = spoken_times.find_time(normalise(text)) if eliciting else None
        if eliciting is None or spoken is None:
            return None
        value = spoken_times.alexa_time(spoken)
        return Understanding(kind="intent", intent=eliciting[0], slots={eliciting[1]: SlotFill(value or spoken, value)},
                             method="exact", matched_sample=f"{{{eliciting[1]}}}")

    def _answer_permission(self, heard: Understanding) -> Turn:
        """Her answer to Alexa's own permission question, sent to the skill as Alexa would."""
        token, self._permission_token = self._permission_token or "", None
        status = {"AMAZON.YesIntent": "ACCEPTED", "AMAZON.NoIntent": "DENIED"}.get(heard.intent or "", "NOT_ANSWERED")
        if status == "ACCEPTED":
            self.session.granted_scopes = (REMINDERS_SCOPE,)
        answered = Understanding(kind="intent", intent="Connections.Response", method="exact",
                                 matched_sample=f"permission {status.lower()}")
        return self._send(answered, connections_response(self.session, status, token))

    def _send(self, heard: Understanding, envelope: Mapping[str, Any]) -> Turn:
        calls = len(self.practice.calls) if self.practice else 0
        response = invoke(self.skill, envelope)
        self.session.absorb(response)
        body = response.get("response") or {}
        ended = skill_ended_session(body)
        ssml, text = _speech(body.get("outputSpeech"))
        reprompt_ssml, _ = _speech((body.get("reprompt") or {}).get("outputSpeech"))
        directives = {d.get("type"): d for d in body.get("directives") or []}
        elicit = directives.get("Dialog.ElicitSlot")
        if elicit:
            self._eliciting = ((elicit.get("updatedIntent") or {}).get("name", ""), elicit.get("slotToElicit", ""))
        asked = directives.get("Connections.SendRequest")
        note = None
        if asked and self.practice is not None:
            from skill.tools.practice_api import ALEXA_PERMISSION_QUESTION, LABEL

            self._permission_token, ended, note = asked.get("token") or "", False, LABEL
            text = f"{text} {ALEXA_PERMISSION_QUESTION}".strip()
        elif self.practice is not None and len(self.practice.calls) > calls:
            from skill.tools.practice_api import LABEL

            note = LABEL
        self._open = not ended
        return Turn(
            heard=heard, ssml=ssml, text=text, reprompt_ssml=reprompt_ssml or None,
            session_ended=ended, response=response, practice_note=note,
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

