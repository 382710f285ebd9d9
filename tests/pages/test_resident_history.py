"""Residents read models over the store, on each database under test: search, the residents
the store knows, and a resident's history. Everyone here is invented."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from trident_pipeline.domain import blocks, strikes
from trident_pipeline.domain.events import Ledger, ReviewOutcome
from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.domain.policy import Clause, Decision
from trident_pipeline.domain.residents import AccountLink, AccountRef, LinkSource
from trident_pipeline.domain.strikes import StrikeRules
from trident_pipeline.pages.residents import (
    StrikeState,
    UnknownResident,
    find_residents,
    known_residents,
    resident_history,
)
from trident_pipeline.store import upsert_items
from trident_pipeline.store.ledger import append_events, read_ledger, read_residents, write_link
from trident_pipeline.store.screenings import ScreeningRow, save_screenings

T0 = datetime(2027, 3, 1, 10, tzinfo=timezone.utc)
DAY = timedelta(days=1)
RULES = StrikeRules(threshold=3, expiry=timedelta(days=30), block_review=timedelta(days=90))
CONTACT = "C-1042"
X = AccountRef(Platform.X, "1500000000000000042")
BLUESKY = AccountRef(Platform.BLUESKY, "did:plc:residentone00000000000001")
LONER = AccountRef(Platform.FACEBOOK, "2600000000000009")
OURS = AccountRef(Platform.X, "1000000000000000001")
AUTHORS = {
    X: Author(X.user_id, "res_one", "Robin Example"),
    BLUESKY: Author(BLUESKY.user_id, "robin.bsky.social", "Robin Example"),
    LONER: Author(LONER.user_id, None, "Lee Loner"),
    OURS: Author(OURS.user_id, "trident_group", "Trident Group"),
}


def item(account: AccountRef, native_id: str, at: datetime) -> InboxItem:
    return InboxItem(
        platform=account.platform,
        kind=Kind.MENTION,
        channel=Channel.PUBLIC,
        native_id=native_id,
        thread_id=native_id,
        author=AUTHORS[account],
        text=f"You idiots, ring me on 07700 900{native_id:0>3}",
        created_at=at,
        is_ours=account == OURS,
    )


ITEMS = [
    item(X, "11", T0),
    item(BLUESKY, "12", T0 + DAY),
    item(X, "13", T0 + 2 * DAY),
    item(LONER, "14", T0 + 3 * DAY),
    item(OURS, "15", T0 + 3 * DAY),
]


def strike_events(ledger: Ledger, source: InboxItem) -> list:
    violation = strikes.Violation(
        item_key=source.key,
        account=AccountRef(source.platform, source.author.user_id),
        channel=source.channel,
        kind=source.kind,
        occurred_at=source.created_at,
        finding_types=("abuse", "phone"),
    )
    decision = Decision(True, (Clause.ABUSIVE_OR_THREATENING_LANGUAGE,))
    return strikes.apply(ledger, violation, decision)


@pytest.fixture
def store(engine):
    """Robin (C-1042) with an X and a BlueSky account and three strikes, a block request and
    its approval; Lee, unlinked, with one strike; and our own post."""
    with engine.begin() as connection:
        upsert_items(connection, ITEMS, T0)
        save_screenings(
            connection,
            [
                ScreeningRow(
                    source.key,
                    "test",
                    True,
                    ["abusive_or_threatening_language"],
                    [
                        {"type": "abuse", "start": 4, "end": 10, "score": 0.9, "rule": "r"},
                        {"type": "phone", "start": 20, "end": 33, "score": 1.0, "rule": "r"},
                    ],
                    "You [abuse], ring me on [phone]",
                )
                for source in ITEMS[:4]
            ],
            T0,
        )
        for account in (X, BLUESKY):
            write_link(connection, AccountLink(account, CONTACT, LinkSource.OPERATOR, "priya", T0))
        ledger = read_ledger(connection)
        for source in ITEMS[:4]:
            ledger = ledger.with_events(
                append_events(connection, strike_events(ledger, source), T0)
            )
        requests = blocks.request_blocks(ledger, read_residents(connection), T0 + 3 * DAY, RULES)
        ledger = ledger.with_events(append_events(connection, requests, T0 + 3 * DAY))
        (request,) = requests
        approved = blocks.decide_block(
            ledger, request.key, True, "Sam", "Three strikes", T0 + 4 * DAY
        )
        append_events(connection, approved, T0 + 4 * DAY)
    return engine


def find(engine, query: str, *, personal_data: bool, at: datetime = T0 + 5 * DAY):
    with engine.connect() as connection:
        return find_residents(connection, query, at, RULES, personal_data=personal_data)


def history(engine, resident_id: str, *, at: datetime = T0 + 5 * DAY, personal_data: bool = True):
    with engine.connect() as connection:
        return resident_history(connection, resident_id, at, RULES, personal_data=personal_data)


# ------------------------------------------------------------------------------- search


@pytest.mark.parametrize(
    "query", ["c-1042", "1500000000000000042", "did:plc:residentone", "RES_ONE", "robin.bsky"]
)
def test_a_resident_is_found_by_contact_account_id_or_handle_with_every_account(store, query):
    (found,) = find(store, query, personal_data=True)
    assert (found.resident_id, found.contact_id) == (f"contact:{CONTACT}", CONTACT)
    assert [view.account for view in found.accounts] == sorted([X, BLUESKY])
    assert {view.handle for view in found.accounts} == {"res_one", "robin.bsky.social"}
    assert found.active_strikes == 3


def test_a_name_finds_residents_only_with_personal_data(store):
    found = find(store, "robin example", personal_data=True)
    assert [f.resident_id for f in found] == [f"contact:{CONTACT}"]
    assert find(store, "robin example", personal_data=False) == []


@pytest.mark.parametrize("query", ["res_one", "robin.bsky", "lee loner"])
def test_without_personal_data_a_handle_or_name_finds_nobody(store, query):
    assert find(store, query, personal_data=False) == []


def test_without_personal_data_ids_still_find_residents_and_handles_stay_hidden(store):
    (found,) = find(store, X.user_id, personal_data=False)
    assert found.contact_id == CONTACT
    assert {view.handle for view in found.accounts} == {None}


def test_search_wildcards_are_taken_literally(store):
    assert find(store, "res_one", personal_data=True), "an underscore is an underscore"
    assert find(store, "resXone", personal_data=True) == []
    assert find(store, "res%one", personal_data=True) == []
    assert find(store, "%", personal_data=True) == []


def test_an_unlinked_account_is_a_resident_of_its_own(store):
    (found,) = find(store, LONER.user_id, personal_data=True)
    assert (found.resident_id, found.contact_id) == (f"account:facebook:{LONER.user_id}", None)
    assert found.active_strikes == 1


def test_our_own_account_is_never_a_resident(store):
    assert find(store, OURS.user_id, personal_data=True) == []
    assert find(store, "trident_group", personal_data=True) == []


def test_strikes_that_expired_are_not_counted_as_active(store):
    (found,) = find(store, CONTACT, personal_data=False, at=T0 + 40 * DAY)
    assert found.active_strikes == 0


def test_a_blank_search_is_refused(store):
    with pytest.raises(ValueError, match="search for"):
        find(store, "   ", personal_data=True)


def test_the_store_knows_each_contact_and_each_unlinked_account(store):
    with store.connect() as connection:
        assert known_residents(connection) == {
            f"contact:{CONTACT}",
            f"account:facebook:{LONER.user_id}",
        }


# ------------------------------------------------------------------------------ history


def test_a_history_has_the_accounts_strikes_with_evidence_and_the_block(store):
    found = history(store, f"contact:{CONTACT}")
    assert found.contact_id == CONTACT
    assert [(v.account, v.handle, v.linked_by) for v in found.accounts] == [
        (BLUESKY, "robin.bsky.social", "priya"),
        (X, "res_one", "priya"),
    ]
    assert [s.item_key for s in found.strikes] == [source.key for source in ITEMS[:3]]
    first = found.strikes[0]
    assert first.state is StrikeState.ACTIVE
    assert first.clauses == ("abusive_or_threatening_language",)
    assert first.finding_types == ("abuse", "phone")
    assert first.excerpt == "You [abuse], ring me on [phone]"
    assert first.ends_at == T0 + RULES.expiry
    assert found.active_strikes == 3
    (block,) = found.blocks
    assert (block.decision, block.decided_by, block.lifted) == ("in force", "Sam", False)
    assert block.next_review == T0 + 4 * DAY + RULES.block_review
    assert [e.type.value for e in found.events].count("strike_issued") == 3


def test_a_history_without_personal_data_has_no_handles(store):
    found = history(store, f"contact:{CONTACT}", personal_data=False)
    assert {view.handle for view in found.accounts} == {None}
    assert found.strikes[0].excerpt == "You [abuse], ring me on [phone]"


def test_a_strike_overruled_from_a_time_counts_until_then(store):
    with store.begin() as connection:
        ledger = read_ledger(connection)
        events = strikes.overrule(ledger, ITEMS[0].key, "Sam", "Appeal upheld", T0 + 6 * DAY)
        append_events(connection, events, T0 + 6 * DAY)
    before = history(store, f"contact:{CONTACT}", at=T0 + 5 * DAY)
    after = history(store, f"contact:{CONTACT}", at=T0 + 7 * DAY)
    assert before.strikes[0].state is StrikeState.ACTIVE
    assert after.strikes[0].state is StrikeState.OVERRULED
    assert (after.strikes[0].overruled_by, after.strikes[0].overrule_reason) == (
        "Sam",
        "Appeal upheld",
    )
    assert after.active_strikes == 2


def test_strikes_expire_after_the_expiry_period(store):
    found = history(store, f"contact:{CONTACT}", at=T0 + 30 * DAY + 12 * timedelta(hours=1))
    assert [s.state for s in found.strikes] == [
        StrikeState.EXPIRED,
        StrikeState.ACTIVE,
        StrikeState.ACTIVE,
    ]


def test_a_lifted_block_has_no_next_review(store):
    with store.begin() as connection:
        ledger = read_ledger(connection)
        (request,) = [e for e in ledger if e.type.value == "block_requested"]
        due = blocks.next_review(ledger, request, RULES)
        review = blocks.BlockReview(request=request, due=due)
        events = blocks.review_block(
            ledger, review, ReviewOutcome.LIFTED, "Sam", "Apologised", T0 + 10 * DAY
        )
        append_events(connection, events, T0 + 10 * DAY)
    (block,) = history(store, f"contact:{CONTACT}").blocks
    assert (block.decision, block.lifted, block.next_review) == ("lifted", True, None)


def test_an_unlinked_accounts_history_is_its_own(store):
    found = history(store, f"account:facebook:{LONER.user_id}")
    assert found.contact_id is None
    assert [v.account for v in found.accounts] == [LONER]
    assert len(found.strikes) == 1
    assert found.blocks == ()


@pytest.mark.parametrize(
    "resident_id", ["contact:C-9999", "someone", "account:myspace:1", "account:x"]
)
def test_a_resident_the_store_does_not_know_is_refused(store, resident_id):
    with pytest.raises(UnknownResident):
        history(store, resident_id)
