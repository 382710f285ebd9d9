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

from trident_pipeline.crm.records import CrmRecord, RecordKind
from trident_pipeline.domain import ledger as rules
from trident_pipeline.domain import notes
from trident_pipeline.domain.ledger import EventType, Ledger, ModerationEvent, ReviewOutcome
from trident_pipeline.domain.models import Platform
from trident_pipeline.domain.residents import AccountRef, Residents
from trident_pipeline.enforcement import Enforcement, crm_record, item_facts
from trident_pipeline.sources.moderation import Action, Capabilities, Outcome, Support
from trident_pipeline.store.ledger import (
    ScreenedViolation,
    append_events,
    latest_handles,
    read_ledger,
    read_residents,
    screened_violations,
)

__all__ = ["Approval", "ApprovalError", "Approvals", "Evidence", "excerpt"]

log = logging.getLogger(__name__)

_EXCERPT = 200
_WAYS = {
    Support.AUTOMATIC: "automatic",
    Support.OUR_THREADS_ONLY: "automatic where the platform allows",
    Support.BY_HAND: "by hand in the platform's app",
}
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


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the approver sees: a one-line subject and a Markdown body (redacted text only)."""

    subject: str
    body: str


def excerpt(redacted: str, limit: int = _EXCERPT) -> str:
    """A redacted text on one line, cut to ``limit`` characters, safe in a Markdown table.

    Raises:
        Nothing.
    """
    line = " ".join(redacted.split()).replace("|", "\\|")
    return line if len(line) <= limit else f"{line[: limit - 1]}…"


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
        self._capabilities = capabilities

    # ------------------------------------------------------------------------- pending

    def pending(self, event_ids: Sequence[int] | None = None) -> list[int]:
        """Block requests and drafted messages still waiting for a person, oldest first.

        With ``event_ids`` (those an asset event named), only those of them still waiting.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
        """
        with self._engine.connect() as connection:
            ledger = read_ledger(connection)
        waiting = rules.awaiting_decision(ledger)
        wanted = None if event_ids is None else set(event_ids)
        return [e.id for e in waiting if e.id is not None and (wanted is None or e.id in wanted)]

    # ------------------------------------------------------------------------ evidence

    def evidence(self, event_id: int, now: datetime) -> Evidence:
        """The subject and body to show for a pending block request or drafted message.

        Raises:
            UnknownEvent: when ``event_id`` is neither.
            sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
        """
        with self._engine.connect() as connection:
            ledger, residents = read_ledger(connection), read_residents(connection)
            event = _event(ledger, event_id)
            strikes = _strikes_behind(ledger, event)
            found = screened_violations(
                connection, unrecorded_only=False, keys=[s.item_key or "" for s in strikes]
            )
            accounts = _accounts(event, residents) if _is_block(event) else []
            handles = latest_handles(connection, {*accounts, *(s.account for s in strikes)})
        redacted = {violation.item.key: violation for violation in found}
        if _is_block(event):
            return self._block_evidence(
                ledger, residents, event, strikes, redacted, accounts, handles, now
            )
        return self._message_evidence(event, strikes[0], redacted)

    def _block_evidence(
        self,
        ledger: Ledger,
        residents: Residents,
        request: ModerationEvent,
        strikes: Sequence[ModerationEvent],
        redacted: Mapping[str, ScreenedViolation],
        accounts: Sequence[AccountRef],
        handles: Mapping[AccountRef, str | None],
        now: datetime,
    ) -> Evidence:
        rules_ = self._settings.rules
        resident = request.resident_id or ""
        contact = residents.contact_of(resident)
        who = f"CRM contact {contact}" if contact else _account_name(accounts[0], handles)
        active = {
            strike.key for strike in rules.active_strikes(ledger, residents, resident, now, rules_)
        }
        lines = [
            f"**Block {who} on all their accounts?**",
            "",
            f"{len(strikes)} strikes reached the threshold of {rules_.threshold} on "
            f"{notes.london_time(request.occurred_at)}; {len(active)} are active now. "
            "Personal details in the excerpts are redacted.",
            "",
            "| # | When (London) | Where | Clauses | Excerpt | Active now |",
            "|---|---|---|---|---|---|",
        ]
        for number, strike in enumerate(strikes, start=1):
            violation = redacted.get(strike.item_key or "")
            lines.append(
                f"| {number} | {notes.london_time(strike.occurred_at)} | "
                f"{notes.describe_item(**item_facts(strike))} | "
                f"{notes.describe_clauses(self._clauses(strike))} | "
                f"{excerpt(violation.redacted) if violation else '(not stored)'} | "
                f"{'yes' if strike.key in active else 'no (expired or overruled)'} |"
            )
        lines += ["", "Accounts to block:", ""]
        for account in accounts:
            capabilities = self._capabilities.get(account.platform, {})
            way = _WAYS[capabilities.get(Action.BLOCK, Support.BY_HAND)]
            lines.append(f"- {_account_name(account, handles)}: {way}")
        for earlier in _earlier_decisions(ledger, residents, resident, request):
            verb = "approved" if earlier.type is EventType.BLOCK_APPROVED else "not approved"
            lines += [
                "",
                f"Earlier, a block was {verb} by {earlier.actor} on "
                f"{notes.london_time(earlier.occurred_at)}: {earlier.detail['reason']}",
            ]
        lines += [
            "",
            "**Approve** to block every account above and note it on the customer record; "
            "**Reject** to record your reason. Give your pseudonym (a manager in staff.yaml) "
            "and the reason either way.",
        ]
        subject = f"Block {who} after {len(strikes)} strikes?"
        return Evidence(subject=subject, body="\n".join(lines))

    def _message_evidence(
        self,
        drafted: ModerationEvent,
        strike: ModerationEvent,
        redacted: Mapping[str, ScreenedViolation],
    ) -> Evidence:
        facts = item_facts(strike)
        how = "public reply" if _action(drafted) is Action.REPLY else "private message"
        platform = notes.platform_name(facts["platform"])
        violation = redacted.get(strike.item_key or "")
        lines = [
            f"**Send this {how} on {platform}?**",
            "",
            f"It answers {notes.describe_item(**facts)} of "
            f"{notes.london_time(strike.occurred_at)}: "
            f"{notes.describe_clauses(self._clauses(strike))}.",
        ]
        if violation:
            lines += ["", f"> {excerpt(violation.redacted)}", "", "(personal details redacted)"]
        lines += ["", "The message, exactly as it will go out:", ""]
        lines += [f"> {line}" for line in drafted.detail["text"].splitlines()]
        problems = drafted.detail.get("problems") or []
        if problems:
            lines += ["", "**It failed these checks, so it did not go out by itself:**", ""]
            lines += [f"- {problem}" for problem in problems]
        lines += [
            "",
            "**Approve** to send it as it stands; **Reject** to keep it back. Give your "
            "pseudonym (as in staff.yaml) and, to reject, the reason.",
        ]
        return Evidence(subject=f"Send a drafted {how} on {platform}?", body="\n".join(lines))

    def _clauses(self, strike: ModerationEvent) -> dict[str, list[str]]:
        types = strike.detail.get("finding_types", [])
        return self._settings.findings_by_clause(strike.clauses, types)

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
        event = _event(ledger, event_id)
        if _is_block(event):
            return self._decide_block(ledger, event, approval, now)
        return self._decide_message(ledger, event, approval, now)

    def _decide_block(
        self, ledger: Ledger, request: ModerationEvent, approval: Approval, now: datetime
    ) -> dict[str, object]:
        manager = self._settings.approver(approval.by, manager=True)
        if not approval.reason.strip():
            raise ApprovalError("a block decision needs a reason")
        events = rules.decide_block(
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
            accounts = _accounts(request, residents)
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
            event = rules.action_taken(
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
        events = rules.decide_message(
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
            request = _event(ledger, request_id)
            due = rules.next_review(ledger, request, rules_)
            if due is None:
                raise rules.UnknownEvent(f"no block in force for request {request_id}")
            if ReviewOutcome(outcome) is ReviewOutcome.KEPT and now < due:
                raise ValueError(f"the block is next due for review on {notes.london_date(due)}")
            review = rules.BlockReview(request=request, due=due)
            added = append_events(
                connection, rules.review_block(ledger, review, outcome, manager, reason, now), now
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
        body = f"Block on {_account_name(account, handles)}: {how}."
        return crm_record(
            RecordKind.STRIKE_EVENT,
            f"strike_event:{event.key}",
            event,
            f"Block on {notes.platform_name(account.platform)}",
            body,
            handles,
        )


def _event(ledger: Ledger, event_id: int) -> ModerationEvent:
    event = ledger.by_id(event_id)
    if event is None or event.type not in {EventType.BLOCK_REQUESTED, EventType.MESSAGE_DRAFTED}:
        raise rules.UnknownEvent(f"no block request or drafted message with id {event_id}")
    return event


def _is_block(event: ModerationEvent) -> bool:
    return event.type is EventType.BLOCK_REQUESTED


def _action(drafted: ModerationEvent) -> Action:
    return Action.REPLY if drafted.detail["delivery"] == "reply" else Action.DIRECT_MESSAGE


def _strikes_behind(ledger: Ledger, event: ModerationEvent) -> list[ModerationEvent]:
    """The strikes a block request rests on, or the strike a drafted message is about."""
    keys = event.detail["strikes"] if _is_block(event) else [event.refers_to]
    return [strike for key in keys if (strike := ledger.get(key or "")) is not None]


def _accounts(request: ModerationEvent, residents: Residents) -> list[AccountRef]:
    """Every account of the resident a request is about, as the links stand now."""
    named = [AccountRef(Platform(p), user_id) for p, user_id in request.detail["accounts"]]
    people = {residents.resident_of(account) for account in named}
    people.add(request.resident_id or "")
    accounts = set(named)
    for resident in people - {""}:
        accounts.update(residents.accounts_of(resident))
    return sorted(accounts)


def _account_name(account: AccountRef, handles: Mapping[AccountRef, str | None]) -> str:
    handle = handles.get(account)
    name = notes.platform_name(account.platform)
    return f"{name} @{handle} (id {account.user_id})" if handle else f"{name} id {account.user_id}"


def _earlier_decisions(
    ledger: Ledger, residents: Residents, resident_id: str, request: ModerationEvent
) -> list[ModerationEvent]:
    earlier = []
    for other in ledger.of_type(EventType.BLOCK_REQUESTED):
        if other.key == request.key:
            continue
        same = other.resident_id == resident_id or any(
            residents.resident_of(AccountRef(Platform(p), u)) == resident_id
            for p, u in other.detail["accounts"]
        )
        decision = ledger.get(f"block_decided:{other.key}")
        if same and decision is not None:
            earlier.append(decision)
    return earlier
