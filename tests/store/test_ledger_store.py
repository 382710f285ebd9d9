from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from trident_pipeline.domain import ledger as rules
from trident_pipeline.domain.ledger import EventType, Ledger
from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.domain.policy import Clause, Decision
from trident_pipeline.domain.residents import AccountLink, AccountRef, LinkSource
from trident_pipeline.sources.moderation import Action, ActionResult, Outcome
from trident_pipeline.store import upsert_items
from trident_pipeline.store.ledger import (
    append_events,
    claim_action,
    count_actions,
    count_events,
    finish_action,
    items_by_key,
    latest_handles,
    read_ledger,
    read_links,
    read_residents,
    release_action,
    screened_violations,
    thread_started_by_us,
    write_link,
)
from trident_pipeline.store.schema import account_links, screenings

T0 = datetime(2027, 3, 3, 10, 14, tzinfo=timezone.utc)
ACCOUNT = AccountRef(Platform.X, "1500000000000000042")


def item(native_id: str, *, ours: bool = False, thread: str | None = None, handle="res_one"):
    return InboxItem(
        platform=Platform.X,
        kind=Kind.POST if ours else Kind.REPLY,
        native_id=native_id,
        thread_id=thread or native_id,
        author=Author("1500000000000000001" if ours else ACCOUNT.user_id, handle, "Resident"),
        text="call me on 07700 900123",
        created_at=T0 + timedelta(minutes=int(native_id)),
        is_ours=ours,
    )


def screened(connection, stored: InboxItem, violation: bool = True) -> None:
    connection.execute(
        screenings.insert().values(
            item_key=stored.key,
            screener_version="test@1",
            violation=violation,
            clauses=["personal_information"] if violation else [],
            findings=[{"type": "phone", "start": 11, "end": 23, "score": 0.9, "rule": "p@1"}],
            redacted="call me on [phone]",
            screened_at=T0,
        )
    )


def strike_events(native_id: str = "1"):
    violation = rules.Violation(
        item_key=f"x:{native_id}",
        account=ACCOUNT,
        channel=Channel.PUBLIC,
        kind=Kind.REPLY,
        occurred_at=T0,
        finding_types=("phone",),
    )
    return rules.apply(Ledger(), violation, Decision(True, (Clause.PERSONAL_INFORMATION,)))


def test_events_are_appended_once_and_read_back_as_they_were(engine):
    events = strike_events()
    with engine.begin() as connection:
        added = append_events(connection, events, T0)
    assert [e.key for e in added] == ["violation_recorded:x:1", "strike:x:1"]
    assert all(e.id is not None for e in added)
    with engine.begin() as connection:
        assert append_events(connection, events, T0 + timedelta(hours=1)) == []
        ledger = read_ledger(connection)
    assert {e.key: e for e in ledger} == {e.key: e for e in events}
    assert ledger.get("strike:x:1").id == added[1].id
    assert ledger.by_id(added[0].id).key == "violation_recorded:x:1"


def test_a_link_is_written_changed_unlinked_and_left_alone_when_unchanged(engine):
    with engine.begin() as connection:
        assert write_link(connection, AccountLink(ACCOUNT, "C-1", LinkSource.CRM, "CRM match", T0))
        assert not write_link(
            connection, AccountLink(ACCOUNT, "C-1", LinkSource.OPERATOR, "Operator", T0)
        )
        (link,) = read_links(connection)
        assert (link.contact_id, link.source, link.linked_by) == (
            "C-1",
            LinkSource.CRM,
            "CRM match",
        )
        later = T0 + timedelta(days=1)
        assert write_link(connection, AccountLink(ACCOUNT, None, LinkSource.OPERATOR, "Op", later))
        (link,) = read_links(connection)
        assert (link.contact_id, link.linked_by, link.linked_at) == (None, "Op", later)
        residents = read_residents(connection)
        assert connection.execute(select(account_links)).all()
    assert residents.is_decided(ACCOUNT)
    assert residents.resident_of(ACCOUNT) == "account:x:1500000000000000042"


def test_an_action_is_claimed_once_finished_and_then_answered_from_the_log(engine):
    common = {
        "key": "message:x:1",
        "platform": Platform.X,
        "action": Action.REPLY,
        "target": "x:1",
        "event_key": "message_drafted:x:1",
        "now": T0,
    }
    with engine.begin() as connection:
        assert claim_action(connection, **common).claimed
    with engine.begin() as connection:
        again = claim_action(connection, **common)
    assert (again.claimed, again.unfinished, again.finished) == (False, True, None)
    result = ActionResult(Platform.X, Action.REPLY, Outcome.DONE, reference="1900")
    with engine.begin() as connection:
        finish_action(connection, "message:x:1", result, T0)
        release_action(connection, "message:x:1")
        assert claim_action(connection, **common).finished == result
        assert count_actions(connection) == {("x", "reply", "done"): 1}


def test_an_unfinished_claim_can_be_released(engine):
    with engine.begin() as connection:
        claim_action(
            connection,
            key="hide:x:1",
            platform=Platform.X,
            action=Action.HIDE,
            target="x:1",
            event_key="violation_recorded:x:1",
            now=T0,
        )
        assert count_actions(connection) == {("x", "hide", "under_way"): 1}
        release_action(connection, "hide:x:1")
        assert count_actions(connection) == {}


def test_screened_violations_not_yet_recorded_are_read_with_their_evidence(engine):
    ours, first, second, clean = item("0", ours=True), item("1", thread="0"), item("2"), item("3")
    with engine.begin() as connection:
        upsert_items(connection, [ours, first, second, clean], T0)
        for stored in (ours, first, second):
            screened(connection, stored)
        screened(connection, clean, violation=False)
    with engine.connect() as connection:
        found = screened_violations(connection)
    assert [v.item.key for v in found] == ["x:1", "x:2"]
    assert (found[0].clauses, found[0].finding_types, found[0].redacted) == (
        ("personal_information",),
        ("phone",),
        "call me on [phone]",
    )
    with engine.begin() as connection:
        append_events(connection, strike_events("1"), T0)
        assert [v.item.key for v in screened_violations(connection)] == ["x:2"]
        again = screened_violations(connection, unrecorded_only=False, keys=["x:1"])
        assert [v.item.key for v in again] == ["x:1"]
        assert thread_started_by_us(connection, Platform.X, "0")
        assert not thread_started_by_us(connection, Platform.X, "2")
        assert set(items_by_key(connection, ["x:1", "x:9"])) == {"x:1"}
        assert latest_handles(connection, {ACCOUNT}) == {ACCOUNT: "res_one"}
        counts = count_events(connection)
    assert counts[EventType.STRIKE_ISSUED] == 1
    assert counts[EventType.BLOCK_REQUESTED] == 0
