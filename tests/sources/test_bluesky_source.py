"""The Bluesky source through the real atproto client, HTTP faked at the transport.

Recorded exchanges (``recorded/bluesky/*.json``) are XRPC bodies in the wire format, served in
order by :class:`RecordedPds`, an ``httpx.MockTransport`` handler that also checks each request
(method, host, path, query, chat proxy header). The login happens against a separate entryway
host and atproto then follows the session's DID document to the PDS, as it does for real.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import time_machine
from sqlalchemy import select

from trident_pipeline.domain.models import Platform
from trident_pipeline.ingest import PullFailed, plan_pull, pull
from trident_pipeline.sources.base import Account, Span
from trident_pipeline.sources.bluesky.client import BlueskyGateway
from trident_pipeline.sources.bluesky.session import Credentials
from trident_pipeline.sources.bluesky.source import BlueskySource
from trident_pipeline.sources.errors import (
    BudgetExhausted,
    FatalError,
    NotPermitted,
    RetriableError,
)
from trident_pipeline.sources.retry import RetryPolicy
from trident_pipeline.store import items_between, read_cursor
from trident_pipeline.store.schema import pull_runs, quarantine

RECORDED = Path(__file__).parent / "recorded" / "bluesky"
ORG = "did:plc:tridentgrp0000000000000001"
ACCOUNT = Account(Platform.BLUESKY, ORG, "tridentgrp.bsky.social")
PDS = "https://pds.test/xrpc/"
ENTRYWAY = "https://entryway.test"
CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"
T = datetime(2026, 3, 24, tzinfo=timezone.utc)


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return T + timedelta(hours=hour, minutes=minute, seconds=second)


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def fake_jwt(expires: datetime, scope: str = "com.atproto.appPass") -> str:
    """An unsigned JWT with the claims atproto reads (``exp`` above all)."""
    header = _b64({"typ": "at+jwt", "alg": "ES256K"})
    claims = _b64(
        {
            "scope": scope,
            "sub": ORG,
            "iat": int(expires.timestamp()) - 7200,
            "exp": int(expires.timestamp()),
            "aud": "did:web:pds.test",
        }
    )
    return f"{header}.{claims}.c2lnbmF0dXJl"


def session_body(now: datetime) -> dict[str, Any]:
    """A ``createSession`` response whose DID document names the PDS ``https://pds.test``."""
    return {
        "did": ORG,
        "handle": "tridentgrp.bsky.social",
        "accessJwt": fake_jwt(now + timedelta(hours=2)),
        "refreshJwt": fake_jwt(now + timedelta(days=60), scope="com.atproto.refresh"),
        "active": True,
        "didDoc": {
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": ORG,
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


def exchange(
    nsid: str,
    query: dict[str, Any],
    *,
    json_body: Any = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    content: str | None = None,
) -> dict[str, Any]:
    """One recorded exchange in the shape of ``recorded/bluesky/*.json``."""
    request: dict[str, Any] = {"method": "GET", "url": PDS + nsid, "query": query}
    if nsid.startswith("chat."):
        request["headers"] = {"atproto-proxy": CHAT_PROXY}
    response: dict[str, Any] = {"status": status, "headers": headers or {}}
    if content is not None:
        response["content"] = content
    else:
        response["json"] = json_body
    return {"request": request, "response": response}


def xrpc_error(status: int, error: str, message: str, headers: dict[str, str] | None = None):
    """An XRPC error response body as the PDS sends it."""
    return {"status": status, "error": error, "message": message, "headers": headers or {}}


class RecordedPds:
    """Serves recorded XRPC exchanges in their order; answers logins itself.

    Every request is checked against the next exchange (method, URL, query, proxy header) and
    kept in :attr:`requests` as ``(nsid, query)``. A request that was not expected fails the
    test. An exchange whose ``response`` is an exception instance raises it (a timeout).
    """

    def __init__(self, exchanges: list[dict[str, Any]], now: datetime | None = None) -> None:
        self.pending = list(exchanges)
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.now = now or datetime.now(timezone.utc)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        nsid = request.url.path.removeprefix("/xrpc/")
        query = {
            key: values if len(values := request.url.params.get_list(key)) > 1 else values[0]
            for key in request.url.params
        }
        self.requests.append((nsid, query))
        if nsid == "com.atproto.server.createSession":
            assert f"{request.url.scheme}://{request.url.host}" == ENTRYWAY
            assert json.loads(request.content) == {
                "identifier": "tridentgrp.bsky.social",
                "password": "app-pass-word-abcd",
            }
            return httpx.Response(200, json=session_body(self.now))
        assert self.pending, f"unexpected request {nsid} {query}"
        expected = self.pending.pop(0)
        wanted = expected["request"]
        assert (request.method, str(request.url.copy_with(query=None))) == (
            wanted["method"],
            wanted["url"],
        )
        assert query == wanted["query"]
        assert request.headers.get("atproto-proxy") == wanted.get("headers", {}).get(
            "atproto-proxy"
        )
        assert request.headers["authorization"].startswith("Bearer ")
        response = expected["response"]
        if isinstance(response, Exception):
            raise response
        if "error" in response:
            body = {"error": response["error"], "message": response["message"]}
            return httpx.Response(response["status"], headers=response["headers"], json=body)
        if "content" in response:
            return httpx.Response(
                response["status"], headers=response["headers"], content=response["content"]
            )
        return httpx.Response(
            response["status"], headers=response["headers"], json=response["json"]
        )


class MemoryStore:
    """The session store, in memory."""

    def __init__(self, value: str | None = None) -> None:
        self.value = value
        self.saved: list[str] = []

    def load(self) -> str | None:
        return self.value

    def save(self, session_string: str) -> None:
        self.value = session_string
        self.saved.append(session_string)


def make_source(
    pds: RecordedPds,
    store: MemoryStore | None = None,
    *,
    retry: RetryPolicy | None = None,
    max_requests: int | None = None,
    page_size: int = 2,
) -> BlueskySource:
    gateway = BlueskyGateway(
        service_url=ENTRYWAY,
        credentials=Credentials("tridentgrp.bsky.social", "app-pass-word-abcd"),
        session_store=store or MemoryStore(),
        retry=retry or RetryPolicy(sleep=lambda _: None),
        max_requests=max_requests,
        transport=httpx.MockTransport(pds),
    )
    return BlueskySource(ACCOUNT, gateway, page_size=page_size)


def recorded(name: str) -> dict[str, Any]:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def keys_between(engine, start: datetime, end: datetime) -> list[str]:
    with engine.connect() as connection:
        return [item.native_id for item in items_between(connection, start, end)]


def cursors(engine) -> dict[str, str | None]:
    with engine.connect() as connection:
        return {
            stream: read_cursor(connection, "bluesky", ORG, stream)
            for stream in ("notifications", "own_posts", "chat")
        }


def post(did: str, rkey: str) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


RESIDENT_ONE = "did:plc:residentone000000000000001"
RESIDENT_TWO = "did:plc:residenttwo000000000000002"
RESIDENT_THREE = "did:plc:residentthree0000000000003"
GONE = "did:plc:residentgone00000000000004"


# -- two hourly runs, then a backfill ---------------------------------------------------------


def run_recorded(engine, name: str, store: MemoryStore, *, backfill: bool = False):
    """Pull one recorded run through ``ingest.pull`` at the recorded time; return its figures."""
    document = recorded(name)
    run_at, start, end = (instant(document[key]) for key in ("run_at", "start", "end"))
    with time_machine.travel(run_at, tick=False):
        pds = RecordedPds(document["exchanges"], now=run_at)
        source = make_source(pds, store)
        plan = plan_pull(interval_start=start, interval_end=end, is_backfill=backfill)
        records = pull(source, engine, plan, run_id=name, clock=lambda: run_at)
    assert pds.pending == [], "every recorded exchange is requested"
    return pds, {record.stream: record for record in records}


def test_two_hourly_runs_then_a_backfill_store_each_item_once(engine):
    store = MemoryStore()

    pds, hour_1 = run_recorded(engine, "hour_1", store)
    assert [nsid for nsid, _ in pds.requests] == [
        "com.atproto.server.createSession",
        "app.bsky.notification.listNotifications",
        "app.bsky.notification.listNotifications",
        "app.bsky.notification.listNotifications",
        "app.bsky.feed.getAuthorFeed",
        "app.bsky.feed.getAuthorFeed",
        "chat.bsky.convo.listConvos",
        "chat.bsky.convo.getMessages",
        "chat.bsky.convo.getMessages",
    ]
    assert {s: (r.requests, r.items_read, r.new_items) for s, r in hour_1.items()} == {
        "notifications": (4, 3, 3),  # the login, then three pages
        "own_posts": (2, 2, 2),
        "chat": (3, 2, 2),  # the old conversation costs no request
    }
    assert cursors(engine) == {
        "notifications": "2026-03-24T10:45:00.300000+00:00",
        "own_posts": "2026-03-24T10:50:00+00:00",
        "chat": '{"sent_at": "2026-03-24T10:55:00+00:00", "rev": "3mhsfxtauc22g"}',
    }
    assert len(store.saved) == 1, "the new session is kept for the next run"

    pds, hour_2 = run_recorded(engine, "hour_2", store)
    assert "com.atproto.server.createSession" not in [nsid for nsid, _ in pds.requests]
    assert {
        s: (r.requests, r.items_read, r.new_items, r.quarantined) for s, r in hour_2.items()
    } == {
        "notifications": (2, 2, 2, 1),  # the reply indexed at 11:00:10 was left for this run
        "own_posts": (2, 2, 2, 0),
        "chat": (3, 3, 3, 0),  # listing stops at the conversation unchanged since hour 1
    }
    assert cursors(engine) == {
        "notifications": "2026-03-24T11:40:01+00:00",
        "own_posts": "2026-03-24T11:30:00+00:00",
        "chat": '{"sent_at": "2026-03-24T11:50:00+00:00", "rev": "3mhsj26euk22g"}',
    }
    hourly_requests = sum(r.requests for r in (*hour_1.values(), *hour_2.values()))
    hourly_new = sum(r.new_items for r in (*hour_1.values(), *hour_2.values()))
    assert (hourly_requests, hourly_new) == (16, 14)  # 1.14 requests per new item
    assert all(r.updated_items == 0 for r in hour_2.values()), "no item was read twice"

    before_backfill = cursors(engine)
    pds, backfill = run_recorded(engine, "backfill", store, backfill=True)
    assert {s: (r.mode, r.requests, r.items_read, r.new_items) for s, r in backfill.items()} == {
        "notifications": ("window", 4, 2, 2),
        "own_posts": ("window", 3, 1, 1),
        "chat": ("window", 6, 3, 3),
    }
    assert cursors(engine) == before_backfill, "a backfill never moves a cursor"

    assert keys_between(engine, at(9), at(12)) == [
        post(ORG, "3mhsa4344k225"),  # 09:10 our post, backfilled
        post(RESIDENT_THREE, "3mhsanxco2225"),  # 09:20 mention, backfilled
        "3mhsb7tj7k22f",  # 09:30 message, backfilled
        "3mhsbirmic22f",  # 09:35 message, backfilled
        post(RESIDENT_TWO, "3mhsbrppr2225"),  # 09:40 mention, backfilled
        "3mhsc2nszs22f",  # 09:45 our message, backfilled
        post(ORG, "3mhsd6ga4s225"),  # 10:05 our post
        post(GONE, "3mhsdhedfk225"),  # 10:10 reply by a suspended account
        "3mhsdzajx222f",  # 10:20 message
        post(RESIDENT_ONE, "3mhsel4qik225"),  # 10:30 quote
        post(RESIDENT_ONE, "3mhsffx2cs225"),  # 10:45 mention
        post(ORG, "3mhsfov5lk225"),  # 10:50 our reply
        "3mhsfxtauc22f",  # 10:55 our message
        post(RESIDENT_TWO, "3mhsgayybk225"),  # 11:00:08 reply, indexed after hour 1 ended
        post(ORG, "3mhsgsnkok225"),  # 11:10 our reply
        "3mhsh3lnxc22f",  # 11:15 message
        post(ORG, "3mhshwfxrk225"),  # 11:30 our reply
        post(RESIDENT_THREE, "3mhsiic6d2225"),  # 11:40 mention
        "3mhsirabls22f",  # 11:45 message opening a new conversation
        "3mhsj26euk22f",  # 11:50 our message
    ]


def test_items_keep_their_text_handles_and_ownership(engine):
    store = MemoryStore()
    run_recorded(engine, "hour_1", store)
    with engine.connect() as connection:
        items = {item.native_id: item for item in items_between(connection, at(10), at(11))}
    mention = items[post(RESIDENT_ONE, "3mhsffx2cs225")]
    assert (
        mention.text == "@tridentgrp.bsky.social lift in 𝐁𝐥𝐨𝐜𝐤 𝐀 broken again 😤🛗 — third time 𝟑"
    )
    assert (mention.author.handle, mention.author.display_name) == (
        "resident-one.test",
        "Resident One 🏠",
    )
    suspended = items[post(GONE, "3mhsdhedfk225")]
    assert (suspended.author.user_id, suspended.author.handle) == (GONE, None)
    assert suspended.url == f"https://bsky.app/profile/{GONE}/post/3mhsdhedfk225"
    ours = items["3mhsfxtauc22f"]
    assert ours.is_ours and ours.thread_id == "3lkconvoone22"
    theirs = items["3mhsdzajx222f"]
    assert (theirs.is_ours, theirs.author.handle, theirs.text) == (
        False,
        "resident-one.test",
        "My kitchen tap has leaked for a week 💧💧",
    )
    our_reply = items[post(ORG, "3mhsfov5lk225")]
    assert our_reply.is_ours and our_reply.in_reply_to_id == post(RESIDENT_ONE, "3mhsel4qik225")


def test_a_reply_without_an_author_did_is_quarantined(engine):
    store = MemoryStore()
    run_recorded(engine, "hour_1", store)
    run_recorded(engine, "hour_2", store)
    with engine.connect() as connection:
        rows = connection.execute(select(quarantine)).mappings().all()
    assert [(row["stream"], row["reason"]) for row in rows] == [
        ("notifications", "author has no did")
    ]


# -- faults --------------------------------------------------------------------------------

NOTIFICATIONS = "app.bsky.notification.listNotifications"
NOTIFICATION_QUERY = {"limit": "2", "reasons": ["mention", "reply", "quote"]}


def first_page() -> dict[str, Any]:
    """The first notifications page of hour 1 (a held-back reply and a mention)."""
    return recorded("hour_1")["exchanges"][0]["response"]["json"]


def second_query() -> dict[str, Any]:
    return recorded("hour_1")["exchanges"][1]["request"]["query"]


def window() -> Span:
    return Span.window(at(10), at(11))


def read_all(source: BlueskySource, stream: str, span: Span) -> list[Any]:
    return list(source.read(stream, span))


def recorded_slice(name: str, first: int, last: int) -> list[dict[str, Any]]:
    return recorded(name)["exchanges"][first:last]


@pytest.fixture
def frozen() -> Iterator[datetime]:
    now = at(11, 0, 30)
    with time_machine.travel(now, tick=False):
        yield now


def test_a_429_with_retry_after_waits_that_long(frozen):
    waits: list[float] = []
    limited = xrpc_error(
        429,
        "RateLimitExceeded",
        "Rate Limit Exceeded",
        {"ratelimit-limit": "3000", "ratelimit-remaining": "0", "retry-after": "7"},
    )
    pages = recorded_slice("hour_1", 0, 3)
    pds = RecordedPds([{**pages[0], "response": limited}, *pages], frozen)
    source = make_source(pds, retry=RetryPolicy(sleep=waits.append))
    assert (
        len(
            read_all(
                source, "notifications", Span.incremental(None, first_start=at(10), end=at(11))
            )
        )
        == 3
    )
    assert waits == [7.0]


def test_a_429_with_only_a_reset_time_waits_until_then(frozen):
    waits: list[float] = []
    reset = str(int((frozen + timedelta(seconds=42)).timestamp()))
    limited = xrpc_error(
        429,
        "RateLimitExceeded",
        "Rate Limit Exceeded",
        {
            "ratelimit-limit": "3000",
            "ratelimit-remaining": "0",
            "ratelimit-reset": reset,
            "ratelimit-policy": "3000;w=300",
        },
    )
    pages = recorded_slice("hour_1", 0, 3)
    pds = RecordedPds([{**pages[0], "response": limited}, *pages], frozen)
    source = make_source(pds, retry=RetryPolicy(sleep=waits.append))
    read_all(source, "notifications", Span.incremental(None, first_start=at(10), end=at(11)))
    assert waits == [42.0]


def test_a_429_without_reset_headers_backs_off(frozen):
    waits: list[float] = []
    limited = xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded")
    pages = recorded_slice("hour_1", 0, 3)
    pds = RecordedPds([{**pages[0], "response": limited}, *pages], frozen)
    source = make_source(pds, retry=RetryPolicy(sleep=waits.append, base_delay=2.0))
    read_all(source, "notifications", Span.incremental(None, first_start=at(10), end=at(11)))
    assert len(waits) == 1 and 1.0 <= waits[0] <= 2.0


def stream_errors(engine) -> dict[str, str | None]:
    with engine.connect() as connection:
        return dict(connection.execute(select(pull_runs.c.stream, pull_runs.c.error)).all())


def test_a_rate_limit_outlasting_the_retries_keeps_what_was_stored_and_the_cursor(engine, frozen):
    limited = xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", {"retry-after": "5"})
    pages = recorded_slice("hour_1", 0, 2)
    second = pages[1]
    pds = RecordedPds(
        [pages[0], {**second, "response": limited}, {**second, "response": limited}], frozen
    )
    source = make_source(pds, retry=RetryPolicy(attempts=2, sleep=lambda _: None))
    source.streams = ("notifications",)
    plan = plan_pull(interval_start=at(10), interval_end=at(11), is_backfill=False)
    with pytest.raises(PullFailed, match="notifications"):
        pull(source, engine, plan, run_id="limited", clock=lambda: frozen)
    assert stream_errors(engine) == {"notifications": "RateLimited"}
    assert keys_between(engine, at(10), at(11)) == [post(RESIDENT_ONE, "3mhsffx2cs225")]
    assert cursors(engine)["notifications"] is None


def test_server_errors_and_timeouts_are_retried(frozen):
    waits: list[float] = []
    pages = recorded_slice("hour_1", 0, 3)
    failures = [
        {**pages[0], "response": xrpc_error(500, "InternalServerError", "Internal Server Error")},
        {
            **pages[0],
            "response": {
                "status": 502,
                "headers": {"content-type": "text/html"},
                "content": "<html>Bad Gateway</html>",
            },
        },
        {**pages[0], "response": httpx.ReadTimeout("timed out")},
        {**pages[0], "response": {"status": 503, "headers": {}, "content": ""}},
    ]
    pds = RecordedPds([*failures, *pages], frozen)
    source = make_source(pds, retry=RetryPolicy(sleep=waits.append))
    pages_read = read_all(
        source, "notifications", Span.incremental(None, first_start=at(10), end=at(11))
    )
    assert sum(len(page.items) for page in pages_read) == 3
    assert len(waits) == 4
    assert source.requests_made == 1 + 4 + 3


def test_server_errors_that_persist_are_retriable_errors(frozen):
    pages = recorded_slice("hour_1", 0, 1)
    failing = {**pages[0], "response": xrpc_error(504, "UpstreamTimeout", "Upstream timeout")}
    pds = RecordedPds([failing, failing], frozen)
    source = make_source(pds, retry=RetryPolicy(attempts=2, sleep=lambda _: None))
    with pytest.raises(
        RetriableError, match=r"^Bluesky notifications: HTTP 504 \(UpstreamTimeout\)$"
    ):
        read_all(source, "notifications", Span.incremental(None, first_start=at(10), end=at(11)))


def test_malformed_json_is_fatal_and_not_retried(frozen):
    page = recorded_slice("hour_1", 0, 1)[0]
    broken = {
        "status": 200,
        "headers": {"content-type": "application/json; charset=utf-8"},
        "content": '{"notifications": [{"uri": "at://',
    }
    pds = RecordedPds([{**page, "response": broken}], frozen)
    source = make_source(pds)
    with pytest.raises(FatalError, match="the response is not JSON"):
        read_all(source, "notifications", window())
    assert source.requests_made == 2


def test_a_body_that_is_not_a_json_object_is_fatal(frozen):
    page = recorded_slice("hour_1", 0, 1)[0]
    html = {
        "status": 200,
        "headers": {"content-type": "text/html"},
        "content": "<html>maintenance</html>",
    }
    pds = RecordedPds([{**page, "response": html}], frozen)
    with pytest.raises(FatalError, match="not a JSON object"):
        read_all(make_source(pds), "notifications", window())


def test_a_page_of_the_wrong_shape_goes_to_quarantine_and_stops_the_stream(engine, frozen):
    page = recorded_slice("hour_1", 0, 1)[0]
    odd = {**page["response"], "json": {"notifications": {"not": "a list"}}}
    pds = RecordedPds([{**page, "response": odd}], frozen)
    source = make_source(pds)
    source.streams = ("notifications",)
    plan = plan_pull(interval_start=at(10), interval_end=at(11), is_backfill=False)
    with pytest.raises(PullFailed, match="notifications"):
        pull(source, engine, plan, run_id="odd", clock=lambda: frozen)
    assert stream_errors(engine) == {"notifications": "FatalError"}
    with engine.connect() as connection:
        reasons = connection.execute(select(quarantine.c.reason)).scalars().all()
    assert reasons == ["notifications is not a list"]
    assert cursors(engine)["notifications"] is None


def test_a_page_token_that_comes_back_twice_stops_the_listing(frozen):
    pages = recorded_slice("hour_1", 0, 2)
    looping = json.loads(json.dumps(pages[1]))
    looping["response"]["json"]["cursor"] = pages[0]["response"]["json"]["cursor"]
    pds = RecordedPds([pages[0], looping], frozen)
    with pytest.raises(FatalError, match="the same page token came back twice"):
        read_all(make_source(pds), "notifications", window())


def test_the_request_budget_stops_the_run_where_the_stored_data_ends(engine, frozen):
    pds = RecordedPds(recorded_slice("hour_1", 0, 3), frozen)
    source = make_source(pds, max_requests=3)
    plan = plan_pull(interval_start=at(10), interval_end=at(11), is_backfill=False)
    pull(source, engine, plan, run_id="budget", clock=lambda: frozen)
    assert set(stream_errors(engine).values()) == {"BudgetExhausted"}
    assert source.requests_made == 3  # the login and two pages; the third was not sent
    assert len(keys_between(engine, at(10), at(11))) == 3
    assert cursors(engine)["notifications"] is None


def test_the_time_budget_stops_before_the_next_request(frozen):
    ticks = iter([0.0, 0.0, 100.0])
    pds = RecordedPds(recorded_slice("hour_1", 0, 3), frozen)
    retry = RetryPolicy(deadline=50.0, clock=lambda: next(ticks))
    source = make_source(pds, retry=retry)
    with pytest.raises(BudgetExhausted, match="time budget spent"):
        read_all(source, "notifications", window())
    assert source.requests_made == 2


def test_a_client_error_is_fatal_and_a_refused_permission_is_not_permitted(frozen):
    query = {"limit": "100"}
    listing = exchange("chat.bsky.convo.listConvos", query)
    scope = {**listing, "response": xrpc_error(400, "InvalidToken", "Bad token scope")}
    pds = RecordedPds([scope], frozen)
    with pytest.raises(NotPermitted, match="the app password does not allow this call"):
        read_all(make_source(pds), "chat", window())
    assert [nsid for nsid, _ in pds.requests].count("com.atproto.server.createSession") == 1

    bad = {**listing, "response": xrpc_error(400, "InvalidRequest", "Invalid cursor")}
    with pytest.raises(FatalError, match=r"HTTP 400 \(InvalidRequest\)$"):
        read_all(make_source(RecordedPds([bad], frozen)), "chat", window())


# -- chat edge cases -----------------------------------------------------------------------


def convo_page(*convos: dict[str, Any]) -> dict[str, Any]:
    return exchange(
        "chat.bsky.convo.listConvos", {"limit": "100"}, json_body={"convos": list(convos)}
    )


def test_a_message_left_for_the_next_run_keeps_the_conversation_listed(frozen):
    hour_2 = recorded("hour_2")["exchanges"]
    c3, c1, c2 = hour_2[4]["response"]["json"]["convos"]
    messages = hour_2[5]  # 11:50 (ours) and 11:45
    pds = RecordedPds([convo_page(c3, c1, c2), messages], frozen)
    source = make_source(pds)
    mark = '{"sent_at": "2026-03-24T11:15:00+00:00", "rev": "3mhsh3lnxc22g"}'
    span = Span(end=at(11, 48), cursor=mark)
    pages = read_all(source, "chat", span)
    assert [item.native_id for page in pages for item in page.items] == ["3mhsirabls22f"]
    assert (
        source.next_cursor("chat", span, [])
        == '{"sent_at": "2026-03-24T11:45:00+00:00", "rev": "3mhsh3lnxc22g"}'
    )


def test_listing_stops_at_the_first_conversation_unchanged_since_the_last_run(frozen):
    hour_2 = recorded("hour_2")["exchanges"]
    c3, c1, _ = hour_2[4]["response"]["json"]["convos"]
    first = convo_page(c3, c1)
    first["response"]["json"]["cursor"] = c1["rev"]  # more conversations on a next page
    pds = RecordedPds([first, hour_2[5]], frozen)  # no next listConvos page is recorded
    source = make_source(pds)
    mark = '{"sent_at": "2026-03-24T11:15:00+00:00", "rev": "3mhsh3lnxc22g"}'
    span = Span(end=at(12), cursor=mark)
    pages = read_all(source, "chat", span)
    assert [item.native_id for page in pages for item in page.items] == [
        "3mhsj26euk22f",
        "3mhsirabls22f",
    ]
    assert source.next_cursor("chat", span, []) == (
        '{"sent_at": "2026-03-24T11:50:00+00:00", "rev": "3mhsj26euk22g"}'
    )


def test_a_conversation_without_an_id_is_quarantined_and_the_others_read(frozen):
    hour_1 = recorded("hour_1")["exchanges"]
    c1, c2 = hour_1[5]["response"]["json"]["convos"]
    pds = RecordedPds(
        [convo_page({"rev": "3mhsfxtauc22z", "members": []}, c1, c2), *hour_1[6:8]], frozen
    )
    pages = read_all(
        make_source(pds), "chat", Span.incremental(None, first_start=at(10), end=at(11))
    )
    assert [r.reason for page in pages for r in page.rejected] == ["conversation has no id"]
    assert len([item for page in pages for item in page.items]) == 2
