"""Pull one platform into the store: incrementally from its cursors, or for an explicit window.

This is the use case the hourly DAG's pull tasks run; it knows sources and the store, not
Airflow. The rules, after the Singer SDK and dlt:

- incremental: each stream reads everything after its stored cursor up to the run's end; the
  cursor moves only after the stream's last page is stored, and never past the run's end;
- window (a backfill or an operator's one-off pull): reads and upserts ``[start, end)`` and
  never reads or moves a cursor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from trident_pipeline.domain.models import InboxItem
from trident_pipeline.sources.base import Source, Span
from trident_pipeline.sources.errors import BudgetExhausted, SourceError
from trident_pipeline.store import (
    PullRecord,
    quarantine_records,
    read_cursor,
    record_pull,
    upsert_items,
    write_cursor,
)

__all__ = ["PullFailed", "PullPlan", "plan_pull", "pull"]

log = logging.getLogger(__name__)


class PullFailed(SourceError):
    """One or more streams of a platform failed; the others were pulled and stored."""


@dataclass(frozen=True, slots=True)
class PullPlan:
    """The bounds of one pull: a window, or incremental from the cursors up to ``end``."""

    start: datetime
    end: datetime
    is_window: bool

    def span(self, cursor: str | None) -> Span:
        """The span to read for one stream whose stored cursor is ``cursor``."""
        if self.is_window:
            return Span.window(self.start, self.end)
        return Span.incremental(cursor, first_start=self.start, end=self.end)


def plan_pull(
    *,
    interval_start: datetime,
    interval_end: datetime,
    is_backfill: bool,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> PullPlan:
    """Decide a run's pull: an explicit window, the interval of a backfill run, or incremental.

    Raises:
        ValueError: when only one end of an explicit window is given, or it ends before it starts.
    """
    if (window_start is None) != (window_end is None):
        raise ValueError("an explicit window needs both window_start and window_end")
    if window_start is not None and window_end is not None:
        if window_start >= window_end:
            raise ValueError("window_end must come after window_start")
        return PullPlan(window_start, window_end, is_window=True)
    return PullPlan(interval_start, interval_end, is_window=is_backfill)


def pull(
    source: Source,
    engine: Engine,
    plan: PullPlan,
    *,
    run_id: str,
    clock: Callable[[], datetime],
) -> list[PullRecord]:
    """Read every stream of ``source`` for ``plan`` into the store; return each stream's figures.

    Pages are stored as they arrive, so a stream that fails part-way keeps what was read and
    leaves its cursor where it was, and the other streams still run. A spent request or time
    budget is not a failure: the stream stops and the next run carries on from its cursor.

    Raises:
        PullFailed: after every stream has run, when any failed other than by its budget; the
            figures of all of them are stored first.
    """
    records = [
        _pull_stream(source, stream, engine, plan, run_id, clock) for stream in source.streams
    ]
    failed = [r.stream for r in records if r.error and r.error != BudgetExhausted.__name__]
    if failed:
        raise PullFailed(f"{source.account.platform.value} streams failed: {', '.join(failed)}")
    return records


def _pull_stream(
    source: Source,
    stream: str,
    engine: Engine,
    plan: PullPlan,
    run_id: str,
    clock: Callable[[], datetime],
) -> PullRecord:
    account = source.account
    platform = account.platform.value
    with engine.connect() as connection:
        before = (
            None if plan.is_window else read_cursor(connection, platform, account.user_id, stream)
        )
    span = plan.span(before)
    requests_before = source.requests_made
    read: list[InboxItem] = []
    new = updated = quarantined = 0
    error: str | None = None
    try:
        for page in source.read(stream, span):
            with engine.begin() as connection:
                counts = upsert_items(connection, page.items, clock())
                quarantined += quarantine_records(connection, page.rejected, clock())
            read.extend(page.items)
            new += counts.new
            updated += counts.updated
    except SourceError as failure:
        error = type(failure).__name__
        log.warning("Pull of %s %s stopped (%s); its cursor stays", platform, stream, error)
    complete = error is None and not plan.is_window
    after = source.next_cursor(stream, span, read) if complete else None
    record = PullRecord(
        run_id=run_id,
        platform=platform,
        stream=stream,
        mode="window" if plan.is_window else "incremental",
        span_start=span.start,
        span_end=span.end,
        cursor_before=before,
        cursor_after=after,
        requests=source.requests_made - requests_before,
        items_read=len(read),
        new_items=new,
        updated_items=updated,
        quarantined=quarantined,
        finished_at=clock(),
        error=error,
    )
    with engine.begin() as connection:
        if after is not None and after != before:
            write_cursor(connection, platform, account.user_id, stream, after, clock())
        record_pull(connection, record)
    return record
