"""``cramp-coach serve --console``: the skill in a browser, for people who have no Echo.

``GET /`` is a plain page (``console_static/``: HTML, CSS and a little JavaScript, nothing from
the internet). ``POST /console/say`` turns typed or transcribed words into the request Alexa
would send, through the same ``LocalConversation`` as ``cramp-coach chat``;
``POST /console/start-over`` forgets one conversation. These requests never come from Alexa, so
they skip its signature check: ``serve`` offers the console on loopback only, and the console
answers only a loopback Host header (a web page elsewhere cannot rebind a name to reach it), no
request a proxy forwarded, and POSTs only from its own page (``Origin``, ``Sec-Fetch-Site``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ask_sdk_core.skill import CustomSkill
from flask import Blueprint, Response, jsonify, request

from skill.tools.console_turns import ConsoleConversations, start_conversation, turn_json
from skill.runtime.envelope import DEFAULT_LOCALE
from skill.tools.nlu import LocalUnderstanding
from skill.web.request_log import note_problem, note_request
from skill.web.serve import is_loopback, proxy_header

if TYPE_CHECKING:
    from skill.tools.practice_api import PracticeAlexaApi

SAME_SITE_FETCHES = frozenset({"same-origin", "none"})
"""``Sec-Fetch-Site`` values of the console's own page (``none``: typed by hand, e.g. curl)."""
MAX_TEXT_CHARACTERS = 500
"""Far more than anyone says to Alexa in one breath."""
CONSOLE_LOCALE = DEFAULT_LOCALE
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class BadInput(ValueError):
    """What is wrong with a console request, in words for the person who sent it."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def console_blueprint(
    skill: CustomSkill,
    understanding: Optional[LocalUnderstanding] = None,
    conversations: Optional[ConsoleConversations] = None,
    practice: Optional["PracticeAlexaApi"] = None,
) -> Blueprint:
    """The console's page and JSON endpoint, talking to ``skill`` (the one ``/alexa`` answers with);
    bedtime reminders set here go to ``practice``, the local practice Reminders API."""
    understanding = understanding or LocalUnderstanding.for_locale(CONSOLE_LOCALE)
    if conversations is None:
        conversations = ConsoleConversations(lambda: start_conversation(skill, understanding, practice))
    console = Blueprint("console", __name__, static_folder="console_static", static_url_path="/console/static")

    @console.before_request
    def only_on_this_computer() -> Optional[tuple[Response, int]]:
        if not is_loopback(_hostname(request.host)):
            return _refuse(403, "host: the console answers only on this computer: open http://127.0.0.1")
        forwarded = proxy_header(request.headers)
        if forwarded:
            return _refuse(403, f"{forwarded.lower()}: the console answers only on this computer, not through a proxy")
        if request.method == "POST":
            return _only_from_this_page()
        return None

    @console.after_request
    def lock_down(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        if request.method == "POST":
            response.headers["Cache-Control"] = "no-store"
        return response

    @console.errorhandler(BadInput)
    def bad_input(problem: BadInput) -> tuple[Response, int]:
        return _refuse(problem.status, str(problem))

    @console.get("/")
    def page() -> Response:
        return console.send_static_file("index.html")

    @console.post("/console/say")
    def say() -> Response:
        body = _json_object()
        text = _text(body)
        entry, restarted = conversations.find_or_start(_conversation_id(body))
        with entry.lock:
            turn = entry.conversation.say(text)
        note_request("Console", turn.heard.intent)
        return jsonify(conversation=entry.id, restarted=restarted, **turn_json(turn))

    @console.post("/console/start-over")
    def start_over() -> Response:
        entry = conversations.forget(_conversation_id(_json_object()))
        if entry is not None:
            with entry.lock:
                entry.conversation.end()  # as Alexa tells a skill when she walks away
        return jsonify(conversation=None, forgotten=entry is not None)

    return console


def _only_from_this_page() -> Optional[tuple[Response, int]]:
    """A POST must come from the console's own page: another site's page (or one rebinding a name) is refused."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in SAME_SITE_FETCHES:
        return _refuse(403, f"sec-fetch-site: {site!r}: the console answers only its own page")
    origin = request.headers.get("Origin")
    if origin is not None and origin != request.host_url.rstrip("/"):
        return _refuse(403, "origin: the console answers only its own page, at http://127.0.0.1")
    return None


def _json_object() -> dict[str, Any]:
    if not request.is_json:
        raise BadInput("content type: send JSON (Content-Type: application/json)", 415)
    body = request.get_json(silent=True)
    if body is None:
        raise BadInput("body: not JSON")
    if not isinstance(body, dict):
        raise BadInput('body: must be a JSON object, e.g. {"text": "what helps leg cramps"}')
    return body


def _text(body: dict[str, Any]) -> str:
    text = body.get("text")
    if text is None:
        raise BadInput("text: missing: send what she would say")
    if not isinstance(text, str):
        raise BadInput("text: must be a string")
    text = text.strip()
    if not text:
        raise BadInput("text: empty: type what she would say")
    if len(text) > MAX_TEXT_CHARACTERS:
        raise BadInput(f"text: {len(text)} characters, the limit is {MAX_TEXT_CHARACTERS}")
    return text


def _conversation_id(body: dict[str, Any]) -> Optional[str]:
    """The id from the last answer; absent, null or forgotten starts a new conversation."""
    conversation = body.get("conversation")
    if conversation is not None and not isinstance(conversation, str):
        raise BadInput("conversation: must be a string, the id the last answer gave (or null)")
    return conversation


def _hostname(host: str) -> str:
    """``127.0.0.1:8080`` → ``127.0.0.1``; ``[::1]:8080`` → ``::1``."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _refuse(status: int, message: str) -> tuple[Response, int]:
    note_problem(message)
    return jsonify(error=message), status
