"""Failures talking to a CRM, and the one place HTTP replies are sorted into them.

::

    CrmError
    ├── CrmUnavailable        429, 408, 5xx, timeouts, dropped connections: deliver later
    └── CrmRejected           other 4xx, or a reply that is not what the API promises
        └── CrmNotPermitted   401/403, or a refused token: the Connection is wrong

Each error carries the HTTP ``status`` (``None`` when no reply came) and, when the CRM sent
one, its short machine ``code`` (an OData error code such as ``0x80040217``); a
:class:`CrmUnavailable` also carries ``retry_after`` in seconds when the CRM said how long to
wait. Messages name the CRM, the operation and the status only: never a reply body, a URL with
a token in it, or anything a resident wrote. The outbox keeps the class name and the status.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import requests

__all__ = [
    "CrmError",
    "CrmNotPermitted",
    "CrmRejected",
    "CrmUnavailable",
    "send",
]

# An error code is kept only when it looks like one: short, and letters, digits and ._- only.
_SAFE_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,40}")


class CrmError(Exception):
    """A call to the CRM failed; ``status`` is the HTTP status, ``code`` the CRM's error code."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


class CrmUnavailable(CrmError):
    """The CRM could not take the call now; ``retry_after`` is its hint in seconds, if any."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after


class CrmRejected(CrmError):
    """The CRM refused the call in a way that sending it again will not mend."""


class CrmNotPermitted(CrmRejected):
    """The credentials are wrong or expired, or lack the permission for this call."""


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    crm: str,
    operation: str,
    accept: Collection[int] = (),
    **kwargs: Any,
) -> requests.Response:
    """Make one HTTP call and return the reply if it is 2xx or one of ``accept``.

    ``crm`` and ``operation`` name the call in error messages (for example ``dataverse``,
    ``add note``); ``kwargs`` go to :meth:`requests.Session.request` (set a ``timeout``).

    Raises:
        CrmUnavailable: on 408, 429 or 5xx (with ``retry_after`` from ``Retry-After``), a
            timeout, or a connection that failed or dropped.
        CrmNotPermitted: on 401 or 403.
        CrmRejected: on any other status.
    """
    try:
        response = session.request(method, url, **kwargs)
    except (requests.Timeout, requests.ConnectionError) as error:
        raise CrmUnavailable(f"{crm} {operation}: {type(error).__name__}") from None
    status = response.status_code
    if 200 <= status < 300 or status in accept:
        return response
    code = _error_code(response)
    message = f"{crm} {operation}: HTTP {status}" + (f" ({code})" if code else "")
    if status in (408, 429) or status >= 500:
        raise CrmUnavailable(message, status=status, code=code, retry_after=_retry_after(response))
    if status in (401, 403):
        raise CrmNotPermitted(message, status=status, code=code)
    raise CrmRejected(message, status=status, code=code)


def _error_code(response: requests.Response) -> str | None:
    """The OData ``error.code`` (or OAuth ``error``) of a reply, if it has a safe one."""
    try:
        payload = response.json()
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    error = payload.get("error")
    code = error.get("code") if isinstance(error, dict) else error
    return code if isinstance(code, str) and _SAFE_CODE.fullmatch(code) else None


def _retry_after(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds: a number of seconds or an HTTP date."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max((moment - datetime.now(timezone.utc)).total_seconds(), 0.0)
