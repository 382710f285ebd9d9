"""The CRM hooks: Connections (set through ``AIRFLOW_CONN_*``, no database) turned into CRM
adapters, checked against a local HTTP server; and the choice of CRM."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from urllib.parse import parse_qs, unquote, urlsplit

import jsonschema
import pytest
from airflow.sdk.exceptions import AirflowNotFoundException
from airflow.sdk.log import redact
from sqlalchemy import Engine, create_engine

from trident_pipeline.crm.dataverse import DataverseCustomerRecords
from trident_pipeline.crm.embedded import EmbeddedCustomerRecords
from trident_pipeline.crm.outbox import enqueue
from trident_pipeline.crm.records import CrmRecord, CustomerAccount, RecordKind
from trident_pipeline.crm.webhook import WebhookCustomerRecords
from trident_pipeline.domain.models import Platform
from trident_pipeline.orchestration.connection_types import CRM as CONNECTION_TYPES
from trident_pipeline.orchestration.crm_tasks import deliver_crm_outbox
from trident_pipeline.orchestration.hooks.crm import (
    CrmWebhookHook,
    DataverseHook,
    crm_from_connections,
)
from trident_pipeline.store import connect, default_database_url, migrate

TENANT = "00000000-0000-4000-8000-00000000aaaa"
CLIENT_ID = "00000000-0000-4000-8000-00000000bbbb"
CLIENT_SECRET = "testDataverseClientSecret93k"
WEBHOOK_SECRET = "testWebhookSigningSecret41x"
NOW = datetime(2026, 3, 24, 12, 0, tzinfo=timezone.utc)


class Server:
    """A local HTTP server that keeps each request and answers as Dataverse or a webhook."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict, bytes]] = []
        self.url = ""

    def answer(self, method: str, path: str, query: dict, body: bytes) -> tuple[int, dict | None]:
        self.requests.append((method, path, query, body))
        if path.endswith("/oauth2/v2.0/token"):
            return 200, {"token_type": "Bearer", "expires_in": 3599, "access_token": "t-1"}
        if path.endswith("/WhoAmI"):
            return 200, {"UserId": "00000000-0000-4000-8000-00000000cccc"}
        if path.endswith("/contacts"):
            return 200, {"value": []}
        return 204, None


@pytest.fixture
def server(monkeypatch) -> Iterator[Server]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, reply = state.answer(
                self.command, unquote(parts.path), parse_qs(parts.query), body
            )
            payload = json.dumps(reply).encode() if reply is not None else b""
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = _serve  # noqa: N815 (http.server's naming)

        def log_message(self, *args) -> None:
            """Quiet."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def connect_dataverse(monkeypatch, host: str, **extra) -> None:
    connection = {
        "conn_type": "trident_dataverse",
        "host": host,
        "login": CLIENT_ID,
        "password": CLIENT_SECRET,
        "extra": {"tenant_id": TENANT, **extra},
    }
    monkeypatch.setenv("AIRFLOW_CONN_TRIDENT_DATAVERSE", json.dumps(connection))


def connect_webhook(monkeypatch, host: str, **extra) -> None:
    connection = {
        "conn_type": "trident_crm_webhook",
        "host": host,
        "password": WEBHOOK_SECRET,
        "extra": extra,
    }
    monkeypatch.setenv("AIRFLOW_CONN_TRIDENT_CRM_WEBHOOK", json.dumps(connection))


@pytest.fixture(autouse=True)
def _no_crm_settings(monkeypatch) -> None:
    for name in ("TRIDENT_DATAVERSE", "TRIDENT_CRM_WEBHOOK"):
        monkeypatch.delenv(f"AIRFLOW_CONN_{name}", raising=False)
    monkeypatch.delenv("AIRFLOW_VAR_TRIDENT_CRM_ADAPTER", raising=False)


def test_the_hooks_declare_their_connection_types():
    schema = json.loads((files("airflow") / "provider.yaml.schema.json").read_text())
    hooks = {hook.conn_type: hook for hook in (DataverseHook, CrmWebhookHook)}
    assert [entry["connection-type"] for entry in CONNECTION_TYPES] == list(hooks)
    for entry in CONNECTION_TYPES:
        hook = hooks[entry["connection-type"]]
        jsonschema.validate(entry, schema["properties"]["connection-types"]["items"])
        assert entry["hook-class-name"] == f"{hook.__module__}.{hook.__qualname__}"
        assert entry["hook-name"] == hook.hook_name
        assert hook.default_conn_name == hook.conn_type


def test_the_dataverse_hook_signs_in_with_the_connections_credentials(monkeypatch, server):
    connect_dataverse(monkeypatch, f"{server.url}/org/", authority_url=f"{server.url}/login")

    hook = DataverseHook()
    assert hook.test_connection() == (
        True,
        "Signed in to Dataverse as the application user 00000000-0000-4000-8000-00000000cccc",
    )
    (method, path, _, body), (_, api_path, _, _) = server.requests
    assert (method, path) == ("POST", f"/login/{TENANT}/oauth2/v2.0/token")
    assert parse_qs(body.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET],
        "scope": [f"{server.url}/org/.default"],
    }
    assert api_path == "/org/api/data/v9.2/WhoAmI"
    assert hook.get_conn() is hook.client
    assert redact(f"secret {CLIENT_SECRET}") == "secret ***"


def test_the_dataverse_hook_reads_table_and_column_names_from_the_extra(monkeypatch, server):
    connect_dataverse(
        monkeypatch,
        f"{server.url}/org",
        authority_url=f"{server.url}/login",
        contact_columns={"x": {"user_id": "new_xid", "handle": None}},
        communication_entity_set="new_socialposts",
    )
    crm = DataverseHook().client

    assert crm.find_contact(CustomerAccount(Platform.X, "x-test-0001", "someone")) is None
    assert crm.find_contact(CustomerAccount(Platform.BLUESKY, "did:plc:test")) is None

    contacts = [query for _, path, query, _ in server.requests if path.endswith("/contacts")]
    assert contacts == [
        {
            "$select": ["contactid"],
            "$filter": ["statecode eq 0 and (new_xid eq 'x-test-0001')"],
            "$top": ["2"],
        }
    ]


@pytest.mark.parametrize(
    ("host", "extra", "message"),
    [
        ("https://contoso.crm11.dynamics.com", {"tenant_id": ""}, "tenant_id"),
        ("http://contoso.crm11.dynamics.com", {}, "host must use https"),
        ("https://contoso.crm11.dynamics.com", {"timeout": "soon"}, "timeout"),
        ("https://contoso.crm11.dynamics.com", {"contact_columns": ["x"]}, "contact_columns"),
        ("https://contoso.crm11.dynamics.com", {"communication_key_column": "a b"}, "logical"),
    ],
)
def test_a_malformed_dataverse_connection_is_named_in_the_error(monkeypatch, host, extra, message):
    connect_dataverse(monkeypatch, host, **extra)
    with pytest.raises(ValueError, match=message):
        DataverseHook().get_conn()


def test_a_host_without_a_scheme_is_taken_as_https(monkeypatch):
    connect_dataverse(monkeypatch, "contoso.crm11.dynamics.com")
    assert isinstance(DataverseHook().client, DataverseCustomerRecords)


def test_the_webhook_hook_pings_its_receiver(monkeypatch, server):
    connect_webhook(monkeypatch, f"{server.url}/hooks/trident", timeout=5)

    assert CrmWebhookHook().test_connection() == (True, "The webhook accepted a signed ping")
    ((method, path, _, body),) = server.requests
    assert (method, path, json.loads(body)) == ("POST", "/hooks/trident", {"kind": "ping"})
    assert redact(f"secret {WEBHOOK_SECRET}") == "secret ***"


def test_a_webhook_test_that_reaches_nobody_says_why_without_secrets(monkeypatch):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connect_webhook(monkeypatch, f"http://127.0.0.1:{port}/hooks/trident", timeout=5)

    ok, message = CrmWebhookHook().test_connection()

    assert not ok
    assert message == "CrmUnavailable: webhook ping: ConnectionError"


def test_a_webhook_connection_needs_its_url_and_secret(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_TRIDENT_CRM_WEBHOOK",
        json.dumps({"conn_type": "trident_crm_webhook", "host": "https://crm.example.org/in"}),
    )
    with pytest.raises(ValueError, match="signing secret"):
        CrmWebhookHook().get_conn()


# --- which CRM ------------------------------------------------------------------------------


@pytest.fixture
def store() -> Iterator[Engine]:
    """An engine for the embedded CRM; choosing a CRM reads nothing from it."""
    engine = create_engine("sqlite://")
    yield engine
    engine.dispose()


def test_without_variable_or_connection_the_crm_is_embedded(store):
    assert isinstance(crm_from_connections(store), EmbeddedCustomerRecords)


def test_without_the_variable_the_crm_with_a_connection_is_chosen(monkeypatch, store):
    connect_webhook(monkeypatch, "https://crm.example.org/hooks/trident")
    assert isinstance(crm_from_connections(store), WebhookCustomerRecords)

    connect_dataverse(monkeypatch, "https://contoso.crm11.dynamics.com")
    with pytest.raises(ValueError, match="set the trident_crm_adapter Variable"):
        crm_from_connections(store)


@pytest.mark.parametrize(
    ("chosen", "adapter"),
    [
        ("embedded", EmbeddedCustomerRecords),
        ("dataverse", DataverseCustomerRecords),
        (" Webhook ", WebhookCustomerRecords),
    ],
)
def test_the_variable_chooses_the_crm(monkeypatch, store, chosen, adapter):
    connect_webhook(monkeypatch, "https://crm.example.org/hooks/trident")
    connect_dataverse(monkeypatch, "https://contoso.crm11.dynamics.com")
    monkeypatch.setenv("AIRFLOW_VAR_TRIDENT_CRM_ADAPTER", chosen)

    assert isinstance(crm_from_connections(store), adapter)


def test_a_chosen_crm_without_its_connection_stops_delivery(monkeypatch, store):
    monkeypatch.setenv("AIRFLOW_VAR_TRIDENT_CRM_ADAPTER", "dataverse")
    with pytest.raises(AirflowNotFoundException):
        crm_from_connections(store)


def test_an_unknown_crm_in_the_variable_is_refused(monkeypatch, store):
    monkeypatch.setenv("AIRFLOW_VAR_TRIDENT_CRM_ADAPTER", "salesforce")
    with pytest.raises(ValueError, match="embedded, dataverse, webhook"):
        crm_from_connections(store)


def test_the_hourly_task_delivers_the_outbox_to_the_chosen_crm(monkeypatch, tmp_path):
    monkeypatch.setenv("TRIDENT_HOME", str(tmp_path))
    store = connect(default_database_url())
    migrate(store)
    note = CrmRecord(
        kind=RecordKind.NOTE,
        idempotency_key="note:test:1",
        customer=CustomerAccount(Platform.X, "x-test-0001"),
        occurred_at=datetime(2026, 3, 24, 10, 15, tzinfo=timezone.utc),
        subject="Test note",
        body="Invented test text.",
    )
    with store.begin() as connection:
        enqueue(connection, [note, replace(note, idempotency_key="note:test:2")], NOW)
    EmbeddedCustomerRecords(store).add_account("TENANCY-0042", Platform.X, user_id="x-test-0001")
    store.dispose()

    assert deliver_crm_outbox(batch=1) == {
        "delivered": 1,
        "waiting_for_contact": 0,
        "retrying": 0,
        "dead_lettered": 0,
        "total_pending": 1,
        "total_waiting_for_contact": 0,
        "total_delivered": 1,
        "total_dead_letter": 0,
    }
