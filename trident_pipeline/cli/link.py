"""``trident link`` and ``trident unlink``: an operator ties a platform account to a resident.

No platform gives a cross-platform id, so an account is linked to one resident through their
CRM contact. The CRM finds most by handle or id; an operator links the rest, or unlinks a
wrong match (a CRM match then never links it again). Strikes count per resident over all
linked accounts; an unlinked account counts on its own. Each change is written to the ledger
with the operator's name::

    trident link --platform x --user-id 1234567890 --contact C-1042 --operator "Priya"
    trident unlink --platform x --user-id 1234567890 --operator "Priya"
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["register"]

_PLATFORMS = ("x", "bluesky", "facebook")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``link`` and ``unlink`` subcommands.

    Raises:
        argparse.ArgumentError: when a subcommand of the same name is already registered.
    """
    link = subparsers.add_parser(
        "link",
        help="link a platform account to a resident's CRM contact",
        description="Link a platform account (by its stable user id: X numeric id, Bluesky DID, "
        "Facebook page-scoped id) to a CRM contact, so its strikes count with the contact's "
        "other accounts. Written to the ledger with the operator's name.",
    )
    _account_arguments(link)
    link.add_argument("--contact", required=True, help="the CRM contact id")
    link.set_defaults(handler=_link)
    unlink = subparsers.add_parser(
        "unlink",
        help="unlink a platform account from its CRM contact",
        description="Unlink a platform account: its strikes then count on their own, and a CRM "
        "match does not link it again. Written to the ledger with the operator's name.",
    )
    _account_arguments(unlink)
    unlink.set_defaults(handler=_unlink)


def _account_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--platform", required=True, choices=_PLATFORMS)
    parser.add_argument("--user-id", required=True, help="the account's stable platform id")
    parser.add_argument("--operator", required=True, help="your name, recorded in the ledger")


def _link(arguments: argparse.Namespace) -> int:
    return _write(arguments, arguments.contact)


def _unlink(arguments: argparse.Namespace) -> int:
    return _write(arguments, None)


def _write(arguments: argparse.Namespace, contact_id: str | None) -> int:
    from datetime import datetime, timezone

    from trident_pipeline.domain.models import Platform
    from trident_pipeline.domain.residents import AccountLink, AccountRef, LinkSource
    from trident_pipeline.enforcement import link_event
    from trident_pipeline.orchestration.store import store_engine
    from trident_pipeline.store import migrate
    from trident_pipeline.store.ledger import append_events, read_residents, write_link

    operator = arguments.operator.strip()
    user_id = arguments.user_id.strip()
    contact = contact_id.strip() if contact_id is not None else None
    if not operator or not user_id or contact == "":
        print("trident: --operator, --user-id and --contact must not be blank", file=sys.stderr)
        return 2
    account = AccountRef(Platform(arguments.platform), user_id)
    link = AccountLink(account, contact, LinkSource.OPERATOR, operator, datetime.now(timezone.utc))
    engine = store_engine()
    try:
        migrate(engine)
        with engine.begin() as connection:
            changed = write_link(connection, link)
            if changed:
                append_events(connection, [link_event(link)], link.linked_at)
            residents = read_residents(connection)
    finally:
        engine.dispose()
    where = f"{account.platform.value} account {account.user_id}"
    if not changed:
        print(
            f"No change: {where} was already {'linked to ' + contact if contact else 'unlinked'}."
        )
        return 0
    if contact is None:
        print(f"Unlinked {where}: its strikes now count on their own.")
        return 0
    count = len(residents.accounts_of(residents.resident_of(account)))
    plural = "account" if count == 1 else "accounts"
    print(f"Linked {where} to contact {contact}, whose strikes now count over {count} {plural}.")
    return 0
