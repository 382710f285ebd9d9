"""The short summary ``make run`` prints: what the last run pulled and what the store holds.

Counts only: no message text, handles or names.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Engine

from trident_pipeline.config import read_config
from trident_pipeline.config.service import ServiceConfig
from trident_pipeline.crm.outbox import count_by_state
from trident_pipeline.domain.blocks import awaiting_decision
from trident_pipeline.domain.events import EventType
from trident_pipeline.domain.metrics import Dimension, records_frame, response_metrics
from trident_pipeline.domain.models import Channel, Platform
from trident_pipeline.store import count_items, count_quarantined, latest_run_pulls
from trident_pipeline.store.ledger import count_actions, count_events, read_ledger
from trident_pipeline.store.responses import records_between
from trident_pipeline.store.screenings import screening_summary

__all__ = ["summarise"]


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    cells = [list(map(str, header)), *[list(map(str, row)) for row in rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]
    return [
        (
            "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        ).rstrip()
        for row in cells
    ]


def summarise(engine: Engine) -> str:
    """Render the summary of the store's latest run and its contents.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
    """
    with engine.connect() as connection:
        pulls = latest_run_pulls(connection)
        held = count_items(connection)
        quarantined = count_quarantined(connection)
    if not pulls:
        return "The store has no pulls yet: run the trident_inbox DAG first."
    lines = [f"Run {pulls[0].run_id}", "", "Pulled this run:"]
    lines += _table(
        ("platform", "stream", "mode", "requests", "read", "new", "updated", "quarantined"),
        [
            (
                p.platform,
                p.stream,
                p.mode,
                p.requests,
                p.items_read,
                p.new_items,
                p.updated_items,
                p.quarantined,
            )
            for p in pulls
        ],
    )
    new = sum(p.new_items for p in pulls)
    lines += ["", f"New items this run: {new}", "", "Items in the store:"]
    lines += _table(
        ("platform", *(channel.value for channel in Channel), "quarantined"),
        [
            (
                platform.value,
                *(held.get((platform.value, channel.value), 0) for channel in Channel),
                quarantined.get(platform.value, 0),
            )
            for platform in Platform
        ],
    )
    lines.append(
        f"  total: {sum(held.values())} items, {sum(quarantined.values())} quarantined records"
    )
    lines += ["", *_screening(engine)]
    lines += ["", *_strikes(engine)]
    lines += ["", *_response_times(engine, as_of=pulls[0].span_end)]
    return "\n".join(lines)


def _screening(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        summary = screening_summary(connection)
    lines = ["Screening (policy section 3.1), items from the public:"]
    lines += _table(
        ("platform", "channel", "screened", "break the policy"),
        [
            (*where.split("/"), count, summary["violations"][where])
            for where, count in sorted(summary["screened"].items())
        ],
    )
    clauses = ", ".join(f"{name} {count}" for name, count in sorted(summary["clauses"].items()))
    findings = ", ".join(f"{name} {count}" for name, count in sorted(summary["findings"].items()))
    lines += [f"  clauses broken: {clauses or 'none'}", f"  findings: {findings or 'none'}"]
    return lines


def _strikes(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        events = count_events(connection)
        actions = count_actions(connection)
        waiting = awaiting_decision(read_ledger(connection))
        outbox = count_by_state(connection)
    blocks = sum(event.type is EventType.BLOCK_REQUESTED for event in waiting)
    lines = [
        "Three-strike policy (policy section 3.1):",
        f"  strikes issued: {events[EventType.STRIKE_ISSUED]}; "
        f"messages drafted: {events[EventType.MESSAGE_DRAFTED]}; "
        f"residents encouraged to delete and message privately: "
        f"{events[EventType.ENCOURAGED_TO_DELETE]}; "
        f"hiding attempted: {events[EventType.ITEM_HIDDEN]}",
        f"  awaiting a manager's approval: {blocks} block request(s), "
        f"{len(waiting) - blocks} drafted message(s) (trident_block DAG, Required Actions)",
    ]
    if actions:
        lines += _table(
            ("platform", "action", "outcome", "count"),
            [(*key, count) for key, count in sorted(actions.items())],
        )
    lines.append(
        "  CRM outbox: " + ", ".join(f"{state.value} {count}" for state, count in outbox.items())
    )
    return lines


def _response_times(engine: Engine, *, as_of: datetime) -> list[str]:
    service = read_config("service.yaml", ServiceConfig)
    target = service.response_target()
    with engine.connect() as connection:
        frame = records_frame(records_between(connection, date.min, date.max))
    lines = [
        f"Response times as at {as_of:%d %b %Y %H:%M} UTC "
        f"(target {target.hours:g} hours, {target.basis.value.replace('_', '-')} basis):"
    ]
    for dimension in (Dimension.PLATFORM, Dimension.RESPONDER):
        table = response_metrics(frame, as_of=as_of, basis=target.basis, by=(dimension,))
        lines += _table(
            (
                dimension.value,
                "need reply",
                "responded",
                "in target",
                "median h",
                "p90 h",
                "breaches",
                "open",
            ),
            [
                (
                    row[dimension.value],
                    row["volume"],
                    row["responded"],
                    _percent(row["pct_within_target"]),
                    _hours(row["median_hours"]),
                    _hours(row["p90_hours"]),
                    row["breaches"],
                    row["open"],
                )
                for row in table.to_dict("records")
            ],
        )
    overall = response_metrics(frame, as_of=as_of, basis=target.basis).iloc[0]
    lines.append(f"  excluded (no response needed): {int(overall['excluded'])}")
    return lines


def _percent(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.0f}%"


def _hours(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.1f}"
