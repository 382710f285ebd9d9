"""The Facebook hook: the ``trident_facebook`` Connection (set through ``AIRFLOW_CONN_*``, no
database) turned into a Graph API client, a source and a moderator, Facebook faked at the
transport."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from importlib.resources import files
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
import responses
from airflow.sdk.log import redact

from trident_pipeline.domain.models import Platform
from trident_pipeline.orchestration.connection_types import FACEBOOK as CONNECTION_TYPE
from trident_pipeline.orchestration.hooks.facebook import FacebookHook
from trident_pipeline.sources.base import Account, Span
from trident_pipeline.sources.errors import BudgetExhausted
from trident_pipeline.sources.moderation import Action, Support

PAGE = "100000000000001"
ACCOUNT = Account(Platform.FACEBOOK, PAGE, "tridentgrp")
TOKEN = "EAAtestPageAccessToken0123456789"
APP_SECRET = "testAppSecret7c2d9e"
H9 = datetime(2026, 3, 24, 9, tzinfo=timezone.utc)
H10 = datetime(2026, 3, 24, 10, tzinfo=timezone.utc)


def connect(monkeypatch, **extra) -> None:
    connection = {"conn_type": "trident_facebook", "password": TOKEN, "extra": extra}
    monkeypatch.setenv("AIRFLOW_CONN_TRIDENT_FACEBOOK", json.dumps(connection))


def test_the_hook_declares_its_connection_type():
    assert (
        FacebookHook.conn_type,
        FacebookHook.default_conn_name,
        FacebookHook.conn_name_attr,
    ) == (
        "trident_facebook",
        "trident_facebook",
        "facebook_conn_id",
    )
    assert FacebookHook.hook_name == CONNECTION_TYPE["hook-name"]
    assert CONNECTION_TYPE["hook-class-name"] == (
        f"{FacebookHook.__module__}.{FacebookHook.__qualname__}"
    )
    schema = json.loads((files("airflow") / "provider.yaml.schema.json").read_text())
    jsonschema.validate(CONNECTION_TYPE, schema["properties"]["connection-types"]["items"])


def test_the_graph_is_built_once_with_a_current_version_and_masked_secrets(monkeypatch):
    connect(monkeypatch, app_secret=APP_SECRET)
    hook = FacebookHook()
    graph = hook.get_conn()
    assert hook.graph is graph and graph.version == "v26.0"
    assert graph.access_token is None  # the token travels in a header, not in URLs
    assert redact(f"token {TOKEN} secret {APP_SECRET}") == "token *** secret ***"


def test_the_api_version_can_be_pinned_in_the_connection(monkeypatch):
    connect(monkeypatch, api_version="v25.0")
    assert FacebookHook().graph.version == "v25.0"
    connect(monkeypatch, api_version="25")
    with pytest.raises(ValueError, match="looks like v26.0"):
        FacebookHook().get_conn()


def test_test_connection_names_the_page_it_reached(monkeypatch):
    connect(monkeypatch)
    with responses.RequestsMock() as mock:
        mock.get("https://graph.facebook.com/v26.0/me", json={"id": PAGE})
        ok, message = FacebookHook().test_connection()
        assert parse_qs(urlsplit(mock.calls[0].request.url).query) == {"fields": ["id"]}
    assert (ok, message) == (True, f"Connected to Facebook as the page with id {PAGE}")


def test_test_connection_reports_an_expired_token_without_it(monkeypatch):
    connect(monkeypatch)
    body = {
        "error": {
            "message": "Error validating access token: Session has expired on Tuesday, 24-Mar-26.",
            "type": "OAuthException",
            "code": 190,
            "error_subcode": 463,
            "fbtrace_id": "AbCdEfGhIj",
        }
    }
    with responses.RequestsMock() as mock:
        mock.get("https://graph.facebook.com/v26.0/me", status=400, json=body)
        ok, message = FacebookHook().test_connection()
        assert len(mock.calls) == 1
    assert (ok, message) == (False, "NotPermitted: Facebook test connection: HTTP 400, code 190")


def test_a_connection_without_a_token_is_refused(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_TRIDENT_FACEBOOK", json.dumps({"conn_type": "trident_facebook"})
    )
    ok, message = FacebookHook().test_connection()
    assert not ok and "needs a page access token" in message


def test_the_budget_and_the_comment_lookback_come_from_the_connection(monkeypatch):
    connect(monkeypatch, max_requests_per_run=1, comment_lookback_days=7)
    source = FacebookHook().get_source(ACCOUNT)
    with responses.RequestsMock() as mock:
        listing = {
            "data": [
                {
                    "id": f"{PAGE}_122100000000000012",
                    "created_time": "2026-03-24T09:30:12+0000",
                    "updated_time": "2026-03-24T09:45:10+0000",
                }
            ]
        }
        mock.get(f"https://graph.facebook.com/v26.0/{PAGE}/feed", json=listing)
        with pytest.raises(BudgetExhausted):
            list(source.read("comments", Span.window(H9, H10)))
        query = parse_qs(urlsplit(mock.calls[0].request.url).query)
    assert query["since"] == [str(int(datetime(2026, 3, 17, 9, tzinfo=timezone.utc).timestamp()))]
    assert source.requests_made == 1


def test_sources_and_moderators_serve_the_page_only(monkeypatch):
    connect(monkeypatch)
    hook = FacebookHook()
    assert hook.get_moderator(ACCOUNT).capabilities[Action.HIDE] is Support.AUTOMATIC
    with pytest.raises(ValueError, match="Facebook page only"):
        hook.get_source(Account(Platform.X, "1500000000000000001", "tridentgrp"))
