"""The short summary ``make run`` prints: what the last run pulled and what the store holds.

Counts only: no message text, handles or names.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from trident_pipeline.domain.models import Channel, Platform
from trident_pipeline.store import count_items, count_quarantined, latest_run_pulls

__all__ = ["summarise"]


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    cells = [list(map(str, header)), *[list(map(str, row)) for row in rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]
    return [
        ("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        .rstrip()
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
    return "\n".join(lines)
