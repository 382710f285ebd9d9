"""One retry policy for every platform: backoff, reset times, budgets."""

import pytest

from trident_pipeline.sources.errors import FatalError, RateLimited, RetriableError
from trident_pipeline.sources.retry import RetryPolicy


class Flaky:
    """Fails with the given errors in turn, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "answer"


def test_retriable_failures_back_off_exponentially_then_succeed():
    waits: list[float] = []
    flaky = Flaky(RetriableError("503"), RetriableError("503"))
    policy = RetryPolicy(base_delay=2.0, sleep=waits.append)
    assert policy.call("read mentions", flaky) == "answer"
    assert flaky.calls == 3
    assert 1.0 <= waits[0] <= 2.0 and 2.0 <= waits[1] <= 4.0


def test_a_reset_time_is_waited_for_exactly():
    waits: list[float] = []
    policy = RetryPolicy(sleep=waits.append)
    assert policy.call("read", Flaky(RateLimited("429", retry_after=42.0))) == "answer"
    assert waits == [42.0]


def test_a_reset_beyond_the_longest_wait_is_handed_back_at_once():
    waits: list[float] = []
    flaky = Flaky(RateLimited("429", retry_after=900.0))
    with pytest.raises(RateLimited):
        RetryPolicy(max_delay=300.0, sleep=waits.append).call("read", flaky)
    assert (flaky.calls, waits) == (1, [])


def test_attempts_run_out_with_the_last_error():
    flaky = Flaky(*(RetriableError(f"503 #{n}") for n in range(5)))
    with pytest.raises(RetriableError, match="#2"):
        RetryPolicy(attempts=3, sleep=lambda _: None).call("read", flaky)
    assert flaky.calls == 3


def test_no_wait_may_end_past_the_deadline():
    now = [100.0]
    flaky = Flaky(RateLimited("429", retry_after=30.0))
    policy = RetryPolicy(deadline=120.0, clock=lambda: now[0], sleep=lambda _: None)
    with pytest.raises(RateLimited):
        policy.call("read", flaky)
    assert flaky.calls == 1


def test_fatal_errors_are_never_retried():
    flaky = Flaky(FatalError("400"))
    with pytest.raises(FatalError):
        RetryPolicy(sleep=lambda _: None).call("read", flaky)
    assert flaky.calls == 1
