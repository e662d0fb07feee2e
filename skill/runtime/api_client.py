"""ask-sdk's own ApiClient, with a deadline: Alexa waits 8 s for an answer, the SDK's client forever.

``DefaultApiClient`` calls ``requests.<method>(url, headers, data)`` with no timeout, so a
Reminders API that hangs would hang the skill past Alexa's limit and she would hear nothing.
This keeps the SDK's request building, HTTPS-only rule and error wrapping, and only gives
each call a timeout (and, for the local practice API, the certificate to trust).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional, Union

from ask_sdk_core.api_client import DefaultApiClient

API_TIMEOUT_SECONDS = 1.8
"""Connect and read deadline of one call to an Alexa service API: a turn makes at most three (list,
time zone, create or update), so even three slow ones end well inside Alexa's 8 s."""


class DeadlineApiClient(DefaultApiClient):
    """``DefaultApiClient`` whose every call gives up after ``timeout_seconds``."""

    def __init__(self, timeout_seconds: float = API_TIMEOUT_SECONDS, verify: Union[bool, str] = True) -> None:
        self.timeout_seconds = timeout_seconds
        self.verify = verify
        """True: the system's trusted roots; a path: a CA bundle (the local practice API's own certificate)."""

    def _resolve_method(self, request: Any) -> Callable[..., Any]:
        method = super()._resolve_method(request)
        return functools.partial(method, timeout=self.timeout_seconds, verify=self.verify)


def api_client(timeout_seconds: float = API_TIMEOUT_SECONDS, ca_bundle: Optional[str] = None) -> DeadlineApiClient:
    """The client every host enables in the skill builder."""
    return DeadlineApiClient(timeout_seconds, ca_bundle or True)
