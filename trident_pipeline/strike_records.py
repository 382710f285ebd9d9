"""Customer-record entries of the three-strike policy: what the CRM is told of each event.

Each entry is a :class:`~trident_pipeline.crm.records.CrmRecord` with an idempotency key built
from the ledger event it records (``strike_event:<event key>``, ``note:<event key>``,
``communication:<event key>``), so the outbox never sends one twice. Entries name clauses and
finding types, never what a resident wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from trident_pipeline.config.strikes import EnforcementSettings
from trident_pipeline.crm.records import CrmRecord, CustomerAccount, Direction, RecordKind
from trident_pipeline.domain import notes
from trident_pipeline.domain.events import EventType, Ledger, ModerationEvent
from trident_pipeline.domain.models import Channel, Kind, Platform
from trident_pipeline.domain.residents import AccountRef, Residents
from trident_pipeline.domain.strikes import strike_number

__all__ = ["Handles", "StrikeRecords", "crm_record", "item_facts"]

Handles = Mapping[AccountRef, str | None]
"""The latest known handle of each account, for the customer record."""


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


class StrikeRecords:
    """The customer-record entries of strikes, expiries, block requests, overrules and
    message decisions.

    Args:
        settings: the loaded configuration (strike rules, clause findings, the signer).
    """

    def __init__(self, settings: EnforcementSettings) -> None:
        self.settings = settings

    def clauses(self, strike: ModerationEvent | None) -> dict[str, list[str]]:
        """The finding types behind each clause of ``strike`` (none without a strike).

        Raises:
            KeyError: when ``strike`` is not a strike.
        """
        if strike is None:
            return {}
        return self.settings.findings_by_clause(strike.clauses, strike.detail["finding_types"])

    def strike_record(
        self, ledger: Ledger, residents: Residents, strike: ModerationEvent, handles: Handles
    ) -> CrmRecord | None:
        """The strike-event entry of a strike just issued (``None`` without an account).

        Raises:
            KeyError: when the event lacks the details its kind records.
        """
        body = notes.strike_event_text(
            number=strike_number(ledger, residents, strike, self.settings.rules),
            threshold=self.settings.rules.threshold,
            clauses=self.clauses(strike),
            occurred_at=strike.occurred_at,
            **item_facts(strike),
        )
        subject = body.partition(":")[0]
        key = f"strike_event:{strike.key}"
        return crm_record(RecordKind.STRIKE_EVENT, key, strike, subject, body, handles)

    def strike_note(
        self,
        ledger: Ledger,
        residents: Residents,
        strike: ModerationEvent | None,
        status: notes.MessageStatus,
        handles: Handles,
    ) -> CrmRecord | None:
        """The note of a strike and its message's status (``None`` without a strike).

        Raises:
            KeyError: when the event lacks the details its kind records.
        """
        if strike is None:
            return None
        body = notes.strike_note(
            number=strike_number(ledger, residents, strike, self.settings.rules),
            threshold=self.settings.rules.threshold,
            clauses=self.clauses(strike),
            occurred_at=strike.occurred_at,
            message=status,
            signed_by=self.settings.signer,
            **item_facts(strike),
        )
        return crm_record(RecordKind.NOTE, f"note:{strike.key}", strike, "Strike", body, handles)

    def expiry_record(
        self, ledger: Ledger, expired: ModerationEvent, handles: Handles
    ) -> CrmRecord | None:
        """The strike-event entry of a strike's expiry (``None`` without an account).

        Raises:
            KeyError: when the event lacks the details its kind records.
        """
        strike = ledger.get(expired.refers_to or "")
        body = notes.strike_expired_note(
            clauses=self.clauses(strike),
            occurred_at=strike.occurred_at if strike else expired.occurred_at,
            expired_at=expired.occurred_at,
        )
        key = f"strike_event:{expired.key}"
        return crm_record(RecordKind.STRIKE_EVENT, key, expired, "Strike expired", body, handles)

    def request_record(self, request: ModerationEvent, handles: Handles) -> CrmRecord | None:
        """The strike-event entry of a block request (``None`` without an account).

        Raises:
            KeyError: when the event lacks the details its kind records.
        """
        platforms = sorted(
            {Platform(platform) for platform, _ in request.detail["accounts"]},
            key=list(Platform).index,
        )
        body = notes.block_requested_note(
            strikes=len(request.detail["strikes"]), platforms=platforms, at=request.occurred_at
        )
        key = f"strike_event:{request.key}"
        return crm_record(RecordKind.STRIKE_EVENT, key, request, "Block requested", body, handles)

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

    def overruled_record(
        self,
        event: ModerationEvent,
        strike: ModerationEvent | None,
        by: str,
        reason: str,
        at: datetime,
        handles: Handles,
    ) -> CrmRecord | None:
        """The strike-event entry of a strike overruled on appeal by ``by`` at ``at``.

        Raises:
            ValueError: when a time is naive.
        """
        body = notes.strike_overruled_note(
            clauses=self.clauses(strike),
            occurred_at=strike.occurred_at if strike else event.occurred_at,
            by=by,
            reason=reason,
            at=at,
        )
        return crm_record(
            RecordKind.STRIKE_EVENT,
            f"strike_event:{event.key}",
            event,
            "Strike overruled on appeal",
            body,
            handles,
        )
