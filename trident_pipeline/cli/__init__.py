"""The ``trident`` command. Each subcommand lives in a module of this package with ``register``.

Subcommands import their heavy dependencies only when they run, so ``trident --help`` is quick.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["main"]

# Modules of this package that each add one subcommand with ``register(subparsers)``.
_SUBCOMMANDS: tuple[str, ...] = ("summary", "screen", "report", "mark", "link", "outbox")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(prog="trident", description="Trident social inbox pipeline")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _SUBCOMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; its handler returns the process exit code."""
    arguments = build_parser().parse_args(argv)
    return int(arguments.handler(arguments))


if __name__ == "__main__":
    sys.exit(main())
