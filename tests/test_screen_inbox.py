"""Screening the store: every item from the public once per screener version, decided by channel."""

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from trident_pipeline.config import StaffConfig, read_config
from trident_pipeline.config.policy import PolicyConfig, screening_context
from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.domain.screening import Screener
from trident_pipeline.screen_inbox import screen_new_items
from trident_pipeline.store import upsert_items
from trident_pipeline.store.schema import screenings

NOW = datetime(2026, 3, 24, 12, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def policy():
    return read_config("policy.yaml", PolicyConfig)


@pytest.fixture(scope="module")
def screener(policy):
    return Screener.load(screening_context(policy, read_config("staff.yaml", StaffConfig)))


def item(native_id, text, *, kind=Kind.REPLY, ours=False):
    return InboxItem(
        platform=Platform.FACEBOOK,
        kind=kind,
        channel=Channel.PRIVATE if kind is Kind.DIRECT_MESSAGE else Channel.PUBLIC,
        native_id=native_id,
        thread_id="post-1",
        author=Author("100000000000001" if ours else "5550001"),
        text=text,
        created_at=NOW,
        is_ours=ours,
    )


ITEMS = [
    item("1", "Ring me on 07700 900123 about the leak please"),
    item("2", "My number is 07700 900123, flat 4", kind=Kind.DIRECT_MESSAGE),
    item("3", "You are a useless idiot and I know where you live"),
    item("4", "The damp is killing me, when is the repair booked?"),
    item("5", "Call us on 07700 900456 - Sam", ours=True),
]


def stored(engine):
    with engine.connect() as connection:
        rows = connection.execute(select(screenings).order_by(screenings.c.item_key))
        return {row.item_key: row for row in rows}


def test_items_are_decided_by_channel_and_ours_are_not_screened(engine, screener, policy):
    with engine.begin() as connection:
        upsert_items(connection, ITEMS, NOW)
    counts = screen_new_items(
        engine, screener, policy.screening_policy(), version="v1", clock=lambda: NOW, batch=2
    )
    rows = stored(engine)
    assert set(rows) == {"facebook:1", "facebook:2", "facebook:3", "facebook:4"}
    assert rows["facebook:1"].clauses == ["personal_information"]
    assert rows["facebook:2"].violation is False  # personal details belong in a private message
    assert "abusive_or_threatening_language" in rows["facebook:3"].clauses
    assert rows["facebook:4"].violation is False
    assert (counts.screened, counts.violations) == (4, 2)
    assert not re.search(r"900123", rows["facebook:1"].redacted)
    assert all(
        set(f) == {"type", "start", "end", "score", "rule"} for f in rows["facebook:1"].findings
    )


def test_a_rerun_screens_nothing_and_a_new_version_screens_everything(engine, screener, policy):
    with engine.begin() as connection:
        upsert_items(connection, ITEMS, NOW)
    rules = policy.screening_policy()
    screen_new_items(engine, screener, rules, version="v1", clock=lambda: NOW)
    before = stored(engine)
    again = screen_new_items(engine, screener, rules, version="v1", clock=lambda: NOW)
    assert again.screened == 0 and stored(engine) == before
    renewed = screen_new_items(engine, screener, rules, version="v2", clock=lambda: NOW)
    assert renewed.screened == 4
    assert {row.screener_version for row in stored(engine).values()} == {"v2"}
