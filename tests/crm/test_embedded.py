"""The embedded SQL CRM in the store, on SQLite and (when set) PostgreSQL."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from trident_pipeline.crm.embedded import EmbeddedCustomerRecords
from trident_pipeline.crm.protocol import write_record
from trident_pipeline.crm.records import CustomerAccount, RecordKind
from trident_pipeline.domain.models import Platform
from trident_pipeline.store.schema import (
    crm_communications,
    crm_contacts,
    crm_notes,
    crm_strike_events,
)

RECORDED = datetime(2026, 3, 24, 11, 0, tzinfo=timezone.utc)


@pytest.fixture
def crm(engine) -> EmbeddedCustomerRecords:
    return EmbeddedCustomerRecords(engine, clock=lambda: RECORDED)


def rows(engine, table):
    with engine.connect() as connection:
        return connection.execute(select(table)).mappings().all()


def test_a_contact_is_found_by_platform_user_id(crm, resident_a):
    crm.add_account("contact-17", Platform.X, user_id="x-test-0001", handle="@Test_Resident_A")

    assert crm.find_contact(resident_a) == "contact-17"
    assert crm.find_contact(CustomerAccount(Platform.BLUESKY, "x-test-0001")) is None


def test_a_handle_alone_matches_only_where_the_contact_has_no_platform_id(crm, resident_a):
    crm.add_account("contact-99", Platform.X, user_id="x-test-0999", handle="test_resident_a")
    assert crm.find_contact(resident_a) is None  # the handle belongs to another id

    crm.add_account("contact-17", Platform.X, handle="@TEST_Resident_A")
    assert crm.find_contact(resident_a) == "contact-17"


def test_adding_an_account_again_moves_it_rather_than_doubling_it(crm, resident_a):
    crm.add_account("contact-1", Platform.X, user_id="x-test-0001")
    crm.add_account("contact-2", Platform.X, user_id="x-test-0001")
    crm.add_account("contact-1", Platform.X, handle="test_resident_a")
    crm.add_account("contact-3", Platform.X, handle="test_resident_a")

    assert crm.find_contact(resident_a) == "contact-2"
    by_handle = CustomerAccount(Platform.X, "x-test-0005", "Test_Resident_A")
    assert crm.find_contact(by_handle) == "contact-3"


def test_an_account_needs_an_id_or_a_handle(crm):
    with pytest.raises(ValueError, match="user id or a handle"):
        crm.add_account("contact-1", Platform.X, handle="  @ ")


@pytest.mark.parametrize(
    ("kind", "table"),
    [
        (RecordKind.COMMUNICATION, crm_communications),
        (RecordKind.STRIKE_EVENT, crm_strike_events),
        (RecordKind.NOTE, crm_notes),
    ],
)
def test_each_kind_of_entry_is_written_once_to_its_table(engine, crm, make_record, kind, table):
    record = make_record(kind)
    later = EmbeddedCustomerRecords(engine, clock=lambda: RECORDED + timedelta(hours=1))

    write_record(crm, record, "TENANCY-0042")
    first = rows(engine, table)
    write_record(later, record, "TENANCY-0042")

    assert rows(engine, table) == first
    (row,) = first
    assert row["idempotency_key"] == record.idempotency_key
    assert (row["contact_id"], row["platform"], row["user_id"]) == (
        "TENANCY-0042",
        "x",
        "x-test-0001",
    )
    assert (row["subject"], row["body"], row["item_key"]) == (
        record.subject,
        record.body,
        "x:9001",
    )
    assert row["occurred_at"] == record.occurred_at
    assert row["recorded_at"] == RECORDED
    if kind is RecordKind.COMMUNICATION:
        assert row["direction"] == "inbound"


def test_writing_for_a_new_contact_id_starts_its_record(engine, crm, make_record):
    crm.add_note(make_record(RecordKind.NOTE), "TENANCY-0042")
    crm.add_note(make_record(RecordKind.NOTE, native_id="2"), "TENANCY-0042")

    assert [row["id"] for row in rows(engine, crm_contacts)] == ["TENANCY-0042"]
    assert len(rows(engine, crm_notes)) == 2
