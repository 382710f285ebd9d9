"""Task functions of the hourly inbox DAG. Each takes plain values from the task context.

Only counts and keys go back through XCom, never message text or personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timezone

from trident_pipeline import ingest
from trident_pipeline.domain.models import Platform
from trident_pipeline.orchestration.sources import source_for
from trident_pipeline.orchestration.store import store_engine
from trident_pipeline.store import migrate

__all__ = ["plan_pull", "prepare_store", "pull_platform", "pull_plan"]

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("window times need a UTC offset, for example 2026-03-23T00:00:00+00:00")
    return moment


def prepare_store() -> None:
    """Create or upgrade the store's tables before any task writes to them.

    Raises:
        sqlalchemy.exc.OperationalError: when the store cannot be reached.
    """
    migrate(store_engine())


def plan_pull(
    *,
    interval_start: datetime,
    interval_end: datetime,
    is_backfill: bool,
    window_start: str | None,
    window_end: str | None,
) -> dict[str, str | bool]:
    """Decide the run's pull (see :func:`trident_pipeline.ingest.plan_pull`) for XCom.

    Raises:
        ValueError: when the explicit window is half given, inverted or has no UTC offset.
    """
    plan = ingest.plan_pull(
        interval_start=interval_start,
        interval_end=interval_end,
        is_backfill=is_backfill,
        window_start=_parse_time(window_start),
        window_end=_parse_time(window_end),
    )
    log.info(
        "Pulling %s from %s to %s",
        "the window" if plan.is_window else "incrementally",
        plan.start.isoformat(),
        plan.end.isoformat(),
    )
    return {
        "start": plan.start.isoformat(),
        "end": plan.end.isoformat(),
        "is_window": plan.is_window,
    }


def pull_plan(plan: Mapping[str, str | bool]) -> ingest.PullPlan:
    """The run's pull back from the XCom form :func:`plan_pull` returned, for every later task.

    Raises:
        ValueError: when a bound is not an ISO 8601 time with a UTC offset.
    """
    start = datetime.fromisoformat(str(plan["start"]))
    end = datetime.fromisoformat(str(plan["end"]))
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("the plan's bounds need a UTC offset")
    return ingest.PullPlan(start=start, end=end, is_window=bool(plan["is_window"]))


def pull_platform(
    platform: str, *, inbox: str, run_id: str, plan: Mapping[str, str | bool]
) -> dict[str, int | str]:
    """Pull one platform's streams into the store for the run's plan; return counts for XCom.

    Raises:
        Exception: whatever the platform's source raises; the other platforms' tasks go on.
    """
    span = pull_plan(plan)
    source = source_for(Platform(platform), inbox)
    records = ingest.pull(source, store_engine(), span, run_id=run_id, clock=_now)
    counts: dict[str, int | str] = {
        "platform": platform,
        "mode": "window" if span.is_window else "incremental",
        "requests": sum(record.requests for record in records),
        "items_read": sum(record.items_read for record in records),
        "new_items": sum(record.new_items for record in records),
        "updated_items": sum(record.updated_items for record in records),
        "quarantined": sum(record.quarantined for record in records),
    }
    log.info(
        "Pulled %s: %s new, %s updated, %s quarantined in %s requests",
        platform,
        counts["new_items"],
        counts["updated_items"],
        counts["quarantined"],
        counts["requests"],
    )
    return counts
