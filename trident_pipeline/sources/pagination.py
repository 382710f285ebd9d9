"""Following a platform's pages within one run's request and time budget.

Two small objects every live source uses:

- :class:`TokenPaginator` follows the next-page token a platform hands back (X's
  ``meta.next_token``, the Graph API's ``paging.next``), after the Singer SDK's paginators:
  ``current_value``, ``advance``, ``has_more``, and an error when a token comes back twice, so a
  platform bug can never loop a run (and its bill) forever.
- :class:`RequestMeter` counts every request a source makes, retries included, and stops the
  run with :class:`~trident_pipeline.sources.errors.BudgetExhausted` before a request that
  would go over its request budget or past its deadline. What was stored stays stored; the
  stream's cursor stays where the stored data ends, so the next run carries on from there.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from trident_pipeline.sources.errors import BudgetExhausted, FatalError

__all__ = ["RequestMeter", "TokenPaginator"]


class TokenPaginator:
    """Follows next-page tokens for one listing, starting from its first page.

    ``label`` names the listing in error messages (``"X mentions"``); it must not hold
    personal data.
    """

    def __init__(self, label: str) -> None:
        self._label = label
        self._current: str | None = None
        self._seen: set[str] = set()
        self._finished = False

    @property
    def current_value(self) -> str | None:
        """The token for the page to fetch next; ``None`` for the first page."""
        return self._current

    @property
    def has_more(self) -> bool:
        """Whether another page is to be fetched."""
        return not self._finished

    def advance(self, next_value: str | None) -> None:
        """Move on after a page whose next-page token is ``next_value`` (falsy: it was the last).

        Raises:
            FatalError: when the platform hands back a token it has handed back before.
            RuntimeError: when called after the last page.
        """
        if self._finished:
            raise RuntimeError(f"{self._label}: advanced past the last page")
        if not next_value:
            self._finished = True
            return
        if next_value in self._seen:
            raise FatalError(f"{self._label}: the same page token came back twice")
        self._seen.add(next_value)
        self._current = next_value


class RequestMeter:
    """Counts one run's requests to a platform and enforces its budgets.

    Args:
        platform: the platform's name for messages (``"X"``, ``"Facebook"``).
        max_requests: the most requests this run may make; ``None`` for no limit.
        deadline: a ``clock()`` value after which no request may start; ``None`` for no limit.
        clock: the monotonic clock ``deadline`` is measured on.

    Raises:
        ValueError: when ``max_requests`` is below 1.
    """

    def __init__(
        self,
        platform: str,
        *,
        max_requests: int | None = None,
        deadline: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_requests is not None and max_requests < 1:
            raise ValueError("a request budget allows at least one request")
        self._platform = platform
        self._max_requests = max_requests
        self._deadline = deadline
        self._clock = clock
        self._made = 0

    @property
    def made(self) -> int:
        """Requests made so far, failed ones and retries included."""
        return self._made

    def spend(self, operation: str) -> None:
        """Count one request for ``operation``, or refuse it when a budget is spent.

        Raises:
            BudgetExhausted: when the run has made ``max_requests`` requests already or its
                deadline has passed; the request is then not made.
        """
        if self._max_requests is not None and self._made >= self._max_requests:
            raise BudgetExhausted(
                f"{self._platform} {operation}: request budget of {self._max_requests} spent"
            )
        if self._deadline is not None and self._clock() >= self._deadline:
            raise BudgetExhausted(f"{self._platform} {operation}: time budget spent")
        self._made += 1
