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

    from trident_pipeline.account_links import set_link
    from trident_pipeline.domain.models import Platform
    from trident_pipeline.domain.residents import AccountRef
    from trident_pipeline.orchestration.store import store_engine
    from trident_pipeline.store import migrate

    user_id = arguments.user_id.strip()
    if not user_id:
        print("trident: --user-id must not be blank", file=sys.stderr)
        return 2
    account = AccountRef(Platform(arguments.platform), user_id)
    engine = store_engine()
    try:
        migrate(engine)
        change = set_link(
            engine, account, contact_id, arguments.operator, datetime.now(timezone.utc)
        )
    except ValueError as error:
        print(f"trident: {error}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    where = f"{account.platform.value} account {account.user_id}"
    if not change.changed:
        print(
            f"No change: {where} was already "
            f"{'linked to ' + contact_id.strip() if contact_id else 'unlinked'}."
        )
        return 0
    if contact_id is None:
        print(f"Unlinked {where}: its strikes now count on their own.")
        return 0
    plural = "account" if change.accounts == 1 else "accounts"
    print(
        f"Linked {where} to contact {contact_id.strip()}, whose strikes now count over "
        f"{change.accounts} {plural}."
    )
    return 0
