"""Decisions of people under the three-strike policy: the service the block DAG calls.

The block DAG asks a person, under Required Actions in the Airflow UI, about each block
request (a manager decides) and each drafted message config does not let go out by itself (any
responder decides). :class:`Approvals` gives the evidence to show, and applies the answer:

- a block approved: the decision, then a block on every linked account on every platform,
  carried out as each platform's moderator can (what needs a person is recorded as such), each
  account's outcome and the customer-record note that the block has taken place;
- a block rejected: the decision and the manager's reason;
- a drafted message approved: the decision, then the message is sent; rejected: the reason.

Only the first answer counts. Running a decision again (a retried task, a re-run of the DAG)
finishes what an interrupted run left and writes nothing twice. A block in force is reviewed by
a manager (:meth:`Approvals.review_block`), kept until the next review or lifted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import Connection

from trident_pipeline.block_evidence import (
    ApprovalEvidence,
    Evidence,
    account_name,
    block_accounts,
    excerpt,
    is_block_request,
    pending_event,
)
from trident_pipeline.crm.records import CrmRecord, RecordKind
from trident_pipeline.domain import notes
from trident_pipeline.domain.blocks import (
    BlockReview,
    awaiting_decision,
    decide_block,
    next_review,
    review_block,
)
from trident_pipeline.domain.events import (
    EventType,
    Ledger,
    ModerationEvent,
    ReviewOutcome,
    UnknownEvent,
)
from trident_pipeline.domain.models import Platform
from trident_pipeline.domain.residents import AccountRef
from trident_pipeline.domain.strikes import action_taken, decide_message
from trident_pipeline.enforcement import Enforcement
from trident_pipeline.sources.moderation import Action, Capabilities, Outcome
from trident_pipeline.store.ledger import (
    append_events,
    latest_handles,
    read_ledger,
    read_residents,
)
from trident_pipeline.strike_records import crm_record

__all__ = ["Approval", "ApprovalError", "Approvals", "Evidence", "excerpt"]

log = logging.getLogger(__name__)

_OUTCOMES = {
    Outcome.DONE: notes.PlatformOutcome.DONE,
    Outcome.ALREADY_DONE: notes.PlatformOutcome.DONE,
    Outcome.NEEDS_HAND: notes.PlatformOutcome.BY_HAND,
    Outcome.NOT_POSSIBLE: notes.PlatformOutcome.NOT_POSSIBLE,
}


class ApprovalError(ValueError):
    """An answer that cannot be applied: no reason where one is needed."""


@dataclass(frozen=True, slots=True)
class Approval:
    """A person's answer: approved or not, the pseudonym they sign with, and why.

    ``answered_by`` is the login that answered (the Airflow user), when known; it is recorded
    beside the pseudonym, which the person types in.
    """

    approved: bool
    by: str
    reason: str = ""
    answered_by: str | None = None


class Approvals:
    """Evidence for, and answers to, the approvals of the three-strike policy.

    Args:
        enforcement: the service whose store, settings, moderators, CRM outbox and action log
            the decisions use.
        capabilities: each platform's capability matrix, to tell the approver how a block
            will be carried out (the connectors' ``CAPABILITIES``).
    """

    def __init__(
        self, enforcement: Enforcement, capabilities: Mapping[Platform, Capabilities]
    ) -> None:
        self._enforcement = enforcement
        self._engine = enforcement.engine
        self._settings = enforcement.settings
        self._evidence = ApprovalEvidence(enforcement.engine, enforcement.settings, capabilities)

    # ------------------------------------------------------------------------- pending

    def pending(self, event_ids: Sequence[int] | None = None) -> list[int]:
        """Block requests and drafted messages still waiting for a person, oldest first.

        With ``event_ids`` (those an asset event named), only those of them still waiting.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
        """
        with self._engine.connect() as connection:
            ledger = read_ledger(connection)
        waiting = awaiting_decision(ledger)
        wanted = None if event_ids is None else set(event_ids)
        return [e.id for e in waiting if e.id is not None and (wanted is None or e.id in wanted)]

    # ------------------------------------------------------------------------ evidence

    def evidence(self, event_id: int, now: datetime, *, handles: bool = True) -> Evidence:
        """The subject and body to show for a pending block request or drafted message;
        with ``handles`` false, accounts are named by platform and id only.

        Raises:
            UnknownEvent: when ``event_id`` is neither.
            sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
        """
        return self._evidence.evidence(event_id, now, handles=handles)

    # ------------------------------------------------------------------------ decisions

    def decide(self, event_id: int, approval: Approval, now: datetime) -> dict[str, object]:
        """Apply a person's answer to a block request or drafted message; returns what was
        decided and done (no text), for XCom.

        Raises:
            UnknownEvent: when ``event_id`` is neither a block request nor a drafted message.
            ApproverError: when ``approval.by`` may not make this decision.
            ApprovalError: when a reason is needed and missing.
            KeyError: when a platform with work to do has no moderator.
            sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
        """
        with self._engine.connect() as connection:
            ledger = read_ledger(connection)
        event = pending_event(ledger, event_id)
        if is_block_request(event):
            return self._decide_block(ledger, event, approval, now)
        return self._decide_message(ledger, event, approval, now)

    def _decide_block(
        self, ledger: Ledger, request: ModerationEvent, approval: Approval, now: datetime
    ) -> dict[str, object]:
        manager = self._settings.approver(approval.by, manager=True)
        if not approval.reason.strip():
            raise ApprovalError("a block decision needs a reason")
        events = decide_block(
            ledger,
            request.key,
            approval.approved,
            manager,
            approval.reason,
            now,
            answered_by=approval.answered_by,
        )
        with self._engine.begin() as connection:
            added = append_events(connection, events, now)
            handles = latest_handles(connection, {request.account} if request.account else set())
            records = [self._decision_record(event, handles) for event in added]
            if added and added[0].type is EventType.BLOCK_REJECTED:
                body = notes.block_rejected_note(
                    rejected_by=manager, reason=approval.reason, at=now
                )
                records.append(
                    crm_record(
                        RecordKind.NOTE,
                        f"note:{added[0].key}",
                        added[0],
                        "Block not approved",
                        body,
                        handles,
                    )
                )
            self._enqueue(connection, records, now)
        ledger = ledger.with_events(added)
        decision = ledger.get(f"block_decided:{request.key}")
        assert decision is not None  # recorded now, or by an earlier answer
        summary: dict[str, object] = {"event_id": request.id, "decision": decision.type.value}
        if decision.type is EventType.BLOCK_APPROVED:
            summary["blocked"] = self._carry_out_block(ledger, request, decision, now)
        log.info("Block request %s: %s", request.id, decision.type)
        return summary

    def _carry_out_block(
        self, ledger: Ledger, request: ModerationEvent, approval: ModerationEvent, now: datetime
    ) -> list[list[str]]:
        """Block every account of the resident; returns ``[platform, outcome]`` per account
        (no account still waiting on a rate limit)."""
        with self._engine.connect() as connection:
            residents = read_residents(connection)
            accounts = block_accounts(request, residents)
            handles = latest_handles(connection, set(accounts))
        outcomes: dict[AccountRef, Outcome] = {}
        for account in accounts:
            key = f"block_carried_out:{request.key}:{account.platform.value}:{account.user_id}"
            done = ledger.get(key)
            if done is not None:
                outcomes[account] = Outcome(done.detail["outcome"])
                continue
            moderator = self._enforcement.moderators[account.platform]
            action_key = f"block:{request.key}:{account.platform.value}:{account.user_id}"
            result = self._enforcement.perform(
                platform=account.platform,
                action=Action.BLOCK,
                key=action_key,
                target=account.user_id,
                event_key=approval.key,
                call=partial(moderator.block, account.user_id, action_key),
                now=now,
            )
            if result is None:
                continue
            event = action_taken(
                approval,
                EventType.BLOCK_CARRIED_OUT,
                key,
                now,
                outcome=result.outcome.value,
                platform_reference=result.reference,
                why=result.detail,
                account=account,
            )
            with self._engine.begin() as connection:
                added = append_events(connection, [event], now)
                self._enqueue(
                    connection, [self._carried_out_record(e, handles) for e in added], now
                )
            ledger = ledger.with_events(added)
            outcomes[account] = result.outcome
        if len(outcomes) == len(accounts):
            self._note_block(request, approval, outcomes, handles, now)
        return [[account.platform.value, outcome.value] for account, outcome in outcomes.items()]

    def _note_block(
        self,
        request: ModerationEvent,
        approval: ModerationEvent,
        outcomes: Mapping[AccountRef, Outcome],
        handles: Mapping[AccountRef, str | None],
        now: datetime,
    ) -> None:
        by_platform: dict[Platform, notes.PlatformOutcome] = {}
        for account, outcome in sorted(outcomes.items()):
            mapped = _OUTCOMES[outcome]
            current = by_platform.get(account.platform)
            if current is None or current is notes.PlatformOutcome.DONE:
                by_platform[account.platform] = mapped
        body = notes.block_carried_out_note(
            strikes=len(request.detail["strikes"]),
            approved_by=approval.actor,
            reason=approval.detail["reason"],
            approved_at=approval.occurred_at,
            outcomes=dict(sorted(by_platform.items(), key=lambda p: list(Platform).index(p[0]))),
            review_due=approval.occurred_at + self._settings.rules.block_review,
        )
        record = crm_record(
            RecordKind.NOTE,
            f"note:block_carried_out:{request.key}",
            approval,
            "Blocked",
            body,
            handles,
        )
        with self._engine.begin() as connection:
            self._enqueue(connection, [record], now)

    def _decide_message(
        self, ledger: Ledger, drafted: ModerationEvent, approval: Approval, now: datetime
    ) -> dict[str, object]:
        by = self._settings.approver(approval.by, manager=False)
        if not approval.approved and not approval.reason.strip():
            raise ApprovalError("keeping a message back needs a reason")
        events = decide_message(
            ledger,
            drafted.key,
            approval.approved,
            by,
            approval.reason,
            now,
            answered_by=approval.answered_by,
        )
        strike = ledger.get(drafted.refers_to or "")
        with self._engine.begin() as connection:
            added = append_events(connection, events, now)
            if added and added[0].type is EventType.MESSAGE_REJECTED:
                handles = latest_handles(
                    connection, {drafted.account} if drafted.account else set()
                )
                status = notes.MessageStatus.NOT_SENT
                self._enqueue(
                    connection,
                    [self._enforcement.decision_note(added[0], strike, status, handles)],
                    now,
                )
        ledger = ledger.with_events(added)
        decision = ledger.get(f"message_decided:{drafted.item_key}")
        assert decision is not None  # recorded now, or by an earlier answer
        summary: dict[str, object] = {"event_id": drafted.id, "decision": decision.type.value}
        if decision.type is EventType.MESSAGE_APPROVED:
            result = self._enforcement.send_message(drafted, now)
            summary["sent"] = result.outcome.value if result else "waiting"
        log.info("Drafted message %s: %s", drafted.id, decision.type)
        return summary

    # ------------------------------------------------------------------------ reviews

    def review_block(
        self, request_id: int, outcome: ReviewOutcome, by: str, reason: str, now: datetime
    ) -> bool:
        """Record a manager's review of a block in force; returns whether it was new.

        A block is kept at a review that is due, and may be lifted at any time.

        Raises:
            UnknownEvent: when ``request_id`` is not a block request with a block in force.
            ApproverError: when ``by`` is not a manager.
            ValueError: when ``reason`` is blank, or a block is kept before its review is due.
            sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
        """
        manager = self._settings.approver(by, manager=True)
        rules_ = self._settings.rules
        with self._engine.begin() as connection:
            ledger = read_ledger(connection)
            request = pending_event(ledger, request_id)
            due = next_review(ledger, request, rules_)
            if due is None:
                raise UnknownEvent(f"no block in force for request {request_id}")
            if ReviewOutcome(outcome) is ReviewOutcome.KEPT and now < due:
                raise ValueError(f"the block is next due for review on {notes.london_date(due)}")
            review = BlockReview(request=request, due=due)
            added = append_events(
                connection, review_block(ledger, review, outcome, manager, reason, now), now
            )
            handles = latest_handles(connection, {request.account} if request.account else set())
            lifted = ReviewOutcome(outcome) is ReviewOutcome.LIFTED
            for event in added:
                body = notes.block_review_note(
                    lifted=lifted,
                    by=manager,
                    reason=reason,
                    at=now,
                    next_review=None if lifted else now + rules_.block_review,
                )
                records = [
                    crm_record(
                        RecordKind.STRIKE_EVENT,
                        f"strike_event:{event.key}",
                        event,
                        "Block reviewed",
                        body,
                        handles,
                    ),
                    crm_record(
                        RecordKind.NOTE, f"note:{event.key}", event, "Block reviewed", body, handles
                    ),
                ]
                self._enqueue(connection, records, now)
        return bool(added)

    # --------------------------------------------------------------------- CRM records

    def _enqueue(
        self, connection: Connection, records: Iterable[CrmRecord | None], now: datetime
    ) -> int:
        return self._enforcement.enqueue(connection, [r for r in records if r], now)

    def _decision_record(
        self, decision: ModerationEvent, handles: Mapping[AccountRef, str | None]
    ) -> CrmRecord | None:
        approved = decision.type is EventType.BLOCK_APPROVED
        subject = "Block approved" if approved else "Block not approved"
        verb = "approved" if approved else "not approved"
        body = (
            f"Block {verb} by {decision.actor} on {notes.london_time(decision.occurred_at)}: "
            f"{decision.detail['reason'].strip().rstrip('.')}."
        )
        return crm_record(
            RecordKind.STRIKE_EVENT,
            f"strike_event:{decision.key}",
            decision,
            subject,
            body,
            handles,
        )

    def _carried_out_record(
        self, event: ModerationEvent, handles: Mapping[AccountRef, str | None]
    ) -> CrmRecord | None:
        account = event.account
        if account is None:
            return None
        outcome = _OUTCOMES[Outcome(event.detail["outcome"])]
        how = {
            notes.PlatformOutcome.DONE: "done",
            notes.PlatformOutcome.BY_HAND: "needs doing by hand in the app",
            notes.PlatformOutcome.NOT_POSSIBLE: "refused by the platform",
        }[outcome]
        body = f"Block on {account_name(account, handles)}: {how}."
        return crm_record(
            RecordKind.STRIKE_EVENT,
            f"strike_event:{event.key}",
            event,
            f"Block on {notes.platform_name(account.platform)}",
            body,
            handles,
        )
