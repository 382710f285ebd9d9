"""Response-time figures per platform, channel, responder and day, from per-item records.

Every figure is computed from :class:`~trident_pipeline.domain.responses.ResponseRecord` rows,
never from other figures: a period's median and 90th percentile come from its items, so figures
for a period equal those of its days' items taken together, however the records were computed.

Figures stand as they were at ``as_of``: items that arrived later are left out, and a reply
sent later does not count yet (its item is still open). So figures for a past day can be
recomputed at any time, by a re-run or a backfill, and come out the same.

For each group:

- ``volume``: items that needed a response; ``responded``: those answered by ``as_of``;
- ``within_target`` and ``breaches``: answered within or after the target, plus, among
  breaches, open items already past their deadline; ``pct_within_target`` is within-target
  items as a share of those whose outcome is known (answered, or open and overdue);
- ``median_hours`` and ``p90_hours``: the response time, on the target's basis, of the answered
  items (linear interpolation between items, as :meth:`pandas.Series.quantile` does);
- ``open``, ``open_overdue`` and ``least_hours_left``: items not yet answered, those past their
  deadline, and the time left before the nearest deadline (negative once overdue);
- ``excluded`` and ``excluded_<reason>``: items that needed no response, by
  :class:`~trident_pipeline.domain.responses.Exclusion`.

In the responder breakdown an answered item counts for the pseudonym its reply was signed with,
or for ``(unsigned)``; automated replies and items not answered have no responder there.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from operator import attrgetter

import pandas as pd

from trident_pipeline.domain.managed_hours import TargetBasis
from trident_pipeline.domain.models import Channel, Kind, Platform
from trident_pipeline.domain.responders import AttributionKind
from trident_pipeline.domain.responses import Exclusion, ResponseRecord

__all__ = [
    "FIGURES",
    "RECORD_COLUMNS",
    "UNSIGNED",
    "Dimension",
    "open_items",
    "records_frame",
    "response_metrics",
]

RECORD_COLUMNS: tuple[str, ...] = tuple(field.name for field in fields(ResponseRecord))
"""The columns of a records frame: the fields of a response record, in order."""

UNSIGNED = "(unsigned)"
"""The responder of a reply signed with no known sign-off."""

_TIMES = ("arrived_at", "clock_start", "deadline", "responded_at")
_ENUMS: dict[str, dict[enum.Enum, str]] = {
    name: {member: member.value for member in kind}
    for name, kind in (
        ("platform", Platform),
        ("channel", Channel),
        ("kind", Kind),
        ("excluded", Exclusion),
        ("attribution", AttributionKind),
    )
}
_HOURS = ("calendar_hours", "working_day_hours", "managed_hours")
_BASIS_COLUMN = {
    TargetBasis.CALENDAR: "calendar_hours",
    TargetBasis.WORKING_DAY: "working_day_hours",
    TargetBasis.MANAGED: "managed_hours",
}
_EXCLUDED = tuple(f"excluded_{reason.value}" for reason in Exclusion)
_COUNTS = ("volume", "responded", "within_target", "breaches", "open", "open_overdue")

FIGURES: tuple[str, ...] = (
    "volume",
    "responded",
    "within_target",
    "pct_within_target",
    "median_hours",
    "p90_hours",
    "breaches",
    "open",
    "open_overdue",
    "least_hours_left",
    "excluded",
    *_EXCLUDED,
)
"""The figure columns of :func:`response_metrics`, after the dimension columns."""


class Dimension(enum.StrEnum):
    """What figures can be broken down by; ``day`` is the local date of arrival."""

    PLATFORM = "platform"
    CHANNEL = "channel"
    RESPONDER = "responder"
    DAY = "day"


def records_frame(records: Iterable[ResponseRecord]) -> pd.DataFrame:
    """Response records as a frame with :data:`RECORD_COLUMNS`: times in UTC, enums as text.

    Raises:
        Nothing: an empty iterable gives an empty frame with every column.
    """
    rows = list(map(attrgetter(*RECORD_COLUMNS), records))
    transposed = zip(*rows, strict=True) if rows else ((),) * len(RECORD_COLUMNS)
    columns: dict[str, pd.Series] = {}
    for name, values in zip(RECORD_COLUMNS, transposed, strict=True):
        column = pd.Series(values, dtype=object)
        if name in _TIMES:
            columns[name] = pd.to_datetime(column, utc=True)
        elif name in _HOURS:
            columns[name] = column.astype("float64")
        elif name == "within_target":
            columns[name] = column.astype("boolean")
        elif name == "arrived_on":
            columns[name] = column
        elif name in _ENUMS:
            columns[name] = column.map(_ENUMS[name]).astype("str")
        else:
            columns[name] = column.astype("str")
    return pd.DataFrame(columns)


def response_metrics(
    frame: pd.DataFrame,
    *,
    as_of: datetime,
    basis: TargetBasis = TargetBasis.WORKING_DAY,
    by: Sequence[Dimension | str] = (),
) -> pd.DataFrame:
    """The figures of ``frame``'s items as they stood at ``as_of``, one row per group.

    Args:
        frame: records, as :func:`records_frame` builds them or as read back from the store.
        as_of: the moment the figures describe (timezone-aware).
        basis: the duration the target is judged on; response times are quoted in it.
        by: dimensions to break down by, in order; none gives one row for everything.

    Returns:
        The dimension columns then :data:`FIGURES`, sorted by the dimensions; with no
        dimensions, exactly one row (zero counts and no rates when there are no items).

    Raises:
        ValueError: when ``as_of`` is naive or a dimension is unknown.
        KeyError: when ``frame`` lacks one of :data:`RECORD_COLUMNS` used here.
    """
    dimensions = [Dimension(name).value for name in by]
    table = _outcomes(frame, as_of=_timestamp(as_of), basis=TargetBasis(basis))
    keys = dimensions or ["_all"]
    if not dimensions:
        table["_all"] = "all"
    groups = table.groupby(keys, sort=True, dropna=True, observed=True)
    counted = groups[[*_COUNTS, "excluded", *_EXCLUDED]].sum()
    figures = pd.DataFrame(
        {
            "volume": counted["volume"],
            "responded": counted["responded"],
            "within_target": counted["within_target"],
            "pct_within_target": _percentage(
                counted["within_target"], counted["responded"] + counted["open_overdue"]
            ),
            "median_hours": groups["hours"].median(),
            "p90_hours": groups["hours"].quantile(0.9),
            "breaches": counted["breaches"],
            "open": counted["open"],
            "open_overdue": counted["open_overdue"],
            "least_hours_left": groups["hours_left"].min(),
            "excluded": counted["excluded"],
            **{name: counted[name] for name in _EXCLUDED},
        }
    )
    if not dimensions:
        # One row for everything, even when there is nothing: zero items, no rates.
        figures = figures.reindex(["all"])
        counts = [name for name in FIGURES if name in _COUNTS or name.startswith("excluded")]
        figures[counts] = figures[counts].fillna(0).astype("int64")
        return figures.reset_index(drop=True)[list(FIGURES)]
    return figures.reset_index()[[*dimensions, *FIGURES]]


def open_items(frame: pd.DataFrame, *, as_of: datetime) -> pd.DataFrame:
    """Items still awaiting a response at ``as_of``, nearest deadline first.

    Returns:
        Columns ``key``, ``platform``, ``channel``, ``arrived_at``, ``deadline`` and
        ``hours_left`` (negative once overdue).

    Raises:
        ValueError: when ``as_of`` is naive.
        KeyError: when ``frame`` lacks one of :data:`RECORD_COLUMNS` used here.
    """
    moment = _timestamp(as_of)
    pending = frame[
        (frame["arrived_at"] <= moment)
        & frame["excluded"].isna()
        & ~(frame["responded_at"] <= moment)
    ]
    result = pending[["key", "platform", "channel", "arrived_at", "deadline"]].copy()
    result["hours_left"] = (result["deadline"] - moment) / pd.Timedelta(hours=1)
    return result.sort_values(["deadline", "key"], kind="stable").reset_index(drop=True)


def _outcomes(frame: pd.DataFrame, *, as_of: pd.Timestamp, basis: TargetBasis) -> pd.DataFrame:
    """One row per item that had arrived by ``as_of``, with its outcome as flags."""
    arrived = frame[frame["arrived_at"] <= as_of]
    excluded = arrived["excluded"]
    needs = excluded.isna()
    responded = needs & (arrived["responded_at"] <= as_of)
    within = responded & arrived["within_target"].fillna(False).astype(bool)
    still_open = needs & ~responded
    overdue = still_open & (arrived["deadline"] < as_of)
    attribution = arrived["attribution"]
    responder = arrived["responder"].where(attribution == AttributionKind.SIGNED.value)
    unsigned = responded & (attribution == AttributionKind.UNSIGNED.value)
    responder = responder.mask(unsigned, UNSIGNED)
    table = pd.DataFrame(
        {
            "platform": arrived["platform"],
            "channel": arrived["channel"],
            "responder": responder.where(responded),
            "day": arrived["arrived_on"],
            "volume": needs,
            "responded": responded,
            "within_target": within,
            "breaches": (responded & ~within) | overdue,
            "open": still_open,
            "open_overdue": overdue,
            "hours": arrived[_BASIS_COLUMN[basis]].where(responded),
            "hours_left": ((arrived["deadline"] - as_of) / pd.Timedelta(hours=1)).where(still_open),
            "excluded": ~needs,
        }
    )
    for reason, name in zip(Exclusion, _EXCLUDED, strict=True):
        table[name] = excluded == reason.value
    return table


def _percentage(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (100 * part / whole.where(whole > 0)).astype("float64")


def _timestamp(moment: datetime) -> pd.Timestamp:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("as_of must be timezone-aware")
    return pd.Timestamp(moment).tz_convert("UTC")
