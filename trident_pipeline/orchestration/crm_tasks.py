"""Task functions of the hourly DAG for customer records: every communication into the CRM
outbox, and the outbox handed to the CRM.

Only counts go back through XCom, never a record's content.
"""

from __future__ import annotations

from datetime import datetime, timezone

from trident_pipeline import customer_records
from trident_pipeline.crm import outbox
from trident_pipeline.orchestration.hooks.crm import crm_from_connections
from trident_pipeline.orchestration.store import store_engine

__all__ = ["deliver_crm_outbox", "record_communications"]


def deliver_crm_outbox(*, batch: int = 200) -> dict[str, int]:
    """Deliver up to ``batch`` due outbox entries to the configured CRM.

    Returns this run's counts (``delivered``, ``waiting_for_contact``, ``retrying``,
    ``dead_lettered``) and the outbox's totals by state afterwards (``total_<state>``).

    Raises:
        CrmNotPermitted: when the CRM refuses the Connection's credentials.
        ValueError: when the CRM choice or its Connection is malformed.
        AirflowNotFoundException: when the chosen CRM's Connection is missing.
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
    """
    engine = store_engine()
    try:
        crm = crm_from_connections(engine)
        counts = outbox.deliver(engine, crm, datetime.now(timezone.utc), batch=batch)
        with engine.connect() as connection:
            totals = outbox.count_by_state(connection)
    finally:
        engine.dispose()
    return counts.as_dict() | {f"total_{state}": count for state, count in totals.items()}


def record_communications(start: datetime, end: datetime) -> dict[str, int]:
    """Put every communication of ``[start, end)`` in the CRM outbox (keyed, so once only).

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
    """
    engine = store_engine()
    try:
        added = customer_records.record_communications(
            engine, start, end, datetime.now(timezone.utc)
        )
    finally:
        engine.dispose()
    return {"communications_enqueued": added}
