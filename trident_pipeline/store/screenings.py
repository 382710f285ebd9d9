"""Screening results in the store: which items still need screening, and what was found.

A result is kept per item and screener version; a new screener version screens every item
again. Findings are stored as type, span, score and rule only; the text appears only redacted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, or_, select

from trident_pipeline.domain.models import InboxItem
from trident_pipeline.store._upsert import insert_for
from trident_pipeline.store.items import item_from_row
from trident_pipeline.store.schema import inbox_items, screenings

__all__ = [
    "ScreeningRow",
    "items_to_screen",
    "save_screenings",
    "screening_summary",
    "violating_keys",
]


@dataclass(frozen=True, slots=True)
class ScreeningRow:
    """One item's screening as stored: findings are plain dicts of type, start, end, score, rule."""

    item_key: str
    screener_version: str
    violation: bool
    clauses: list[str]
    findings: list[dict[str, object]]
    redacted: str


def items_to_screen(
    connection: Connection, version: str, *, limit: int, after_key: str = ""
) -> list[InboxItem]:
    """Items from the public not yet screened by ``version``, in key order after ``after_key``.

    Our own posts and replies are not screened: the policy governs what residents post.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    query = (
        select(inbox_items)
        .outerjoin(screenings, screenings.c.item_key == inbox_items.c.key)
        .where(
            inbox_items.c.is_ours.is_(False),
            inbox_items.c.key > after_key,
            or_(
                screenings.c.item_key.is_(None),
                screenings.c.screener_version != version,
            ),
        )
        .order_by(inbox_items.c.key)
        .limit(limit)
    )
    return [item_from_row(row) for row in connection.execute(query).mappings()]


def save_screenings(connection: Connection, rows: Iterable[ScreeningRow], now: datetime) -> int:
    """Store each item's screening, replacing an earlier version's; return how many were saved.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
    """
    values = [
        {
            "item_key": row.item_key,
            "screener_version": row.screener_version,
            "violation": row.violation,
            "clauses": row.clauses,
            "findings": row.findings,
            "redacted": row.redacted,
            "screened_at": now,
        }
        for row in rows
    ]
    if not values:
        return 0
    statement = insert_for(connection, screenings)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["item_key"],
            set_={
                name: statement.excluded[name]
                for name in (
                    "screener_version",
                    "violation",
                    "clauses",
                    "findings",
                    "redacted",
                    "screened_at",
                )
            },
        ),
        values,
    )
    return len(values)


def violating_keys(connection: Connection, keys: Collection[str]) -> set[str]:
    """Which of ``keys`` break the policy (and so are handled under the three-strike policy).

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    found: set[str] = set()
    ordered = sorted(keys)
    for offset in range(0, len(ordered), 500):
        batch = ordered[offset : offset + 500]
        query = select(screenings.c.item_key).where(
            and_(screenings.c.item_key.in_(batch), screenings.c.violation.is_(True))
        )
        found.update(connection.execute(query).scalars())
    return found


def screening_summary(connection: Connection) -> dict[str, Counter[str]]:
    """Counts over every stored screening: items screened and breaking the policy per
    ``platform/channel``, clauses broken, and findings per type. No text.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    summary: dict[str, Counter[str]] = {
        "screened": Counter(),
        "violations": Counter(),
        "clauses": Counter(),
        "findings": Counter(),
    }
    query = select(
        inbox_items.c.platform,
        inbox_items.c.channel,
        screenings.c.violation,
        screenings.c.clauses,
        screenings.c.findings,
    ).join(inbox_items, inbox_items.c.key == screenings.c.item_key)
    for platform, channel, violation, clauses, findings in connection.execute(query):
        where = f"{platform}/{channel}"
        summary["screened"][where] += 1
        summary["violations"][where] += bool(violation)
        summary["clauses"].update(clauses)
        summary["findings"].update(finding["type"] for finding in findings)
    return summary
