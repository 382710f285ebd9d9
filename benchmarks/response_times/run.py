"""Benchmark: response records, metrics and a month's report over synthetic items.

Not a test: it prints how long each stage takes and the process's peak memory, as a Markdown
table. Items are made up (no real person's data): threads on the three platforms over one month,
with public posts, direct messages, thanks, spam and our signed, unsigned and automated replies.

    .venv/bin/python benchmarks/response_times/run.py --items 1000000
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar

from trident_pipeline.config.loader import read_config
from trident_pipeline.config.service import ServiceConfig
from trident_pipeline.config.staff import StaffConfig
from trident_pipeline.domain.metrics import Dimension, records_frame, response_metrics
from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.reports import Period, build_report, write_report

Result = TypeVar("Result")
_Row = tuple[str, float, float, float]  # stage, wall seconds, CPU seconds, peak RSS in MiB

_MONTH_START = datetime(2025, 3, 1, tzinfo=timezone.utc)
_MONTH_SECONDS = 31 * 24 * 3600
_QUERIES = tuple(
    f"Query {n} about a repair at the estate, when can someone come?" for n in range(50)
)
_THANKS = ("Thanks so much!", "thank you", "Cheers")
_SPAM = ("Invest in crypto today for huge profits",)
_REPLY_BODIES = tuple(f"Sorry to hear that, please DM us the details ({n})" for n in range(20))
_AUTOMATED = "This is an automated message: we reply within one working day."


def synthetic_items(count: int, sign_offs: list[str], seed: int = 7) -> list[InboxItem]:
    """``count`` made-up items in threads over March 2025, our replies among them."""
    rng = random.Random(seed)
    ours = {
        member: Author(user_id=f"ours-{member.value}", handle="tridentgrp") for member in Platform
    }
    public = [Author(user_id=f"user-{number}") for number in range(5000)]
    items: list[InboxItem] = []
    thread_number = 0
    while len(items) < count:
        thread_number += 1
        items.extend(_thread(rng, thread_number, ours, public, sign_offs))
    return items[:count]


def _thread(
    rng: random.Random,
    number: int,
    ours: dict[Platform, Author],
    public: list[Author],
    sign_offs: list[str],
) -> Iterator[InboxItem]:
    member = rng.choice(list(Platform))
    private = rng.random() < 0.25
    kind = Kind.DIRECT_MESSAGE if private else Kind.MENTION
    channel = Channel.PRIVATE if private else Channel.PUBLIC
    author = rng.choice(public)
    moment = _MONTH_START + timedelta(seconds=rng.randrange(_MONTH_SECONDS))
    thread_id = f"t{number}"
    parent: str | None = None
    for position in range(rng.randint(1, 3)):
        native_id = f"{thread_id}-{position}"
        roll = rng.random()
        if roll < 0.05:
            text = rng.choice(_THANKS)
        elif roll < 0.06:
            text = _SPAM[0]
        else:
            text = rng.choice(_QUERIES)
        yield InboxItem(
            platform=member,
            kind=kind if position == 0 or private else Kind.REPLY,
            native_id=native_id,
            thread_id=thread_id,
            author=author,
            text=text,
            created_at=moment,
            is_ours=False,
            in_reply_to_id=None if private else parent,
            channel=channel,
        )
        parent = native_id
        moment += timedelta(minutes=rng.expovariate(1 / 240))
        if rng.random() < 0.8:
            roll = rng.random()
            body = rng.choice(_REPLY_BODIES)
            text = (
                _AUTOMATED
                if roll < 0.03
                else body
                if roll < 0.08
                else f"{body} {rng.choice(sign_offs)}"
            )
            reply_id = f"{native_id}-r"
            yield InboxItem(
                platform=member,
                kind=Kind.DIRECT_MESSAGE if private else Kind.REPLY,
                native_id=reply_id,
                thread_id=thread_id,
                author=ours[member],
                text=text,
                created_at=moment,
                is_ours=True,
                in_reply_to_id=None if private else parent,
                channel=channel,
            )
            parent = reply_id
            moment += timedelta(minutes=rng.expovariate(1 / 600))


def _peak_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(rows: list[_Row], stage: str, work: Callable[[], Result]) -> Result:
    started, cpu_started = time.perf_counter(), time.process_time()
    result = work()
    rows.append(
        (stage, time.perf_counter() - started, time.process_time() - cpu_started, _peak_mib())
    )
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000, help="how many items to make")
    parser.add_argument("--out", type=Path, help="report folder (a temporary one by default)")
    arguments = parser.parse_args(argv)

    service = read_config("service.yaml", ServiceConfig)
    staff = read_config("staff.yaml", StaffConfig)
    matcher = service.response_matcher(staff)
    sign_offs = [form for responder in staff.responders for form in responder.sign_offs]
    as_of = datetime(2025, 4, 7, 12, tzinfo=timezone.utc)
    rows: list[_Row] = []

    items = _timed(rows, "generate items", lambda: synthetic_items(arguments.items, sign_offs))
    records = _timed(rows, "response records", lambda: matcher.records(items))
    frame = _timed(rows, "records frame", lambda: records_frame(records))
    _timed(
        rows,
        "metrics (period, platform, channel, responder, day)",
        lambda: [
            response_metrics(frame, as_of=as_of, basis=service.target.basis, by=by)
            for by in (
                (),
                (Dimension.PLATFORM,),
                (Dimension.CHANNEL,),
                (Dimension.RESPONDER,),
                (Dimension.DAY,),
            )
        ],
    )
    with tempfile.TemporaryDirectory() as scratch:
        folder = arguments.out or Path(scratch)
        _timed(
            rows,
            "month's report (HTML + CSV)",
            lambda: write_report(
                build_report(
                    frame,
                    period=Period(date(2025, 3, 1), date(2025, 3, 31)),
                    as_of=as_of,
                    target=service.response_target(),
                    timezone=service.timezone,
                ),
                folder,
            ),
        )

    print(
        f"{len(items):,} items, {len(frame):,} records; Python {platform.python_version()}, "
        f"{platform.machine()}\n"
    )
    print("| stage | wall seconds | CPU seconds | peak RSS so far (MiB) |")
    print("|---|---:|---:|---:|")
    for stage, seconds, cpu_seconds, peak in rows:
        print(f"| {stage} | {seconds:.1f} | {cpu_seconds:.1f} | {peak:,.0f} |")
    wall, cpu = sum(row[1] for row in rows), sum(row[2] for row in rows)
    print(f"| **total** | **{wall:.1f}** | **{cpu:.1f}** | **{_peak_mib():,.0f}** |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
