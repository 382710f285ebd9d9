"""The three-strike policy's steps on the platforms: hiding violations, sending messages.

Each step goes through the action log (:func:`trident_pipeline.action_log.perform`), so it is
taken at most once, and is recorded in the ledger with its outcome (done, by hand, or not
possible) and the customer-record entries that go with it, in one transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from sqlalchemy import Connection, Engine

from trident_pipeline import action_log
from trident_pipeline.config.strikes import EnforcementSettings
from trident_pipeline.crm.records import CrmRecord, Direction, RecordKind
from trident_pipeline.domain import notes, strikes
from trident_pipeline.domain.events import EventType, Ledger, ModerationEvent
from trident_pipeline.domain.messages import Delivery
from trident_pipeline.domain.models import Channel, InboxItem, Platform
from trident_pipeline.domain.residents import Residents
from trident_pipeline.sources.moderation import Action, ActionResult, Moderator, Outcome
from trident_pipeline.store.ledger import append_events, items_by_key, read_ledger, read_residents
from trident_pipeline.strike_records import StrikeRecords, crm_record

__all__ = ["Enqueue", "PlatformSteps"]

Enqueue = Callable[[Connection, Iterable[CrmRecord], datetime], int]
"""The CRM outbox's ``enqueue(connection, records, now) -> int``."""

_DONE = frozenset({Outcome.DONE, Outcome.ALREADY_DONE})
_STATUS = {
    Outcome.DONE: notes.MessageStatus.SENT,
    Outcome.ALREADY_DONE: notes.MessageStatus.SENT,
    Outcome.NEEDS_HAND: notes.MessageStatus.BY_HAND,
    Outcome.NOT_POSSIBLE: notes.MessageStatus.NOT_SENT,
}


class PlatformSteps:
    """Hides public violations and sends drafted messages through each platform's moderator.

    Args:
        engine: the store.
        settings: the loaded configuration.
        moderators: each platform's moderator (the live connectors, or the sample's).
        enqueue: the CRM outbox's ``enqueue``, called in the store's transactions.
        records: the customer-record entries of the policy.
    """

    def __init__(
        self,
        engine: Engine,
        settings: EnforcementSettings,
        moderators: Mapping[Platform, Moderator],
        enqueue: Enqueue,
        records: StrikeRecords,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.moderators = moderators
        self.enqueue = enqueue
        self.records = records

    def carry_out(
        self, ledger: Ledger, residents: Residents, now: datetime, tally: Counter[str]
    ) -> Ledger:
        """Send each drafted message that may go and has not; hide each public violation not
        hidden yet (when config says so). Also completes what an interrupted run left.

        Returns the ledger with what was recorded; ``tally`` counts it.

        Raises:
            KeyError: when a platform with work to do has no moderator.
            sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
        """
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
        result = action_log.perform(
            self.engine,
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
        event = strikes.action_taken(
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

        result = action_log.perform(
            self.engine,
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
        event = strikes.action_taken(
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
                records.append(self.records.strike_note(ledger, residents, strike, status, handles))
            else:
                records.append(self.records.decision_note(decision, strike, status, handles))
            tally["crm_records"] += self._enqueue(connection, records, now)
        tally[_tally_name(result.outcome, "messages_sent")] += 1
        return ledger

    def _enqueue(
        self, connection: Connection, records: Iterable[CrmRecord | None], now: datetime
    ) -> int:
        return self.enqueue(connection, [record for record in records if record], now)


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
