"""The Response times page: a period's figures against the target, and its report to download.

The figures are the review report's (:mod:`trident_pipeline.reports`): compliance against the
target, median and 90th percentile, breaches, per platform, channel, responder and day, as
charts and tables. The same period downloads as the report's HTML file or its CSV.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from trident_pipeline.reports import (
    Period,
    Report,
    render_csv,
    render_html,
    render_sections,
    report_context,
)
from trident_pipeline.response_times import report_of
from trident_pipeline.web.access import OperatorDep
from trident_pipeline.web.rendering import render
from trident_pipeline.web.services import Services

__all__ = ["router"]

router = APIRouter()

LONGEST_PERIOD = timedelta(days=366)
"""A review period is at most a year: the Board's annual review."""

FirstDay = Annotated[date | None, Query(alias="from")]
LastDay = Annotated[date | None, Query(alias="to")]


async def _asked_report(request: Request, first: FirstDay = None, last: LastDay = None) -> Report:
    """The report of the period asked for, as at now."""
    services = request.app.state.services
    period = _period(services, first, last)
    return report_of(services.engine, services.service, period, services.now())


AskedReport = Annotated[Report, Depends(_asked_report)]


@router.get("/response-times", name="response_times_page", response_class=HTMLResponse)
async def response_times_page(
    request: Request, operator: OperatorDep, report: AskedReport
) -> HTMLResponse:
    """The figures of a period (by default the month to date)."""
    context = report_context(report)
    return render(
        request,
        "response_times.html.j2",
        title="Response times",
        period=report.period,
        report=context,
        sections=Markup(render_sections(context)),  # noqa: S704 (rendered with autoescape)
    )


@router.get("/response-times/report.html", name="report_html")
async def report_html(operator: OperatorDep, report: AskedReport) -> Response:
    """The period's review report as one self-contained HTML file."""
    name = f"response-times_{report.period.name}.html"
    return _download(render_html(report), "text/html", name)


@router.get("/response-times/report.csv", name="report_csv")
async def report_csv(operator: OperatorDep, report: AskedReport) -> Response:
    """The period's figures as CSV: a row per group of each breakdown."""
    return _download(render_csv(report), "text/csv", f"response-times_{report.period.name}.csv")


def _period(services: Services, first: date | None, last: date | None) -> Period:
    """The period asked for; by default from the first of this month to today (local dates).

    Raises:
        ValueError: when the period ends before it starts or is longer than a year.
    """
    today = services.now().astimezone(ZoneInfo(services.service.timezone)).date()
    last = last or today
    first = first or last.replace(day=1)
    period = Period(first, last)
    if last - first >= LONGEST_PERIOD:
        raise ValueError("a period is at most a year; choose a shorter one")
    return period


def _download(body: str, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=f"{media_type}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
