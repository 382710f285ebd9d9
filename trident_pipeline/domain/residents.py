"""Who a strike counts against: the resident behind a platform account.

No platform gives a cross-platform id, so a person on a platform is an :class:`AccountRef`
(``platform``, stable ``user_id``). Accounts are linked to one resident through their CRM
contact, found in the CRM by handle or id or linked by an operator (design section 3,
"Identity"). Strikes count per resident over all linked accounts; an unlinked account counts
on its own, as a resident of its own.

A resident id is ``contact:<contact id>`` for a linked account and
``account:<platform>:<user id>`` for an unlinked one. Links are read as they stand when a
count is made, so linking two accounts later joins their strikes, and unlinking splits them.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from trident_pipeline.domain.models import Platform

__all__ = ["AccountLink", "AccountRef", "LinkSource", "Residents", "account_resident_id"]

_CONTACT = "contact:"
_ACCOUNT = "account:"


@dataclass(frozen=True, slots=True, order=True)
class AccountRef:
    """One platform account: X numeric user id, Bluesky DID or Facebook page-scoped id.

    Raises:
        ValueError: when ``user_id`` is empty.
    """

    platform: Platform
    user_id: str

    def __post_init__(self) -> None:
        if not self.user_id:
            raise ValueError("a platform account needs its user id")
        object.__setattr__(self, "platform", Platform(self.platform))


class LinkSource(enum.StrEnum):
    """Who made a link: an operator with ``trident link``, or a match in the CRM."""

    OPERATOR = "operator"
    CRM = "crm"


@dataclass(frozen=True, slots=True)
class AccountLink:
    """The CRM contact an account belongs to, and who said so when.

    ``contact_id`` ``None`` records that an operator unlinked the account: it then counts on
    its own, and a CRM match does not link it again.
    """

    account: AccountRef
    contact_id: str | None
    source: LinkSource
    linked_by: str
    linked_at: datetime


def account_resident_id(account: AccountRef) -> str:
    """The resident id of an account that is linked to no contact.

    Raises:
        Nothing.
    """
    return f"{_ACCOUNT}{account.platform.value}:{account.user_id}"


class Residents:
    """The links as they stand: who each account's strikes count against.

    Args:
        links: the current link of each account (at most one per account).

    Raises:
        ValueError: when two links name the same account.
    """

    def __init__(self, links: Iterable[AccountLink] = ()) -> None:
        self._contact: dict[AccountRef, str | None] = {}
        self._accounts: dict[str, set[AccountRef]] = defaultdict(set)
        for link in links:
            if link.account in self._contact:
                raise ValueError("an account has one link at a time")
            self._contact[link.account] = link.contact_id
            if link.contact_id is not None:
                self._accounts[f"{_CONTACT}{link.contact_id}"].add(link.account)

    def resident_of(self, account: AccountRef) -> str:
        """The resident ``account``'s strikes count against: its contact, else itself.

        Raises:
            Nothing.
        """
        contact_id = self._contact.get(account)
        return f"{_CONTACT}{contact_id}" if contact_id else account_resident_id(account)

    def contact_of(self, resident_id: str) -> str | None:
        """The CRM contact id of a resident, or ``None`` for an unlinked account.

        Raises:
            Nothing.
        """
        return resident_id.removeprefix(_CONTACT) if resident_id.startswith(_CONTACT) else None

    def is_decided(self, account: AccountRef) -> bool:
        """Whether ``account`` has a link or an operator's unlink (the CRM is not asked again).

        Raises:
            Nothing.
        """
        return account in self._contact

    def accounts_of(self, resident_id: str) -> list[AccountRef]:
        """Every account that counts against a resident now, sorted: a contact's linked
        accounts, or the unlinked account itself (none once it has been linked to a contact).

        Raises:
            ValueError: when ``resident_id`` is neither ``contact:...`` nor ``account:...``.
        """
        if resident_id.startswith(_CONTACT):
            return sorted(self._accounts.get(resident_id, ()))
        if not resident_id.startswith(_ACCOUNT):
            raise ValueError(f"{resident_id!r} is not a resident id")
        platform, _, user_id = resident_id.removeprefix(_ACCOUNT).partition(":")
        account = AccountRef(Platform(platform), user_id)
        return [account] if self.resident_of(account) == resident_id else []
