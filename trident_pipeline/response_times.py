"""Response times over the store: match replies for an interval, store each day's metrics, and
write review reports. The rules are the domain's (:mod:`trident_pipeline.domain.responses`,
:mod:`trident_pipeline.domain.metrics`); this module reads and writes the store around them.

Matching an interval recomputes every thread with an item in it from all of that thread's
stored items, so a reply that came later is always seen, whatever order intervals run in:
retries, backfills and one computation over a whole period give the same records.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from trident_pipeline.config.service import ServiceConfig
from trident_pipeline.domain.metrics import Dimension, records_frame, response_metrics
from trident_pipeline.domain.responses import ResponseMatcher
from trident_pipeline.reports import Period, Report, build_report, write_report
from trident_pipeline.store.responses import (
    active_threads,
    mark_response,
    operator_marks,
    records_between,
    save_daily_metrics,
    save_response_records,
    thread_items,
)
from trident_pipeline.store.schema import inbox_items
from trident_pipeline.store.screenings import violating_keys

__all__ = [
    "UnknownItem",
    "mark_item",
    "match_responses",
    "report_of",
    "store_daily_metrics",
    "write_review_report",
]

_DAILY = (Dimension.PLATFORM, Dimension.CHANNEL, Dimension.RESPONDER)


def match_responses(
    engine: Engine, matcher: ResponseMatcher, start: datetime, end: datetime
) -> int:
    """Recompute the response records of every thread with an item created in ``[start, end)``.

    Items that broke the policy are excluded as handled under the three-strike policy, and
    operators' marks win over every rule.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
    """
    with engine.connect() as connection:
        items = thread_items(connection, active_threads(connection, start, end))
        keys = {item.key for item in items}
        marks = operator_marks(connection, keys)
        strikes = violating_keys(connection, keys)
    records = matcher.records(items, operator_marks=marks, strike_keys=strikes)
    with engine.begin() as connection:
        return save_response_records(connection, records)


class UnknownItem(LookupError):
    """No item with the given key is in the store."""


def mark_item(
    engine: Engine,
    matcher: ResponseMatcher,
    item_key: str,
    *,
    needs_response: bool,
    reason: str,
    operator: str,
    now: datetime,
) -> None:
    """Record an operator's mark on an item (policy 3: a response "where appropriate") and
    recompute its thread at once, so the queue and the figures follow it.

    Raises:
        UnknownItem: when no item ``item_key`` is in the store.
        ValueError: when ``reason`` or ``operator`` is blank.
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
    """
    with engine.begin() as connection:
        created = connection.execute(
            select(inbox_items.c.created_at).where(inbox_items.c.key == item_key)
        ).scalar_one_or_none()
        if created is None:
            raise UnknownItem(item_key)
        mark_response(
            connection,
            item_key,
            needs_response=needs_response,
            reason=reason,
            operator=operator,
            now=now,
        )
    match_responses(engine, matcher, created, created + timedelta(seconds=1))


def store_daily_metrics(engine: Engine, service: ServiceConfig, day: date, as_of: datetime) -> int:
    """Store ``day``'s metrics per platform, channel and responder, as at ``as_of``.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
    """
    with engine.connect() as connection:
        frame = records_frame(records_between(connection, day, day))
    metrics = response_metrics(frame, as_of=as_of, basis=service.response_target().basis, by=_DAILY)
    with engine.begin() as connection:
        return save_daily_metrics(connection, day, metrics, as_of)


def write_review_report(
    engine: Engine, service: ServiceConfig, period: Period, as_of: datetime, folder: Path
) -> tuple[Path, Path]:
    """Write the review report of ``period`` (HTML and CSV) into ``folder``; return both paths.

    Raises:
        OSError: when the folder cannot be written.
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
    """
    return write_report(report_of(engine, service, period, as_of), folder)


def report_of(engine: Engine, service: ServiceConfig, period: Period, as_of: datetime) -> Report:
    """The review report of ``period``, as at ``as_of``, from the stored response records.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
    """
    with engine.connect() as connection:
        frame = records_frame(records_between(connection, period.first, period.last))
    return build_report(
        frame,
        period=period,
        as_of=as_of,
        target=service.response_target(),
        timezone=service.timezone,
    )
