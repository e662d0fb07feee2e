"""Topic answers from the article, and "tell me more" through a topic's answers."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill.content import FALLBACK_TOPIC, Topic
from skill.handlers.base import SkillHandler, resolved_body_part
from skill.replies import Reply, Voice
from skill.state import MODE_WALKTHROUGH, ConversationState, WalkthroughStore


class TopicHandler(SkillHandler):
    """Answers one topic's intent with its first answer; a body part may send her elsewhere."""

    def __init__(self, voice: Voice, walkthroughs: WalkthroughStore, topic: Topic) -> None:
        super().__init__(voice, walkthroughs)
        self.topic = topic

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name(self.topic.intent)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        topic = self._routed_topic(handler_input)
        ConversationState.of(handler_input).answered(topic.name, 0)
        return self.send(handler_input, self.voice.answer(topic, 0))

    def _routed_topic(self, handler_input: HandlerInput) -> Topic:
        """The topic she really asked about, given the body part she named."""
        if not self.topic.body_parts:
            return self.topic
        spoken, part = resolved_body_part(handler_input)
        topics = self.voice.content.topics
        if spoken is not None and part is None:
            return topics[FALLBACK_TOPIC]
        return topics[self.topic.body_parts[part]] if part in self.topic.body_parts else self.topic


class TellMeMoreHandler(SkillHandler):
    """ "Tell me more", "what else" — or Next outside the walkthrough: the topic's next answer."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if is_intent_name("TellMeMoreIntent")(handler_input):
            return True
        state = ConversationState.of(handler_input)
        return is_intent_name("AMAZON.NextIntent")(handler_input) and state.mode != MODE_WALKTHROUGH

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.send(handler_input, more_about_topic(self.voice, handler_input))


def more_about_topic(voice: Voice, handler_input: HandlerInput) -> Reply:
    """The next answer of the topic she last heard, or where to go when there is none."""
    state = ConversationState.of(handler_input)
    topic = voice.content.topics.get(state.topic or "")
    if topic is None:
        return voice.listen(voice.prompt("more_of_what"))
    index = state.answer_index + 1
    if index >= len(topic.answers):
        return voice.ask(voice.prompt("no_more"), "anything_else")
    state.answered(topic.name, index)
    return voice.answer(topic, index)

