"""Failures talking to a platform, sorted once into retriable and fatal.

::

    SourceError
    ├── RetriableError        429, 5xx, timeouts, dropped connections: try again later
    │   └── RateLimited       the platform asked us to wait (``retry_after`` seconds)
    ├── BudgetExhausted       this run's request or time budget is spent: stop, keep what is stored
    └── FatalError            other 4xx, a response that is not the expected JSON
        └── NotPermitted      401/403, or a plan that does not allow the call

Messages name the platform, the operation and the status only: never a response body, a URL
with a token in it, or anything a resident wrote.
"""

from __future__ import annotations

__all__ = [
    "BudgetExhausted",
    "FatalError",
    "NotPermitted",
    "RateLimited",
    "RetriableError",
    "SourceError",
]


class SourceError(Exception):
    """A call to a platform failed."""


class RetriableError(SourceError):
    """A call failed in a way that may succeed later; ``retry_after`` is a hint in seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(RetriableError):
    """The platform's rate limit was reached; ``retry_after`` says when it resets, if known."""


class BudgetExhausted(SourceError):
    """The run spent its request or time budget; the next run carries on from the cursor."""


class FatalError(SourceError):
    """A call failed in a way that retrying will not mend."""


class NotPermitted(FatalError):
    """The credentials are wrong, expired, or lack the permission or plan for this call."""
