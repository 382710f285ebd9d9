"""Retry retriable platform calls with backoff, inside a time budget.

One policy for every platform: exponential backoff with jitter, or the platform's own reset
time when it gave one; never a tight loop, and never a wait beyond the task's budget.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from trident_pipeline.sources.errors import RetriableError

__all__ = ["RetryPolicy"]

log = logging.getLogger(__name__)

Result = TypeVar("Result")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry.

    ``deadline`` is a :func:`time.monotonic` value after which no wait may end (the task's
    budget); ``None`` means no budget. ``sleep`` and ``clock`` are injectable for tests.
    """

    attempts: int = 5
    base_delay: float = 2.0
    max_delay: float = 300.0
    deadline: float | None = None
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    def call(self, operation: str, function: Callable[[], Result]) -> Result:
        """Run ``function``; on :class:`RetriableError` wait and try again.

        A platform reset time further off than ``max_delay`` is not waited for in a loop: the
        error goes to the caller at once, and the task's own retry comes back later.

        Raises:
            RetriableError: the last failure, when attempts run out, the platform's reset is
                beyond ``max_delay``, or the next wait would end past the deadline (the
                caller's cursor then stays where its stored data ends).
            Exception: anything else ``function`` raises, at once.
        """
        for attempt in range(1, self.attempts + 1):
            try:
                return function()
            except RetriableError as error:
                if error.retry_after is not None and error.retry_after > self.max_delay:
                    raise
                delay = self._delay(attempt, error.retry_after)
                out_of_time = self.deadline is not None and self.clock() + delay > self.deadline
                if attempt == self.attempts or out_of_time:
                    raise
                log.warning(
                    "%s failed (%s), attempt %s of %s; retrying in %.1f s",
                    operation,
                    type(error).__name__,
                    attempt,
                    self.attempts,
                    delay,
                )
                self.sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(retry_after, 1.0)
        backoff = self.base_delay * 2 ** (attempt - 1)
        return min(backoff * (0.5 + random.random() / 2), self.max_delay)  # noqa: S311 (jitter)
