"""``trident outbox``: the CRM outbox for operators: counts by state, dead letters, retries.

``trident outbox`` prints how many entries are in each state, then the dead letters and the
entries waiting to retry after a failure (id, state, kind, attempts, last error class, HTTP
status, next attempt); never an entry's content or whose record it is for.
``trident outbox retry --id N [--id M ...]`` or ``trident outbox retry --all`` puts dead
letters back for the next delivery run, with a fresh count of attempts.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trident_pipeline.crm.outbox import OutboxEntry, OutboxState

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``outbox`` (and ``outbox retry``) to the ``trident`` command.

    Raises:
        Nothing.
    """
    parser = subparsers.add_parser(
        "outbox",
        help="show the CRM outbox by state, and its dead letters; retry dead letters",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument(
        "--limit", type=_positive, default=50, help="entries listed at most (default 50)"
    )
    parser.set_defaults(handler=_show)
    actions = parser.add_subparsers(dest="outbox_command", metavar="ACTION")
    retry = actions.add_parser(
        "retry",
        help="put dead letters back for the next delivery run",
        description="Put dead letters back for the next delivery run, attempts reset to 0.",
    )
    which = retry.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--id", dest="ids", type=int, action="append", help="a dead letter's id (repeatable)"
    )
    which.add_argument("--all", action="store_true", help="every dead letter")
    retry.set_defaults(handler=_retry)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _show(arguments: argparse.Namespace) -> int:
    from trident_pipeline.crm.outbox import count_by_state, failing_entries
    from trident_pipeline.orchestration.store import store_engine

    engine = store_engine()
    try:
        with engine.connect() as connection:
            counts = count_by_state(connection)
            entries = failing_entries(connection, limit=arguments.limit)
    finally:
        engine.dispose()
    print(_report(counts, entries))
    return 0


def _report(counts: dict[OutboxState, int], entries: list[OutboxEntry]) -> str:
    lines = ["CRM outbox by state:"]
    lines += [f"  {state.value:<20} {count:>8}" for state, count in counts.items()]
    if not entries:
        lines.append("No dead letters and no failed attempts waiting to retry.")
        return "\n".join(lines)
    lines += ["", "Dead letters, then entries waiting to retry after a failure:"]
    header = ("id", "state", "kind", "attempts", "last error", "status", "next attempt (UTC)")
    rows = [header] + [
        (
            str(entry.id),
            entry.state.value,
            entry.kind.value,
            str(entry.attempts),
            entry.last_error or "-",
            str(entry.last_status or "-"),
            entry.next_attempt_at.strftime("%Y-%m-%d %H:%M") if entry.next_attempt_at else "-",
        )
        for entry in entries
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines += [
        "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


def _retry(arguments: argparse.Namespace) -> int:
    from trident_pipeline.crm.outbox import retry_dead_letters
    from trident_pipeline.orchestration.store import store_engine

    engine = store_engine()
    try:
        count = retry_dead_letters(
            engine, "all" if arguments.all else arguments.ids, datetime.now(timezone.utc)
        )
    finally:
        engine.dispose()
    if count == 0:
        print("No dead letters matched: nothing to retry.")
        return 1
    print(f"{count} dead letter(s) will be delivered again on the next run.")
    return 0
