"""The X API v2 boundary: tweepy's client, every call counted, budgeted, retried, and its
failures sorted once into the errors tree.

tweepy 4.17's ``Client`` hard-codes ``https://api.twitter.com`` and makes each call with one
HTTP request on its ``session``. This module gives it a session with a timeout (tweepy sets
none) and never turns on ``wait_on_rate_limit``, which retries at once, in a tight loop, when
X leaves out the ``x-rate-limit-reset`` header. :func:`classify_failure` is the one place an X
failure becomes a :class:`~trident_pipeline.sources.errors.SourceError`:

- 429 → ``RateLimited`` whose ``retry_after`` counts down to ``x-rate-limit-reset`` (backoff
  when X sent no reset); a 429 whose problem type is ``usage-capped`` (the plan's monthly cap)
  → ``NotPermitted``: waiting minutes will not mend it;
- 5xx, timeouts, dropped connections → ``RetriableError``;
- 401, and 403 about the app's credentials, permissions or plan → ``NotPermitted``; any other
  403 → :class:`ActionRefused`, X refusing this one action (a reply the author restricted, a
  reply hidden outside our conversations, a person who takes no messages from us);
- other 4xx, and a body that is not JSON → ``FatalError``.

Messages carry the operation, the status and X's problem type only; tweepy's own message
(which can quote X's error detail) is not chained.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import requests
import tweepy

from trident_pipeline.sources.errors import (
    FatalError,
    NotPermitted,
    RateLimited,
    RetriableError,
    SourceError,
)
from trident_pipeline.sources.pagination import RequestMeter
from trident_pipeline.sources.retry import RetryPolicy

__all__ = ["ActionRefused", "XGateway", "build_client", "classify_failure"]


Result = TypeVar("Result")

# Problem types (the last part of X's ``type`` URL) that mean the app's credentials, its
# permissions or its plan are wrong, not that X refused one particular action.
_ACCOUNT_PROBLEMS = frozenset(
    {"client-forbidden", "oauth1-permissions", "unsupported-authentication"}
)
_USAGE_CAPPED = "usage-capped"


class ActionRefused(NotPermitted):
    """X refused one particular action (a 403 not about the app's credentials or plan)."""


class _TimeoutSession(requests.Session):
    """A session whose requests time out unless told otherwise (tweepy passes no timeout)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self._timeout)
        return super().request(method, url, *args, **kwargs)


def build_client(
    *,
    consumer_key: str,
    consumer_secret: str,
    access_token: str,
    access_token_secret: str,
    timeout: float = 30.0,
) -> tweepy.Client:
    """A tweepy client for the organisation's account, OAuth 1.0a user context, raw JSON bodies.

    Bodies come back as ``dict`` (the wire format the mapping reads), rate limits are left to
    :class:`XGateway`, and every request times out after ``timeout`` seconds.

    Raises:
        ValueError: when a credential is empty or ``timeout`` is not positive.
    """
    if not all((consumer_key, consumer_secret, access_token, access_token_secret)):
        raise ValueError("X needs an API key and secret, and an access token and secret")
    if timeout <= 0:
        raise ValueError("the X request timeout must be positive")
    client = tweepy.Client(
        consumer_key=consumer_key,
        consumer_secret=consumer_secret,
        access_token=access_token,
        access_token_secret=access_token_secret,
        return_type=dict,
        wait_on_rate_limit=False,
    )
    client.session = _TimeoutSession(timeout)
    # tweepy logs whole requests and response bodies (residents' messages) at DEBUG.
    logging.getLogger("tweepy.client").setLevel(logging.INFO)
    return client


def classify_failure(error: Exception, operation: str, *, now: float) -> SourceError:
    """Sort a failed X call into the errors tree.

    Args:
        error: what tweepy or requests raised.
        operation: names the call in the message, e.g. ``"X mentions"``.
        now: the current Unix time, to turn ``x-rate-limit-reset`` into a wait.

    Returns:
        The error to raise in place of ``error``.

    Raises:
        TypeError: when ``error`` is neither a tweepy nor a requests exception.
    """
    if isinstance(error, tweepy.HTTPException):
        return _classify_status(error, operation, now)
    if isinstance(error, requests.JSONDecodeError):
        return FatalError(f"{operation}: the response is not JSON")
    if isinstance(error, requests.RequestException):
        return RetriableError(f"{operation}: {type(error).__name__}")
    if isinstance(error, tweepy.TweepyException):
        return FatalError(f"{operation}: {type(error).__name__}")
    raise TypeError(f"not an X client failure: {type(error).__name__}")


def _classify_status(error: tweepy.HTTPException, operation: str, now: float) -> SourceError:
    status = error.response.status_code
    problem = _problem_type(error.response)
    message = f"{operation}: HTTP {status}" + (f" ({problem})" if problem else "")
    if isinstance(error, tweepy.TooManyRequests):
        if problem == _USAGE_CAPPED:
            return NotPermitted(message)
        reset = error.reset_time
        return RateLimited(message, retry_after=None if reset is None else max(reset - now, 0) + 1)
    if isinstance(error, tweepy.TwitterServerError):
        return RetriableError(message)
    if isinstance(error, tweepy.Unauthorized):
        return NotPermitted(message)
    if isinstance(error, tweepy.Forbidden):
        return NotPermitted(message) if problem in _ACCOUNT_PROBLEMS else ActionRefused(message)
    return FatalError(message)


def _problem_type(response: requests.Response) -> str | None:
    """The last part of the problem ``type`` URL in an X error body, if it has one."""
    try:
        body = response.json()
    except ValueError:
        return None
    kind = body.get("type") if isinstance(body, Mapping) else None
    if not isinstance(kind, str) or "/problems/" not in kind:
        return None
    return kind.rsplit("/", 1)[-1]


class XGateway:
    """Makes X calls through one tweepy client: counted, within budget, retried, classified.

    Args:
        client: a client from :func:`build_client` (its bodies must come back as ``dict``).
        retry: how to retry retriable failures; its ``deadline`` is also the run's time budget.
        max_requests: the most requests this gateway may make; ``None`` for no limit.
        wall_clock: the current Unix time, for X's reset headers.

    Raises:
        ValueError: when the client does not return bodies as ``dict``.
    """

    def __init__(
        self,
        client: tweepy.Client,
        *,
        retry: RetryPolicy,
        max_requests: int | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if client.return_type is not dict:
            raise ValueError("the X client must return raw bodies (return_type=dict)")
        self.client = client
        self._retry = retry
        self._meter = RequestMeter(
            "X", max_requests=max_requests, deadline=retry.deadline, clock=retry.clock
        )
        self._wall_clock = wall_clock

    @property
    def requests_made(self) -> int:
        """HTTP requests made so far, retries included."""
        return self._meter.made

    def call(self, operation: str, request: Callable[[], Result]) -> Result:
        """Make one X call (one HTTP request per attempt) and return what the client returned.

        Raises:
            BudgetExhausted: before a request that would go over the request or time budget.
            RetriableError: when retries ran out (``RateLimited`` for a 429).
            NotPermitted: for credentials, permissions or plan (``ActionRefused`` for a 403
                about this one action).
            FatalError: for any other 4xx, or a body that is not JSON.
        """

        def attempt() -> Result:
            self._meter.spend(operation)
            try:
                return request()
            except (tweepy.TweepyException, requests.RequestException) as error:
                raise classify_failure(error, operation, now=self._wall_clock()) from None

        return self._retry.call(operation, attempt)
