"""The X source through tweepy, with HTTP faked at the transport by ``responses``.

Recorded pages (``recorded/x/*.json``) are X API v2 bodies for two hourly runs and a backfill of
both hours: mentions (a reply, a quote, a retweet, a suspended author), the organisation's own
reply, and direct messages both ways. The people in them are invented.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
import responses
import tweepy
from responses import matchers
from sqlalchemy import select

from trident_pipeline.domain.models import Platform
from trident_pipeline.ingest import plan_pull, pull
from trident_pipeline.sources.base import Account, Span
from trident_pipeline.sources.errors import (
    BudgetExhausted,
    FatalError,
    NotPermitted,
    RateLimited,
    RetriableError,
)
from trident_pipeline.sources.retry import RetryPolicy
from trident_pipeline.sources.x.client import build_client
from trident_pipeline.sources.x.source import XSource
from trident_pipeline.store import read_cursor
from trident_pipeline.store.schema import inbox_items, pull_runs

RECORDED = Path(__file__).parent / "recorded" / "x"
ACCOUNT = Account(Platform.X, "1500000000000000001", "tridentgrp")
MENTIONS_URL = "https://api.twitter.com/2/users/1500000000000000001/mentions"
H9 = datetime(2026, 3, 24, 9, tzinfo=timezone.utc)
H10 = datetime(2026, 3, 24, 10, tzinfo=timezone.utc)
H11 = datetime(2026, 3, 24, 11, tzinfo=timezone.utc)
H12 = datetime(2026, 3, 24, 12, tzinfo=timezone.utc)
NOW = 1774344000.0  # 2026-03-24T09:20:00Z, the wall clock for reset headers

# Ids in the recordings (X snowflakes: they grow with time).
M1, M2, M3, M4, M5 = (
    "2036370454737977346",
    "2036375383045177347",
    "2036372455420985348",
    "2036386414064697350",
    "2036371188741177351",
)
RETWEET, OUR_REPLY = "2036379535406137349", "2036377480197177352"
DM_E, DM_OURS, DM_F = "2036378864317497446", "2036380500096057447", "2036388804817977448"
SUSPENDED = "1720000000000000103"


def recording(name: str) -> list[dict]:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))["exchanges"]


def register(mock: responses.RequestsMock, exchanges: list[dict]) -> None:
    """Answer each recorded request, matched on its exact query string."""
    for exchange in exchanges:
        request, response = exchange["request"], exchange["response"]
        mock.add(
            request["method"],
            request["url"],
            json=response["json"],
            status=response["status"],
            headers=response["headers"],
            match=[matchers.query_param_matcher(request["query"])],
        )


def x_client() -> tweepy.Client:
    return build_client(
        consumer_key="test-consumer-key",
        consumer_secret="test-consumer-secret",
        access_token="1500000000000000001-TestAccessToken",
        access_token_secret="test-access-token-secret",
    )


def source(sleeps: list[float] | None = None, **options) -> XSource:
    retry = RetryPolicy(sleep=(sleeps if sleeps is not None else []).append)
    return XSource(x_client(), ACCOUNT, retry=retry, wall_clock=lambda: NOW, **options)


def at_noon() -> datetime:
    return datetime(2026, 3, 24, 12, tzinfo=timezone.utc)


def figures(records) -> dict[str, tuple]:
    return {
        record.stream: (record.requests, record.items_read, record.new_items, record.cursor_after)
        for record in records
    }


def test_two_hourly_runs_then_a_backfill_store_every_item_once_and_keep_the_cursor(engine):
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        register(mock, recording("hour_1"))
        plan = plan_pull(interval_start=H9, interval_end=H10, is_backfill=False)
        first = pull(source(), engine, plan, run_id="hourly-1", clock=at_noon)
        assert len(mock.calls) == 4
    assert figures(first) == {
        "mentions": (2, 3, 3, RETWEET),  # the retweet is skipped, yet never read again
        "own_tweets": (1, 1, 1, OUR_REPLY),
        "dm_events": (1, 2, 2, DM_OURS),  # stops at the page reaching back before 09:00
    }

    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        register(mock, recording("hour_2"))
        plan = plan_pull(interval_start=H10, interval_end=H11, is_backfill=False)
        second = pull(source(), engine, plan, run_id="hourly-2", clock=at_noon)
        assert len(mock.calls) == 4
    assert figures(second) == {
        "mentions": (1, 1, 1, M4),  # since_id = the retweet: nothing read twice
        "own_tweets": (1, 0, 0, OUR_REPLY),
        "dm_events": (2, 1, 1, DM_F),  # a probe found news; stopped at the stored message
    }

    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        register(mock, recording("backfill"))
        plan = plan_pull(interval_start=H9, interval_end=H11, is_backfill=True)
        backfill = pull(source(), engine, plan, run_id="backfill-1", clock=at_noon)
        assert len(mock.calls) == 5
    assert figures(backfill) == {
        "mentions": (2, 5, 1, None),  # a mention X listed late is stored now
        "own_tweets": (1, 1, 0, None),
        "dm_events": (2, 3, 0, None),
    }

    with engine.connect() as connection:
        keys = set(connection.execute(select(inbox_items.c.key)).scalars())
        cursors = {
            stream: read_cursor(connection, "x", ACCOUNT.user_id, stream)
            for stream in ("mentions", "own_tweets", "dm_events")
        }
        runs = connection.execute(select(pull_runs.c.run_id, pull_runs.c.requests)).all()
    assert keys == {
        f"x:{native}" for native in (M1, M2, M3, M4, M5, OUR_REPLY, DM_E, DM_OURS, DM_F)
    }
    assert cursors == {"mentions": M4, "own_tweets": OUR_REPLY, "dm_events": DM_F}
    hourly_requests = sum(requests for run_id, requests in runs if run_id.startswith("hourly"))
    hourly_new = sum(record.new_items for record in first + second)
    assert (hourly_requests, hourly_new) == (8, 8)  # one request per new item


def test_a_quiet_hour_costs_a_request_per_stream_and_one_event_read_again(engine):
    with responses.RequestsMock() as mock:
        register(mock, recording("hour_1") + recording("hour_2"))
        for start, end, run_id in ((H9, H10, "hourly-1"), (H10, H11, "hourly-2")):
            plan = plan_pull(interval_start=start, interval_end=end, is_backfill=False)
            pull(source(), engine, plan, run_id=run_id, clock=at_noon)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        register(mock, recording("hour_3"))
        plan = plan_pull(interval_start=H11, interval_end=H12, is_backfill=False)
        quiet = pull(source(), engine, plan, run_id="hourly-3", clock=at_noon)
        bodies = [call.response.json() for call in mock.calls]
    assert figures(quiet) == {
        "mentions": (1, 0, 0, M4),
        "own_tweets": (1, 0, 0, OUR_REPLY),
        "dm_events": (1, 0, 0, DM_F),  # the one-event probe met the stored message
    }
    assert sum(len(body.get("data", [])) for body in bodies) == 1


def test_stored_items_keep_emoji_escapes_suspended_authors_and_ownership(engine):
    with responses.RequestsMock() as mock:
        register(mock, recording("hour_1"))
        plan = plan_pull(interval_start=H9, interval_end=H10, is_backfill=False)
        pull(source(), engine, plan, run_id="hourly-1", clock=at_noon)
    with engine.connect() as connection:
        rows = {row.native_id: row for row in connection.execute(select(inbox_items)).all()}
    assert rows[M1].text.endswith("broken again & nobody has come 🏠😤")
    assert rows[M1].kind == "reply" and rows[M1].in_reply_to_id == "2036095622968377345"
    assert rows[M2].kind == "quote" and "<3 weeks> now 𝒳" in rows[M2].text
    assert (rows[M3].author_id, rows[M3].author_handle) == (SUSPENDED, None)
    assert rows[M3].url == f"https://x.com/i/web/status/{M3}"
    assert rows[OUR_REPLY].is_ours and not rows[M1].is_ours
    assert rows[DM_E].channel == "private" and "07700 900123 🙏" in rows[DM_E].text
    assert rows[DM_OURS].is_ours


def test_a_429_waits_until_the_reset_header_and_counts_every_request():
    exchanges = recording("hour_1")[:2]
    sleeps: list[float] = []
    with responses.RequestsMock() as mock:
        mock.add(
            responses.GET,
            MENTIONS_URL,
            status=429,
            json={
                "title": "Too Many Requests",
                "detail": "Too Many Requests",
                "type": "about:blank",
            },
            headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(NOW) + 30)},
        )
        register(mock, exchanges)
        x = source(sleeps)
        pages = list(x.read("mentions", Span.window(H9, H10)))
    assert sleeps == [31]
    assert x.requests_made == 3
    assert [item.native_id for page in pages for item in page.items] == [M2, M3, M1]


def test_a_429_without_a_reset_header_backs_off_instead_of_looping():
    sleeps: list[float] = []
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, MENTIONS_URL, status=429, json={"title": "Too Many Requests"})
        register(mock, recording("hour_1")[:2])
        x = source(sleeps)
        list(x.read("mentions", Span.window(H9, H10)))
    assert len(sleeps) == 1 and 1.0 <= sleeps[0] <= 2.0
    assert x.requests_made == 3


def test_a_429_for_the_monthly_usage_cap_is_not_retried():
    body = {
        "title": "UsageCapExceeded",
        "period": "Monthly",
        "scope": "Product",
        "detail": "Usage cap exceeded: Monthly product cap",
        "type": "https://api.twitter.com/2/problems/usage-capped",
    }
    sleeps: list[float] = []
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, MENTIONS_URL, status=429, json=body)
        x = source(sleeps)
        with pytest.raises(NotPermitted, match="usage-capped"):
            list(x.read("mentions", Span.window(H9, H10)))
    assert sleeps == [] and x.requests_made == 1


def test_server_errors_and_timeouts_are_retried_with_backoff():
    sleeps: list[float] = []
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, MENTIONS_URL, status=503, body="<html>Over capacity</html>")
        mock.add(responses.GET, MENTIONS_URL, body=requests.ConnectTimeout("connect timed out"))
        register(mock, recording("hour_1")[:2])
        x = source(sleeps)
        items = [item for page in x.read("mentions", Span.window(H9, H10)) for item in page.items]
    assert len(items) == 3
    assert len(sleeps) == 2 and sleeps[0] <= 2.0 <= sleeps[1]
    assert x.requests_made == 4


def test_server_errors_that_persist_end_in_a_retriable_error():
    x = XSource(x_client(), ACCOUNT, retry=RetryPolicy(attempts=3, sleep=lambda _: None))
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, MENTIONS_URL, status=500, json={"title": "Internal Error"})
        with pytest.raises(RetriableError, match="HTTP 500") as raised:
            list(x.read("mentions", Span.window(H9, H10)))
        assert len(mock.calls) == 3
    assert not isinstance(raised.value, RateLimited)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_a_body_that_is_not_json_is_fatal_and_not_retried():
    with responses.RequestsMock() as mock:
        mock.add(
            responses.GET, MENTIONS_URL, body='{"data": [{"id": "1', content_type="application/json"
        )
        x = source()
        with pytest.raises(FatalError, match="not JSON"):
            list(x.read("mentions", Span.window(H9, H10)))
    assert x.requests_made == 1


def test_revoked_credentials_are_not_permitted():
    with responses.RequestsMock() as mock:
        mock.add(
            responses.GET,
            MENTIONS_URL,
            status=401,
            json={
                "title": "Unauthorized",
                "type": "about:blank",
                "status": 401,
                "detail": "Unauthorized",
            },
        )
        with pytest.raises(NotPermitted, match="HTTP 401"):
            list(source().read("mentions", Span.window(H9, H10)))


def test_a_page_token_that_comes_back_twice_stops_the_read():
    page = recording("hour_1")[0]
    looping = {**page["response"]["json"], "meta": {"result_count": 2, "next_token": "loop"}}
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, MENTIONS_URL, json=looping)
        x = source()
        with pytest.raises(FatalError, match="same page token"):
            list(x.read("mentions", Span.window(H9, H10)))
    assert x.requests_made == 2


def test_a_spent_request_budget_keeps_what_was_stored_and_the_cursor(engine):
    plan = plan_pull(interval_start=H9, interval_end=H10, is_backfill=False)
    with responses.RequestsMock() as mock:
        register(mock, recording("hour_1")[:1])
        x = source(max_requests=1)
        pull(x, engine, plan, run_id="hourly-1", clock=at_noon)
    with engine.connect() as connection:
        keys = set(connection.execute(select(inbox_items.c.key)).scalars())
        cursor = read_cursor(connection, "x", ACCOUNT.user_id, "mentions")
        errors = set(connection.execute(select(pull_runs.c.error)).scalars())
    assert keys == {f"x:{M2}"}  # the first page is stored
    assert cursor is None  # the next run reads the hour again
    assert errors == {"BudgetExhausted"}
    assert x.requests_made == 1


def test_a_spent_time_budget_makes_no_request():
    retry = RetryPolicy(deadline=100.0, clock=lambda: 100.0)
    x = XSource(x_client(), ACCOUNT, retry=retry)
    with responses.RequestsMock() as mock, pytest.raises(BudgetExhausted, match="time budget"):
        list(x.read("dm_events", Span.window(H9, H10)))
    assert len(mock.calls) == 0 and x.requests_made == 0


def test_a_malformed_record_is_rejected_and_its_page_goes_on():
    page = recording("hour_1")[2]  # own_tweets: one reply of ours
    body = page["response"]["json"]
    broken = {"id": "2036377480197177399", "text": "no time", "author_id": ACCOUNT.user_id}
    body = {**body, "data": [broken, *body["data"]]}
    with responses.RequestsMock() as mock:
        mock.add(
            responses.GET, "https://api.twitter.com/2/users/1500000000000000001/tweets", json=body
        )
        x = source()
        pages = list(x.read("own_tweets", Span.window(H9, H10)))
    assert [item.native_id for item in pages[0].items] == [OUR_REPLY]
    assert [rejected.reason for rejected in pages[0].rejected] == ["record has no created_at"]


def test_records_at_or_after_the_span_end_are_neither_kept_nor_the_cursor():
    late = {
        "id": "2036385000000000001",
        "text": "@tridentgrp arrived on the hour",
        "author_id": "1720000000000000102",
        "conversation_id": "2036385000000000001",
        "created_at": "2026-03-24T10:00:00.000Z",
        "edit_history_tweet_ids": ["2036385000000000001"],
    }
    body = recording("hour_1")[1]["response"]["json"]
    body = {**body, "data": [late, *body["data"]]}
    span = Span.incremental(None, first_start=H9, end=H10)
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, MENTIONS_URL, json=body)
        x = source()
        items = [item for page in x.read("mentions", span) for item in page.items]
    assert [item.native_id for item in items] == [M3, M1]
    assert x.next_cursor("mentions", span, items) == M3


def test_requests_time_out_and_never_wait_on_rate_limits():
    client = x_client()
    assert client.wait_on_rate_limit is False and client.return_type is dict
    with responses.RequestsMock() as mock:
        register(mock, recording("hour_1")[2:3])
        list(source().read("own_tweets", Span.window(H9, H10)))
        assert mock.calls[0].request.req_kwargs["timeout"] == 30.0


def test_the_source_refuses_what_it_cannot_serve():
    with pytest.raises(ValueError, match="no stream"):
        list(source().read("likes", Span.window(H9, H10)))
    replayed = Span.incremental("2026-03-24T09:48:10+00:00", first_start=H9, end=H10)
    with pytest.raises(ValueError, match="not an X id"):
        list(source().read("mentions", replayed))
    with pytest.raises(ValueError, match="raw bodies"):
        XSource(tweepy.Client(bearer_token="test-bearer"), ACCOUNT)
    with pytest.raises(ValueError, match="X account"):
        XSource(x_client(), Account(Platform.FACEBOOK, "100000000000001", "tridentgrp"))
