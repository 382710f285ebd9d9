"""``trident mark``: an operator's decision that an item does or does not need a response."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone

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
    from trident_pipeline import response_times
    from trident_pipeline.config import StaffConfig, read_config
    from trident_pipeline.config.service import ServiceConfig
    from trident_pipeline.orchestration.store import store_engine

    service = read_config("service.yaml", ServiceConfig)
    matcher = service.response_matcher(read_config("staff.yaml", StaffConfig))
    try:
        response_times.mark_item(
            store_engine(),
            matcher,
            arguments.item_key,
            needs_response=arguments.needs_response,
            reason=arguments.reason,
            operator=arguments.operator,
            now=datetime.now(timezone.utc),
        )
    except response_times.UnknownItem:
        raise SystemExit(f"trident mark: no item {arguments.item_key} in the store") from None
    except ValueError as error:
        raise SystemExit(f"trident mark: {error}") from None
    print(f"Marked {arguments.item_key}")
    return 0
