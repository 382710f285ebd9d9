"""``trident mark``: an operator's decision that an item does or does not need a response."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``mark`` subcommand."""
    parser = subparsers.add_parser(
        "mark",
        help="mark an item as needing a response or not, with a reason",
        description="Policy section 3 promises a response 'where appropriate'. An operator's "
        "mark wins over the rules in service.yaml, either way, and is counted in the figures. "
        "The item's thread is recomputed at once.",
    )
    parser.add_argument("item_key", metavar="ITEM_KEY", help="platform:native_id, e.g. x:1234")
    choice = parser.add_mutually_exclusive_group(required=True)
    choice.add_argument("--needs-response", dest="needs_response", action="store_true")
    choice.add_argument("--no-response", dest="needs_response", action="store_false")
    parser.add_argument("--reason", required=True, help="why, in plain words")
    parser.add_argument("--operator", required=True, help="who is marking it")
    parser.set_defaults(handler=_run)


def _run(arguments: argparse.Namespace) -> int:
    from sqlalchemy import select

    from trident_pipeline import response_times
    from trident_pipeline.config import StaffConfig, read_config
    from trident_pipeline.config.service import ServiceConfig
    from trident_pipeline.orchestration.store import store_engine
    from trident_pipeline.store.responses import mark_response
    from trident_pipeline.store.schema import inbox_items

    engine = store_engine()
    with engine.connect() as connection:
        created = connection.execute(
            select(inbox_items.c.created_at).where(inbox_items.c.key == arguments.item_key)
        ).scalar_one_or_none()
    if created is None:
        raise SystemExit(f"trident mark: no item {arguments.item_key} in the store")
    try:
        with engine.begin() as connection:
            mark_response(
                connection,
                arguments.item_key,
                needs_response=arguments.needs_response,
                reason=arguments.reason,
                operator=arguments.operator,
                now=datetime.now(timezone.utc),
            )
    except ValueError as error:
        raise SystemExit(f"trident mark: {error}") from None
    service = read_config("service.yaml", ServiceConfig)
    matcher = service.response_matcher(read_config("staff.yaml", StaffConfig))
    response_times.match_responses(engine, matcher, created, created + timedelta(seconds=1))
    print(f"Marked {arguments.item_key}")
    return 0
