"""The webhook adapter against a local receiver that checks signatures and idempotency keys."""

import hashlib
import hmac
import json
import socket

import pytest

from trident_pipeline.crm.errors import CrmNotPermitted, CrmRejected, CrmUnavailable
from trident_pipeline.crm.records import RecordKind
from trident_pipeline.crm.webhook import WebhookCustomerRecords, WebhookSettings, signature

SIGNED_AT = 1774347300.75  # 2026-03-24 10:15 UTC


def adapter(receiver, *, secret=None, lookup=False, url=None) -> WebhookCustomerRecords:
    settings = WebhookSettings(
        url=url or receiver.url,
        secret=secret or receiver.secret,
        lookup_url=receiver.lookup_url if lookup else None,
        timeout=5,
    )
    return WebhookCustomerRecords(settings, clock=lambda: SIGNED_AT)


def test_a_communication_is_posted_as_signed_json_with_its_idempotency_key(
    webhook_receiver, local_server, make_record
):
    record = make_record()

    adapter(webhook_receiver).record_communication(record, "contact-17")

    (seen,) = local_server.requests
    assert (seen.method, seen.path) == ("POST", "/hooks/trident")
    assert seen.headers["idempotency-key"] == "communication:x:9001"
    assert seen.headers["x-trident-timestamp"] == "1774347300"
    expected = hmac.new(b"whsec-test-signing-secret", b"1774347300." + seen.body, hashlib.sha256)
    assert seen.headers["x-trident-signature"] == "sha256=" + expected.hexdigest()
    assert seen.headers["content-type"] == "application/json; charset=utf-8"
    assert seen.json() == {
        "idempotency_key": "communication:x:9001",
        "kind": "communication",
        "contact_id": "contact-17",
        "customer": {"platform": "x", "user_id": "x-test-0001", "handle": "Test_Resident_A"},
        "occurred_at": "2026-03-24T10:15:00Z",
        "subject": "Test communication",
        "body": record.body,
        "item_key": "x:9001",
        "direction": "inbound",
    }
    assert webhook_receiver.accepted == {"communication:x:9001": 1}


def test_strike_events_and_notes_carry_their_kind(webhook_receiver, make_record):
    crm = adapter(webhook_receiver)
    crm.record_strike_event(make_record(RecordKind.STRIKE_EVENT), "contact-17")
    crm.add_note(make_record(RecordKind.NOTE), "contact-17")

    kinds = {key: entry["kind"] for key, entry in webhook_receiver.entries.items()}
    assert kinds == {"strike_event:x:9001": "strike_event", "note:x:9001": "note"}


def test_sending_a_record_again_counts_as_delivered_and_the_receiver_keeps_it_once(
    webhook_receiver, make_record
):
    crm = adapter(webhook_receiver)
    crm.add_note(make_record(RecordKind.NOTE), "contact-17")
    crm.add_note(make_record(RecordKind.NOTE), "contact-17")  # 409: no error

    assert webhook_receiver.accepted == {"note:x:9001": 1}
    assert webhook_receiver.duplicates == {"note:x:9001": 1}


def test_the_signature_is_hmac_sha256_over_timestamp_and_body():
    body = json.dumps({"kind": "note"}).encode()
    digest = hmac.new(b"secret-value", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature("secret-value", "1700000000", body) == f"sha256={digest}"


def test_a_wrong_secret_is_refused_and_not_permitted(webhook_receiver, make_record):
    with pytest.raises(CrmNotPermitted) as raised:
        adapter(webhook_receiver, secret="not-the-secret").add_note(
            make_record(RecordKind.NOTE), "contact-17"
        )
    assert raised.value.status == 401
    assert webhook_receiver.entries == {}


@pytest.mark.parametrize(
    ("status", "headers", "retry_after"),
    [(503, {}, None), (503, {"Retry-After": "120"}, 120.0), (429, {"Retry-After": "7"}, 7.0)],
)
def test_throttling_and_server_errors_are_retriable_with_the_servers_hint(
    webhook_receiver, local_server, make_record, status, headers, retry_after
):
    local_server.reply_with(status, {"error": {"message": "Test_Resident_A said hello"}}, headers)

    with pytest.raises(CrmUnavailable) as raised:
        adapter(webhook_receiver).add_note(make_record(RecordKind.NOTE), "contact-17")

    assert (raised.value.status, raised.value.retry_after) == (status, retry_after)
    assert str(raised.value) == f"webhook add note: HTTP {status}"


def test_another_client_error_is_rejected_without_quoting_the_reply(
    webhook_receiver, local_server, make_record
):
    local_server.reply_with(422, {"error": {"code": "bad_field", "message": "Test_Resident_A"}})

    with pytest.raises(CrmRejected) as raised:
        adapter(webhook_receiver).add_note(make_record(RecordKind.NOTE), "contact-17")

    assert not isinstance(raised.value, CrmUnavailable | CrmNotPermitted)
    assert (raised.value.status, raised.value.code) == (422, "bad_field")
    assert "Test_Resident_A" not in str(raised.value)


def test_a_receiver_that_does_not_answer_is_unavailable(webhook_receiver, make_record):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_url = f"http://127.0.0.1:{probe.getsockname()[1]}/hooks/trident"

    with pytest.raises(CrmUnavailable) as raised:
        adapter(webhook_receiver, url=closed_url).add_note(make_record(RecordKind.NOTE), "c-1")

    assert raised.value.status is None
    assert str(raised.value) == "webhook add note: ConnectionError"


def test_contacts_are_looked_up_with_a_signed_request_when_a_lookup_url_is_set(
    webhook_receiver, local_server, resident_a, resident_b
):
    webhook_receiver.contacts[("x", "x-test-0001")] = "contact-17"
    crm = adapter(webhook_receiver, lookup=True)

    assert crm.find_contact(resident_a) == "contact-17"
    assert crm.find_contact(resident_b) is None  # the receiver answers 404

    first = local_server.requests[0]
    assert first.path == "/hooks/lookup"
    assert first.json() == {"platform": "x", "user_id": "x-test-0001", "handle": "Test_Resident_A"}


def test_without_a_lookup_url_no_contact_is_found_and_nothing_is_sent(
    webhook_receiver, local_server, resident_a
):
    assert adapter(webhook_receiver).find_contact(resident_a) is None
    assert local_server.requests == []


def test_a_ping_is_signed_and_leaves_nothing_behind(webhook_receiver, local_server):
    adapter(webhook_receiver).ping()

    (seen,) = local_server.requests
    assert seen.json() == {"kind": "ping"}
    assert seen.headers["idempotency-key"] == "ping"
    assert webhook_receiver.entries == {}
