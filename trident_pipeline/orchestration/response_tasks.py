"""Task functions for response times: matching replies, daily metrics, review reports.

Only counts and file names go back through XCom.
"""

from __future__ import annotations

import logging
import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from trident_pipeline import response_times
from trident_pipeline.config import StaffConfig, read_config
from trident_pipeline.config.service import ServiceConfig
from trident_pipeline.orchestration.store import store_engine
from trident_pipeline.reports import Period

__all__ = ["match_responses", "reports_folder", "review_day"]

log = logging.getLogger(__name__)


def reports_folder() -> Path:
    """The review reports folder: ``$TRIDENT_REPORTS_DIR``, else ``$TRIDENT_HOME/reports``."""
    chosen = os.environ.get("TRIDENT_REPORTS_DIR")
    return Path(chosen) if chosen else Path(os.environ.get("TRIDENT_HOME", "var")) / "reports"


def match_responses(start: datetime, end: datetime) -> dict[str, int]:
    """Recompute the response records of the threads active in ``[start, end)``.

    Raises:
        trident_pipeline.config.ConfigError: when ``service.yaml`` or ``staff.yaml`` is invalid.
    """
    service = read_config("service.yaml", ServiceConfig)
    matcher = service.response_matcher(read_config("staff.yaml", StaffConfig))
    count = response_times.match_responses(store_engine(), matcher, start, end)
    log.info("Response records recomputed: %s", count)
    return {"response_records": count}


def review_day(day_start: datetime, day_end: datetime) -> dict[str, int | str]:
    """Store the metrics of the local day that starts at ``day_start``, as at its end, and
    write the month-to-date review report.

    Raises:
        trident_pipeline.config.ConfigError: when ``service.yaml`` is invalid.
        OSError: when the reports folder cannot be written.
    """
    service = read_config("service.yaml", ServiceConfig)
    day = day_start.astimezone(ZoneInfo(service.timezone)).date()
    engine = store_engine()
    rows = response_times.store_daily_metrics(engine, service, day, as_of=day_end)
    month = Period(date(day.year, day.month, 1), day)
    html, _csv = response_times.write_review_report(
        engine, service, month, day_end, reports_folder()
    )
    log.info("Stored %s metric rows for %s; report %s", rows, day.isoformat(), html.name)
    return {"metric_rows": rows, "report": html.name}
