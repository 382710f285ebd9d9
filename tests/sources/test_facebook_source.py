"""The Facebook source through facebook-sdk, with HTTP faked at the transport by ``responses``.

Recorded pages (``recorded/facebook/*.json``) are Graph API v26.0 bodies for two hourly runs and
a backfill of both hours: a visitor's post and the page's own, comments (one whose author left
Facebook, one by the page), and a Messenger conversation both ways. The people are invented.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import facebook
import pytest
import requests
import responses
from responses import matchers
from sqlalchemy import select

from trident_pipeline.domain.models import Platform
from trident_pipeline.ingest import plan_pull, pull
from trident_pipeline.sources.base import Account, Span
from trident_pipeline.sources.errors import (
    FatalError,
    NotPermitted,
    RateLimited,
)
from trident_pipeline.sources.facebook.client import build_graph
from trident_pipeline.sources.facebook.source import FacebookSource
from trident_pipeline.sources.retry import RetryPolicy
from trident_pipeline.store import read_cursor
from trident_pipeline.store.schema import inbox_items, pull_runs

RECORDED = Path(__file__).parent / "recorded" / "facebook"
PAGE = "100000000000001"
ACCOUNT = Account(Platform.FACEBOOK, PAGE, "tridentgrp")
TOKEN = "EAAtestPageAccessToken0123456789"
GRAPH = "https://graph.facebook.com/v26.0"
FEED_URL = f"{GRAPH}/{PAGE}/feed"
H9 = datetime(2026, 3, 24, 9, tzinfo=timezone.utc)
H10 = datetime(2026, 3, 24, 10, tzinfo=timezone.utc)
H11 = datetime(2026, 3, 24, 11, tzinfo=timezone.utc)
H12 = datetime(2026, 3, 24, 12, tzinfo=timezone.utc)

P1, P2 = f"{PAGE}_122100000000000011", f"{PAGE}_122100000000000012"
C1, C2, C3, C4 = (
    "122100000000000011_1830000000000001",
    "122100000000000012_1830000000000002",
    "122100000000000012_1830000000000003",
    "122100000000000012_1830000000000004",
)
MESSAGE = "m_Aa{}Qx7Zk2Lw9".format


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


def source(sleeps: list[float] | None = None, **options) -> FacebookSource:
    retry = RetryPolicy(sleep=(sleeps if sleeps is not None else []).append)
    return FacebookSource(build_graph(TOKEN), ACCOUNT, retry=retry, **options)


def error_body(code: int, message: str, subcode: int | None = None, **more) -> dict:
    error = {"message": message, "type": "OAuthException", "code": code, **more}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": {**error, "fbtrace_id": "AbCdEfGhIjK"}}


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
        assert len(mock.calls) == 7
    assert figures(first) == {
        "feed": (2, 2, 2, "2026-03-24T09:30:12+00:00"),
        "comments": (3, 3, 3, "2026-03-24T09:45:10+00:00"),  # one listing, two active posts
        "messages": (2, 2, 2, "2026-03-24T09:55:30+00:00"),  # stops at yesterday's message
    }

    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        register(mock, recording("hour_2"))
        plan = plan_pull(interval_start=H10, interval_end=H11, is_backfill=False)
        second = pull(source(), engine, plan, run_id="hourly-2", clock=at_noon)
        assert len(mock.calls) == 5
    assert figures(second) == {
        "feed": (1, 0, 0, "2026-03-24T09:30:12+00:00"),
        "comments": (2, 1, 1, "2026-03-24T10:30:00+00:00"),  # only the post with activity
        "messages": (2, 1, 1, "2026-03-24T10:40:00+00:00"),  # only the updated conversation
    }

    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        register(mock, recording("backfill"))
        plan = plan_pull(interval_start=H9, interval_end=H11, is_backfill=True)
        backfill = pull(source(), engine, plan, run_id="backfill-1", clock=at_noon)
        assert len(mock.calls) == 7
    assert figures(backfill) == {
        "feed": (1, 2, 0, None),
        "comments": (3, 4, 0, None),
        "messages": (3, 3, 0, None),
    }

    with engine.connect() as connection:
        keys = set(connection.execute(select(inbox_items.c.key)).scalars())
        cursors = {
            stream: read_cursor(connection, "facebook", PAGE, stream)
            for stream in ("feed", "comments", "messages")
        }
        runs = connection.execute(select(pull_runs.c.run_id, pull_runs.c.requests)).all()
    messages = {MESSAGE(n) for n in (1, 2, 3)}
    assert keys == {f"facebook:{native}" for native in {P1, P2, C1, C2, C3, C4} | messages}
    assert cursors == {
        "feed": "2026-03-24T09:30:12+00:00",
        "comments": "2026-03-24T10:30:00+00:00",
        "messages": "2026-03-24T10:40:00+00:00",
    }
    hourly_requests = sum(requests for run_id, requests in runs if run_id.startswith("hourly"))
    hourly_new = sum(record.new_items for record in first + second)
    assert (hourly_requests, hourly_new) == (12, 9)  # 1.33 requests per new item


def test_a_quiet_hour_costs_a_request_per_stream(engine):
    with responses.RequestsMock() as mock:
        register(mock, recording("hour_1") + recording("hour_2"))
        for start, end, run_id in ((H9, H10, "hourly-1"), (H10, H11, "hourly-2")):
            plan = plan_pull(interval_start=start, interval_end=end, is_backfill=False)
            pull(source(), engine, plan, run_id=run_id, clock=at_noon)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        register(mock, recording("hour_3"))
        plan = plan_pull(interval_start=H11, interval_end=H12, is_backfill=False)
        quiet = pull(source(), engine, plan, run_id="hourly-3", clock=at_noon)
        assert len(mock.calls) == 3
    assert figures(quiet) == {
        "feed": (1, 0, 0, "2026-03-24T09:30:12+00:00"),
        "comments": (1, 0, 0, "2026-03-24T10:30:00+00:00"),  # no post has new activity
        "messages": (1, 0, 0, "2026-03-24T10:40:00+00:00"),  # no conversation updated
    }


def test_stored_items_keep_emoji_threads_deleted_authors_and_ownership(engine):
    with responses.RequestsMock() as mock:
        register(mock, recording("hour_1") + recording("hour_2"))
        for start, end, run_id in ((H9, H10, "hourly-1"), (H10, H11, "hourly-2")):
            plan = plan_pull(interval_start=start, interval_end=end, is_backfill=False)
            pull(source(), engine, plan, run_id=run_id, clock=at_noon)
    with engine.connect() as connection:
        rows = {row.native_id: row for row in connection.execute(select(inbox_items)).all()}
    assert rows[P2].text == "Damp in the bathroom again 😞 third time this winter"
    assert (rows[P2].kind, rows[P2].is_ours, rows[P1].is_ours) == ("post", False, True)
    assert (rows[C2].author_id, rows[C2].author_name) == (None, None)  # left Facebook
    assert (rows[C3].thread_id, rows[C3].in_reply_to_id, rows[C3].is_ours) == (P2, P2, True)
    assert (rows[C4].in_reply_to_id, rows[C4].text) == (C2, "𝓣𝓻𝓲𝓭𝓮𝓷𝓽 never fix anything 😡")
    assert rows[MESSAGE(1)].channel == "private" and "07700 900456 👍" in rows[MESSAGE(1)].text
    assert rows[MESSAGE(2)].is_ours and rows[MESSAGE(2)].thread_id == "t_10160000000000001"


def test_the_token_travels_in_a_header_never_in_a_url():
    with responses.RequestsMock() as mock:
        register(mock, recording("hour_1")[:2])
        list(source().read("feed", Span.window(H9, H10)))
        calls = list(mock.calls)
    assert len(calls) == 2
    for call in calls:
        assert TOKEN not in call.request.url and "access_token" not in call.request.url
        assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert call.request.req_kwargs["timeout"] == 30.0


def test_an_app_secret_adds_appsecret_proof():
    graph = build_graph(TOKEN, app_secret="test-app-secret")
    proof = hmac.new(b"test-app-secret", TOKEN.encode(), hashlib.sha256).hexdigest()
    with responses.RequestsMock() as mock:
        mock.get(FEED_URL, json={"data": []})
        list(FacebookSource(graph, ACCOUNT).read("feed", Span.window(H9, H10)))
        query = parse_qs(urlsplit(mock.calls[0].request.url).query)
    assert query["appsecret_proof"] == [proof]


def test_page_throttling_waits_as_long_as_the_usage_header_says():
    usage = {
        PAGE: [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 12,
                "total_time": 20,
                "estimated_time_to_regain_access": 2,
            }
        ]
    }
    sleeps: list[float] = []
    with responses.RequestsMock() as mock:
        mock.get(
            FEED_URL,
            status=400,
            json=error_body(80001, "(#80001) There have been too many calls to this Page account."),
            headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
        )
        register(mock, recording("hour_1")[:2])
        x = source(sleeps)
        items = [item for page in x.read("feed", Span.window(H9, H10)) for item in page.items]
    assert sleeps == [120.0]
    assert len(items) == 2 and x.requests_made == 3


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_other_throttling_codes_back_off_when_no_time_is_given(code):
    sleeps: list[float] = []
    with responses.RequestsMock() as mock:
        mock.get(
            FEED_URL, status=403, json=error_body(code, "(#4) Application request limit reached")
        )
        mock.get(FEED_URL, json={"data": []})
        list(source(sleeps).read("feed", Span.window(H9, H10)))
    assert len(sleeps) == 1 and 1.0 <= sleeps[0] <= 2.0


def test_throttling_that_persists_ends_in_rate_limited():
    x = FacebookSource(
        build_graph(TOKEN), ACCOUNT, retry=RetryPolicy(attempts=2, sleep=lambda _: None)
    )
    with responses.RequestsMock() as mock:
        mock.get(FEED_URL, status=400, json=error_body(17, "(#17) User request limit reached"))
        with pytest.raises(RateLimited, match="code 17"):
            list(x.read("feed", Span.window(H9, H10)))
    assert x.requests_made == 2


def test_server_errors_html_pages_and_timeouts_are_retried():
    sleeps: list[float] = []
    with responses.RequestsMock() as mock:
        mock.get(FEED_URL, status=502, body="<html>Bad Gateway</html>", content_type="text/html")
        mock.get(
            FEED_URL,
            status=500,
            json=error_body(2, "An unexpected error has occurred.", is_transient=True),
        )
        mock.get(FEED_URL, body=requests.ReadTimeout("read timed out"))
        mock.get(FEED_URL, json={"data": []})
        x = source(sleeps)
        list(x.read("feed", Span.window(H9, H10)))
    assert len(sleeps) == 3 and x.requests_made == 4


def test_an_expired_token_is_not_permitted_and_not_retried():
    with responses.RequestsMock() as mock:
        mock.get(
            FEED_URL,
            status=400,
            json=error_body(190, "Error validating access token: Session has expired.", 463),
        )
        x = source()
        with pytest.raises(NotPermitted, match="code 190") as raised:
            list(x.read("feed", Span.window(H9, H10)))
    assert x.requests_made == 1
    assert "expired" not in str(raised.value) and raised.value.__suppress_context__


def test_a_body_that_is_not_json_is_fatal_and_not_retried():
    with responses.RequestsMock() as mock:
        mock.get(FEED_URL, body='{"data": [{"id": "1000', content_type="application/json")
        x = source()
        with pytest.raises(FatalError, match="not JSON"):
            list(x.read("feed", Span.window(H9, H10)))
    assert x.requests_made == 1


def test_a_next_page_that_comes_back_twice_stops_the_read():
    body = recording("hour_1")[0]["response"]["json"]
    with responses.RequestsMock() as mock:
        mock.get(FEED_URL, json=body)
        x = source()
        with pytest.raises(FatalError, match="same page token"):
            list(x.read("feed", Span.window(H9, H10)))
    assert x.requests_made == 2


def test_a_spent_request_budget_keeps_what_was_stored_and_the_cursor(engine):
    plan = plan_pull(interval_start=H9, interval_end=H10, is_backfill=False)
    with responses.RequestsMock() as mock:
        register(mock, recording("hour_1")[:1])
        x = source(max_requests=1)
        pull(x, engine, plan, run_id="hourly-1", clock=at_noon)
    with engine.connect() as connection:
        keys = set(connection.execute(select(inbox_items.c.key)).scalars())
        cursor = read_cursor(connection, "facebook", PAGE, "feed")
        errors = set(connection.execute(select(pull_runs.c.error)).scalars())
    assert errors == {"BudgetExhausted"}
    assert keys == {f"facebook:{P2}", f"facebook:{P1}"} and cursor is None


def test_only_posts_with_new_activity_are_asked_for_comments():
    listing = recording("hour_1")[2]
    with responses.RequestsMock() as mock:
        mock.get(FEED_URL, json=listing["response"]["json"])
        for post in (P2, P1):
            mock.get(f"{GRAPH}/{post}/comments", json={"data": []})
        x = source()
        list(x.read("comments", Span.window(H9, H10)))
        asked = [urlsplit(call.request.url).path for call in mock.calls]
    assert asked == [f"/v26.0/{PAGE}/feed", f"/v26.0/{P2}/comments", f"/v26.0/{P1}/comments"]


def test_the_source_refuses_what_it_cannot_serve():
    with pytest.raises(ValueError, match="no stream"):
        list(source().read("reactions", Span.window(H9, H10)))
    with pytest.raises(ValueError, match="cursor or a start"):
        list(source().read("feed", Span(end=H10)))
    with pytest.raises(ValueError, match="build_graph"):
        FacebookSource(facebook.GraphAPI(TOKEN), ACCOUNT)
    with pytest.raises(ValueError, match="Facebook page"):
        FacebookSource(build_graph(TOKEN), Account(Platform.X, "1500000000000000001", "tridentgrp"))
