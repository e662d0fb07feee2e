"""Cards and screens, added after every handler: she can read the tips in the morning.

Every spoken answer gets a card for the Alexa app (its title from where she is, its text what
Alexa said). A device with a screen that speaks APL also gets the stretch step or the answer
as a short list; a device without APL is never sent one. A plain goodbye gets no card:
there is nothing in it to read later, and a published skill keeps her card list for tips.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ask_sdk_core.dispatch_components import AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_supported_interfaces
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from skill.runtime import apl
from skill.runtime.content import Content
from skill.runtime.screens import (
    ScreenWords,
    answer_datasource,
    answered_topic,
    card,
    load_screen_words,
    plain_text,
    step_card_title,
    step_datasource,
)
from skill.runtime.state import MODE_WALKTHROUGH, ConversationState, WalkthroughProgress, WalkthroughStore

SCREEN_TOKEN = "crampCoachScreen"


def _hands_over(response: Response) -> bool:
    """Whether the response hands the conversation to Alexa (a Connections request, such as asking permission)."""
    return any(getattr(d, "object_type", "").startswith("Connections.") for d in response.directives or [])


class ScreenInterceptor(AbstractResponseInterceptor):
    """Adds the card, and on APL devices the screen, to whatever the handler said."""

    def __init__(
        self,
        content: Content,
        walkthroughs: WalkthroughStore,
        words: Optional[ScreenWords] = None,
        documents: Optional[Mapping[str, Mapping[str, Any]]] = None,
    ) -> None:
        self.content = content
        self.walkthroughs = walkthroughs
        self.words = words or load_screen_words()
        self.documents = documents or apl.load_documents()
        self._goodbyes = frozenset(content.prompts["goodbye"].variants)

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        speech = response.output_speech if response is not None else None
        if speech is None:  # SessionEndedRequest: nothing was said, nothing to show
            return
        text = plain_text(speech.ssml) if getattr(speech, "ssml", None) else getattr(speech, "text", "") or ""
        if response.should_end_session and text in self._goodbyes:
            return
        if response.card is not None or _hands_over(response):
            return  # a consent card, or Alexa asking her for permission: that response is whole as it is
        step = self._current_step(handler_input)
        title = self._title(handler_input, step, text)
        shown = card(title, text)
        response.card = SimpleCard(title=shown.title, content=shown.text)
        if not response.should_end_session:
            self._render(handler_input, response, step, title, text)

    def _current_step(self, handler_input: HandlerInput) -> Optional[WalkthroughProgress]:
        if ConversationState.of(handler_input).mode != MODE_WALKTHROUGH:
            return None
        progress = self.walkthroughs.load(handler_input)
        if progress is None or not 0 <= progress.step < len(self.content.walkthrough.steps):
            return None
        return progress

    def _title(self, handler_input: HandlerInput, step: Optional[WalkthroughProgress], text: str) -> str:
        if step is not None:
            return step_card_title(self.words, step.step, len(self.content.walkthrough.steps))
        state = ConversationState.of(handler_input)
        topic = answered_topic(self.content, state.topic, state.answer_index, text)
        return topic.title if topic else self.words.card_titles["general"]

    def _render(
        self,
        handler_input: HandlerInput,
        response: Response,
        step: Optional[WalkthroughProgress],
        title: str,
        text: str,
    ) -> None:
        interface = get_supported_interfaces(handler_input).alexa_presentation_apl
        if interface is None:
            return
        if step is not None:
            name = apl.WALKTHROUGH_STEP
            datasources = step_datasource(self.words, self.content, step.step, text if step.paused else "")
        else:
            name = apl.ANSWER
            datasources = answer_datasource(self.words, title, text)
        document = self.documents[name]
        max_version = interface.runtime.max_version if interface.runtime else None
        if not apl.device_can_render(document, max_version):
            return  # an older screen shows the card instead
        # imported here: the APL package is a hundred modules, and voice-only devices never need them (cold start)
        from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

        directive = RenderDocumentDirective(token=SCREEN_TOKEN, document=dict(document), datasources=datasources)
        response.directives = [*(response.directives or []), directive]
