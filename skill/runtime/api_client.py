"""ask-sdk's own ApiClient, with a deadline, loaded only when a turn first calls an Alexa API.

``DefaultApiClient`` calls ``requests.<method>(url, headers, data)`` with no timeout, so a
Reminders API that hangs would hang the skill past Alexa's limit and she would hear nothing.
This keeps the SDK's request building, HTTPS-only rule and error wrapping, and only gives
each call a timeout (and, for the local practice API, the certificate to trust).

Importing the SDK's client imports ``requests`` and ``urllib3`` (about half of a Lambda cold
start's imports), yet only the reminder turns call an API; so the SDK's client is built on
the first call, not when the skill is built.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, Optional, Union

from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

API_TIMEOUT_SECONDS = 1.8
"""Connect and read deadline of one call to an Alexa service API: a turn makes at most three (list,
time zone, create or update), so even three slow ones end well inside Alexa's 8 s."""


def _deadline_client(timeout_seconds: float, verify: Union[bool, str]) -> ApiClient:
    """The SDK's ``DefaultApiClient`` whose every call gives up after ``timeout_seconds``."""
    from ask_sdk_core.api_client import DefaultApiClient  # imports requests: see the module's docstring

    class DeadlineApiClient(DefaultApiClient):
        def _resolve_method(self, request: Any) -> Callable[..., Any]:
            method = super()._resolve_method(request)
            return functools.partial(method, timeout=timeout_seconds, verify=verify)

    return DeadlineApiClient()


class LazyDeadlineApiClient(ApiClient):
    """An ``ApiClient`` that builds the SDK's client, with its deadline, on the first call."""

    def __init__(self, timeout_seconds: float = API_TIMEOUT_SECONDS, verify: Union[bool, str] = True) -> None:
        self.timeout_seconds = timeout_seconds
        self.verify = verify
        """True: the system's trusted roots; a path: a CA bundle (the local practice API's own certificate)."""
        self._client: Optional[ApiClient] = None
        self._building = threading.Lock()

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        return self.client().invoke(request)

    def client(self) -> ApiClient:
        """The SDK's client, built once however many threads ask at the same moment."""
        if self._client is None:
            with self._building:
                if self._client is None:
                    self._client = _deadline_client(self.timeout_seconds, self.verify)
        return self._client


def api_client(timeout_seconds: float = API_TIMEOUT_SECONDS, ca_bundle: Optional[str] = None) -> ApiClient:
    """The client every host enables in the skill builder."""
    return LazyDeadlineApiClient(timeout_seconds, ca_bundle or True)
