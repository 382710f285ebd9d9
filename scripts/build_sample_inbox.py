#!/usr/bin/env python3
"""Build the bundled sample inbox, ``trident_pipeline/sources/sample_inbox/``.

Usage (from the project root, in its virtual environment)::

    python scripts/build_sample_inbox.py [--out FOLDER]

Deterministic: a fixed seed and fixed dates, no wall clock. It rewrites the sample's files in
the folder: every ``<platform>/<stream>.json`` (recorded pages, newest first, each
``{"context", "payload"}``), ``accounts.json`` and ``README.md``. The organisation's ids and
the responders' sign-offs come from ``config/accounts.yaml`` and ``config/staff.yaml``.

Everyone and everything in it is invented: see ``scripts/sample_inbox/`` for the story (who
says what, when) and the renderers that put it in each platform's wire format.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sample_inbox.bluesky import BlueskyRenderer
from sample_inbox.facebook import FacebookRenderer
from sample_inbox.filler import tell_filler
from sample_inbox.people import cast
from sample_inbox.readme import readme
from sample_inbox.scripted_others import tell_bluesky, tell_facebook
from sample_inbox.scripted_x import tell_announcements, tell_x
from sample_inbox.story import BLUESKY, FACEBOOK, Story, X, check
from sample_inbox.wire import Book, Ids
from sample_inbox.x import XRenderer

from trident_pipeline.config import AccountsConfig, StaffConfig, read_config
from trident_pipeline.domain.models import Platform

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = PROJECT / "trident_pipeline" / "sources" / "sample_inbox"
SEED = 20260323
FILLER_THREADS = 80


def write(
    out: Path,
    streams: dict[Platform, dict[str, list[dict[str, Any]]]],
    accounts: AccountsConfig,
    text: str,
) -> None:
    """Replace the sample's files in ``out`` (other files there are left alone)."""
    for platform, by_stream in streams.items():
        folder = out / platform.value
        if folder.exists():
            for stale in folder.glob("*.json"):
                stale.unlink()
        folder.mkdir(parents=True, exist_ok=True)
        for stream, pages in by_stream.items():
            body = json.dumps(pages, ensure_ascii=platform is FACEBOOK, indent=1)
            (folder / f"{stream}.json").write_text(body + "\n", encoding="utf-8")
    own = {
        p.value: {"user_id": accounts.account(p).user_id, "handle": accounts.account(p).handle}
        for p in Platform
    }
    (out / "accounts.json").write_text(json.dumps(own, indent=2) + "\n", encoding="utf-8")
    (out / "README.md").write_text(text, encoding="utf-8")


def build(out: Path) -> None:
    """Generate the whole sample inbox into ``out``.

    Raises:
        ValueError: when the story breaks one of its own rules (a post too long, a message
            outside the period or before the one it answers).
        trident_pipeline.config.ConfigError: when the configuration cannot be read.
    """
    rng = random.Random(SEED)
    config = PROJECT / "config"
    accounts = read_config("accounts.yaml", AccountsConfig, config)
    staff = read_config("staff.yaml", StaffConfig, config)
    ids = Ids(rng)
    people = cast(ids, accounts)
    story = Story(staff, people, rng)
    tell_announcements(story)
    tell_x(story)
    tell_bluesky(story)
    tell_facebook(story)
    tell_filler(story, rng, FILLER_THREADS)
    check(story)
    book = Book()
    streams = {
        X: XRenderer(story, ids, book).render(),
        BLUESKY: BlueskyRenderer(story, ids, book).render(),
        FACEBOOK: FacebookRenderer(story, ids, book, accounts.facebook.handle).render(),
    }
    out.mkdir(parents=True, exist_ok=True)
    write(out, streams, accounts, readme(streams, book, people, SEED, FILLER_THREADS))


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``--out FOLDER`` (default: the package's ``sample_inbox``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to (re)write")
    build(parser.parse_args(argv).out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
