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
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection, Engine

from trident_pipeline.config.strikes import EnforcementSettings
from trident_pipeline.crm.errors import CrmError
from trident_pipeline.crm.records import CrmRecord, CustomerAccount, Direction, RecordKind
from trident_pipeline.domain import ledger as rules
from trident_pipeline.domain import notes
from trident_pipeline.domain.ledger import EventType, Ledger, ModerationEvent
from trident_pipeline.domain.messages import Delivery
from trident_pipeline.domain.models import Channel, InboxItem, Kind, Platform
from trident_pipeline.domain.policy import Clause, Decision
from trident_pipeline.domain.residents import AccountLink, AccountRef, LinkSource, Residents
from trident_pipeline.sources.errors import BudgetExhausted, FatalError, RateLimited, SourceError
from trident_pipeline.sources.moderation import Action, ActionResult, Moderator, Outcome
from trident_pipeline.store.ledger import (
    ScreenedViolation,
    append_events,
    claim_action,
    finish_action,
    items_by_key,
    latest_handles,
    read_ledger,
    read_residents,
    release_action,
    screened_violations,
    write_link,
)

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

Enqueue = Callable[[Connection, Iterable[CrmRecord], datetime], int]
"""The CRM outbox's ``enqueue(connection, records, now) -> int``."""

FindContact = Callable[[CustomerAccount], str | None]
"""A CRM's ``find_contact``: the contact id a platform account belongs to, or ``None``."""

Handles = Mapping[AccountRef, str | None]

_CREATES = frozenset({Action.REPLY, Action.DIRECT_MESSAGE})
_DONE = frozenset({Outcome.DONE, Outcome.ALREADY_DONE})
_UNANSWERED = "an earlier attempt ended without an answer: check the platform before acting"
_STATUS = {
    Outcome.DONE: notes.MessageStatus.SENT,
    Outcome.ALREADY_DONE: notes.MessageStatus.SENT,
    Outcome.NEEDS_HAND: notes.MessageStatus.BY_HAND,
    Outcome.NOT_POSSIBLE: notes.MessageStatus.NOT_SENT,
}
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


def crm_record(
    kind: RecordKind,
    key: str,
    event: ModerationEvent,
    subject: str,
    body: str,
    handles: Handles,
    *,
    account: AccountRef | None = None,
    direction: Direction | None = None,
) -> CrmRecord | None:
    """A customer-record entry about ``account`` (by default ``event``'s), or ``None`` when
    the event concerns no known account.

    Raises:
        Nothing.
    """
    about = account or event.account
    if about is None:
        return None
    return CrmRecord(
        kind=kind,
        idempotency_key=key,
        customer=CustomerAccount(about.platform, about.user_id, handles.get(about)),
        occurred_at=event.occurred_at,
        subject=subject,
        body=body,
        item_key=event.item_key,
        direction=direction,
    )


def item_facts(event: ModerationEvent) -> dict[str, object]:
    """The ``kind``, ``channel`` and ``platform`` of the item a violation or strike is about.

    Raises:
        KeyError: when ``event`` is not a violation or strike.
    """
    platform, _, _ = (event.item_key or "").partition(":")
    return {
        "kind": Kind(event.detail["kind"]),
        "channel": Channel(event.detail["channel"]),
        "platform": Platform(platform),
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
        ledger = self._carry_out(ledger, residents, now, tally)
        with self.engine.begin() as connection:
            expired = append_events(connection, rules.expire(ledger, at, self.rules), now)
            ledger = ledger.with_events(expired)
            wanted = rules.request_blocks(ledger, residents, at, self.rules)
            requests = append_events(connection, wanted, now)
            events = [*expired, *requests]
            handles = latest_handles(connection, {e.account for e in events if e.account})
            records = [self._expiry_record(ledger, event, handles) for event in expired]
            records += [self._request_record(request, handles) for request in requests]
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
    def rules(self) -> rules.StrikeRules:
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
        facts = rules.Violation(
            item_key=item.key,
            account=account,
            channel=item.channel,
            kind=item.kind,
            occurred_at=item.created_at,
            finding_types=violation.finding_types,
        )
        events = rules.apply(ledger, facts, Decision(violation=bool(clauses), clauses=clauses))
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
                    records.append(self._strike_record(ledger, residents, event, handles))
                elif event.type is EventType.MESSAGE_DRAFTED and event.detail["needs_approval"]:
                    strike = ledger.get(event.refers_to or "")
                    status = notes.MessageStatus.AWAITING_APPROVAL
                    records.append(self._strike_note(ledger, residents, strike, status, handles))
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
        return rules.message_drafted(
            strike,
            now,
            text=draft.text,
            delivery=draft.delivery.value,
            signed_by=draft.signed_by,
            needs_approval=not route.automatic or not draft.accessible,
            problems=draft.problems,
        )

    def _carry_out(
        self, ledger: Ledger, residents: Residents, now: datetime, tally: Counter[str]
    ) -> Ledger:
        """Send each drafted message that may go and has not; hide each public violation not
        hidden yet (when config says so). Also completes what an interrupted run left."""
        sendable = [
            drafted
            for drafted in ledger.of_type(EventType.MESSAGE_DRAFTED)
            if f"encouraged_to_delete:{drafted.item_key}" not in ledger
            and (not drafted.detail["needs_approval"] or _approved(ledger, drafted))
        ]
        hides = [
            violation
            for violation in ledger.of_type(EventType.VIOLATION_RECORDED)
            if self.settings.strikes.hide_public_violations
            and violation.detail["channel"] == Channel.PUBLIC
            and f"hidden:{violation.item_key}" not in ledger
        ]
        with self.engine.connect() as connection:
            items = items_by_key(connection, {e.item_key or "" for e in [*sendable, *hides]})
        for drafted in sendable:
            item = items[drafted.item_key or ""]
            ledger = self._send(ledger, residents, drafted, item, now, tally)
        for violation in hides:
            ledger = self._hide(ledger, violation, items[violation.item_key or ""], now, tally)
        return ledger

    def _hide(
        self,
        ledger: Ledger,
        violation: ModerationEvent,
        item: InboxItem,
        now: datetime,
        tally: Counter[str],
    ) -> Ledger:
        moderator = self.moderators[item.platform]
        result = self.perform(
            platform=item.platform,
            action=Action.HIDE,
            key=f"hide:{item.key}",
            target=item.key,
            event_key=violation.key,
            call=lambda: moderator.hide(item),
            now=now,
        )
        if result is None:
            return ledger
        event = rules.action_taken(
            violation,
            EventType.ITEM_HIDDEN,
            f"hidden:{item.key}",
            now,
            outcome=result.outcome.value,
            platform_reference=result.reference,
            why=result.detail,
        )
        with self.engine.begin() as connection:
            added = append_events(connection, [event], now)
        tally[_tally_name(result.outcome, "hidden")] += len(added)
        return ledger.with_events(added)

    # ------------------------------------------------------------------------- messages

    def send_message(self, drafted: ModerationEvent, now: datetime) -> ActionResult | None:
        """Send a drafted message that config or a person allowed, and record how it went.

        Returns ``None`` when the platform asked to wait (a later run sends it).

        Raises:
            ValueError: when ``drafted`` is not a drafted message.
            KeyError: when the item's platform has no moderator.
            sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
        """
        if drafted.type is not EventType.MESSAGE_DRAFTED:
            raise ValueError("only a drafted message is sent")
        with self.engine.connect() as connection:
            ledger, residents = read_ledger(connection), read_residents(connection)
            item = items_by_key(connection, [drafted.item_key or ""])[drafted.item_key or ""]
        self._send(ledger, residents, drafted, item, now, Counter())
        with self.engine.connect() as connection:
            sent = read_ledger(connection).get(f"encouraged_to_delete:{item.key}")
        if sent is None:
            return None
        return ActionResult(
            item.platform,
            _action(drafted),
            Outcome(sent.detail["outcome"]),
            reference=sent.detail["reference"],
            detail=sent.detail["why"],
        )

    def _send(
        self,
        ledger: Ledger,
        residents: Residents,
        drafted: ModerationEvent,
        item: InboxItem,
        now: datetime,
        tally: Counter[str],
    ) -> Ledger:
        moderator = self.moderators[item.platform]
        text, key, action = drafted.detail["text"], f"message:{item.key}", _action(drafted)
        if action is Action.REPLY:
            target = item.key

            def call() -> ActionResult:
                return moderator.reply(item, text, key)
        else:
            target = item.author.user_id or ""

            def call() -> ActionResult:
                return moderator.send_direct_message(target, text, key)

        result = self.perform(
            platform=item.platform,
            action=action,
            key=key,
            target=target,
            event_key=drafted.key,
            call=call,
            now=now,
        )
        if result is None:
            return ledger
        event = rules.action_taken(
            drafted,
            EventType.ENCOURAGED_TO_DELETE,
            f"encouraged_to_delete:{item.key}",
            now,
            outcome=result.outcome.value,
            platform_reference=result.reference,
            why=result.detail,
        )
        handles = {drafted.account: item.author.handle} if drafted.account else {}
        strike = ledger.get(drafted.refers_to or "")
        with self.engine.begin() as connection:
            added = append_events(connection, [event], now)
            ledger = ledger.with_events(added)
            if not added:
                return ledger
            records = []
            if result.outcome in _DONE:
                subject = "Asked to delete it and message us privately"
                records.append(
                    crm_record(
                        RecordKind.COMMUNICATION,
                        f"communication:{event.key}",
                        event,
                        subject,
                        text,
                        handles,
                        direction=Direction.OUTBOUND,
                    )
                )
            decision = ledger.get(f"message_decided:{item.key}")
            status = _STATUS[result.outcome]
            if decision is None:
                records.append(self._strike_note(ledger, residents, strike, status, handles))
            else:
                records.append(self.decision_note(decision, strike, status, handles))
            tally["crm_records"] += self._enqueue(connection, records, now)
        tally[_tally_name(result.outcome, "messages_sent")] += 1
        return ledger

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
        if strike is None:
            return None
        body = notes.message_decision_note(
            approved=decision.type is EventType.MESSAGE_APPROVED,
            by=decision.actor,
            reason=decision.detail.get("reason", ""),
            occurred_at=strike.occurred_at,
            message=status,
            **item_facts(strike),
        )
        return crm_record(
            RecordKind.NOTE, f"note:{decision.key}", decision, "Message decision", body, handles
        )

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
        """Carry out one platform action at most once per ``key``, through the action log.

        The moderator applies its platform's capability matrix: an action the platform allows
        only by hand comes back as ``needs_hand``. The key is claimed (and committed) before
        ``call``; a key with an outcome returns it without calling again. An unfinished claim
        of an earlier attempt is called again for actions that set a state (hide, block), but
        a reply or message that may have gone out becomes ``needs_hand``. Returns ``None``
        when the action waits for a later run: the platform limited the rate (the claim is
        dropped) or gave no answer (the claim is kept). A fatal platform error is recorded as
        ``not_possible``, with the error's class as the reason.

        Raises:
            Exception: whatever ``call`` raises other than a platform's
                :class:`~trident_pipeline.sources.errors.SourceError`; the claim stays.
        """
        with self.engine.begin() as connection:
            claim = claim_action(
                connection,
                key=key,
                platform=platform,
                action=action,
                target=target,
                event_key=event_key,
                now=now,
            )
        if claim.finished is not None:
            return claim.finished
        if claim.unfinished and action in _CREATES:
            result = ActionResult(platform, action, Outcome.NEEDS_HAND, detail=_UNANSWERED)
        else:
            try:
                result = call()
            except (RateLimited, BudgetExhausted):
                with self.engine.begin() as connection:
                    release_action(connection, key)
                log.warning("%s on %s waits for a later run: rate or budget", action, platform)
                return None
            except FatalError as error:
                reason = type(error).__name__
                result = ActionResult(platform, action, Outcome.NOT_POSSIBLE, detail=reason)
            except SourceError as error:
                log.warning("%s on %s had no answer (%s)", action, platform, type(error).__name__)
                return None
        with self.engine.begin() as connection:
            finish_action(connection, key, result, now)
        return result

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
            events = rules.overrule(ledger, item_key, manager, reason, now)
            added = append_events(connection, events, now)
            for event in added:
                strike = ledger.get(event.refers_to or "")
                handles = latest_handles(connection, {event.account} if event.account else set())
                body = notes.strike_overruled_note(
                    clauses=self._clauses(strike),
                    occurred_at=strike.occurred_at if strike else event.occurred_at,
                    by=manager,
                    reason=reason,
                    at=now,
                )
                record = crm_record(
                    RecordKind.STRIKE_EVENT,
                    f"strike_event:{event.key}",
                    event,
                    "Strike overruled on appeal",
                    body,
                    handles,
                )
                self._enqueue(connection, [record], now)
        return bool(added)

    # -------------------------------------------------------------------- CRM records

    def _clauses(self, strike: ModerationEvent | None) -> dict[str, list[str]]:
        if strike is None:
            return {}
        return self.settings.findings_by_clause(strike.clauses, strike.detail["finding_types"])

    def _strike_record(
        self, ledger: Ledger, residents: Residents, strike: ModerationEvent, handles: Handles
    ) -> CrmRecord | None:
        body = notes.strike_event_text(
            number=rules.strike_number(ledger, residents, strike, self.rules),
            threshold=self.rules.threshold,
            clauses=self._clauses(strike),
            occurred_at=strike.occurred_at,
            **item_facts(strike),
        )
        subject = body.partition(":")[0]
        key = f"strike_event:{strike.key}"
        return crm_record(RecordKind.STRIKE_EVENT, key, strike, subject, body, handles)

    def _strike_note(
        self,
        ledger: Ledger,
        residents: Residents,
        strike: ModerationEvent | None,
        status: notes.MessageStatus,
        handles: Handles,
    ) -> CrmRecord | None:
        if strike is None:
            return None
        body = notes.strike_note(
            number=rules.strike_number(ledger, residents, strike, self.rules),
            threshold=self.rules.threshold,
            clauses=self._clauses(strike),
            occurred_at=strike.occurred_at,
            message=status,
            signed_by=self.settings.signer,
            **item_facts(strike),
        )
        return crm_record(RecordKind.NOTE, f"note:{strike.key}", strike, "Strike", body, handles)

    def _expiry_record(
        self, ledger: Ledger, expired: ModerationEvent, handles: Handles
    ) -> CrmRecord | None:
        strike = ledger.get(expired.refers_to or "")
        body = notes.strike_expired_note(
            clauses=self._clauses(strike),
            occurred_at=strike.occurred_at if strike else expired.occurred_at,
            expired_at=expired.occurred_at,
        )
        key = f"strike_event:{expired.key}"
        return crm_record(RecordKind.STRIKE_EVENT, key, expired, "Strike expired", body, handles)

    def _request_record(self, request: ModerationEvent, handles: Handles) -> CrmRecord | None:
        platforms = sorted(
            {Platform(platform) for platform, _ in request.detail["accounts"]},
            key=list(Platform).index,
        )
        body = notes.block_requested_note(
            strikes=len(request.detail["strikes"]), platforms=platforms, at=request.occurred_at
        )
        key = f"strike_event:{request.key}"
        return crm_record(RecordKind.STRIKE_EVENT, key, request, "Block requested", body, handles)


def _tally_name(outcome: Outcome, done: str) -> str:
    if outcome in _DONE:
        return done
    return "by_hand" if outcome is Outcome.NEEDS_HAND else "not_possible"


def _action(drafted: ModerationEvent) -> Action:
    if Delivery(drafted.detail["delivery"]) is Delivery.REPLY:
        return Action.REPLY
    return Action.DIRECT_MESSAGE


def _approved(ledger: Ledger, drafted: ModerationEvent) -> bool:
    decision = ledger.get(f"message_decided:{drafted.item_key}")
    return decision is not None and decision.type is EventType.MESSAGE_APPROVED
