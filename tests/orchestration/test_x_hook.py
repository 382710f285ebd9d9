"""The X hook: the ``trident_x`` Connection (set through ``AIRFLOW_CONN_*``, no database) turned
into a tweepy client, a source and a moderator, with X faked at the transport."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
import responses
from airflow.sdk.log import redact
from responses import matchers

from trident_pipeline.domain.models import Platform
from trident_pipeline.orchestration.connection_types import X as CONNECTION_TYPE
from trident_pipeline.orchestration.hooks.x import XHook
from trident_pipeline.sources.base import Account, Span
from trident_pipeline.sources.errors import BudgetExhausted
from trident_pipeline.sources.moderation import Action, Support
from trident_pipeline.sources.retry import RetryPolicy

OURS = "1500000000000000001"
ACCOUNT = Account(Platform.X, OURS, "tridentgrp")
SECRETS = {
    "login": "testConsumerKey8f3a",
    "password": "testConsumerSecret2b9c4e",
    "access_token": f"{OURS}-testAccessTokenQ7w",
    "access_token_secret": "testAccessTokenSecret5d1",
}
RECORDED = Path(__file__).parents[1] / "sources" / "recorded" / "x"


def connect(monkeypatch, **extra) -> None:
    connection = {
        "conn_type": "trident_x",
        "login": SECRETS["login"],
        "password": SECRETS["password"],
        "extra": {
            "access_token": SECRETS["access_token"],
            "access_token_secret": SECRETS["access_token_secret"],
            **extra,
        },
    }
    monkeypatch.setenv("AIRFLOW_CONN_TRIDENT_X", json.dumps(connection))


def test_the_hook_declares_its_connection_type():
    assert (XHook.conn_type, XHook.default_conn_name, XHook.conn_name_attr) == (
        "trident_x",
        "trident_x",
        "x_conn_id",
    )
    assert XHook.hook_name == CONNECTION_TYPE["hook-name"]
    assert CONNECTION_TYPE["hook-class-name"] == f"{XHook.__module__}.{XHook.__qualname__}"
    schema = json.loads((files("airflow") / "provider.yaml.schema.json").read_text())
    jsonschema.validate(CONNECTION_TYPE, schema["properties"]["connection-types"]["items"])


def test_the_client_is_built_once_from_the_connection_and_its_secrets_are_masked(monkeypatch):
    connect(monkeypatch, timeout=12)
    hook = XHook()
    client = hook.get_conn()
    assert hook.client is client
    assert (client.consumer_key, client.access_token) == (SECRETS["login"], SECRETS["access_token"])
    assert client.return_type is dict and client.wait_on_rate_limit is False
    logged = " ".join(f"value {secret}" for secret in SECRETS.values())
    assert redact(logged) == " ".join("value ***" for _ in SECRETS)


def test_extra_fields_saved_by_the_form_with_a_prefix_are_read(monkeypatch):
    connection = {
        "conn_type": "trident_x",
        "login": SECRETS["login"],
        "password": SECRETS["password"],
        "extra": {
            "extra__trident_x__access_token": SECRETS["access_token"],
            "extra__trident_x__access_token_secret": SECRETS["access_token_secret"],
        },
    }
    monkeypatch.setenv("AIRFLOW_CONN_TRIDENT_X", json.dumps(connection))
    assert XHook().client.access_token_secret == SECRETS["access_token_secret"]


def test_test_connection_names_the_account_it_reached(monkeypatch):
    connect(monkeypatch)
    me = {"data": {"id": OURS, "name": "Trident Group", "username": "tridentgrp"}}
    with responses.RequestsMock() as mock:
        mock.get("https://api.twitter.com/2/users/me", json=me)
        assert XHook().test_connection() == (True, f"Connected to X as the account with id {OURS}")


def test_test_connection_reports_a_refusal_without_secrets(monkeypatch):
    connect(monkeypatch)
    with responses.RequestsMock() as mock:
        mock.get(
            "https://api.twitter.com/2/users/me",
            status=401,
            json={
                "title": "Unauthorized",
                "type": "about:blank",
                "status": 401,
                "detail": "Unauthorized",
            },
        )
        ok, message = XHook().test_connection()
        assert len(mock.calls) == 1  # no retries from the UI
    assert (ok, message) == (False, "NotPermitted: X test connection: HTTP 401")


def test_a_connection_without_its_tokens_is_refused_by_name(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_TRIDENT_X",
        json.dumps(
            {"conn_type": "trident_x", "login": SECRETS["login"], "password": SECRETS["password"]}
        ),
    )
    ok, message = XHook().test_connection()
    assert not ok and "access_token and access_token_secret" in message
    assert SECRETS["login"] not in message and SECRETS["password"] not in message
    with pytest.raises(ValueError, match="needs login"):
        XHook().get_source(ACCOUNT)


def test_a_token_for_another_account_is_refused(monkeypatch):
    connect(monkeypatch)
    other = Account(Platform.X, "1720000000000000101", "someone_else")
    with pytest.raises(ValueError, match="not for the configured X account"):
        XHook().get_source(other)
    with pytest.raises(ValueError, match="X account only"):
        XHook().get_moderator(Account(Platform.FACEBOOK, "100000000000001", "tridentgrp"))


def test_the_request_budget_comes_from_the_connection_unless_given(monkeypatch):
    connect(monkeypatch, max_requests_per_run=1)
    exchanges = json.loads((RECORDED / "hour_1.json").read_text(encoding="utf-8"))["exchanges"]
    window = Span.window(
        datetime(2026, 3, 24, 9, tzinfo=timezone.utc),
        datetime(2026, 3, 24, 10, tzinfo=timezone.utc),
    )
    hook = XHook()
    with responses.RequestsMock() as mock:
        for exchange in exchanges[:2]:
            request, response = exchange["request"], exchange["response"]
            mock.get(
                request["url"],
                json=response["json"],
                match=[matchers.query_param_matcher(request["query"])],
            )
        budgeted = hook.get_source(ACCOUNT, retry=RetryPolicy(sleep=lambda _: None))
        with pytest.raises(BudgetExhausted):
            list(budgeted.read("mentions", window))
        generous = hook.get_source(ACCOUNT, max_requests=5)
        assert len(list(generous.read("mentions", window))) == 2
        assert (budgeted.requests_made, generous.requests_made) == (1, 2)


def test_a_malformed_budget_is_refused(monkeypatch):
    connect(monkeypatch, max_requests_per_run="lots")
    with pytest.raises(ValueError, match="max_requests_per_run must be a whole number"):
        XHook().get_source(ACCOUNT)


def test_the_moderator_acts_as_the_account(monkeypatch):
    connect(monkeypatch)
    moderator = XHook().get_moderator(ACCOUNT)
    assert moderator.capabilities[Action.BLOCK] is Support.BY_HAND
