"""Practice reminders: a small local stand-in for Alexa's Reminders and Settings APIs, on loopback.

Nothing is set on a device. The tests, ``cramp-coach chat`` and ``serve --console`` start it and
point the request envelope's ``context.System.apiEndpoint`` at it, so the skill's real ask-sdk
service clients make real HTTPS calls. Each call is checked against the request shape Amazon
documents (Reminders API reference: a SCHEDULED_ABSOLUTE trigger with a daily recurrence rule,
``alertInfo.spokenInfo.content[]`` per locale, ``pushNotification.status``, a bearer token), and
answered as Amazon documents, errors included, which a test can ask for (``fail_next``).
ask-sdk's client only calls HTTPS, so the server has its own certificate authority (``ca_file``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import ssl
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any, Optional

LABEL = "practice reminders, nothing is set on a device"
ALEXA_PERMISSION_QUESTION = "(Alexa asks: Do you allow Cramp Coach to create reminders? Say yes or no.)"
"""Alexa's own consent question, which the skill never words; chat and the console play Alexa's part."""
REMINDERS_PATH = "/v1/alerts/reminders"
TIME_ZONE_PATH = re.compile(r"/v2/devices/([^/]+)/settings/System\.timeZone")
DEFAULT_TIME_ZONE = "Europe/London"
DEVICE_REMINDER_LIMIT = 250
"""How many reminders one device holds before the API refuses more (the practice API's figure)."""
_LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?")
_LOCALE = re.compile(r"[a-z]{2}-[A-Z]{2}")
_PUSH_STATUSES = ("ENABLED", "DISABLED")
_ZONE_NAME = re.compile(r"UTC|[A-Z][A-Za-z_]+(?:/[A-Za-z_+-]+){1,2}")
_REMINDER_KEYS = {"requestTime", "trigger", "alertInfo", "pushNotification"}


@dataclass
class _Failure:
    status: int
    code: str
    delay_seconds: float = 0.0
    on: str = ""
    """Only calls whose "METHOD /path" starts with this."""


@dataclass
class _State:
    reminders: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    """access token (one listener) → alert token → reminder as the API returns it."""
    failures: list[_Failure] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)


STOP_POLL_SECONDS = 0.05
"""How often the server looks for a stop: socketserver's default 0.5 s is how long `chat` took to quit."""


class PracticeAlexaApi:
    """The Reminders and Settings APIs for one process's conversations; ``with`` starts and stops it."""

    def __init__(self, time_zone: str = DEFAULT_TIME_ZONE, reminder_limit: int = DEVICE_REMINDER_LIMIT) -> None:
        self.time_zone = time_zone
        self.reminder_limit = reminder_limit
        self._state = _State()
        self._lock = threading.Lock()
        self._folder = tempfile.TemporaryDirectory(prefix="cramp-coach-practice-api-")
        self.ca_file = str(Path(self._folder.name) / "practice-ca.pem")
        self.trust_bundle = str(Path(self._folder.name) / "trusted-roots.pem")
        """certifi's roots and the practice CA: the skill still reaches the real APIs while trusting this one."""
        self._server: Optional[ThreadingHTTPServer] = None

    # -- running ---------------------------------------------------------------------------------
    def start(self) -> "PracticeAlexaApi":
        import certifi

        cert, key = _write_certificates(Path(self._folder.name), self.ca_file)
        Path(self.trust_bundle).write_text(Path(certifi.where()).read_text(encoding="utf-8")
                                           + Path(self.ca_file).read_text(encoding="utf-8"), encoding="utf-8")
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": STOP_POLL_SECONDS},
                         name="practice-alexa-api", daemon=True).start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self._folder.cleanup()

    def __enter__(self) -> "PracticeAlexaApi":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        """What Alexa would put in context.System.apiEndpoint."""
        assert self._server is not None, "start() the practice API first"
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    # -- what tests ask for and look at ----------------------------------------------------------
    def fail_next(self, status: int, code: str = "", *, on: str = "", times: int = 1, delay_seconds: float = 0.0) -> None:
        """The next ``times`` calls (those starting ``on``, e.g. "POST /v1/alerts/reminders") answer ``status``
        with the documented error body, after ``delay_seconds`` (a status below 400 only delays)."""
        with self._lock:
            self._state.failures.extend(
                _Failure(status, code or _ERROR_CODES.get(status, "ERROR"), delay_seconds, on) for _ in range(times))

    def revoke(self, access_token: str) -> None:
        """She took the reminders permission back in the Alexa app: her token gets 401 from now on."""
        with self._lock:
            self._state.revoked.add(access_token)

    def reminders(self, access_token: str) -> list[dict[str, Any]]:
        with self._lock:
            return [json.loads(json.dumps(r)) for r in self._state.reminders.get(access_token, {}).values()]

    @property
    def problems(self) -> list[str]:
        """Calls that broke Amazon's documented request shape (empty when the skill called it right)."""
        with self._lock:
            return list(self._state.problems)

    @property
    def calls(self) -> list[str]:
        with self._lock:
            return list(self._state.calls)

    # -- answering -------------------------------------------------------------------------------
    def answer(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, Any]:
        """(status, JSON body) for one call, as the real APIs answer it."""
        call = f"{method} {path}"
        with self._lock:
            self._state.calls.append(call)
            failure = next((f for f in self._state.failures if call.startswith(f.on)), None)
            if failure is not None:
                self._state.failures.remove(failure)
        if failure is not None:
            time.sleep(failure.delay_seconds)
            if failure.status < 400:
                failure = None
        token = _bearer(headers.get("Authorization"))
        if token is None:
            return self._refuse(401, "UNAUTHORIZED", f"{method} {path}: no 'Authorization: Bearer <apiAccessToken>' header")
        if failure is not None:
            return failure.status, {"code": failure.code, "message": _ERROR_MESSAGES.get(failure.status, "Error")}
        zone = TIME_ZONE_PATH.fullmatch(path)
        if zone and method == "GET":
            return 200, self.time_zone
        if token in self._state.revoked:
            return 401, {"code": "UNAUTHORIZED", "message": "Request is not authorized"}
        if path == REMINDERS_PATH and method == "GET":
            return self._list(token)
        if path == REMINDERS_PATH and method == "POST":
            return self._create(token, headers, body)
        if path.startswith(REMINDERS_PATH + "/"):
            return self._one(token, method, path[len(REMINDERS_PATH) + 1:], headers, body)
        return 404, {"code": "NOT_FOUND", "message": f"no such API: {method} {path}"}

    def _refuse(self, status: int, code: str, problem: str) -> tuple[int, Any]:
        with self._lock:
            self._state.problems.append(problem)
        return status, {"code": code, "message": problem}

    def _list(self, token: str) -> tuple[int, Any]:
        alerts = self.reminders(token)
        return 200, {"totalCount": str(len(alerts)), "alerts": alerts, "links": None}

    def _create(self, token: str, headers: Any, body: bytes) -> tuple[int, Any]:
        reminder, problem = _checked_reminder(headers, body)
        if problem:
            return self._refuse(400, "INVALID_REQUEST", f"POST {REMINDERS_PATH}: {problem}")
        with self._lock:
            mine = self._state.reminders.setdefault(token, {})
            if len(mine) >= self.reminder_limit:
                return 403, {"code": "MAX_REMINDERS_EXCEEDED", "message": "The device holds its maximum of reminders"}
            alert_token = str(uuid.uuid4())
            now = _now()
            mine[alert_token] = {"alertToken": alert_token, "createdTime": now, "updatedTime": now, "status": "ON",
                                 "version": "1", "href": f"{REMINDERS_PATH}/{alert_token}", **reminder}
        return 200, {"alertToken": alert_token, "createdTime": now, "updatedTime": now, "status": "ON",
                     "version": "1", "href": f"{REMINDERS_PATH}/{alert_token}"}

    def _one(self, token: str, method: str, alert_token: str, headers: Any, body: bytes) -> tuple[int, Any]:
        with self._lock:
            mine = self._state.reminders.setdefault(token, {})
            found = mine.get(alert_token)
        if found is None:
            return 404, {"code": "NOT_FOUND", "message": "No reminder with this alertToken"}
        if method == "GET":
            return 200, found
        if method == "DELETE":
            with self._lock:
                mine.pop(alert_token, None)
            return 200, None
        if method == "PUT":
            reminder, problem = _checked_reminder(headers, body)
            if problem:
                return self._refuse(400, "INVALID_REQUEST", f"PUT {REMINDERS_PATH}/{{alertToken}}: {problem}")
            now = _now()
            with self._lock:
                found.update(reminder, updatedTime=now, version=str(int(found["version"]) + 1))
            return 200, {"alertToken": alert_token, "createdTime": found["createdTime"], "updatedTime": now,
                         "status": "ON", "version": found["version"], "href": found["href"]}
        return 405, {"code": "METHOD_NOT_ALLOWED", "message": method}


_ERROR_CODES = {400: "INVALID_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
                429: "TOO_MANY_REQUESTS", 500: "INTERNAL_SERVER_ERROR", 503: "SERVICE_UNAVAILABLE",
                504: "GATEWAY_TIMEOUT"}
_ERROR_MESSAGES = {401: "Request is not authorized", 403: "Forbidden", 429: "Rate exceeded",
                   500: "Internal Server Error", 503: "Service Unavailable", 504: "Gateway Timeout"}


def _bearer(value: Optional[str]) -> Optional[str]:
    if not value or not value.startswith("Bearer ") or not value[7:].strip():
        return None
    return value[7:].strip()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _checked_reminder(headers: Any, body: bytes) -> tuple[dict[str, Any], str]:
    """The reminder of a create or update call, or the first way it breaks the documented shape."""
    if "json" not in (headers.get("Content-Type") or ""):
        return {}, "Content-Type must be application/json"
    try:
        document = json.loads(body or b"null")
    except ValueError:
        return {}, "body is not JSON"
    if not isinstance(document, dict):
        return {}, "body must be a JSON object"
    unknown = sorted(set(document) - _REMINDER_KEYS)
    if unknown:
        return {}, f"unknown fields {unknown}"
    for key in ("requestTime", "trigger", "alertInfo", "pushNotification"):
        if key not in document:
            return {}, f"{key}: missing"
    problem = (_local_time(document["requestTime"], "requestTime") or _trigger(document["trigger"])
               or _alert_info(document["alertInfo"]) or _push(document["pushNotification"]))
    return ({key: document[key] for key in ("trigger", "alertInfo", "pushNotification")}, problem)


def _local_time(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _LOCAL_TIME.fullmatch(value):
        return f"{where}: {value!r} is not an ISO 8601 local time without a time zone"
    return ""


def _trigger(trigger: Any) -> str:
    if not isinstance(trigger, dict):
        return "trigger: must be an object"
    if trigger.get("type") != "SCHEDULED_ABSOLUTE":
        return f"trigger.type: {trigger.get('type')!r}, a bedtime reminder is SCHEDULED_ABSOLUTE"
    zone = trigger.get("timeZoneId")
    if not isinstance(zone, str) or not _known_zone(zone):
        return f"trigger.timeZoneId: {zone!r} is not a time zone"
    if "scheduledTime" in trigger and _local_time(trigger["scheduledTime"], "trigger.scheduledTime"):
        return _local_time(trigger["scheduledTime"], "trigger.scheduledTime")
    recurrence = trigger.get("recurrence")
    if not isinstance(recurrence, dict):
        return "trigger.recurrence: missing; a nightly reminder recurs"
    if "startDateTime" in recurrence and _local_time(recurrence["startDateTime"], "trigger.recurrence.startDateTime"):
        return _local_time(recurrence["startDateTime"], "trigger.recurrence.startDateTime")
    rules = recurrence.get("recurrenceRules")
    if not isinstance(rules, list) or not rules or not all(isinstance(rule, str) for rule in rules):
        return "trigger.recurrence.recurrenceRules: must be a list of rules"
    for rule in rules:
        parts = dict(part.split("=", 1) for part in rule.strip(";").split(";") if "=" in part)
        if parts.get("FREQ") != "DAILY" or not {"BYHOUR", "BYMINUTE"} <= set(parts):
            return f"trigger.recurrence.recurrenceRules: {rule!r} is not a daily rule with BYHOUR and BYMINUTE"
    return ""


def _alert_info(alert_info: Any) -> str:
    content = ((alert_info or {}).get("spokenInfo") or {}).get("content") if isinstance(alert_info, dict) else None
    if not isinstance(content, list) or not content:
        return "alertInfo.spokenInfo.content: must list the spoken text for each locale"
    for index, spoken in enumerate(content):
        where = f"alertInfo.spokenInfo.content[{index}]"
        if not isinstance(spoken, dict) or not _LOCALE.fullmatch(str(spoken.get("locale", ""))):
            return f"{where}.locale: must be a locale such as en-US"
        if not isinstance(spoken.get("text"), str) or not spoken["text"].strip():
            return f"{where}.text: must be the words Alexa says"
    return ""


def _push(push: Any) -> str:
    if not isinstance(push, dict) or push.get("status") not in _PUSH_STATUSES:
        return f"pushNotification.status: must be one of {', '.join(_PUSH_STATUSES)}"
    return ""


def _known_zone(name: str) -> bool:
    """An IANA time zone name; by its shape alone where this machine has no time zone database."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return not available_timezones() and bool(_ZONE_NAME.fullmatch(name))
    return True


def _handler_for(api: PracticeAlexaApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, document = api.answer(self.command, self.path, self.headers, body)
            payload = b"" if document is None else json.dumps(document).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass  # the skill gave up waiting (its deadline): nothing to answer

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
            pass

    return Handler


def _write_certificates(folder: Path, ca_file: str) -> tuple[str, str]:
    """A one-off certificate authority and a certificate for 127.0.0.1 it signs; returns (cert, key) files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Cramp Coach practice API CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    Path(ca_file).write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file, key_file = folder / "practice-api.pem", folder / "practice-api.key"
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)
