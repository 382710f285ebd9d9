"""The Graph API boundary: facebook-sdk's ``GraphAPI`` on our own session, every call counted,
budgeted, retried, and its failures sorted once into the errors tree.

facebook-sdk 3.1.0 accepts API versions up to 3.1 only, so :func:`build_graph` constructs the
client and then sets its ``version``. It is given our own ``requests.Session`` because the
library drops response headers, and the throttling headers are needed: the session keeps the
last response, so :func:`classify_failure` sees its status and headers. The page access
token travels in the ``Authorization`` header, never in a URL, so no URL this code logs, raises
or follows (``paging.next``) carries it; an optional app secret adds ``appsecret_proof``.

:func:`classify_failure` is the one place a Graph API failure becomes a
:class:`~trident_pipeline.sources.errors.SourceError`:

- throttling codes 4, 17, 32, 613, 80001 (Pages) and 80006 (Messenger) → ``RateLimited``,
  waiting ``estimated_time_to_regain_access`` from ``X-Business-Use-Case-Usage`` when given;
- 5xx, codes 1 and 2, ``is_transient`` errors, timeouts and dropped connections →
  ``RetriableError``;
- 190 (token), 102, 10, 3, 283 and 200-299 (permissions) → ``NotPermitted``;
- :data:`REFUSALS` → :class:`ActionRefused`: Facebook refusing one action or one item (outside
  Messenger's 24-hour window, a person who cannot be messaged, an item that is gone);
- anything else, and a body that is not JSON → ``FatalError``.

Messages carry the operation, the status and the Graph API error code only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

import facebook
import requests

from trident_pipeline.sources.errors import (
    FatalError,
    NotPermitted,
    RateLimited,
    RetriableError,
    SourceError,
)
from trident_pipeline.sources.pagination import RequestMeter
from trident_pipeline.sources.retry import RetryPolicy

__all__ = [
    "GRAPH_API_VERSION",
    "REFUSALS",
    "THROTTLING_CODES",
    "ActionRefused",
    "GraphGateway",
    "build_graph",
    "classify_failure",
]


GRAPH_API_VERSION = "v26.0"
THROTTLING_CODES = frozenset({4, 17, 32, 613, 80001, 80006})
# (code, subcode or None for any) → why Facebook refused this one action or item.
REFUSALS: Mapping[tuple[int, int | None], str] = {
    (10, 2018278): "outside Messenger's 24-hour reply window",
    (551, None): "the person cannot be messaged",
    (100, 33): "the item no longer exists or cannot be seen",
}
_PERMISSION_CODES = frozenset({3, 10, 102, 190, 283})
_TRANSIENT_CODES = frozenset({1, 2})


class ActionRefused(FatalError):
    """Facebook refused one action or one item; ``reason`` says why, without personal data."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class _GraphSession(requests.Session):
    """A session that keeps its last response, whose status and headers facebook-sdk drops."""

    def __init__(self) -> None:
        super().__init__()
        self.last_response: requests.Response | None = None

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        self.last_response = None
        response = super().request(method, url, *args, **kwargs)
        self.last_response = response
        return response


def build_graph(
    access_token: str,
    *,
    version: str = GRAPH_API_VERSION,
    timeout: float = 30.0,
    app_secret: str | None = None,
) -> facebook.GraphAPI:
    """A Graph API client for one page access token, on a session of our own.

    Raises:
        ValueError: when the token is empty, the version is not like ``v26.0``, or
            ``timeout`` is not positive.
    """
    if not access_token:
        raise ValueError("the Graph API needs a page access token")
    if not (version.startswith("v") and version[1:].replace(".", "", 1).isdigit()):
        raise ValueError("a Graph API version looks like v26.0")
    if timeout <= 0:
        raise ValueError("the Graph API request timeout must be positive")
    session = _GraphSession()
    session.headers["Authorization"] = f"Bearer {access_token}"
    if app_secret:
        proof = hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()
        session.params = {"appsecret_proof": proof}
    graph = facebook.GraphAPI(timeout=timeout, session=session)
    graph.version = version
    return graph


def classify_failure(
    error: Exception, operation: str, response: requests.Response | None
) -> SourceError:
    """Sort a failed Graph API call into the errors tree.

    Args:
        error: what facebook-sdk or requests raised.
        operation: names the call in the message, e.g. ``"Facebook feed"``.
        response: the HTTP response the call got, if any (its status and headers).

    Returns:
        The error to raise in place of ``error``.

    Raises:
        TypeError: when ``error`` is neither a facebook-sdk nor a requests exception.
    """
    status = response.status_code if response is not None else None
    if isinstance(error, facebook.GraphAPIError):
        return _classify_graph_error(error, operation, status, response)
    if isinstance(error, requests.JSONDecodeError):
        if status is not None and status >= 500:
            return RetriableError(f"{operation}: HTTP {status}")
        return FatalError(f"{operation}: HTTP {status}: the response is not JSON")
    if isinstance(error, requests.RequestException):
        return RetriableError(f"{operation}: {type(error).__name__}")
    raise TypeError(f"not a Graph API client failure: {type(error).__name__}")


def _classify_graph_error(
    error: facebook.GraphAPIError,
    operation: str,
    status: int | None,
    response: requests.Response | None,
) -> SourceError:
    details = error.result.get("error") if isinstance(error.result, Mapping) else None
    details = details if isinstance(details, Mapping) else {}
    code = details.get("code") if isinstance(details.get("code"), int) else None
    subcode = details.get("error_subcode")
    message = f"{operation}: HTTP {status}, code {code}"
    if code is None:
        # facebook-sdk raises without a code when the body is not a Graph API body (say, an
        # HTML error page from a proxy).
        if status is not None and status >= 500:
            return RetriableError(f"{operation}: HTTP {status}")
        return FatalError(f"{operation}: HTTP {status}: the response is not a Graph API body")
    if code in THROTTLING_CODES:
        return RateLimited(message, retry_after=_regain_seconds(response))
    refusal = REFUSALS.get((code, subcode)) or REFUSALS.get((code, None))
    if refusal is not None:
        return ActionRefused(message, refusal)
    if code in _PERMISSION_CODES or 200 <= code < 300:
        return NotPermitted(message)
    if code in _TRANSIENT_CODES or details.get("is_transient") is True:
        return RetriableError(message)
    if status is not None and status >= 500:
        return RetriableError(message)
    return FatalError(message)


def _regain_seconds(response: requests.Response | None) -> float | None:
    """The longest ``estimated_time_to_regain_access`` (minutes) in the usage header, in seconds."""
    header = response.headers.get("X-Business-Use-Case-Usage") if response is not None else None
    try:
        usage = json.loads(header) if header else None
    except ValueError:
        return None
    if not isinstance(usage, Mapping):
        return None
    minutes = [
        entry["estimated_time_to_regain_access"]
        for entries in usage.values()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, Mapping)
        and isinstance(entry.get("estimated_time_to_regain_access"), int | float)
    ]
    return max(minutes) * 60.0 if minutes and max(minutes) > 0 else None


class GraphGateway:
    """Makes Graph API calls through one ``GraphAPI``: counted, within budget, retried, classified.

    Args:
        graph: a client from :func:`build_graph`.
        retry: how to retry retriable failures; its ``deadline`` is also the run's time budget.
        max_requests: the most requests this gateway may make; ``None`` for no limit.

    Raises:
        ValueError: when ``graph`` was not made by :func:`build_graph`.
    """

    def __init__(
        self, graph: facebook.GraphAPI, *, retry: RetryPolicy, max_requests: int | None = None
    ) -> None:
        if not isinstance(graph.session, _GraphSession):
            raise ValueError("the Graph API client must come from build_graph")
        self._graph = graph
        self._session: _GraphSession = graph.session
        self._retry = retry
        self._meter = RequestMeter(
            "Facebook", max_requests=max_requests, deadline=retry.deadline, clock=retry.clock
        )

    @property
    def requests_made(self) -> int:
        """HTTP requests made so far, retries included."""
        return self._meter.made

    def get(self, operation: str, path: str, params: Mapping[str, Any]) -> Any:
        """``GET /{version}/{path}`` with ``params``; the decoded JSON body.

        Raises:
            BudgetExhausted: before a request that would go over the request or time budget.
            RetriableError: when retries ran out (``RateLimited`` when throttled).
            NotPermitted: when the token or its permissions do not allow the call.
            FatalError: for any other failure (``ActionRefused`` for a refused action or item).
        """
        return self._call(operation, path, dict(params), None)

    def post(self, operation: str, path: str, data: Mapping[str, Any]) -> Any:
        """``POST /{version}/{path}`` with form ``data``; the decoded JSON body.

        Raises:
            BudgetExhausted: before a request that would go over the request or time budget.
            RetriableError: when retries ran out (``RateLimited`` when throttled).
            NotPermitted: when the token or its permissions do not allow the call.
            FatalError: for any other failure (``ActionRefused`` for a refused action or item).
        """
        return self._call(operation, path, {}, dict(data))

    def _call(
        self, operation: str, path: str, params: dict[str, Any], data: dict[str, Any] | None
    ) -> Any:
        route = f"{self._graph.version}/{path}"

        def attempt() -> Any:
            self._meter.spend(operation)
            try:
                return self._graph.request(route, args=dict(params), post_args=data)
            except (facebook.GraphAPIError, requests.RequestException) as error:
                response = self._session.last_response
                raise classify_failure(error, operation, response) from None

        return self._retry.call(operation, attempt)
