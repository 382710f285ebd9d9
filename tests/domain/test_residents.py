from datetime import datetime, timezone

import pytest

from trident_pipeline.domain.models import Platform
from trident_pipeline.domain.residents import (
    AccountLink,
    AccountRef,
    LinkSource,
    Residents,
    account_resident_id,
)

NOW = datetime(2027, 3, 3, 10, 14, tzinfo=timezone.utc)
X_ACCOUNT = AccountRef(Platform.X, "1500000000000000042")
BLUESKY_ACCOUNT = AccountRef(Platform.BLUESKY, "did:plc:residentone00000000000001")
FACEBOOK_ACCOUNT = AccountRef(Platform.FACEBOOK, "2600000000000001")


def link(account: AccountRef, contact_id: str | None, source=LinkSource.OPERATOR) -> AccountLink:
    return AccountLink(account, contact_id, source, "Operator One", NOW)


def test_an_unlinked_account_is_a_resident_of_its_own():
    residents = Residents()
    assert residents.resident_of(X_ACCOUNT) == "account:x:1500000000000000042"
    assert residents.accounts_of("account:x:1500000000000000042") == [X_ACCOUNT]
    assert residents.contact_of("account:x:1500000000000000042") is None
    assert not residents.is_decided(X_ACCOUNT)


def test_linked_accounts_on_every_platform_are_one_resident():
    residents = Residents(
        [link(X_ACCOUNT, "C-1"), link(BLUESKY_ACCOUNT, "C-1"), link(FACEBOOK_ACCOUNT, "C-1")]
    )
    assert {residents.resident_of(a) for a in (X_ACCOUNT, BLUESKY_ACCOUNT, FACEBOOK_ACCOUNT)} == {
        "contact:C-1"
    }
    assert residents.accounts_of("contact:C-1") == sorted(
        [X_ACCOUNT, BLUESKY_ACCOUNT, FACEBOOK_ACCOUNT]
    )
    assert residents.contact_of("contact:C-1") == "C-1"


def test_a_linked_account_no_longer_counts_on_its_own():
    residents = Residents([link(X_ACCOUNT, "C-1")])
    assert residents.accounts_of(account_resident_id(X_ACCOUNT)) == []


def test_an_operators_unlink_counts_on_its_own_and_is_decided():
    residents = Residents([link(X_ACCOUNT, None), link(BLUESKY_ACCOUNT, "C-1")])
    assert residents.resident_of(X_ACCOUNT) == account_resident_id(X_ACCOUNT)
    assert residents.is_decided(X_ACCOUNT)
    assert residents.accounts_of("contact:C-1") == [BLUESKY_ACCOUNT]


def test_a_bluesky_did_with_colons_round_trips_through_its_resident_id():
    resident_id = account_resident_id(BLUESKY_ACCOUNT)
    assert Residents().accounts_of(resident_id) == [BLUESKY_ACCOUNT]


def test_two_links_for_one_account_are_refused():
    with pytest.raises(ValueError, match="one link"):
        Residents([link(X_ACCOUNT, "C-1"), link(X_ACCOUNT, "C-2", LinkSource.CRM)])


def test_resident_ids_and_accounts_are_checked():
    with pytest.raises(ValueError, match="not a resident id"):
        Residents().accounts_of("C-1")
    with pytest.raises(ValueError, match="user id"):
        AccountRef(Platform.X, "")
