"""What an approver sees: the evidence for a block request or a drafted message.

The block DAG shows it under Required Actions in the Airflow UI. Evidence names clauses and
finding types, quotes only redacted excerpts, and says how each platform will carry a block
out; the answers are applied by :class:`~trident_pipeline.blocking.Approvals`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from trident_pipeline.config.strikes import EnforcementSettings
from trident_pipeline.domain import notes
from trident_pipeline.domain.events import EventType, Ledger, ModerationEvent, UnknownEvent
from trident_pipeline.domain.models import Platform
from trident_pipeline.domain.residents import AccountRef, Residents
from trident_pipeline.domain.strikes import active_strikes
from trident_pipeline.sources.moderation import Action, Capabilities, Support
from trident_pipeline.store.ledger import (
    ScreenedViolation,
    latest_handles,
    read_ledger,
    read_residents,
    screened_violations,
)
from trident_pipeline.strike_records import item_facts

__all__ = [
    "ApprovalEvidence",
    "Evidence",
    "account_name",
    "block_accounts",
    "excerpt",
    "is_block_request",
    "pending_event",
]

_EXCERPT = 200
# What opens a Markdown list, heading, quote or rule at the start of a line.
_BLOCK_MARKER = re.compile(r"^(\s*)(?:(\d+)(?=[.)])|([-+*#>]))")
_WAYS = {
    Support.AUTOMATIC: "automatic",
    Support.OUR_THREADS_ONLY: "automatic where the platform allows",
    Support.BY_HAND: "by hand in the platform's app",
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the approver sees: a one-line subject and a Markdown body (redacted text only)."""

    subject: str
    body: str


def _literal(line: str) -> str:
    """``line`` as Markdown shows it word for word: a sign-off such as "- Sam" stays a line of
    the message instead of becoming a list item.

    Raises:
        Nothing.
    """
    marker = _BLOCK_MARKER.match(line)
    if marker is None:
        return line
    indent, number = marker.group(1), marker.group(2)
    if number:  # "12. Thanks" → "12\. Thanks"
        return f"{indent}{number}\\{line[marker.end() :]}"
    return f"{indent}\\{line[len(indent) :]}"  # "- Sam" → "\- Sam"


def excerpt(redacted: str, limit: int = _EXCERPT) -> str:
    """A redacted text on one line, cut to ``limit`` characters, safe in a Markdown table.

    Raises:
        Nothing.
    """
    line = " ".join(redacted.split()).replace("|", "\\|")
    return line if len(line) <= limit else f"{line[: limit - 1]}…"


class ApprovalEvidence:
    """The evidence to show a person for each approval of the three-strike policy.

    Args:
        engine: the store.
        settings: the loaded configuration (strike rules, clause findings).
        capabilities: each platform's capability matrix, to tell the approver how a block
            will be carried out (the connectors' ``CAPABILITIES``).
    """

    def __init__(
        self,
        engine: Engine,
        settings: EnforcementSettings,
        capabilities: Mapping[Platform, Capabilities],
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.capabilities = capabilities

    def evidence(self, event_id: int, now: datetime, *, handles: bool = True) -> Evidence:
        """The subject and body to show for a pending block request or drafted message;
        with ``handles`` false, accounts are named by platform and id only.

        Raises:
            UnknownEvent: when ``event_id`` is neither.
            sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
        """
        with self.engine.connect() as connection:
            ledger, residents = read_ledger(connection), read_residents(connection)
            event = pending_event(ledger, event_id)
            strikes = _strikes_behind(ledger, event)
            found = screened_violations(
                connection, unrecorded_only=False, keys=[s.item_key or "" for s in strikes]
            )
            accounts = block_accounts(event, residents) if is_block_request(event) else []
            known = latest_handles(connection, {*accounts, *(s.account for s in strikes)})
        redacted = {violation.item.key: violation for violation in found}
        if is_block_request(event):
            return self._block_evidence(
                ledger, residents, event, strikes, redacted, accounts, known if handles else {}, now
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
        rules_ = self.settings.rules
        resident = request.resident_id or ""
        contact = residents.contact_of(resident)
        who = f"CRM contact {contact}" if contact else account_name(accounts[0], handles)
        active = {strike.key for strike in active_strikes(ledger, residents, resident, now, rules_)}
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
            capabilities = self.capabilities.get(account.platform, {})
            way = _WAYS[capabilities.get(Action.BLOCK, Support.BY_HAND)]
            lines.append(f"- {account_name(account, handles)}: {way}")
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
        lines += [f"> {_literal(line)}" for line in drafted.detail["text"].splitlines()]
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
        return self.settings.findings_by_clause(strike.clauses, types)


def pending_event(ledger: Ledger, event_id: int) -> ModerationEvent:
    """The block request or drafted message the store numbered ``event_id``.

    Raises:
        UnknownEvent: when ``event_id`` is neither.
    """
    event = ledger.by_id(event_id)
    if event is None or event.type not in {EventType.BLOCK_REQUESTED, EventType.MESSAGE_DRAFTED}:
        raise UnknownEvent(f"no block request or drafted message with id {event_id}")
    return event


def is_block_request(event: ModerationEvent) -> bool:
    """Whether ``event`` is a block request (rather than a drafted message).

    Raises:
        Nothing.
    """
    return event.type is EventType.BLOCK_REQUESTED


def _action(drafted: ModerationEvent) -> Action:
    return Action.REPLY if drafted.detail["delivery"] == "reply" else Action.DIRECT_MESSAGE


def _strikes_behind(ledger: Ledger, event: ModerationEvent) -> list[ModerationEvent]:
    """The strikes a block request rests on, or the strike a drafted message is about."""
    keys = event.detail["strikes"] if is_block_request(event) else [event.refers_to]
    return [strike for key in keys if (strike := ledger.get(key or "")) is not None]


def block_accounts(request: ModerationEvent, residents: Residents) -> list[AccountRef]:
    """Every account of the resident a request is about, as the links stand now.

    Raises:
        KeyError: when ``request`` is not a block request.
    """
    named = [AccountRef(Platform(p), user_id) for p, user_id in request.detail["accounts"]]
    people = {residents.resident_of(account) for account in named}
    people.add(request.resident_id or "")
    accounts = set(named)
    for resident in people - {""}:
        accounts.update(residents.accounts_of(resident))
    return sorted(accounts)


def account_name(account: AccountRef, handles: Mapping[AccountRef, str | None]) -> str:
    """An account as a person reads it: platform, handle when known, and id.

    Raises:
        Nothing.
    """
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
