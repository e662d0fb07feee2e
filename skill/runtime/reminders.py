"""Her one nightly bedtime reminder, through ask-sdk's Reminders and Settings (UPS) service clients.

Nothing about the reminder is stored by the skill: the Reminders API lists only the reminders
this skill made for her, and the skill only ever makes the bedtime one, so it is read back from
there each time. Every failure becomes a ``ReminderFailure`` naming what went wrong, so the
handlers can say so in one short sentence; a failed call changes nothing.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from typing import Optional

from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.services import ServiceException
from ask_sdk_model.services.reminder_management import (
    spoken_info,
    AlertInfo,
    PushNotification,
    PushNotificationStatus,
    Recurrence,
    ReminderRequest,
    SpokenInfo,
    SpokenText,
    Trigger,
    TriggerType,
)

from skill.runtime.bedtime import Bedtime, read_rule

REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
"""The permission scope the manifest declares and the skill asks her for."""
LIMIT_CODES = frozenset({"MAX_REMINDERS_EXCEEDED", "DEVICE_NOT_SUPPORTED"})
"""403 error codes that mean the device cannot take another reminder, not a missing permission."""
FALLBACK_TIME_ZONE = "UTC"

log = logging.getLogger(__name__)

# ask-sdk-model (1.82 and earlier) types AlertInfo.spokenInfo as a class in a module it does not ship
# (reminder_management.alert_info_spoken_info), so reading back any reminder that has words fails to
# deserialize. The class it means is reminder_management.spoken_info.SpokenInfo: name it there too.
sys.modules.setdefault(f"{spoken_info.__name__.rsplit('.', 1)[0]}.alert_info_spoken_info", spoken_info)


class Failure(Enum):
    PERMISSION = "permission"
    """401/403: she has not given, or has taken back, the reminders permission."""
    LIMIT = "limit"
    """Her device holds as many reminders as it can."""
    BUSY = "busy"
    """429: the API asks the skill to slow down."""
    UNAVAILABLE = "unavailable"
    """5xx, a timeout, or anything unexpected."""


class ReminderFailure(Exception):
    def __init__(self, failure: Failure, detail: str = "") -> None:
        super().__init__(f"{failure.value}: {detail}")
        self.failure = failure


@dataclass(frozen=True)
class BedtimeReminder:
    """The reminder as the API holds it: its token (to change or delete it) and its time."""

    token: str
    bedtime: Bedtime


def has_permission(handler_input: HandlerInput) -> bool:
    """Whether the request says she has granted the reminders permission (Alexa sends the scopes)."""
    user = handler_input.request_envelope.context.system.user
    permissions = user.permissions if user else None
    scope = (permissions.scopes or {}).get(REMINDERS_SCOPE) if permissions else None
    status = getattr(scope, "status", None)
    return getattr(status, "value", status) == "GRANTED"


class BedtimeReminders:
    """Read, set, change and cancel her bedtime reminder for the request in ``handler_input``."""

    def __init__(self, handler_input: HandlerInput) -> None:
        factory = handler_input.service_client_factory
        if factory is None:
            raise ReminderFailure(Failure.UNAVAILABLE, "the skill was built without an API client")
        self._handler_input = handler_input
        self._reminders = factory.get_reminder_management_service()
        self._settings = factory.get_ups_service()

    def current(self) -> Optional[BedtimeReminder]:
        """Her bedtime reminder, if the API has one that is on."""
        listed = self._call(self._reminders.get_reminders)
        for alert in getattr(listed, "alerts", None) or []:
            status = getattr(alert.status, "value", alert.status)
            bedtime = _bedtime_of(alert.trigger)
            if status == "ON" and alert.alert_token and bedtime is not None:
                return BedtimeReminder(alert.alert_token, bedtime)
        return None

    def create(self, bedtime: Bedtime, text: str) -> None:
        self._call(self._reminders.create_reminder, self._request(bedtime, text))

    def change(self, reminder: BedtimeReminder, bedtime: Bedtime, text: str) -> None:
        self._call(self._reminders.update_reminder, reminder.token, self._request(bedtime, text))

    def cancel(self, reminder: BedtimeReminder) -> None:
        self._call(self._reminders.delete_reminder, reminder.token)

    def time_zone(self) -> str:
        """Her device's time zone (Settings API); UTC when it cannot be read, so a reminder is still set."""
        device = self._handler_input.request_envelope.context.system.device
        try:
            zone = self._call(self._settings.get_system_time_zone, device.device_id)
        except ReminderFailure as failure:
            log.warning("time zone unavailable (%s); using %s", failure, FALLBACK_TIME_ZONE)
            return FALLBACK_TIME_ZONE
        return zone if isinstance(zone, str) and zone else FALLBACK_TIME_ZONE

    def _request(self, bedtime: Bedtime, text: str) -> ReminderRequest:
        zone = self.time_zone()
        now = datetime.now(timezone.utc).astimezone(_zone(zone))
        locale = self._handler_input.request_envelope.request.locale or "en-US"
        first = bedtime.first_time(now)
        return ReminderRequest(
            request_time=now.replace(tzinfo=None, microsecond=0),
            trigger=Trigger(
                object_type=TriggerType.SCHEDULED_ABSOLUTE,
                time_zone_id=zone,
                recurrence=Recurrence(start_date_time=first, recurrence_rules=[bedtime.recurrence_rule()]),
            ),
            alert_info=AlertInfo(spoken_info=SpokenInfo(content=[SpokenText(locale=locale, text=text)])),
            push_notification=PushNotification(status=PushNotificationStatus.ENABLED),
        )

    @staticmethod
    def _call(operation, *args):  # type: ignore[no-untyped-def]
        try:
            return operation(*args)
        except ServiceException as error:
            raise ReminderFailure(_failure(error), f"{error.status_code} {error}") from None
        except (ValueError, AskSdkException) as error:  # a body the SDK could not read
            raise ReminderFailure(Failure.UNAVAILABLE, str(error)) from None


def _failure(error: ServiceException) -> Failure:
    status = error.status_code or 500
    code = getattr(error.body, "code", None) or (error.body if isinstance(error.body, str) else "")
    if status == 403 and any(limit in str(code) for limit in LIMIT_CODES):
        return Failure.LIMIT
    if status in (401, 403):
        return Failure.PERMISSION
    if status == 429:
        return Failure.BUSY
    return Failure.UNAVAILABLE


def _bedtime_of(trigger) -> Optional[Bedtime]:  # type: ignore[no-untyped-def]
    recurrence = getattr(trigger, "recurrence", None)
    for rule in getattr(recurrence, "recurrence_rules", None) or []:
        bedtime = read_rule(rule)
        if bedtime is not None:
            return bedtime
    scheduled = getattr(trigger, "scheduled_time", None)
    return Bedtime(scheduled.hour, scheduled.minute) if isinstance(scheduled, datetime) else None


def _zone(name: str):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r; using UTC to decide today or tomorrow", name)
        return timezone.utc
