"""The Dataverse adapter against a local server that speaks the Web API's protocol."""

import hashlib
import uuid

import pytest

from trident_pipeline.crm.dataverse import (
    ContactColumns,
    DataverseCustomerRecords,
    DataverseSettings,
    DataverseTables,
)
from trident_pipeline.crm.errors import CrmNotPermitted, CrmRejected, CrmUnavailable
from trident_pipeline.crm.records import CustomerAccount, Direction, RecordKind
from trident_pipeline.domain.models import Platform

API = "/org/api/data/v9.2"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def adapter(dataverse, *, secret=None, clock=None) -> DataverseCustomerRecords:
    settings = DataverseSettings(
        org_url=dataverse.org_url,
        tenant_id=dataverse.tenant,
        client_id=dataverse.client_id,
        client_secret=secret or dataverse.client_secret,
        authority_url=dataverse.authority_url,
        timeout=5,
    )
    return DataverseCustomerRecords(settings, clock=clock or Clock())


def test_a_token_comes_from_the_client_credentials_grant_and_is_reused(
    dataverse, local_server, resident_a
):
    crm = adapter(dataverse)
    crm.find_contact(resident_a)
    crm.find_contact(resident_a)

    token_requests = [seen for seen in local_server.requests if "/oauth2/" in seen.path]
    assert len(token_requests) == 1
    (token,) = token_requests
    assert (token.method, token.path) == ("POST", f"/login/{dataverse.tenant}/oauth2/v2.0/token")
    assert token.form() == {
        "grant_type": "client_credentials",
        "client_id": dataverse.client_id,
        "client_secret": dataverse.client_secret,
        "scope": f"{dataverse.org_url}/.default",
    }
    for seen in dataverse.api_requests():
        assert seen.headers["authorization"] == "Bearer token-1"
        assert seen.headers["odata-version"] == seen.headers["odata-maxversion"] == "4.0"
        assert seen.headers["accept"] == "application/json"


def test_a_new_token_is_fetched_a_minute_before_the_old_one_expires(
    dataverse, local_server, resident_a
):
    clock = Clock()
    crm = adapter(dataverse, clock=clock)
    crm.find_contact(resident_a)
    clock.now += 3599 - 61
    crm.find_contact(resident_a)
    clock.now += 2
    crm.find_contact(resident_a)

    authorizations = [seen.headers["authorization"] for seen in dataverse.api_requests()]
    assert authorizations == ["Bearer token-1", "Bearer token-1", "Bearer token-2"]


def test_a_token_the_api_no_longer_accepts_is_replaced_once(dataverse, resident_a):
    crm = adapter(dataverse)
    crm.find_contact(resident_a)
    dataverse.valid_tokens.clear()  # revoked on the server's side

    crm.find_contact(resident_a)

    authorizations = [seen.headers["authorization"] for seen in dataverse.api_requests()]
    assert authorizations == ["Bearer token-1", "Bearer token-1", "Bearer token-2"]


def test_refused_client_credentials_are_not_permitted_and_keep_the_secret_out(
    dataverse, resident_a
):
    with pytest.raises(CrmNotPermitted) as raised:
        adapter(dataverse, secret="wrong-secret-value").find_contact(resident_a)

    assert (raised.value.status, raised.value.code) == (401, "invalid_client")
    assert "wrong-secret-value" not in str(raised.value)
    assert dataverse.api_requests() == []


def test_contacts_are_found_by_platform_id_with_an_odata_filter(dataverse, resident_a):
    contact = dataverse.add_contact(trident_xuserid="x-test-0001", trident_xhandle="someone")
    dataverse.add_contact(trident_xuserid="x-test-0002")

    assert adapter(dataverse).find_contact(resident_a) == contact

    (seen,) = dataverse.api_requests()
    assert (seen.method, seen.path) == ("GET", f"{API}/contacts")
    assert seen.query == {
        "$select": ["contactid"],
        "$filter": [
            "statecode eq 0 and (trident_xuserid eq 'x-test-0001' or "
            "(trident_xhandle eq 'test_resident_a' and trident_xuserid eq null))"
        ],
        "$top": ["2"],
    }


def test_a_handle_matches_only_a_contact_without_a_platform_id(dataverse, resident_a):
    crm = adapter(dataverse)
    # Another person once used this handle: their contact has their id, which is not ours.
    dataverse.add_contact(trident_xuserid="x-test-0999", trident_xhandle="test_resident_a")
    assert crm.find_contact(resident_a) is None

    by_handle = dataverse.add_contact(trident_xhandle="@Test_Resident_A".lstrip("@"))
    assert crm.find_contact(resident_a) == by_handle


def test_inactive_and_ambiguous_contacts_are_no_match(dataverse, resident_a):
    crm = adapter(dataverse)
    dataverse.add_contact(active=False, trident_xuserid="x-test-0001")
    assert crm.find_contact(resident_a) is None

    dataverse.add_contact(trident_xhandle="test_resident_a")
    dataverse.add_contact(trident_xhandle="TEST_RESIDENT_A")
    assert crm.find_contact(resident_a) is None


def test_quotes_in_a_handle_are_escaped_in_the_filter(dataverse):
    contact = dataverse.add_contact(trident_blueskyhandle="o'neill.test")
    account = CustomerAccount(Platform.BLUESKY, "did:plc:testquote0003", "o'neill.test")

    assert adapter(dataverse).find_contact(account) == contact
    (seen,) = dataverse.api_requests()
    assert "trident_blueskyhandle eq 'o''neill.test'" in seen.query["$filter"][0]


def test_a_platform_without_contact_columns_is_not_looked_up(dataverse, local_server):
    tables = DataverseTables(contact_columns={Platform.X: ContactColumns("trident_xuserid")})
    settings = DataverseSettings(
        org_url=dataverse.org_url,
        tenant_id=dataverse.tenant,
        client_id=dataverse.client_id,
        client_secret=dataverse.client_secret,
        authority_url=dataverse.authority_url,
        tables=tables,
    )
    account = CustomerAccount(Platform.FACEBOOK, "fb-test-0004")

    assert DataverseCustomerRecords(settings).find_contact(account) is None
    assert local_server.requests == []


@pytest.mark.parametrize("kind", [RecordKind.NOTE, RecordKind.STRIKE_EVENT])
def test_notes_and_strike_events_are_annotations_created_once_under_a_derived_id(
    dataverse, make_record, kind
):
    contact = dataverse.add_contact(trident_xuserid="x-test-0001")
    record = make_record(kind)
    crm = adapter(dataverse)
    write = crm.add_note if kind is RecordKind.NOTE else crm.record_strike_event

    write(record, contact)
    write(record, contact)  # a second delivery: 412 from Dataverse, and no error

    first, second = dataverse.api_requests()
    assert first.method == "PATCH"
    assert first.path.startswith(f"{API}/annotations(")
    note_id = first.path.removeprefix(f"{API}/annotations(").removesuffix(")")
    assert uuid.UUID(note_id)  # a GUID, derived from the key
    assert second.path == first.path
    assert first.headers["if-none-match"] == "*"
    assert first.headers["content-type"] == "application/json"
    assert first.json() == {
        "subject": record.subject,
        "notetext": record.body,
        "objectid_contact@odata.bind": f"/contacts({contact})",
    }
    assert dataverse.writes == {note_id: 1}


def test_different_records_get_different_annotation_ids(dataverse, make_record):
    contact = dataverse.add_contact(trident_xuserid="x-test-0001")
    crm = adapter(dataverse)
    crm.add_note(make_record(RecordKind.NOTE, native_id="1"), contact)
    crm.add_note(make_record(RecordKind.NOTE, native_id="2"), contact)

    assert len(dataverse.annotations) == 2


def test_a_communication_is_an_activity_created_once_under_its_key_digest(dataverse, make_record):
    contact = dataverse.add_contact(trident_xuserid="x-test-0001")
    record = make_record(native_id="1771234567890")
    crm = adapter(dataverse)

    crm.record_communication(record, contact)
    crm.record_communication(record, contact)  # 412: already there

    digest = hashlib.sha256(b"communication:x:1771234567890").hexdigest()
    first, second = dataverse.api_requests()
    assert first.method == second.method == "PATCH"
    assert first.path == f"{API}/trident_socialcommunications(trident_keydigest='{digest}')"
    assert first.headers["if-none-match"] == "*"
    assert first.json() == {
        "subject": record.subject,
        "description": record.body,
        "actualstart": "2026-03-24T10:15:00Z",
        "actualend": "2026-03-24T10:15:00Z",
        "trident_itemkey": "x:1771234567890",
        "trident_platform": "x",
        "trident_direction": "inbound",
        "regardingobjectid_contact_trident_socialcommunication@odata.bind": f"/contacts({contact})",
    }
    assert dataverse.writes == {digest: 1}


def test_a_post_and_our_request_to_delete_it_are_two_activities(dataverse, make_record):
    contact = dataverse.add_contact(trident_xuserid="x-test-0001")
    post = make_record(native_id="1771234567890")
    request = make_record(
        native_id="1771234567890",
        idempotency_key="communication:message_sent:x:1771234567890",
        direction=Direction.OUTBOUND,
    )
    crm = adapter(dataverse)

    crm.record_communication(post, contact)
    crm.record_communication(request, contact)

    assert sorted(row["trident_direction"] for row in dataverse.communications.values()) == [
        "inbound",
        "outbound",
    ]
    assert {row["trident_itemkey"] for row in dataverse.communications.values()} == {
        "x:1771234567890"
    }


def test_keys_full_of_slashes_and_colons_still_make_a_usable_alternate_key(
    dataverse, make_record, resident_b
):
    contact = dataverse.add_contact(trident_blueskydid=resident_b.user_id)
    native_id = "at://did:plc:testresidentb0002/app.bsky.feed.post/3ktestpost22"

    adapter(dataverse).record_communication(
        make_record(customer=resident_b, native_id=native_id), contact
    )

    (stored,) = dataverse.communications.values()
    assert stored["trident_itemkey"] == f"bluesky:{native_id}"


@pytest.mark.parametrize(
    ("status", "headers", "retry_after"),
    [(429, {"Retry-After": "7"}, 7.0), (503, {}, None), (502, {"Retry-After": "30"}, 30.0)],
)
def test_throttling_and_server_errors_are_retriable_honouring_retry_after(
    dataverse, make_record, status, headers, retry_after
):
    contact = dataverse.add_contact(trident_xuserid="x-test-0001")
    dataverse.fail_next(status, headers)

    with pytest.raises(CrmUnavailable) as raised:
        adapter(dataverse).add_note(make_record(RecordKind.NOTE), contact)

    assert (raised.value.status, raised.value.retry_after) == (status, retry_after)
    assert raised.value.code == "0x80072321"
    assert "execution time" not in str(raised.value)
    assert dataverse.annotations == {}


def test_a_contact_that_does_not_exist_is_a_rejection(dataverse, make_record):
    with pytest.raises(CrmRejected) as raised:
        adapter(dataverse).add_note(make_record(RecordKind.NOTE), str(uuid.uuid4()))
    assert raised.value.status == 404
    assert not isinstance(raised.value, CrmUnavailable)


def test_a_contact_id_that_is_not_a_guid_is_rejected_before_any_request(
    dataverse, local_server, make_record
):
    with pytest.raises(CrmRejected) as raised:
        adapter(dataverse).add_note(make_record(RecordKind.NOTE), "TENANCY-0042")
    assert raised.value.code == "contact_id_not_guid"
    assert local_server.requests == []


def test_who_am_i_names_the_application_user(dataverse):
    assert adapter(dataverse).who_am_i() == "00000000-0000-4000-8000-00000000cccc"


def test_table_and_column_names_must_be_logical_names():
    with pytest.raises(ValueError, match="logical name"):
        DataverseTables(communication_key_column="trident_key') or (1 eq 1")
    with pytest.raises(ValueError, match="logical name"):
        DataverseTables(contact_columns={Platform.X: ContactColumns("x id")})
