"""A signed JSON webhook as the CRM: for a CRM that takes entries over HTTPS.

Each entry is one ``POST`` of a JSON object to the webhook URL with these headers:

- ``Idempotency-Key``: the record's idempotency key; the receiver keeps one entry per key.
- ``X-Trident-Timestamp``: seconds since the Unix epoch when the request was signed.
- ``X-Trident-Signature``: ``sha256=`` and the lowercase hex HMAC-SHA256, keyed with the
  signing secret, of the timestamp, a full stop, and the body's exact bytes. The receiver
  should recompute it, compare in constant time, and refuse stale timestamps.

A 2xx reply, or 409 for a key the receiver already has, counts as delivered. The body::

    {"idempotency_key": "...", "kind": "communication" | "strike_event" | "note",
     "contact_id": "...", "customer": {"platform": "x", "user_id": "...", "handle": "..."},
     "occurred_at": "2026-03-23T09:30:00Z", "subject": "...", "body": "...",
     "item_key": "x:..." | null, "direction": "inbound" | "outbound" | null}

A ping (a connection test) is the same signed ``POST`` of ``{"kind": "ping"}`` with
``Idempotency-Key: ping``: the receiver answers 2xx and keeps nothing.

Contacts are looked up only when a lookup URL is configured: a signed ``POST`` of
``{"platform", "user_id", "handle"}`` answered by 200 ``{"contact_id": "..." | null}`` or 404.
Without one, only accounts an operator linked reach the receiver.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timezone
from typing import Any

import requests

from trident_pipeline.crm.errors import CrmRejected, send
from trident_pipeline.crm.records import CrmRecord, CustomerAccount

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WebhookCustomerRecords",
    "WebhookSettings",
    "signature",
]

_CRM = "webhook"
SIGNATURE_HEADER = "X-Trident-Signature"
TIMESTAMP_HEADER = "X-Trident-Timestamp"


@dataclass(frozen=True)
class WebhookSettings:
    """Where entries go and the secret they are signed with."""

    url: str
    secret: str = field(repr=False)
    lookup_url: str | None = None
    timeout: float = 30.0


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Trident-Signature`` value for a body sent at ``timestamp``.

    Raises:
        UnicodeEncodeError: when ``timestamp`` is not ASCII.
    """
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sha256")
    return f"sha256={digest.hexdigest()}"


class WebhookCustomerRecords:
    """Customer records behind a signed webhook, as a ``CustomerRecords``.

    ``session`` and ``clock`` (wall-clock seconds, for the timestamp) are injectable.
    """

    def __init__(
        self,
        settings: WebhookSettings,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._session = session or requests.Session()
        self._clock = clock

    def ping(self) -> None:
        """Check that the receiver answers and accepts the signature (a connection test).

        Raises:
            CrmError: as :func:`~trident_pipeline.crm.errors.send` sorts the failure.
        """
        self._post(
            self._settings.url,
            {"kind": "ping"},
            "ping",
            accept=(),
            headers={"Idempotency-Key": "ping"},
        )

    def find_contact(self, account: CustomerAccount) -> str | None:
        """See :meth:`~trident_pipeline.crm.protocol.CustomerRecords.find_contact`.

        Raises:
            CrmError: as :func:`~trident_pipeline.crm.errors.send` sorts the failure, or
                :class:`CrmRejected` for a reply that is not ``{"contact_id": ...}``.
        """
        if not self._settings.lookup_url:
            return None
        payload = {
            "platform": account.platform.value,
            "user_id": account.user_id,
            "handle": account.handle,
        }
        response = self._post(self._settings.lookup_url, payload, "find contact", accept=(404,))
        if response.status_code == 404:
            return None
        try:
            reply = response.json()
        except ValueError:
            reply = None
        if not isinstance(reply, dict) or not isinstance(reply.get("contact_id"), str | None):
            raise CrmRejected(f"{_CRM} find contact: unexpected reply", code="unexpected_reply")
        return reply.get("contact_id") or None

    def record_communication(self, record: CrmRecord, contact_id: str) -> None:
        """See :meth:`~trident_pipeline.crm.protocol.CustomerRecords.record_communication`.

        Raises:
            CrmError: as :func:`~trident_pipeline.crm.errors.send` sorts the failure.
        """
        self._deliver(record, contact_id, "record communication")

    def record_strike_event(self, record: CrmRecord, contact_id: str) -> None:
        """See :meth:`~trident_pipeline.crm.protocol.CustomerRecords.record_strike_event`.

        Raises:
            CrmError: as :func:`~trident_pipeline.crm.errors.send` sorts the failure.
        """
        self._deliver(record, contact_id, "record strike event")

    def add_note(self, record: CrmRecord, contact_id: str) -> None:
        """See :meth:`~trident_pipeline.crm.protocol.CustomerRecords.add_note`.

        Raises:
            CrmError: as :func:`~trident_pipeline.crm.errors.send` sorts the failure.
        """
        self._deliver(record, contact_id, "add note")

    def _deliver(self, record: CrmRecord, contact_id: str, operation: str) -> None:
        payload = {
            "idempotency_key": record.idempotency_key,
            "kind": record.kind.value,
            "contact_id": contact_id,
            "customer": {
                "platform": record.customer.platform.value,
                "user_id": record.customer.user_id,
                "handle": record.customer.handle,
            },
            "occurred_at": record.occurred_at.astimezone(timezone.utc)
            .isoformat()
            .replace("+00:00", "Z"),
            "subject": record.subject,
            "body": record.body,
            "item_key": record.item_key,
            "direction": record.direction.value if record.direction else None,
        }
        self._post(
            self._settings.url,
            payload,
            operation,
            accept=(409,),
            headers={"Idempotency-Key": record.idempotency_key},
        )

    def _post(
        self,
        url: str,
        payload: Mapping[str, Any],
        operation: str,
        *,
        accept: tuple[int, ...],
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        timestamp = str(int(self._clock()))
        return send(
            self._session,
            "POST",
            url,
            crm=_CRM,
            operation=operation,
            accept=accept,
            data=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: signature(self._settings.secret, timestamp, body),
                **(headers or {}),
            },
            timeout=self._settings.timeout,
        )
