"""A review report of response times for any period: HTML with charts, and a CSV.

The report is built from per-item response records (see
:mod:`trident_pipeline.domain.metrics`), so a period's figures are those of its items, whatever
days the records were computed on. Items count in the period of their local arrival date.

It holds no personal data: responders appear by pseudonym only, and no message text, handle or
item id is shown. The same inputs always give byte-identical files, so writing a report twice
for the same period and ``as_of`` changes nothing.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import pandas as pd

from trident_pipeline.domain.managed_hours import ResponseTarget, TargetBasis
from trident_pipeline.domain.metrics import FIGURES, Dimension, open_items, response_metrics
from trident_pipeline.domain.responses import Exclusion
from trident_pipeline.reports.charts import bar_chart

__all__ = [
    "OPEN_ITEMS_SHOWN",
    "Period",
    "Report",
    "build_report",
    "render_csv",
    "render_html",
    "render_sections",
    "report_context",
    "write_report",
]

OPEN_ITEMS_SHOWN = 25
"""How many open items, nearest deadline first, the HTML report lists."""

_BREAKDOWNS: dict[str, tuple[Dimension, ...]] = {
    "period": (),
    "platform": (Dimension.PLATFORM,),
    "channel": (Dimension.CHANNEL,),
    "responder": (Dimension.RESPONDER,),
    "day": (Dimension.DAY,),
}
_PLATFORMS = {"x": "X", "bluesky": "BlueSky", "facebook": "Facebook"}
_CHANNELS = {"public": "Public posts", "private": "Private messages"}
_EXCLUSIONS = {
    Exclusion.OURS: "Our own posts and replies",
    Exclusion.OPERATOR: "Marked by an operator as needing no response",
    Exclusion.STRIKE_POLICY: "Handled under the three-strike policy",
    Exclusion.KIND: "A kind of item that needs no response",
    Exclusion.SPAM: "Spam",
    Exclusion.THANKS: "Thanks needing no reply",
}
_BASES = {
    TargetBasis.CALENDAR: "calendar hours (nights and weekends included)",
    TargetBasis.WORKING_DAY: "working-day hours (weekends and bank holidays paused)",
    TargetBasis.MANAGED: "managed hours (only the hours the channels are managed)",
}
_HEADINGS = {
    "volume": "Needing a response",
    "responded": "Responded",
    "within_target": "Within target",
    "pct_within_target": "% within target",
    "median_hours": "Median hours",
    "p90_hours": "90th percentile hours",
    "breaches": "Breaches",
    "open": "Open",
    "open_overdue": "Open and overdue",
    "least_hours_left": "Least hours left",
    "excluded": "Needing no response",
}
_GROUP_FIGURES = tuple(_HEADINGS)
_RESPONDER_FIGURES = (
    "responded",
    "within_target",
    "pct_within_target",
    "median_hours",
    "p90_hours",
    "breaches",
)


@dataclass(frozen=True, slots=True)
class Period:
    """The local dates a report covers, ``first`` to ``last`` inclusive.

    Raises:
        ValueError: when ``last`` is before ``first``.
    """

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("a period ends on or after the day it starts")

    @property
    def name(self) -> str:
        """The period in file names, such as ``2025-03-01_to_2025-03-31``."""
        return f"{self.first.isoformat()}_to_{self.last.isoformat()}"


@dataclass(frozen=True, slots=True)
class Report:
    """A period's figures, ready to render: one table per breakdown, and the open items."""

    period: Period
    as_of: datetime
    timezone: ZoneInfo
    target: ResponseTarget
    breakdowns: dict[str, pd.DataFrame]
    open_items: pd.DataFrame


def build_report(
    frame: pd.DataFrame,
    *,
    period: Period,
    as_of: datetime,
    target: ResponseTarget,
    timezone: str | ZoneInfo,
) -> Report:
    """The figures of the items of ``frame`` that arrived in ``period``, as at ``as_of``.

    Args:
        frame: response records with ``arrived_on`` as :class:`~datetime.date` values; records
            outside the period are left out.
        period: the local dates covered.
        as_of: the moment the figures describe.
        target: the response target; figures are quoted on its basis.
        timezone: the local timezone of dates and times shown.

    Raises:
        ValueError: when ``as_of`` is naive.
        KeyError: when ``frame`` lacks a record column.
        zoneinfo.ZoneInfoNotFoundError: when the timezone name is unknown.
    """
    zone = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
    days = frame["arrived_on"]
    in_period = frame[(days >= period.first) & (days <= period.last)]
    breakdowns = {
        name: response_metrics(in_period, as_of=as_of, basis=target.basis, by=dimensions)
        for name, dimensions in _BREAKDOWNS.items()
    }
    pending = open_items(in_period, as_of=as_of).drop(columns="key")
    return Report(period, as_of, zone, target, breakdowns, pending)


def render_csv(report: Report) -> str:
    """Every breakdown of ``report`` in one CSV: a row per group, figures as columns.

    Columns: ``period_first``, ``period_last``, ``as_of`` (UTC), ``target_hours``, ``basis``,
    ``breakdown`` (period, platform, channel, responder or day), ``group``, then
    :data:`~trident_pipeline.domain.metrics.FIGURES`. Hours and percentages have two decimals;
    a figure with no value is empty. The ``period`` row is there even when no item arrived.

    Raises:
        Nothing: every report has at least its period row.
    """
    tables = []
    for name, dimensions in _BREAKDOWNS.items():
        table = report.breakdowns[name]
        groups = table[dimensions[0].value].map(str) if dimensions else ["all"] * len(table)
        tables.append(pd.DataFrame({"breakdown": name, "group": groups}).join(table[list(FIGURES)]))
    combined = pd.concat(tables, ignore_index=True)
    combined.insert(0, "basis", report.target.basis.value)
    combined.insert(0, "target_hours", report.target.hours)
    combined.insert(0, "as_of", pd.Timestamp(report.as_of).tz_convert("UTC").isoformat())
    combined.insert(0, "period_last", report.period.last.isoformat())
    combined.insert(0, "period_first", report.period.first.isoformat())
    return combined.to_csv(index=False, float_format="%.2f", lineterminator="\n")


def render_html(report: Report) -> str:
    """``report`` as one self-contained, accessible HTML page with inline SVG charts.

    Raises:
        jinja2.TemplateError: when the bundled template is broken.
    """
    return environment().get_template("report.html.j2").render(report_context(report))


def render_sections(context: dict[str, object]) -> str:
    """The body of a report (summary, breakdowns with charts, open items), for a page of its
    own; ``context`` is :func:`report_context`'s.

    Raises:
        jinja2.TemplateError: when the bundled template is broken.
    """
    return environment().get_template("report_sections.html.j2").render(context)


def report_context(report: Report) -> dict[str, object]:
    """What the report templates show of ``report``: title, figures, tables and charts.

    ``report_sections.html.j2`` renders it as the body of a page (headings from ``h2``).

    Raises:
        Nothing.
    """
    tables = report.breakdowns
    local = report.as_of.astimezone(report.timezone)
    pending = report.open_items
    return {
        "title": (
            "Social media response times, "
            f"{_long_date(report.period.first)} to {_long_date(report.period.last)}"
        ),
        "as_of": f"{_long_date(local.date())} at {local:%H:%M} ({local.tzname()})",
        "target_hours": f"{report.target.hours:g}",
        "basis": _BASES[report.target.basis],
        "summary": _summary(tables["period"]),
        "exclusions": _exclusions(tables["period"]),
        "platform": _group_table(tables["platform"], "platform", "Platform", _GROUP_FIGURES),
        "channel": _group_table(tables["channel"], "channel", "Channel", _GROUP_FIGURES),
        "responder": _group_table(
            tables["responder"], "responder", "Responder", _RESPONDER_FIGURES
        ),
        "day": _group_table(tables["day"], "day", "Day", _GROUP_FIGURES),
        "charts": {
            "platform": _chart(tables["platform"], "platform", "platform"),
            "responder": _chart(tables["responder"], "responder", "responder"),
            "day_volume": bar_chart(
                chart_id="chart-day-volume",
                title="Items needing a response, by day of arrival",
                description="Number of items needing a response that arrived each day.",
                bars=[
                    (_label("day", day), float(volume))
                    for day, volume in zip(
                        tables["day"]["day"], tables["day"]["volume"], strict=True
                    )
                ],
                unit="",
            ),
            "day_target": _chart(tables["day"], "day", "day of arrival"),
        },
        "open_total": len(pending),
        "open_rows": [
            (
                _label("platform", row.platform),
                _label("channel", row.channel),
                _local_time(row.arrived_at, report.timezone),
                _local_time(row.deadline, report.timezone),
                _number(row.hours_left, 1),
            )
            for row in pending.head(OPEN_ITEMS_SHOWN).itertuples(index=False)
        ],
        "open_shown": OPEN_ITEMS_SHOWN,
    }


def write_report(report: Report, folder: Path) -> tuple[Path, Path]:
    """Write ``report`` as ``response-times_<period>.html`` and ``.csv`` into ``folder``.

    Files are replaced atomically, so a reader never sees half a report.

    Returns:
        The paths of the HTML file and the CSV file.

    Raises:
        OSError: when the folder cannot be created or the files written.
        jinja2.TemplateError: when the bundled template is broken.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"response-times_{report.period.name}"
    html_path, csv_path = folder / f"{stem}.html", folder / f"{stem}.csv"
    _write_atomically(html_path, render_html(report))
    _write_atomically(csv_path, render_csv(report))
    return html_path, csv_path


@cache
def environment() -> jinja2.Environment:
    """The Jinja environment of the report templates.

    Raises:
        Nothing.
    """
    return jinja2.Environment(
        loader=jinja2.PackageLoader(__package__, ""),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        # mkstemp makes the file private; a report holds no personal data and is for reading.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _summary(period: pd.DataFrame) -> list[tuple[str, str]]:
    row = period.iloc[0]
    return [(heading, _figure(name, row[name])) for name, heading in _HEADINGS.items()]


def _exclusions(period: pd.DataFrame) -> list[tuple[str, str]]:
    row = period.iloc[0]
    return [
        (text, _number(row[f"excluded_{reason.value}"], 0)) for reason, text in _EXCLUSIONS.items()
    ]


def _group_table(
    table: pd.DataFrame, dimension: str, heading: str, figures: tuple[str, ...]
) -> dict[str, object]:
    return {
        "row_heading": heading,
        "headings": [_HEADINGS[name] for name in figures],
        "rows": [
            (
                _label(dimension, row[dimension]),
                [_figure(name, row[name]) for name in figures],
            )
            for _, row in table.iterrows()
        ],
    }


def _chart(table: pd.DataFrame, dimension: str, noun: str) -> object:
    return bar_chart(
        chart_id=f"chart-{dimension}-target",
        title=f"Percentage of responses within target, by {noun}",
        description=(
            f"Share of items with a known outcome (answered, or open past the deadline) "
            f"that were answered within target, by {noun}."
        ),
        bars=[
            (_label(dimension, group), None if pd.isna(value) else float(value))
            for group, value in zip(table[dimension], table["pct_within_target"], strict=True)
        ],
        unit="%",
        maximum=100.0,
    )


def _label(dimension: str, value: object) -> str:
    if dimension == "platform":
        return _PLATFORMS.get(str(value), str(value))
    if dimension == "channel":
        return _CHANNELS.get(str(value), str(value))
    if dimension == "day" and isinstance(value, date):
        return f"{value:%a} {value.day} {value:%b %Y}"
    return str(value)


def _figure(name: str, value: object) -> str:
    if name.endswith("_hours") or name == "least_hours_left":
        return _number(value, 1)
    if name == "pct_within_target":
        shown = _number(value, 1)
        return shown if shown == "n/a" else f"{shown}%"
    return _number(value, 0)


def _number(value: object, decimals: int) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return f"{float(value):,.{decimals}f}"


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _local_time(moment: pd.Timestamp, zone: ZoneInfo) -> str:
    local = moment.to_pydatetime().astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M}"
