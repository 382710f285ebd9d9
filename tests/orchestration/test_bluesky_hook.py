"""The Bluesky hook: the Connection (from ``AIRFLOW_CONN_*``), the kept login session, masking,
``test_connection`` and the source and moderator it hands out. No database: the session
Variable is replaced through the hook's session-store seam, HTTP at atproto's transport.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import time_machine
from airflow.sdk import Variable
from airflow.sdk._shared.secrets_masker import redact
from atproto_client.client.session import Session

from trident_pipeline.domain.models import Platform
from trident_pipeline.orchestration.connection_types import BLUESKY as CONNECTION_TYPE
from trident_pipeline.orchestration.hooks.bluesky import BlueskyHook, VariableSessionStore
from trident_pipeline.sources.base import Account
from trident_pipeline.sources.bluesky.moderation import BlueskyModerator
from trident_pipeline.sources.bluesky.source import BlueskySource
from trident_pipeline.sources.errors import BudgetExhausted, NotPermitted

ORG = "did:plc:tridentgrp0000000000000001"
ACCOUNT = Account(Platform.BLUESKY, ORG, "tridentgrp.bsky.social")
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
NOW = datetime(2026, 3, 24, 11, 0, 30, tzinfo=timezone.utc)
CONVOS = "chat.bsky.convo.listConvos"


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def fake_jwt(expires: datetime, tag: str) -> str:
    """An unsigned JWT with the claims atproto reads (``exp`` above all), told apart by ``tag``."""
    claims = {
        "scope": "com.atproto.appPassPrivileged",
        "sub": ORG,
        "jti": tag,
        "exp": int(expires.timestamp()),
    }
    return f"{_b64({'typ': 'at+jwt', 'alg': 'ES256K'})}.{_b64(claims)}.c2lnbmF0dXJl"


def session_string(access_expires: datetime, tag: str) -> str:
    return Session(
        handle="tridentgrp.bsky.social",
        did=ORG,
        access_jwt=fake_jwt(access_expires, f"access-{tag}"),
        refresh_jwt=fake_jwt(NOW + timedelta(days=60), f"refresh-{tag}"),
        pds_endpoint="https://pds.test",
    ).encode()


def session_body(tag: str, did: str = ORG) -> dict[str, Any]:
    return {
        "did": did,
        "handle": "tridentgrp.bsky.social",
        "accessJwt": fake_jwt(NOW + timedelta(hours=2), f"access-{tag}"),
        "refreshJwt": fake_jwt(NOW + timedelta(days=60), f"refresh-{tag}"),
        "didDoc": {
            "id": did,
            "alsoKnownAs": ["at://tridentgrp.bsky.social"],
            "verificationMethod": [],
            "service": [
                {
                    "id": "#atproto_pds",
                    "type": "AtprotoPersonalDataServer",
                    "serviceEndpoint": "https://pds.test",
                }
            ],
        },
    }


def error(status: int, name: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": name, "message": message})


class Pds:
    """Answers logins, refreshes, ``getSession`` and ``listConvos``; ``script`` overrides one
    method's next answers. Keeps each request as ``(host, nsid, bearer token)``."""

    def __init__(self, did: str = ORG) -> None:
        self.did = did
        self.script: dict[str, list[httpx.Response]] = {}
        self.requests: list[tuple[str, str, str | None]] = []
        self.logins = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        nsid = request.url.path.removeprefix("/xrpc/")
        token = request.headers.get("authorization", "").removeprefix("Bearer ") or None
        self.requests.append((request.url.host, nsid, token))
        if self.script.get(nsid):
            return self.script[nsid].pop(0)
        if nsid == "com.atproto.server.createSession":
            self.logins += 1
            credentials = json.loads(request.content)
            if credentials != {"identifier": "tridentgrp.bsky.social", "password": APP_PASSWORD}:
                return error(401, "AuthenticationRequired", "Invalid identifier or password")
            return httpx.Response(200, json=session_body(f"login-{self.logins}", self.did))
        if nsid == "com.atproto.server.refreshSession":
            return httpx.Response(200, json=session_body("refreshed", self.did))
        if nsid == "com.atproto.server.getSession":
            return httpx.Response(
                200, json={"did": self.did, "handle": "tridentgrp.bsky.social", "active": True}
            )
        if nsid == CONVOS:
            assert request.headers["atproto-proxy"] == "did:web:api.bsky.chat#bsky_chat"
            return httpx.Response(200, json={"convos": []})
        raise AssertionError(f"unexpected request {nsid}")

    def nsids(self) -> list[str]:
        return [nsid for _, nsid, _ in self.requests]


class MemoryStore:
    """The session-store seam, standing in for the Airflow Variable."""

    def __init__(self, value: str | None = None) -> None:
        self.value = value
        self.saved: list[str] = []

    def load(self) -> str | None:
        return self.value

    def save(self, session_string: str) -> None:
        self.value = session_string
        self.saved.append(session_string)


@pytest.fixture(autouse=True)
def connection(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_TRIDENT_BLUESKY",
        json.dumps(
            {
                "conn_type": "trident_bluesky",
                "host": "https://entryway.test",
                "login": "tridentgrp.bsky.social",
                "password": APP_PASSWORD,
                "extra": {"max_requests_per_run": "50", "timeout": "20"},
            }
        ),
    )
    with time_machine.travel(NOW, tick=False):
        yield


def hook(pds: Pds, store: MemoryStore, **kwargs: Any) -> BlueskyHook:
    return BlueskyHook(session_store=store, transport=httpx.MockTransport(pds), **kwargs)


def check_convos(hook: BlueskyHook) -> None:
    hook.gateway.query("check", CONVOS, chat=True)


def test_the_hook_declares_its_connection_type():
    assert (BlueskyHook.conn_type, BlueskyHook.default_conn_name, BlueskyHook.conn_name_attr) == (
        "trident_bluesky",
        "trident_bluesky",
        "bluesky_conn_id",
    )
    assert CONNECTION_TYPE["hook-class-name"] == (
        "trident_pipeline.orchestration.hooks.bluesky.BlueskyHook"
    )
    assert CONNECTION_TYPE["ui-field-behaviour"]["relabeling"] == {
        "host": "Service URL",
        "login": "Handle",
        "password": "App password (with direct-message access)",
    }
    with pytest.raises(TypeError):
        BlueskyHook("trident_bluesky")  # keyword-only


def test_the_first_run_logs_in_and_keeps_the_session_the_next_resumes_it():
    pds, store = Pds(), MemoryStore()
    check_convos(hook(pds, store))
    assert pds.nsids() == ["com.atproto.server.createSession", CONVOS]
    assert [host for host, _, _ in pds.requests] == ["entryway.test", "pds.test"]
    assert len(store.saved) == 1
    assert Session.decode(store.value).pds_endpoint == "https://pds.test"

    later = Pds()
    check_convos(hook(later, store))
    assert later.nsids() == [CONVOS], "no second createSession"
    assert later.requests[0][2] == Session.decode(store.value).access_jwt


def test_an_access_token_near_expiry_is_refreshed_and_the_new_session_kept():
    pds = Pds()
    store = MemoryStore(session_string(NOW + timedelta(minutes=10), "old"))
    check_convos(hook(pds, store))
    assert pds.nsids() == ["com.atproto.server.refreshSession", CONVOS]
    assert Session.decode(store.saved[0]).access_jwt == session_body("refreshed")["accessJwt"]


@pytest.mark.parametrize(
    "refusal",
    [
        error(400, "ExpiredToken", "Token has expired"),
        error(401, "InvalidToken", "Token could not be verified"),
    ],
)
def test_a_refused_stored_session_is_replaced_by_one_login(refusal):
    pds = Pds()
    pds.script[CONVOS] = [refusal]
    store = MemoryStore(session_string(NOW + timedelta(hours=2), "revoked"))
    check_convos(hook(pds, store))
    assert pds.nsids() == [CONVOS, "com.atproto.server.createSession", CONVOS]
    assert pds.requests[2][2] == session_body("login-1")["accessJwt"]
    assert Session.decode(store.value).access_jwt == session_body("login-1")["accessJwt"]


def test_an_expired_refresh_token_leads_to_a_login():
    pds = Pds()
    pds.script["com.atproto.server.refreshSession"] = [
        error(400, "ExpiredToken", "Token has expired")
    ]
    store = MemoryStore(session_string(NOW - timedelta(hours=1), "stale"))
    check_convos(hook(pds, store))
    assert pds.nsids() == [
        "com.atproto.server.refreshSession",
        "com.atproto.server.createSession",
        CONVOS,
    ]


def test_an_app_password_without_message_access_is_not_permitted_and_no_login_is_tried():
    pds = Pds()
    pds.script[CONVOS] = [error(400, "InvalidToken", "Bad token scope")]
    store = MemoryStore(session_string(NOW + timedelta(hours=2), "unprivileged"))
    with pytest.raises(NotPermitted, match="the app password does not allow this call"):
        check_convos(hook(pds, store))
    assert pds.logins == 0


def test_an_unreadable_stored_session_leads_to_a_login():
    pds, store = Pds(), MemoryStore("not a session string")
    check_convos(hook(pds, store))
    assert pds.nsids() == ["com.atproto.server.createSession", CONVOS]


def test_the_app_password_is_masked_once_read():
    assert hook(Pds(), MemoryStore()).connection.password == APP_PASSWORD
    assert redact(f"password {APP_PASSWORD}") == "password ***"


def test_the_session_variable_is_read_from_airflow_and_masked(monkeypatch):
    stored = session_string(NOW + timedelta(hours=2), "variable")
    monkeypatch.setenv("AIRFLOW_VAR_TRIDENT_BLUESKY_SESSION_SECRET", stored)
    assert VariableSessionStore("trident_bluesky_session_secret").load() == stored
    session = Session.decode(stored)
    assert redact(f"{session.access_jwt} {session.refresh_jwt}") == "*** ***"
    with pytest.raises(ValueError, match="must contain 'secret'"):
        VariableSessionStore("trident_bluesky_session")


def test_a_saved_session_is_masked_before_it_is_written(monkeypatch):
    written: list[tuple[str, str]] = []
    # No metadata database in unit tests: only the Variable write itself is replaced.
    monkeypatch.setattr(
        Variable,
        "set",
        classmethod(lambda cls, key, value, description=None: written.append((key, value))),
    )
    fresh = session_string(NOW + timedelta(hours=2), "saved")
    VariableSessionStore("trident_bluesky_session_secret").save(fresh)
    assert written == [("trident_bluesky_session_secret", fresh)]
    assert redact(Session.decode(fresh).access_jwt) == "***"


def test_test_connection_names_the_account_and_checks_message_access():
    pds = Pds()
    assert hook(pds, MemoryStore()).test_connection() == (
        True,
        f"Connected to Bluesky as {ORG}, with access to direct messages",
    )
    assert pds.nsids() == [
        "com.atproto.server.createSession",
        "com.atproto.server.getSession",
        CONVOS,
    ]


def test_test_connection_reports_a_wrong_password_and_missing_message_access(monkeypatch):
    wrong = Pds()
    wrong.script["com.atproto.server.createSession"] = [
        error(401, "AuthenticationRequired", "Invalid identifier or password")
    ]
    assert hook(wrong, MemoryStore()).test_connection() == (
        False,
        "NotPermitted: Bluesky login: HTTP 401 (AuthenticationRequired)",
    )
    no_messages = Pds()
    no_messages.script[CONVOS] = [error(400, "InvalidToken", "Bad token scope")]
    ok, message = hook(no_messages, MemoryStore()).test_connection()
    assert (ok, message) == (
        False,
        "NotPermitted: Bluesky direct messages check: HTTP 400 (InvalidToken): "
        "the app password does not allow this call",
    )


def test_the_source_and_moderator_are_for_the_configured_account_only():
    pds = Pds()
    bluesky = hook(pds, MemoryStore())
    source = bluesky.get_source(ACCOUNT, page_size=10)
    assert isinstance(source, BlueskySource) and source.account == ACCOUNT
    assert isinstance(bluesky.get_moderator(ACCOUNT), BlueskyModerator)
    assert pds.logins == 1

    other = hook(Pds(did="did:plc:someoneelse00000000000009"), MemoryStore())
    with pytest.raises(NotPermitted, match="another account"):
        other.get_source(ACCOUNT)


def test_the_connection_budget_applies_unless_the_caller_sets_one(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_TRIDENT_BLUESKY",
        json.dumps(
            {
                "conn_type": "trident_bluesky",
                "host": "https://entryway.test",
                "login": "tridentgrp.bsky.social",
                "password": APP_PASSWORD,
                "extra": {"max_requests_per_run": "2"},
            }
        ),
    )
    limited = hook(Pds(), MemoryStore())
    check_convos(limited)  # the login and one call
    with pytest.raises(BudgetExhausted, match="request budget of 2 spent"):
        check_convos(limited)
    wider = hook(Pds(), MemoryStore(), max_requests=3)
    check_convos(wider)
    check_convos(wider)


def test_a_connection_without_an_app_password_is_refused(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_TRIDENT_BLUESKY",
        json.dumps({"conn_type": "trident_bluesky", "login": "tridentgrp.bsky.social"}),
    )
    with pytest.raises(ValueError, match="needs login \\(handle\\) and password"):
        hook(Pds(), MemoryStore()).get_conn()


def test_an_empty_host_logs_in_at_bsky_social(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_TRIDENT_BLUESKY",
        json.dumps(
            {
                "conn_type": "trident_bluesky",
                "login": "tridentgrp.bsky.social",
                "password": APP_PASSWORD,
            }
        ),
    )
    pds = Pds()
    check_convos(hook(pds, MemoryStore()))
    assert pds.requests[0][:2] == ("bsky.social", "com.atproto.server.createSession")
