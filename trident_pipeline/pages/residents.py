"""Residents: finding one, and their history under the three-strike policy.

A resident is a CRM contact with the accounts linked to it, or an unlinked account on its own
(``contact:<id>`` or ``account:<platform>:<user id>``, as the ledger names them). Their history
is read from the ledger: accounts, strikes with their evidence (clauses, dates, redacted
excerpts), messages, blocks and their review dates, and every event in order. Handles and
names are read only for a viewer allowed to see personal data.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, or_, select

from trident_pipeline.block_evidence import excerpt
from trident_pipeline.domain.blocks import next_review
from trident_pipeline.domain.events import EventType, Ledger, ModerationEvent
from trident_pipeline.domain.models import Platform
from trident_pipeline.domain.residents import AccountLink, AccountRef, Residents
from trident_pipeline.domain.strikes import StrikeRules
from trident_pipeline.store.ledger import latest_handles, read_ledger, read_links
from trident_pipeline.store.schema import account_links, inbox_items, screenings

__all__ = [
    "AccountView",
    "BlockView",
    "ResidentFound",
    "ResidentHistory",
    "StrikeState",
    "StrikeView",
    "UnknownResident",
    "find_residents",
    "known_residents",
    "resident_history",
]

SEARCH_LIMIT = 50
_MESSAGE_EVENTS = (
    EventType.MESSAGE_DRAFTED,
    EventType.MESSAGE_APPROVED,
    EventType.MESSAGE_REJECTED,
    EventType.ENCOURAGED_TO_DELETE,
)


class UnknownResident(LookupError):
    """The resident id names no contact or account the store knows."""


class StrikeState(enum.StrEnum):
    """Where a strike stands now."""

    ACTIVE = "active"
    EXPIRED = "expired"
    OVERRULED = "overruled"


@dataclass(frozen=True, slots=True)
class AccountView:
    """One of a resident's accounts; ``handle`` only with personal data."""

    account: AccountRef
    handle: str | None
    linked_by: str | None
    linked_at: datetime | None


@dataclass(frozen=True, slots=True)
class ResidentFound:
    """A search result: the resident and the accounts that matched or belong to them."""

    resident_id: str
    contact_id: str | None
    accounts: tuple[AccountView, ...]
    active_strikes: int


@dataclass(frozen=True, slots=True)
class StrikeView:
    """A strike and its evidence: the item, clauses, finding types and a redacted excerpt."""

    item_key: str
    account: AccountRef
    issued_at: datetime
    ends_at: datetime
    state: StrikeState
    clauses: tuple[str, ...]
    finding_types: tuple[str, ...]
    excerpt: str
    overruled_by: str | None
    overrule_reason: str | None


@dataclass(frozen=True, slots=True)
class BlockView:
    """A block request: its decision, and for a block in force its next review."""

    request_id: int
    requested_at: datetime
    decision: str
    decided_by: str | None
    next_review: datetime | None
    lifted: bool


@dataclass(frozen=True, slots=True)
class ResidentHistory:
    """Everything the Residents page shows of one resident."""

    resident_id: str
    contact_id: str | None
    accounts: tuple[AccountView, ...]
    strikes: tuple[StrikeView, ...]
    messages: tuple[ModerationEvent, ...]
    blocks: tuple[BlockView, ...]
    events: tuple[ModerationEvent, ...]

    @property
    def active_strikes(self) -> int:
        """How many strikes count against the resident now."""
        return sum(strike.state is StrikeState.ACTIVE for strike in self.strikes)


def find_residents(
    connection: Connection, query: str, at: datetime, rules: StrikeRules, *, personal_data: bool
) -> list[ResidentFound]:
    """Residents whose CRM contact id, account id or (with personal data) handle or name
    contains ``query``, ignoring case; at most :data:`SEARCH_LIMIT`. Without personal data a
    handle or name finds nobody, so a search cannot tell who is behind one.

    Raises:
        ValueError: when ``query`` is blank.
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
    """
    needle = query.strip().casefold()
    if not needle:
        raise ValueError("type a name, handle or CRM contact id to search for")
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    items = inbox_items.c
    fields = [func.lower(items.author_id)]
    if personal_data:
        fields += [func.lower(items.author_handle), func.lower(items.author_name)]
    matched = {
        AccountRef(Platform(row.platform), row.author_id)
        for row in connection.execute(
            select(items.platform, items.author_id)
            .where(items.author_id.isnot(None), items.is_ours.is_(False))
            .where(or_(*(field.like(pattern, escape="\\") for field in fields)))
            .distinct()
            .limit(SEARCH_LIMIT * 4)
        )
    }
    contacts = set(
        connection.execute(
            select(account_links.c.contact_id)
            .where(func.lower(account_links.c.contact_id).like(pattern, escape="\\"))
            .distinct()
        ).scalars()
    )
    links = read_links(connection)
    residents, ledger = Residents(links), read_ledger(connection)
    wanted = {residents.resident_of(account) for account in matched}
    wanted |= {f"contact:{contact}" for contact in contacts if contact}
    found = []
    for resident_id in sorted(wanted)[:SEARCH_LIMIT]:
        accounts = residents.accounts_of(resident_id)
        views = _account_views(connection, accounts, links, personal_data=personal_data)
        active = sum(
            strike.state is StrikeState.ACTIVE
            for strike in _strikes(connection, ledger, accounts, at, rules)
        )
        found.append(ResidentFound(resident_id, residents.contact_of(resident_id), views, active))
    return found


def known_residents(connection: Connection) -> set[str]:
    """Every resident the store knows: each CRM contact with linked accounts, and each
    account that wrote to us or has a ledger event, on its own unless it is linked.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
    """
    links = read_links(connection)
    residents = Residents(links)
    items = inbox_items.c
    authors = connection.execute(
        select(items.platform, items.author_id)
        .where(items.author_id.isnot(None), items.is_ours.is_(False))
        .distinct()
    )
    accounts = {AccountRef(Platform(platform), user_id) for platform, user_id in authors}
    accounts |= {event.account for event in read_ledger(connection) if event.account}
    known = {residents.resident_of(account) for account in accounts}
    return known | {f"contact:{link.contact_id}" for link in links if link.contact_id}


def resident_history(
    connection: Connection,
    resident_id: str,
    at: datetime,
    rules: StrikeRules,
    *,
    personal_data: bool,
) -> ResidentHistory:
    """The history of ``resident_id`` as it stands at ``at``.

    Raises:
        UnknownResident: when no account belongs to ``resident_id`` and the ledger never
            named it.
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read.
    """
    links = read_links(connection)
    residents, ledger = Residents(links), read_ledger(connection)
    try:
        accounts = residents.accounts_of(resident_id)
    except ValueError:
        raise UnknownResident("a resident id is contact:<id> or account:<platform>:<id>") from None
    owned = set(accounts)
    events = tuple(
        event for event in ledger if (event.account in owned) or event.resident_id == resident_id
    )
    if not events and not accounts:
        raise UnknownResident("no such resident in the store")
    return ResidentHistory(
        resident_id=resident_id,
        contact_id=residents.contact_of(resident_id),
        accounts=_account_views(connection, accounts, links, personal_data=personal_data),
        strikes=tuple(_strikes(connection, ledger, accounts, at, rules)),
        messages=tuple(event for event in events if event.type in _MESSAGE_EVENTS),
        blocks=tuple(_blocks(ledger, events, rules)),
        events=events,
    )


def _account_views(
    connection: Connection,
    accounts: Collection[AccountRef],
    links: Collection[AccountLink],
    *,
    personal_data: bool,
) -> tuple[AccountView, ...]:
    handles = latest_handles(connection, accounts) if personal_data else {}
    by_account = {link.account: link for link in links}
    views = []
    for account in sorted(accounts):
        link = by_account.get(account)
        views.append(
            AccountView(
                account,
                handles.get(account),
                link.linked_by if link else None,
                link.linked_at if link else None,
            )
        )
    return tuple(views)


def _strikes(
    connection: Connection,
    ledger: Ledger,
    accounts: Collection[AccountRef],
    at: datetime,
    rules: StrikeRules,
) -> list[StrikeView]:
    owned = set(accounts)
    strikes = [s for s in ledger.of_type(EventType.STRIKE_ISSUED) if s.account in owned]
    keys = [strike.item_key for strike in strikes if strike.item_key]
    screened = {
        row.item_key: row
        for row in connection.execute(
            select(screenings.c.item_key, screenings.c.findings, screenings.c.redacted).where(
                screenings.c.item_key.in_(keys)
            )
        )
    }
    views = []
    for strike in strikes:
        overruled = ledger.get(f"strike_overruled:{strike.item_key}")
        ends_at = strike.occurred_at + rules.expiry
        if overruled is not None and overruled.occurred_at <= at:
            state = StrikeState.OVERRULED
        elif ends_at <= at:
            state = StrikeState.EXPIRED
        else:
            state = StrikeState.ACTIVE
        row = screened.get(strike.item_key or "")
        assert strike.account is not None  # strikes are filtered to the resident's accounts
        views.append(
            StrikeView(
                item_key=strike.item_key or "",
                account=strike.account,
                issued_at=strike.occurred_at,
                ends_at=ends_at,
                state=state,
                clauses=strike.clauses,
                finding_types=tuple(sorted({f["type"] for f in row.findings})) if row else (),
                excerpt=excerpt(row.redacted) if row else "",
                overruled_by=overruled.actor if overruled else None,
                overrule_reason=overruled.detail.get("reason") if overruled else None,
            )
        )
    return views


def _blocks(
    ledger: Ledger, events: Collection[ModerationEvent], rules: StrikeRules
) -> list[BlockView]:
    views = []
    for request in (e for e in events if e.type is EventType.BLOCK_REQUESTED):
        decision = ledger.get(f"block_decided:{request.key}")
        reviews = [
            r for r in ledger.of_type(EventType.BLOCK_REVIEWED) if r.refers_to == request.key
        ]
        lifted = any(r.detail.get("outcome") == "lifted" for r in reviews)
        if decision is None:
            state = "awaiting a manager's decision"
        elif decision.type is EventType.BLOCK_APPROVED:
            state = "lifted" if lifted else "in force"
        else:
            state = "not approved"
        views.append(
            BlockView(
                request_id=request.id or 0,
                requested_at=request.occurred_at,
                decision=state,
                decided_by=decision.actor if decision else None,
                next_review=next_review(ledger, request, rules),
                lifted=lifted,
            )
        )
    return views
