"""The hourly run's enforcement service, against the store and the real CRM outbox.

Platforms are replaced by :class:`RecordingModerator`, a test double that answers like a
connector (by the real capability matrices) and counts every call, so a test can tell that
nothing on a platform happened twice. Everyone here is invented.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from trident_pipeline.config.strikes import ApproverError, EnforcementSettings
from trident_pipeline.crm.outbox import enqueue
from trident_pipeline.crm.records import CustomerAccount
from trident_pipeline.domain.ledger import EventType
from trident_pipeline.domain.models import Author, Channel, InboxItem, Kind, Platform
from trident_pipeline.domain.residents import AccountLink, AccountRef, LinkSource
from trident_pipeline.enforcement import Enforcement
from trident_pipeline.sources.bluesky.moderation import CAPABILITIES as BLUESKY
from trident_pipeline.sources.errors import FatalError, RateLimited, RetriableError
from trident_pipeline.sources.facebook.moderation import CAPABILITIES as FACEBOOK
from trident_pipeline.sources.moderation import Action, ActionResult, Capabilities, Outcome
from trident_pipeline.sources.x.moderation import CAPABILITIES as X
from trident_pipeline.store import upsert_items
from trident_pipeline.store.ledger import read_ledger, read_links, write_link
from trident_pipeline.store.schema import (
    crm_outbox,
    moderation_events,
    platform_actions,
    screenings,
)

T0 = datetime(2027, 3, 3, 10, 14, tzinfo=timezone.utc)
AFTER = T0 + timedelta(days=3)
CONTACT = "C-1042"
X_ACCOUNT = AccountRef(Platform.X, "1500000000000000042")
BLUESKY_ACCOUNT = AccountRef(Platform.BLUESKY, "did:plc:residentone00000000000001")
FACEBOOK_ACCOUNT = AccountRef(Platform.FACEBOOK, "2600000000000001")
HANDLES = {X_ACCOUNT: "res_one", BLUESKY_ACCOUNT: "resone.bsky.social", FACEBOOK_ACCOUNT: None}


@dataclass
class RecordingModerator:
    """A platform's moderator for tests: answers as the capability matrix says, counts calls,
    and raises ``failures[action]`` (once) where a test asks it to."""

    platform: Platform
    capabilities: Capabilities
    failures: dict[Action, Exception] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def _answer(self, action: Action, target: str) -> ActionResult:
        self.calls.append((action.value, target))
        if action in self.failures:
            raise self.failures.pop(action)
        if self.capabilities.get(action) == "by_hand":
            return ActionResult(self.platform, action, Outcome.NEEDS_HAND, detail="by hand")
        return ActionResult(self.platform, action, Outcome.DONE, reference=f"ref-{len(self.calls)}")

    def hide(self, item):
        return self._answer(Action.HIDE, item.key)

    def reply(self, item, text, idempotency_key):
        assert text.endswith("\n- Sam")
        return self._answer(Action.REPLY, idempotency_key)

    def send_direct_message(self, user_id, text, idempotency_key):
        return self._answer(Action.DIRECT_MESSAGE, user_id)

    def block(self, user_id, idempotency_key):
        return self._answer(Action.BLOCK, user_id)


@pytest.fixture
def moderators():
    matrices = {Platform.X: X, Platform.BLUESKY: BLUESKY, Platform.FACEBOOK: FACEBOOK}
    return {platform: RecordingModerator(platform, matrix) for platform, matrix in matrices.items()}


@pytest.fixture
def settings():
    return EnforcementSettings.load()


@pytest.fixture
def service(engine, settings, moderators):
    return Enforcement(engine, settings, moderators, enqueue)


def item(account: AccountRef, native_id: str, at: datetime, kind=Kind.REPLY) -> InboxItem:
    channel = Channel.PRIVATE if kind is Kind.DIRECT_MESSAGE else Channel.PUBLIC
    return InboxItem(
        platform=account.platform,
        kind=kind,
        native_id=native_id,
        thread_id=f"thread-{native_id}",
        author=Author(account.user_id, HANDLES.get(account), "Resident One"),
        text="text the screening saw",
        created_at=at,
        is_ours=False,
        channel=channel,
    )


def store(engine, *found: tuple[InboxItem, list[str], list[str]]) -> None:
    with engine.begin() as connection:
        upsert_items(connection, [stored for stored, _, _ in found], T0)
        for stored, clauses, types in found:
            connection.execute(
                screenings.insert().values(
                    item_key=stored.key,
                    screener_version="test@1",
                    violation=True,
                    clauses=clauses,
                    findings=[
                        {"type": kind, "start": 0, "end": 4, "score": 0.9, "rule": "t@1"}
                        for kind in types
                    ],
                    redacted="please ring me on [phone]",
                    screened_at=T0,
                )
            )


PHONE = (["personal_information"], ["phone"])
ABUSE = (["abusive_or_threatening_language"], ["abuse"])


def three_platforms(engine) -> None:
    """One resident's three violations: Facebook, then X, then BlueSky, a day apart."""
    store(
        engine,
        (item(FACEBOOK_ACCOUNT, "fb-1", T0, Kind.COMMENT), *PHONE),
        (item(X_ACCOUNT, "x-1", T0 + timedelta(days=1), Kind.MENTION), *ABUSE),
        (item(BLUESKY_ACCOUNT, "bsky-1", T0 + timedelta(days=2)), *PHONE),
    )


def link_all(engine) -> None:
    with engine.begin() as connection:
        for account in (X_ACCOUNT, BLUESKY_ACCOUNT, FACEBOOK_ACCOUNT):
            write_link(connection, AccountLink(account, CONTACT, LinkSource.OPERATOR, "Op", T0))


def snapshot(engine) -> dict[str, list]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(table).order_by(*table.primary_key)).all()
            for table in (moderation_events, platform_actions, crm_outbox)
        }


def outbox(engine) -> dict[str, tuple[str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(select(crm_outbox)).mappings().all()
    return {row["idempotency_key"]: (row["kind"], row["body"]) for row in rows}


def test_one_residents_strikes_on_three_platforms_request_a_block(engine, service, moderators):
    three_platforms(engine)
    link_all(engine)
    report = service.run(at=AFTER, now=AFTER)
    assert (report.violations, report.strikes, report.messages_sent) == (3, 3, 2)
    assert report.residents == (f"contact:{CONTACT}",)
    with engine.connect() as connection:
        ledger = read_ledger(connection)
    (request,) = ledger.of_type(EventType.BLOCK_REQUESTED)
    assert report.block_requests == (request.id,)
    assert request.detail["strikes"] == [
        "strike:facebook:fb-1",
        "strike:x:x-1",
        "strike:bluesky:bsky-1",
    ]
    facebook_draft = ledger.get("message_drafted:facebook:fb-1")
    assert report.messages_for_approval == (facebook_draft.id,)
    assert facebook_draft.detail["needs_approval"] is True
    assert moderators[Platform.X].calls == [("reply", "message:x:x-1"), ("hide", "x:x-1")]
    assert moderators[Platform.BLUESKY].calls == [
        ("reply", "message:bluesky:bsky-1"),
        ("hide", "bluesky:bsky-1"),
    ]
    assert moderators[Platform.FACEBOOK].calls == [("hide", "facebook:fb-1")]
    records = outbox(engine)
    assert records["strike_event:strike:x:x-1"] == (
        "strike_event",
        "Strike 2 of 3: abusive or threatening language (abuse) in a public mention on X on "
        "4 Mar 2027 at 10:14.",
    )
    assert records["note:strike:bluesky:bsky-1"] == (
        "note",
        "Strike 3 of 3: personal information (phone number) in a public reply on BlueSky on "
        "5 Mar 2027 at 10:14. Asked to delete it and message us privately. Sam",
    )
    assert records["note:strike:facebook:fb-1"][1].endswith(
        "A message asking them to delete it and message us privately awaits approval. Sam"
    )
    kind, body = records["communication:encouraged_to_delete:x:x-1"]
    assert kind == "communication"
    assert body.startswith("Hello. Your post uses abusive or threatening language.")
    assert records[f"strike_event:{request.key}"][1] == (
        "3 active strikes on 5 Mar 2027 at 10:14: a block on all their accounts "
        "(X, BlueSky and Facebook) awaits a manager's approval."
    )


def test_rerunning_any_interval_writes_nothing_twice(engine, service, moderators):
    three_platforms(engine)
    link_all(engine)
    service.run(at=AFTER, now=AFTER)
    before = snapshot(engine)
    calls = {platform: list(m.calls) for platform, m in moderators.items()}
    again = service.run(at=AFTER, now=AFTER + timedelta(hours=1))
    service.run(at=AFTER + timedelta(days=1), now=AFTER + timedelta(days=1))
    assert snapshot(engine) == before
    assert {platform: m.calls for platform, m in moderators.items()} == calls
    assert (again.violations, again.strikes, again.crm_records, again.block_requests) == (
        0,
        0,
        0,
        (),
    )


def test_the_crm_links_the_accounts_it_knows_and_an_operators_unlink_stands(engine, service):
    three_platforms(engine)
    with engine.begin() as connection:
        write_link(connection, AccountLink(FACEBOOK_ACCOUNT, None, LinkSource.OPERATOR, "Op", T0))
    asked = []

    def find_contact(account: CustomerAccount) -> str | None:
        asked.append((account.platform, account.user_id, account.handle))
        return CONTACT

    report = service.run(at=AFTER, now=AFTER, find_contact=find_contact)
    assert sorted(asked) == [
        (Platform.BLUESKY, BLUESKY_ACCOUNT.user_id, "resone.bsky.social"),
        (Platform.X, X_ACCOUNT.user_id, "res_one"),
    ]
    assert report.linked == 2
    assert report.block_requests == ()
    with engine.connect() as connection:
        links = {link.account: (link.contact_id, link.source) for link in read_links(connection)}
        ledger = read_ledger(connection)
    assert links[X_ACCOUNT] == (CONTACT, LinkSource.CRM)
    assert links[FACEBOOK_ACCOUNT] == (None, LinkSource.OPERATOR)
    assert len(ledger.of_type(EventType.ACCOUNT_LINKED)) == 2


def test_unlinked_accounts_count_on_their_own(engine, service):
    three_platforms(engine)
    report = service.run(at=AFTER, now=AFTER)
    assert report.strikes == 3
    assert report.block_requests == ()
    assert outbox(engine)["strike_event:strike:bluesky:bsky-1"][1].startswith("Strike 1 of 3")


def test_strikes_expire_after_the_configured_period(engine, service, settings):
    three_platforms(engine)
    link_all(engine)
    later = T0 + timedelta(days=settings.strikes.strike_expiry_days + 3)
    report = service.run(at=later, now=later)
    assert (report.strikes, report.expired, report.block_requests) == (3, 3, ())
    assert service.run(at=later, now=later).expired == 0
    assert outbox(engine)["strike_event:strike_expired:x:x-1"][1] == (
        "The strike of 4 Mar 2027 (abusive or threatening language (abuse)) expired on 3 Mar 2028."
    )


def test_a_rate_limited_message_goes_on_a_later_run(engine, service, moderators):
    store(engine, (item(X_ACCOUNT, "x-1", T0), *ABUSE))
    moderators[Platform.X].failures[Action.REPLY] = RateLimited("X mentions reply: 429", 60)
    assert service.run(at=AFTER, now=AFTER).messages_sent == 0
    assert service.run(at=AFTER, now=AFTER).messages_sent == 1
    assert [c for c in moderators[Platform.X].calls if c[0] == "reply"] == [
        ("reply", "message:x:x-1"),
        ("reply", "message:x:x-1"),
    ]


def test_a_message_with_no_answer_is_never_sent_twice_but_handed_to_a_person(
    engine, service, moderators
):
    store(engine, (item(X_ACCOUNT, "x-1", T0), *ABUSE))
    moderators[Platform.X].failures[Action.REPLY] = RetriableError("X reply: timed out")
    service.run(at=AFTER, now=AFTER)
    report = service.run(at=AFTER, now=AFTER)
    assert report.by_hand == 1
    assert [c for c in moderators[Platform.X].calls if c[0] == "reply"] == [
        ("reply", "message:x:x-1")
    ]
    with engine.connect() as connection:
        sent = read_ledger(connection).get("encouraged_to_delete:x:x-1")
    assert sent.detail["outcome"] == "needs_hand"
    assert outbox(engine)["note:strike:x:x-1"][1].endswith(
        "A message asking them to delete it and message us privately needs sending by hand. Sam"
    )


def test_a_platform_refusal_is_recorded_as_not_possible(engine, service, moderators):
    store(engine, (item(X_ACCOUNT, "x-1", T0), *ABUSE))
    moderators[Platform.X].failures[Action.REPLY] = FatalError("X reply: 403")
    assert service.run(at=AFTER, now=AFTER).not_possible == 1
    with engine.connect() as connection:
        sent = read_ledger(connection).get("encouraged_to_delete:x:x-1")
    assert (sent.detail["outcome"], sent.detail["why"]) == ("not_possible", "FatalError")
    assert "communication:encouraged_to_delete:x:x-1" not in outbox(engine)


def test_a_private_message_is_answered_privately(engine, service, moderators):
    store(engine, (item(X_ACCOUNT, "dm-1", T0, Kind.DIRECT_MESSAGE), *ABUSE))
    service.run(at=AFTER, now=AFTER)
    assert moderators[Platform.X].calls == [("direct_message", X_ACCOUNT.user_id)]
    body = outbox(engine)["communication:encouraged_to_delete:x:dm-1"][1]
    assert body.startswith("Hello. Your message uses abusive or threatening language.")


def test_a_draft_that_fails_a_check_waits_for_approval_even_where_automatic(
    engine, settings, moderators
):
    templates = settings.templates.model_copy(
        update={"max_length": {**settings.templates.max_length, Platform.X: 60}}
    )
    strict = EnforcementSettings(settings.strikes, templates, settings.staff, settings.policy)
    store(engine, (item(X_ACCOUNT, "x-1", T0), *ABUSE))
    report = Enforcement(engine, strict, moderators, enqueue).run(at=AFTER, now=AFTER)
    assert report.messages_sent == 0
    with engine.connect() as connection:
        drafted = read_ledger(connection).get("message_drafted:x:x-1")
    assert report.messages_for_approval == (drafted.id,)
    assert drafted.detail["problems"][0].endswith("X allows 60.")


def test_an_item_whose_author_is_gone_is_recorded_without_a_strike(engine, service):
    gone = InboxItem(
        platform=Platform.FACEBOOK,
        kind=Kind.COMMENT,
        native_id="fb-9",
        thread_id="post-1",
        author=Author(None),
        text="text",
        created_at=T0,
        is_ours=False,
    )
    store(engine, (gone, *PHONE))
    report = service.run(at=AFTER, now=AFTER)
    assert (report.violations, report.strikes, report.hidden) == (1, 0, 1)
    assert outbox(engine) == {}


def test_a_manager_overrules_a_strike_on_appeal(engine, service):
    three_platforms(engine)
    service.run(at=AFTER, now=AFTER)
    with pytest.raises(ApproverError, match="not a manager"):
        service.overrule_strike("x:x-1", "Priya", "it was a quote", AFTER)
    assert service.overrule_strike("x:x-1", "sam", "it was a quote", AFTER)
    assert not service.overrule_strike("x:x-1", "Sam", "again", AFTER)
    link_all(engine)
    assert service.run(at=AFTER, now=AFTER).block_requests == ()
    assert outbox(engine)["strike_event:strike_overruled:x:x-1"][1].endswith(
        "overruled on appeal by Sam on 6 Mar 2027 at 10:14: it was a quote. Sam"
    )
