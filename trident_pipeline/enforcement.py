"""The three-strike policy applied after screening: the service the hourly run calls.

For every screened item that breaks the policy and is not in the ledger yet,
:meth:`Enforcement.run`

1. links the author's account to its CRM contact when the CRM knows it (and no operator has
   decided otherwise), so strikes count per resident;
2. records the violation and one strike, and drafts the "please delete your post and message us
   privately" message, signed with the configured pseudonym and checked for accessibility;
3. carries out what config allows through each platform's moderator: hides a public item and
   sends the drafted message (otherwise the message waits for approval, as a block does);
4. records the expiry of strikes past their period, and requests a block for every resident
   who has reached the threshold of active strikes.

Ledger events and their CRM records are written in one transaction (the transactional outbox).
Platform calls happen outside transactions, through the action log (:meth:`Enforcement.perform`),
which claims each action's idempotency key before the call. So a retry, a re-run of any
interval or an overlapping backfill writes nothing twice: not in the ledger, not on a platform,
not in the CRM.

This module orchestrates the run. The rules are in :mod:`~trident_pipeline.domain.strikes` and
:mod:`~trident_pipeline.domain.blocks`; the customer-record entries are built by
:mod:`~trident_pipeline.strike_records`; hiding and sending are done by
:mod:`~trident_pipeline.platform_steps`, through :mod:`~trident_pipeline.action_log`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection, Engine

from trident_pipeline import action_log
from trident_pipeline.config.strikes import EnforcementSettings
from trident_pipeline.crm.errors import CrmError
from trident_pipeline.crm.records import CrmRecord, CustomerAccount
from trident_pipeline.domain import blocks, notes, strikes
from trident_pipeline.domain.events import EventType, Ledger, ModerationEvent
from trident_pipeline.domain.models import InboxItem, Platform
from trident_pipeline.domain.policy import Clause, Decision
from trident_pipeline.domain.residents import AccountLink, AccountRef, LinkSource, Residents
from trident_pipeline.platform_steps import Enqueue, PlatformSteps
from trident_pipeline.sources.moderation import Action, ActionResult, Moderator
from trident_pipeline.store.ledger import (
    ScreenedViolation,
    append_events,
    latest_handles,
    read_ledger,
    read_residents,
    screened_violations,
    write_link,
)
from trident_pipeline.strike_records import Handles, StrikeRecords, crm_record, item_facts

__all__ = [
    "Enforcement",
    "EnforcementReport",
    "Enqueue",
    "FindContact",
    "crm_record",
    "item_facts",
    "link_event",
]

log = logging.getLogger(__name__)

FindContact = Callable[[CustomerAccount], str | None]
"""A CRM's ``find_contact``: the contact id a platform account belongs to, or ``None``."""

_COUNTS = (
    "violations",
    "strikes",
    "expired",
    "linked",
    "messages_sent",
    "hidden",
    "by_hand",
    "not_possible",
)


@dataclass(frozen=True)
class EnforcementReport:
    """What one run did: counts, and the ids of what now waits for a person's approval.

    ``by_hand`` counts steps a platform leaves to a person; ``not_possible`` steps it refused
    (such as hiding a reply on a thread the account did not start).

    ``block_requests`` and ``messages_for_approval`` are ledger event ids; ``residents`` the
    resident ids of the new block requests. No text, no handles.
    """

    violations: int = 0
    strikes: int = 0
    expired: int = 0
    linked: int = 0
    messages_sent: int = 0
    hidden: int = 0
    by_hand: int = 0
    not_possible: int = 0
    crm_records: int = 0
    block_requests: tuple[int, ...] = ()
    residents: tuple[str, ...] = ()
    messages_for_approval: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """The report as JSON values, for XCom and logs.

        Raises:
            Nothing.
        """
        return {
            **{name: getattr(self, name) for name in (*_COUNTS, "crm_records")},
            "block_requests": list(self.block_requests),
            "residents": list(self.residents),
            "messages_for_approval": list(self.messages_for_approval),
        }


def link_event(link: AccountLink) -> ModerationEvent:
    """The ledger's record of a link, or of an operator's unlink, made at ``link.linked_at``.

    Raises:
        Nothing.
    """
    linked = link.contact_id is not None
    account = link.account
    return ModerationEvent(
        key=(
            f"account_{'linked' if linked else 'unlinked'}:{account.platform.value}:"
            f"{account.user_id}:{link.linked_at.isoformat()}"
        ),
        type=EventType.ACCOUNT_LINKED if linked else EventType.ACCOUNT_UNLINKED,
        occurred_at=link.linked_at,
        actor=link.linked_by,
        account=account,
        resident_id=f"contact:{link.contact_id}" if linked else None,
        detail={"source": link.source.value, "contact_id": link.contact_id},
    )


class Enforcement:
    """The three-strike policy over the store, the platforms and the CRM outbox.

    Args:
        engine: the store.
        settings: the loaded configuration.
        moderators: each platform's moderator (the live connectors, or the sample's).
        enqueue: the CRM outbox's ``enqueue``, called in the store's transactions.
    """

    def __init__(
        self,
        engine: Engine,
        settings: EnforcementSettings,
        moderators: Mapping[Platform, Moderator],
        enqueue: Enqueue,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.moderators = moderators
        self.enqueue = enqueue
        self.records = StrikeRecords(settings)
        self.steps = PlatformSteps(engine, settings, moderators, enqueue, self.records)

    # ---------------------------------------------------------------------------- the run

    def run(
        self, *, at: datetime, now: datetime, find_contact: FindContact | None = None
    ) -> EnforcementReport:
        """Apply the policy to everything screening found, counting strikes at ``at``.

        ``at`` is when strikes are counted and expired (the end of the run's interval);
        ``now`` stamps what is recorded. Safe to run again over any interval.

        A CRM lookup that fails (:class:`~trident_pipeline.crm.errors.CrmError`) leaves the
        account unlinked this run; the next run asks again.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
            KeyError: when a platform with work to do has no moderator.
            Exception: whatever a moderator raises that is not a platform's
                :class:`~trident_pipeline.sources.errors.SourceError`.
        """
        tally: Counter[str] = Counter()
        with self.engine.connect() as connection:
            violations = screened_violations(connection)
        tally["linked"] = self._link_from_crm(violations, find_contact, now)
        with self.engine.connect() as connection:
            ledger, residents = read_ledger(connection), read_residents(connection)
        awaiting: list[int] = []
        for violation in violations:
            ledger, added = self._record(ledger, residents, violation, now, tally)
            awaiting += [
                event.id
                for event in added
                if event.type is EventType.MESSAGE_DRAFTED and event.detail["needs_approval"]
            ]
        ledger = self.steps.carry_out(ledger, residents, now, tally)
        with self.engine.begin() as connection:
            expired = append_events(connection, strikes.expire(ledger, at, self.rules), now)
            ledger = ledger.with_events(expired)
            wanted = blocks.request_blocks(ledger, residents, at, self.rules)
            requests = append_events(connection, wanted, now)
            events = [*expired, *requests]
            handles = latest_handles(connection, {e.account for e in events if e.account})
            records = [self.records.expiry_record(ledger, event, handles) for event in expired]
            records += [self.records.request_record(request, handles) for request in requests]
            tally["crm_records"] += self._enqueue(connection, records, now)
        tally["expired"] = len(expired)
        report = EnforcementReport(
            **{name: tally[name] for name in (*_COUNTS, "crm_records")},
            block_requests=tuple(request.id for request in requests if request.id is not None),
            residents=tuple(request.resident_id or "" for request in requests),
            messages_for_approval=tuple(event_id for event_id in awaiting if event_id),
        )
        log.info(
            "Enforcement: %s violations, %s strikes, %s expired, %s block requests, "
            "%s messages awaiting approval, %s steps by hand",
            report.violations,
            report.strikes,
            report.expired,
            len(report.block_requests),
            len(report.messages_for_approval),
            report.by_hand,
        )
        return report

    @property
    def rules(self) -> strikes.StrikeRules:
        """The ledger's threshold, expiry and review periods.

        Raises:
            ValueError: never for loaded settings, which were checked.
        """
        return self.settings.rules

    def _enqueue(
        self, connection: Connection, records: Iterable[CrmRecord | None], now: datetime
    ) -> int:
        return self.enqueue(connection, [record for record in records if record], now)

    def _link_from_crm(
        self,
        violations: Sequence[ScreenedViolation],
        find_contact: FindContact | None,
        now: datetime,
    ) -> int:
        if find_contact is None:
            return 0
        with self.engine.connect() as connection:
            residents = read_residents(connection)
        asked: set[AccountRef] = set()
        linked = 0
        for violation in violations:
            author = violation.item.author
            if author.user_id is None:
                continue
            account = AccountRef(violation.item.platform, author.user_id)
            if account in asked or residents.is_decided(account):
                continue
            asked.add(account)
            try:
                contact_id = find_contact(
                    CustomerAccount(account.platform, account.user_id, author.handle)
                )
            except CrmError as error:
                log.warning("CRM lookup failed (%s): no more links this run", type(error).__name__)
                break
            if contact_id is None:
                continue
            link = AccountLink(account, contact_id, LinkSource.CRM, "CRM match", now)
            with self.engine.begin() as connection:
                if write_link(connection, link):
                    append_events(connection, [link_event(link)], now)
                    linked += 1
        return linked

    def _record(
        self,
        ledger: Ledger,
        residents: Residents,
        violation: ScreenedViolation,
        now: datetime,
        tally: Counter[str],
    ) -> tuple[Ledger, list[ModerationEvent]]:
        """Record one violation, its strike and its drafted message, with their CRM records."""
        item = violation.item
        account = AccountRef(item.platform, item.author.user_id) if item.author.user_id else None
        clauses = tuple(Clause(clause) for clause in violation.clauses)
        facts = strikes.Violation(
            item_key=item.key,
            account=account,
            channel=item.channel,
            kind=item.kind,
            occurred_at=item.created_at,
            finding_types=violation.finding_types,
        )
        events = strikes.apply(ledger, facts, Decision(violation=bool(clauses), clauses=clauses))
        for index, event in enumerate(list(events)):
            if event.type is EventType.STRIKE_ISSUED and account is not None:
                events[index] = replace(event, resident_id=residents.resident_of(account))
                events.append(self._draft(item, events[index], now))
        handles = {account: item.author.handle} if account else {}
        with self.engine.begin() as connection:
            added = append_events(connection, events, now)
            ledger = ledger.with_events(added)
            records = []
            for event in added:
                if event.type is EventType.STRIKE_ISSUED:
                    tally["strikes"] += 1
                    records.append(self.records.strike_record(ledger, residents, event, handles))
                elif event.type is EventType.MESSAGE_DRAFTED and event.detail["needs_approval"]:
                    strike = ledger.get(event.refers_to or "")
                    status = notes.MessageStatus.AWAITING_APPROVAL
                    records.append(
                        self.records.strike_note(ledger, residents, strike, status, handles)
                    )
            tally["crm_records"] += self._enqueue(connection, records, now)
        tally["violations"] += bool(added)
        return ledger, added

    def _draft(self, item: InboxItem, strike: ModerationEvent, now: datetime) -> ModerationEvent:
        route = self.settings.strikes.route(item.platform, item.channel)
        draft = self.settings.templates.draft(
            item.platform,
            item.channel,
            item.kind,
            strike.clauses,
            self.settings.signer,
            route.delivery,
        )
        return strikes.message_drafted(
            strike,
            now,
            text=draft.text,
            delivery=draft.delivery.value,
            signed_by=draft.signed_by,
            needs_approval=not route.automatic or not draft.accessible,
            problems=draft.problems,
        )

    # ------------------------------------------------------------------------- messages

    def send_message(self, drafted: ModerationEvent, now: datetime) -> ActionResult | None:
        """Send a drafted message that config or a person allowed, and record how it went.

        Returns ``None`` when the platform asked to wait (a later run sends it).

        Raises:
            ValueError: when ``drafted`` is not a drafted message.
            KeyError: when the item's platform has no moderator.
            sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
        """
        return self.steps.send_message(drafted, now)

    def decision_note(
        self,
        decision: ModerationEvent,
        strike: ModerationEvent | None,
        status: notes.MessageStatus,
        handles: Handles,
    ) -> CrmRecord | None:
        """The note of a person's decision on a drafted message (``None`` without a strike).

        Raises:
            ValueError: when a time is naive.
        """
        return self.records.decision_note(decision, strike, status, handles)

    # ---------------------------------------------------------------- the platform action log

    def perform(
        self,
        *,
        platform: Platform,
        action: Action,
        key: str,
        target: str,
        event_key: str,
        call: Callable[[], ActionResult],
        now: datetime,
    ) -> ActionResult | None:
        """Carry out one platform action at most once per ``key``, through the action log
        (:func:`trident_pipeline.action_log.perform`, which documents the outcomes).

        Returns ``None`` when the action waits for a later run.

        Raises:
            Exception: whatever ``call`` raises other than a platform's
                :class:`~trident_pipeline.sources.errors.SourceError`; the claim stays.
        """
        return action_log.perform(
            self.engine,
            platform=platform,
            action=action,
            key=key,
            target=target,
            event_key=event_key,
            call=call,
            now=now,
        )

    # --------------------------------------------------------------------- appeals

    def overrule_strike(self, item_key: str, by: str, reason: str, now: datetime) -> bool:
        """Overrule the strike for ``item_key`` on appeal, from ``now``; returns whether it
        was new. A manager decides appeals.

        Raises:
            UnknownEvent: when no strike was issued for ``item_key``.
            ApproverError: when ``by`` is not a manager in ``staff.yaml``.
            ValueError: when ``reason`` is blank.
            sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
        """
        manager = self.settings.approver(by, manager=True)
        with self.engine.begin() as connection:
            ledger = read_ledger(connection)
            events = strikes.overrule(ledger, item_key, manager, reason, now)
            added = append_events(connection, events, now)
            for event in added:
                strike = ledger.get(event.refers_to or "")
                handles = latest_handles(connection, {event.account} if event.account else set())
                record = self.records.overruled_record(event, strike, manager, reason, now, handles)
                self._enqueue(connection, [record], now)
        return bool(added)
