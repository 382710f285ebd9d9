"""Pull state: the stored cursor per account and stream, and the figures of every pull."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from trident_pipeline.store._upsert import insert_for
from trident_pipeline.store.schema import cursors, pull_runs

__all__ = ["PullRecord", "latest_run_pulls", "read_cursor", "record_pull", "write_cursor"]


@dataclass(frozen=True, slots=True)
class PullRecord:
    """The figures of one pull of one stream in one run (no content, only counts and bounds).

    ``error`` is the class of the error that stopped the stream, never its message.
    """

    run_id: str
    platform: str
    stream: str
    mode: str
    span_start: datetime | None
    span_end: datetime
    cursor_before: str | None
    cursor_after: str | None
    requests: int
    items_read: int
    new_items: int
    updated_items: int
    quarantined: int
    finished_at: datetime
    error: str | None = None


def read_cursor(connection: Connection, platform: str, account: str, stream: str) -> str | None:
    """The stored cursor of one account's stream, or ``None`` before its first complete pull.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    query = select(cursors.c.value).where(
        cursors.c.platform == platform, cursors.c.account == account, cursors.c.stream == stream
    )
    return connection.execute(query).scalar_one_or_none()


def write_cursor(
    connection: Connection, platform: str, account: str, stream: str, value: str, now: datetime
) -> None:
    """Store the cursor of one account's stream, replacing the previous one.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
    """
    row = {"platform": platform, "account": account, "stream": stream, "value": value}
    statement = insert_for(connection, cursors).values(**row, updated_at=now)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["platform", "account", "stream"],
            set_={"value": value, "updated_at": now},
        )
    )


def record_pull(connection: Connection, record: PullRecord) -> None:
    """Store a pull's figures; a retry of the same run and stream replaces them.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database refuses the write.
    """
    row = asdict(record)
    statement = insert_for(connection, pull_runs).values(**row)
    keys = ("run_id", "platform", "stream")
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: value for name, value in row.items() if name not in keys},
        )
    )


def latest_run_pulls(connection: Connection) -> list[PullRecord]:
    """The pulls of the run that finished last, by platform and stream.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the database cannot be read.
    """
    latest = (
        select(pull_runs.c.run_id)
        .order_by(pull_runs.c.finished_at.desc(), pull_runs.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(pull_runs)
        .where(pull_runs.c.run_id == latest)
        .order_by(pull_runs.c.platform, pull_runs.c.stream)
    )
    return [
        PullRecord(**{name: row[name] for name in PullRecord.__dataclass_fields__})
        for row in connection.execute(query).mappings()
    ]
