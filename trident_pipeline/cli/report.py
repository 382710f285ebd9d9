"""``trident report``: the review report of response times for any period (HTML and CSV)."""

from __future__ import annotations

import argparse
from datetime import date, datetime, timezone
from pathlib import Path

__all__ = ["register"]


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give a UTC offset, e.g. 2026-04-08T09:00:00+01:00")
    return moment


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand."""
    parser = subparsers.add_parser(
        "report",
        help="write the response-time review report of a period",
        description="Figures for the items that arrived on the local dates FROM to TO "
        "(inclusive), from the response records in the store: compliance with the 24-hour "
        "target, median and 90th percentile, breaches, per platform, channel, responder "
        "and day. Writes response-times_FROM_to_TO.html and .csv. Run the trident_inbox and "
        "trident_response_times DAGs over the period first (or backfill them).",
    )
    parser.add_argument(
        "--from",
        dest="first",
        type=date.fromisoformat,
        required=True,
        metavar="YYYY-MM-DD",
        help="first local date of the period",
    )
    parser.add_argument(
        "--to",
        dest="last",
        type=date.fromisoformat,
        required=True,
        metavar="YYYY-MM-DD",
        help="last local date of the period (inclusive)",
    )
    parser.add_argument(
        "--as-of",
        type=_moment,
        default=None,
        metavar="ISO-8601",
        help="the moment the figures describe (default: now)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FOLDER",
        help="where to write (default: $TRIDENT_REPORTS_DIR or $TRIDENT_HOME/reports)",
    )
    parser.set_defaults(handler=_run)


def _run(arguments: argparse.Namespace) -> int:
    from trident_pipeline import response_times
    from trident_pipeline.config import read_config
    from trident_pipeline.config.service import ServiceConfig
    from trident_pipeline.orchestration.response_tasks import reports_folder
    from trident_pipeline.orchestration.store import store_engine
    from trident_pipeline.reports import Period

    try:
        period = Period(arguments.first, arguments.last)
    except ValueError as error:
        raise SystemExit(f"trident report: {error}") from None
    html, csv = response_times.write_review_report(
        store_engine(),
        read_config("service.yaml", ServiceConfig),
        period,
        arguments.as_of or datetime.now(timezone.utc),
        arguments.out or reports_folder(),
    )
    print(f"Wrote {html}\nWrote {csv}")
    return 0
