"""The Bluesky boundary: one atproto ``Client`` per run, every request counted, budgeted,
retried and its failures sorted once into the errors tree.

atproto 0.0.73 sends each XRPC call as one request on its own ``httpx.Client``; this module
gives that client a transport which counts every request (logins, refreshes and retries
included) against the run's :class:`~trident_pipeline.sources.pagination.RequestMeter`, and
passes the real transport (or, in tests, an ``httpx.MockTransport``) underneath. Direct
messages go through ``client.with_bsky_chat_proxy()``, a clone that shares the session and the
transport and adds the ``atproto-proxy`` header for ``did:web:api.bsky.chat``.

:func:`classify_failure` is the one place a Bluesky failure becomes a
:class:`~trident_pipeline.sources.errors.SourceError`:

- 429 (``RateLimitExceededError``) → ``RateLimited``, waiting for ``retry-after`` or else until
  ``ratelimit-reset`` (backoff when neither was sent; atproto never retries by itself);
- 5xx, timeouts, dropped connections → ``RetriableError``; so are ``InvalidSwap`` and
  ``ConcurrentWrites`` (someone else wrote the record first: read it again and retry);
- 401, 403, and 400 ``InvalidToken``/``ExpiredToken`` (a session that a new login did not
  mend, or an app password without the permission, such as direct messages) → ``NotPermitted``;
- other 4xx, a body that is not JSON or not of the expected shape, a record that does not fit
  its lexicon (a reply longer than a post may be) → ``FatalError``.

Messages carry the operation, the status and the XRPC error name only, never the error's
message (which can quote a handle), a token or a body; the library's exception is not chained.

A session refused by the server (expired or revoked tokens) is renewed once per run by logging
in with the app password, and the call is made again; see
:class:`~trident_pipeline.sources.bluesky.session.SessionKeeper`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any, TypeVar

import httpx
from atproto_client import Client
from atproto_client.exceptions import (
    BadRequestError,
    LoginRequiredError,
    ModelError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.models.base import ParamsModelBase
from atproto_client.models.common import XrpcError
from atproto_client.request import Request
from atproto_core.exceptions import AtProtocolError
from atproto_server.exceptions import TokenDecodeError
from pydantic import ValidationError

from trident_pipeline.sources.bluesky.session import Credentials, SessionKeeper, SessionStore
from trident_pipeline.sources.errors import (
    FatalError,
    NotPermitted,
    RateLimited,
    RetriableError,
    SourceError,
)
from trident_pipeline.sources.pagination import RequestMeter
from trident_pipeline.sources.retry import RetryPolicy

__all__ = ["BlueskyGateway", "classify_failure", "query_json", "xrpc_error"]

log = logging.getLogger(__name__)

Result = TypeVar("Result")

# What the library raises for a failed call; anything else is a bug and is not classified.
_CLIENT_FAILURES = (AtProtocolError, httpx.HTTPError, ValueError)
_SESSION_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})
_CONFLICT_ERRORS = frozenset({"InvalidSwap", "ConcurrentWrites"})
# The PDS answers a call an app password may not make with InvalidToken and one of these.
_SCOPE_MESSAGES = ("Bad token scope", "Bad token method")


def xrpc_error(error: BaseException) -> str | None:
    """The XRPC error name (``RecordNotFound``, ``ExpiredToken``...) of a failed call, if any."""
    if not isinstance(error, RequestErrorBase) or error.response is None:
        return None
    content = error.response.content
    return content.error if isinstance(content, XrpcError) else None


def _is_scope_problem(error: BaseException) -> bool:
    if not isinstance(error, RequestErrorBase) or error.response is None:
        return False
    content = error.response.content
    message = content.message if isinstance(content, XrpcError) else None
    return bool(message) and any(text in message for text in _SCOPE_MESSAGES)


def _is_session_refused(error: BaseException) -> bool:
    """Whether a failure means the session itself is no good (not that a permission is missing)."""
    if isinstance(error, LoginRequiredError | TokenDecodeError):
        return True
    return (
        isinstance(error, UnauthorizedError | BadRequestError)
        and xrpc_error(error) in _SESSION_ERRORS
        and not _is_scope_problem(error)
    )


def classify_failure(error: Exception, operation: str, *, now: float) -> SourceError:
    """Sort a failed Bluesky call into the errors tree.

    Args:
        error: what atproto, httpx or the JSON parser raised.
        operation: names the call in the message, e.g. ``"Bluesky notifications"``.
        now: the current Unix time, to turn ``ratelimit-reset`` into a wait.

    Returns:
        The error to raise in place of ``error``.

    Raises:
        TypeError: when ``error`` is not a failure of the client library.
    """
    if isinstance(error, RateLimitExceededError):
        wait = _rate_limit_wait(error, now)
        return RateLimited(_status_message(error, operation), retry_after=wait)
    if isinstance(error, RequestErrorBase) and error.response is not None:
        return _classify_status(error, operation)
    if isinstance(error, NetworkError | httpx.HTTPError):
        return RetriableError(f"{operation}: {type(error).__name__}")
    if isinstance(error, LoginRequiredError | TokenDecodeError):
        return NotPermitted(f"{operation}: no usable Bluesky session")
    if isinstance(error, ModelError):
        return FatalError(f"{operation}: the response is not of the expected shape")
    if isinstance(error, ValidationError):
        return FatalError(f"{operation}: the request does not fit the lexicon")
    if isinstance(error, ValueError):
        return FatalError(f"{operation}: the response is not JSON")
    if isinstance(error, AtProtocolError):
        return FatalError(f"{operation}: {type(error).__name__}")
    raise TypeError(f"not a Bluesky client failure: {type(error).__name__}")


def _status_message(error: RequestErrorBase, operation: str) -> str:
    assert error.response is not None
    name = xrpc_error(error)
    return f"{operation}: HTTP {error.response.status_code}" + (f" ({name})" if name else "")


def _classify_status(error: RequestErrorBase, operation: str) -> SourceError:
    assert error.response is not None
    status = error.response.status_code
    name = xrpc_error(error)
    message = _status_message(error, operation)
    if status >= 500:
        return RetriableError(message)
    if _is_scope_problem(error):
        return NotPermitted(f"{message}: the app password does not allow this call")
    if status in (401, 403) or name in _SESSION_ERRORS:
        return NotPermitted(message)
    if name in _CONFLICT_ERRORS:
        return RetriableError(message)
    return FatalError(message)


def _rate_limit_wait(error: RateLimitExceededError, now: float) -> float | None:
    if error.retry_after is not None:
        return error.retry_after
    reset_at = error.reset_at
    if reset_at is None:
        return None
    return max(reset_at.timestamp() - now, 0.0)


def query_json(
    client: Client, nsid: str, params: ParamsModelBase | None = None
) -> Mapping[str, Any]:
    """Make one XRPC query and return its body as it came over the wire.

    The typed namespace methods validate whole bodies with pydantic, so one odd record would
    fail its page; the mapping modules read the raw JSON and reject records one by one.

    Raises:
        FatalError: when the body is not a JSON object.
        atproto_core.exceptions.AtProtocolError: when the call fails (see
            :func:`classify_failure`).
        ValueError: when the body claims to be JSON and is not.
    """
    content = client.invoke_query(nsid, params=params).content
    if not isinstance(content, Mapping):
        raise FatalError(f"{nsid}: the response is not a JSON object")
    return content


class _MeteredTransport(httpx.BaseTransport):
    """Counts each request against the run's meter before handing it to the real transport."""

    def __init__(self, inner: httpx.BaseTransport, meter: RequestMeter) -> None:
        self._inner = inner
        self._meter = meter

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._meter.spend(request.url.path.rsplit("/", 1)[-1])
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


class BlueskyGateway:
    """Makes Bluesky calls for one run through one atproto client: counted, within budget,
    retried, classified, on a session resumed from the store.

    Args:
        service_url: where to log in, e.g. ``https://bsky.social``; after login the client
            talks to the account's own PDS named in the session.
        credentials: the handle and app password from the Connection.
        session_store: where the session string is kept between runs.
        retry: how to retry retriable failures; its ``deadline`` is also the run's time budget.
        max_requests: the most requests this gateway may make; ``None`` for no limit.
        transport: the HTTP transport under atproto's ``httpx.Client`` (tests pass an
            ``httpx.MockTransport``); a plain ``httpx.HTTPTransport`` by default.
        timeout: seconds before a request times out.
        wall_clock: the current Unix time, for Bluesky's reset headers.

    Raises:
        ValueError: when ``max_requests`` is below 1 or ``timeout`` is not positive.
    """

    def __init__(
        self,
        *,
        service_url: str,
        credentials: Credentials,
        session_store: SessionStore,
        retry: RetryPolicy,
        max_requests: int | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if timeout <= 0:
            raise ValueError("the Bluesky request timeout must be positive")
        self._service_url = service_url
        self._credentials = credentials
        self._store = session_store
        self._retry = retry
        self._meter = RequestMeter(
            "Bluesky", max_requests=max_requests, deadline=retry.deadline, clock=retry.clock
        )
        self._transport = _MeteredTransport(transport or httpx.HTTPTransport(), self._meter)
        self._timeout = timeout
        self._wall_clock = wall_clock
        # httpx logs every URL at INFO; query strings name residents' DIDs and conversations.
        logging.getLogger("httpx").setLevel(logging.WARNING)

    @property
    def requests_made(self) -> int:
        """HTTP requests made so far: logins, refreshes and retries included."""
        return self._meter.made

    @cached_property
    def _keeper(self) -> SessionKeeper:
        request = Request(transport=self._transport, timeout=self._timeout)
        return SessionKeeper(
            Client(self._service_url, request=request), self._credentials, self._store
        )

    @cached_property
    def _client(self) -> Client:
        self._keeper.open()
        return self._keeper.client

    @cached_property
    def _chat(self) -> Client:
        return self._client.with_bsky_chat_proxy()

    def account_did(self) -> str:
        """The DID of the account the session is for, opening the session when needed.

        Raises:
            SourceError: when the login fails (see :func:`classify_failure`).
        """
        return self.call("Bluesky login", lambda _client: self._keeper.did)

    def query(
        self,
        operation: str,
        nsid: str,
        params: ParamsModelBase | None = None,
        *,
        chat: bool = False,
    ) -> Mapping[str, Any]:
        """Make one XRPC query and return its raw JSON body, retrying retriable failures.

        Args:
            operation: names the call in logs and errors; no personal data.
            nsid: the XRPC method, e.g. ``app.bsky.notification.listNotifications``.
            params: the method's parameters model.
            chat: send it to the chat service through the ``atproto-proxy`` header.

        Raises:
            SourceError: when the call fails (see :func:`classify_failure`), or
                ``BudgetExhausted`` when the run's request or time budget is spent.
        """
        return self.call(operation, lambda client: query_json(client, nsid, params), chat=chat)

    def call(
        self,
        operation: str,
        request: Callable[[Client], Result],
        *,
        chat: bool = False,
        retry: bool = True,
    ) -> Result:
        """Run ``request`` with the session's client; retry, then classify, what fails.

        ``request`` may make several calls (a read, then a write that depends on it): a retry
        runs all of it again, so it must be safe to repeat. Pass ``retry=False`` for a call that
        is not (sending a message): it is then made once.

        Raises:
            SourceError: when the call fails (see :func:`classify_failure`), or
                ``BudgetExhausted`` when the run's request or time budget is spent.
        """
        if not retry:
            return self._attempt(operation, request, chat)
        return self._retry.call(operation, lambda: self._attempt(operation, request, chat))

    def _attempt(self, operation: str, request: Callable[[Client], Result], chat: bool) -> Result:
        try:
            try:
                return request(self._chat if chat else self._client)
            except _CLIENT_FAILURES as error:
                # Only a session from the store is renewed, and only until a login succeeds:
                # a fresh session that is refused means the credentials are wrong.
                if not (self._keeper.resumed and _is_session_refused(error)):
                    raise
                log.warning("Bluesky refused the stored session (%s)", xrpc_error(error))
                self._keeper.login()
                return request(self._chat if chat else self._client)
        except _CLIENT_FAILURES as error:
            raise classify_failure(error, operation, now=self._wall_clock()) from None
