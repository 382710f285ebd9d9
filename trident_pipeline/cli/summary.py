"""``trident summary``: what the last run pulled and what the store holds (counts only)."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``summary`` subcommand."""
    parser = subparsers.add_parser(
        "summary",
        help="print what the last run pulled and what the store holds",
        description="Counts per platform, stream and channel from the Trident store. The store "
        "is the trident_store Connection, or the embedded SQLite file under $TRIDENT_HOME.",
    )
    parser.set_defaults(handler=_run)


def _run(_arguments: argparse.Namespace) -> int:
    from trident_pipeline.orchestration.store import store_engine
    from trident_pipeline.summary import summarise

    print(summarise(store_engine()))
    return 0
