"""A local HTTP server for the CRM adapters' tests, and two CRMs served on it.

``local_server`` is a real ``ThreadingHTTPServer`` on 127.0.0.1 with an ephemeral port, run in
a thread; every request is kept (method, path, query, headers, body) for tests to inspect, and
answered by the server's ``handler``. ``dataverse`` serves a small Dataverse (token endpoint,
contacts with an OData ``$filter``, annotations and a custom activity with If-None-Match
semantics, alternate keys that refuse the characters Dataverse refuses). ``webhook_receiver``
serves a receiver that checks the HMAC signature itself and keeps one entry per
Idempotency-Key. No data here belongs to a real person.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from trident_pipeline.crm.records import CrmRecord, CustomerAccount, Direction, RecordKind
from trident_pipeline.domain.models import Platform


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class LocalServer:
    """The server's address, the requests it has seen, and the function that answers them."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.handler: Callable[[Seen], Reply] = lambda seen: Reply(404)
        self.lock = threading.Lock()
        self.url = ""

    def reply_with(self, status: int, body: Any = None, headers: dict | None = None) -> None:
        """Answer every request from now on with this reply."""
        self.handler = lambda seen: Reply(status, body, headers or {})

    def answer(self, seen: Seen) -> Reply:
        with self.lock:
            self.requests.append(seen)
            return self.handler(seen)


def _handler_class(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            seen = Seen(
                method=self.command,
                path=unquote(parts.path),
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={key.lower(): value for key, value in self.headers.items()},
                body=self.rfile.read(length),
            )
            reply = server.answer(seen)
            payload = b"" if reply.body is None else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            if payload:
                self.send_header("Content-Type", "application/json; odata.metadata=minimal")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = _serve  # noqa: N815 (http.server's naming)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Keep the test output quiet."""

    return Handler


# Invented accounts: nothing here identifies a real person.
RESIDENT_A = CustomerAccount(Platform.X, "x-test-0001", "Test_Resident_A")
RESIDENT_B = CustomerAccount(Platform.BLUESKY, "did:plc:testresidentb0002", "resident-b.test")


@pytest.fixture
def resident_a() -> CustomerAccount:
    """An invented X account (the records' default customer)."""
    return RESIDENT_A


@pytest.fixture
def resident_b() -> CustomerAccount:
    """An invented BlueSky account."""
    return RESIDENT_B


@pytest.fixture
def make_record() -> Callable[..., CrmRecord]:
    """Build a record of an invented resident; keyword arguments replace its fields."""

    def build(
        kind: RecordKind = RecordKind.COMMUNICATION,
        native_id: str = "9001",
        customer: CustomerAccount = RESIDENT_A,
        **changes: Any,
    ) -> CrmRecord:
        item_key = f"{customer.platform.value}:{native_id}"
        fields: dict[str, Any] = {
            "kind": kind,
            "idempotency_key": f"{kind.value}:{item_key}",
            "customer": customer,
            "occurred_at": datetime(2026, 3, 24, 10, 15, tzinfo=timezone.utc),
            "subject": f"Test {kind.value.replace('_', ' ')}",
            "body": "The damp in the back bedroom has come back (invented test text).",
            "item_key": item_key,
            "direction": Direction.INBOUND if kind is RecordKind.COMMUNICATION else None,
        }
        return CrmRecord(**(fields | changes))

    return build


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A real HTTP server on 127.0.0.1 (ephemeral port) in a thread, stopped afterwards."""
    server = LocalServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(server))
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield server
    httpd.shutdown()
    httpd.server_close()
    thread.join()


# --- A small Dataverse -----------------------------------------------------------------------

TENANT = "00000000-0000-4000-8000-00000000aaaa"
CLIENT_ID = "00000000-0000-4000-8000-00000000bbbb"
CLIENT_SECRET = "test-client-secret-value"  # noqa: S105 (a test value)
API = "/org/api/data/v9.2"
# Dataverse alternate key values with these characters cannot be used in GET or PATCH.
_KEY_FORBIDDEN = set("/<>*%&:\\?+#")
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<number>\d+)"
    r"|(?P<punct>[()]))"
)


def _filter_tokens(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        assert match, f"the simulator cannot read the filter at {position}"
        tokens.append(match.group(match.lastgroup))
        position = match.end()
    return tokens


def odata_filter(text: str) -> Callable[[dict[str, Any]], bool]:
    """A predicate for the ``eq``/``and``/``or``/parentheses subset of OData ``$filter``.

    Strings compare case-insensitively, as Dataverse's collation does.
    """
    tokens = _filter_tokens(text)

    def expression(at: int) -> tuple[Callable[[dict], bool], int]:
        term, at = conjunction(at)
        terms = [term]
        while at < len(tokens) and tokens[at] == "or":
            term, at = conjunction(at + 1)
            terms.append(term)
        return (lambda row: any(term(row) for term in terms)), at

    def conjunction(at: int) -> tuple[Callable[[dict], bool], int]:
        factor, at = comparison(at)
        factors = [factor]
        while at < len(tokens) and tokens[at] == "and":
            factor, at = comparison(at + 1)
            factors.append(factor)
        return (lambda row: all(factor(row) for factor in factors)), at

    def comparison(at: int) -> tuple[Callable[[dict], bool], int]:
        if tokens[at] == "(":
            inner, at = expression(at + 1)
            assert tokens[at] == ")"
            return inner, at + 1
        column, operator, value = tokens[at : at + 3]
        assert operator == "eq", operator
        if value == "null":
            return (lambda row: row.get(column) is None), at + 3
        if value.startswith("'"):
            literal = value[1:-1].replace("''", "'").casefold()
            return (
                lambda row: isinstance(row.get(column), str) and row[column].casefold() == literal
            ), at + 3
        number = int(value)
        return (lambda row: row.get(column) == number), at + 3

    predicate, end = expression(0)
    assert end == len(tokens), "the simulator did not read the whole filter"
    return predicate


class Dataverse:
    """Just enough of Dataverse to hold the adapter to the real protocol."""

    tenant = TENANT
    client_id = CLIENT_ID
    client_secret = CLIENT_SECRET

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.org_url = f"{server.url}/org"
        self.authority_url = f"{server.url}/login"
        self.contacts: dict[str, dict[str, Any]] = {}
        self.annotations: dict[str, dict[str, Any]] = {}
        self.communications: dict[str, dict[str, Any]] = {}
        self.writes: Counter[str] = Counter()
        self.valid_tokens: set[str] = set()
        self.tokens_issued = 0
        self.failures: list[Reply] = []
        server.handler = self.handle

    def add_contact(self, active: bool = True, **columns: Any) -> str:
        contact_id = str(uuid.uuid4())
        self.contacts[contact_id] = {"contactid": contact_id, "statecode": 0 if active else 1}
        self.contacts[contact_id].update(columns)
        return contact_id

    def fail_next(self, status: int, headers: dict | None = None, *, times: int = 1) -> None:
        """Answer the next ``times`` API requests (not token requests) with ``status``."""
        body = {"error": {"code": "0x80072321", "message": "Combined execution time exceeded"}}
        self.failures += [Reply(status, body, headers or {}) for _ in range(times)]

    def api_requests(self) -> list[Seen]:
        return [seen for seen in self.server.requests if seen.path.startswith(API)]

    def handle(self, seen: Seen) -> Reply:
        if seen.path == f"/login/{TENANT}/oauth2/v2.0/token":
            return self._token(seen)
        if self.failures:
            return self.failures.pop(0)
        if not seen.path.startswith(API):
            return Reply(404)
        authorization = seen.headers.get("authorization", "")
        if authorization.removeprefix("Bearer ") not in self.valid_tokens:
            return Reply(401, {"error": {"code": "0x80072560", "message": "not authenticated"}})
        if (seen.headers.get("odata-version"), seen.headers.get("odata-maxversion")) != (
            "4.0",
            "4.0",
        ) or "application/json" not in seen.headers.get("accept", ""):
            return Reply(400, {"error": {"code": "0x0", "message": "OData headers missing"}})
        resource = seen.path.removeprefix(API)
        if seen.method == "GET" and resource == "/WhoAmI":
            return Reply(200, {"UserId": "00000000-0000-4000-8000-00000000cccc"})
        if seen.method == "GET" and resource == "/contacts":
            return self._contacts(seen)
        if seen.method == "PATCH":
            if match := re.fullmatch(r"/annotations\(([0-9a-f-]{36})\)", resource):
                return self._create_or_update(seen, self.annotations, match.group(1))
            if match := re.fullmatch(
                r"/trident_socialcommunications\(trident_keydigest='([^']*)'\)", resource
            ):
                if _KEY_FORBIDDEN & set(match.group(1)):
                    return Reply(400, {"error": {"code": "0x80060888", "message": "bad key"}})
                return self._create_or_update(seen, self.communications, match.group(1))
        return Reply(404, {"error": {"code": "0x80060888", "message": "no such resource"}})

    def _token(self, seen: Seen) -> Reply:
        form = seen.form()
        expected = {
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scope": f"{self.org_url}/.default",
        }
        if form != expected:
            return Reply(401, {"error": "invalid_client", "error_description": "AADSTS7000215"})
        self.tokens_issued += 1
        token = f"token-{self.tokens_issued}"
        self.valid_tokens.add(token)
        return Reply(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token})

    def _contacts(self, seen: Seen) -> Reply:
        assert seen.query["$select"] == ["contactid"]
        matches = odata_filter(seen.query["$filter"][0])
        top = int(seen.query.get("$top", ["5000"])[0])
        found = [
            {"@odata.etag": 'W/"1"', "contactid": contact["contactid"]}
            for contact in self.contacts.values()
            if matches(contact)
        ]
        return Reply(200, {"@odata.context": f"{self.org_url}/$metadata", "value": found[:top]})

    def _create_or_update(self, seen: Seen, table: dict[str, dict], key: str) -> Reply:
        body = seen.json()
        exists = key in table
        if seen.headers.get("if-none-match") == "*" and exists:
            return Reply(412, {"error": {"code": "0x80060882", "message": "already exists"}})
        if seen.headers.get("if-match") == "*" and not exists:
            return Reply(404, {"error": {"code": "0x80040217", "message": "does not exist"}})
        for name, value in body.items():
            if name.endswith("@odata.bind"):
                bound = re.fullmatch(r"/contacts\(([0-9a-f-]{36})\)", value)
                if not bound or bound.group(1) not in self.contacts:
                    return Reply(404, {"error": {"code": "0x80040217", "message": "no contact"}})
        table[key] = {**table.get(key, {}), **body}
        self.writes[key] += 1
        return Reply(204, headers={"OData-EntityId": f"{self.org_url}{API}/x({key})"})


@pytest.fixture
def dataverse(local_server: LocalServer) -> Dataverse:
    """A small Dataverse on the local server."""
    return Dataverse(local_server)


# --- A webhook receiver ----------------------------------------------------------------------

WEBHOOK_SECRET = "whsec-test-signing-secret"  # noqa: S105 (a test value)


class WebhookReceiver:
    """A receiver that checks signatures itself and keeps one entry per Idempotency-Key.

    ``outage`` makes it answer every request with that status (503: the CRM is down).
    ``contacts`` answers lookups: (platform, user_id) -> contact id.
    """

    secret = WEBHOOK_SECRET

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.url = f"{server.url}/hooks/trident"
        self.lookup_url = f"{server.url}/hooks/lookup"
        self.entries: dict[str, dict[str, Any]] = {}
        self.accepted: Counter[str] = Counter()
        self.duplicates: Counter[str] = Counter()
        self.contacts: dict[tuple[str, str], str] = {}
        self.outage: int | None = None
        server.handler = self.handle

    def handle(self, seen: Seen) -> Reply:
        if self.outage is not None:
            return Reply(self.outage, {"error": "unavailable"})
        timestamp = seen.headers.get("x-trident-timestamp", "")
        expected = hmac.new(
            WEBHOOK_SECRET.encode(), timestamp.encode() + b"." + seen.body, hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(
            seen.headers.get("x-trident-signature", ""), f"sha256={expected}"
        ):
            return Reply(401, {"error": "bad_signature"})
        if not seen.headers.get("content-type", "").startswith("application/json"):
            return Reply(415)
        payload = seen.json()
        if seen.path == "/hooks/lookup":
            contact = self.contacts.get((payload["platform"], payload["user_id"]))
            return Reply(200, {"contact_id": contact}) if contact else Reply(404)
        if seen.path != "/hooks/trident":
            return Reply(404)
        if payload.get("kind") == "ping":
            return Reply(204)
        key = seen.headers.get("idempotency-key")
        if not key or key != payload.get("idempotency_key"):
            return Reply(400, {"error": "idempotency_key"})
        if key in self.entries:
            self.duplicates[key] += 1
            return Reply(409, {"error": "duplicate"})
        self.entries[key] = payload
        self.accepted[key] += 1
        return Reply(202)


@pytest.fixture
def webhook_receiver(local_server: LocalServer) -> WebhookReceiver:
    """A signed-webhook receiver on the local server."""
    return WebhookReceiver(local_server)
