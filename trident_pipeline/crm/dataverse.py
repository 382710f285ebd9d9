"""Microsoft Dynamics 365 (Dataverse Web API v9.2) as the CRM.

- **Token**: OAuth 2.0 client credentials from ``{authority}/{tenant}/oauth2/v2.0/token`` with
  scope ``{org}/.default``, kept until a minute before it expires; fetched again once when the
  API answers 401.
- **Contacts**: ``GET contacts?$select=contactid&$filter=...&$top=2`` on the columns that hold
  each platform's user id and handle (configurable, see :class:`DataverseTables`). Only active
  contacts match; a handle matches only where the contact has no user id for that platform.
- **Communications**: one row of an activity table (a custom activity by default), created with
  ``PATCH <entity set>(<key column>='<digest>')`` and ``If-None-Match: *``. The key column is an
  alternate key holding the SHA-256 hex digest of the record's idempotency key: one item can
  carry two communications (a resident's post, and our request to delete it), and Dataverse
  alternate key values cannot contain ``:`` or ``/``, which keys do. The item key itself goes
  in its own column. A second delivery gets 412 and changes nothing.
- **Notes and strike events**: ``annotations`` bound to the contact with
  ``objectid_contact@odata.bind``, created with ``PATCH annotations(<id>)`` and
  ``If-None-Match: *`` where the id is a UUID derived from the idempotency key: again, 412 on
  a second delivery. Staff edits to a note are never overwritten.

Every call sends ``OData-Version: 4.0`` and ``OData-MaxVersion: 4.0``; failures are sorted by
:func:`~trident_pipeline.crm.errors.send` (429 and 5xx retriable, honouring ``Retry-After``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlencode

import requests

from trident_pipeline.crm.errors import CrmNotPermitted, CrmRejected, send
from trident_pipeline.crm.protocol import normalise_handle
from trident_pipeline.crm.records import CrmRecord, CustomerAccount
from trident_pipeline.domain.models import Platform

__all__ = [
    "ContactColumns",
    "DataverseCustomerRecords",
    "DataverseSettings",
    "DataverseTables",
]

log = logging.getLogger(__name__)

_CRM = "dataverse"
_API_PATH = "/api/data/v9.2"
# Fixed for good: note ids are uuid5(this, idempotency key); a new value would write every
# note again under new ids.
_ANNOTATION_NAMESPACE = uuid.UUID("0b6f1f9e-3c1a-5d7e-9a43-7c2d5e8f1a60")
_TOKEN_MARGIN = 60.0
_LOGICAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


@dataclass(frozen=True, slots=True)
class ContactColumns:
    """The contact table's columns (logical names) holding one platform's account."""

    user_id: str
    handle: str | None = None


def _default_contact_columns() -> dict[Platform, ContactColumns]:
    return {
        Platform.X: ContactColumns("trident_xuserid", "trident_xhandle"),
        Platform.BLUESKY: ContactColumns("trident_blueskydid", "trident_blueskyhandle"),
        Platform.FACEBOOK: ContactColumns("trident_facebookpsid"),
    }


@dataclass(frozen=True)
class DataverseTables:
    """Where in Dataverse the records go (logical names; the defaults are Trident's solution).

    ``communication_entity_set`` is the activity table's entity set name;
    ``communication_key_column`` its alternate key (the idempotency key's SHA-256 hex digest);
    ``communication_regarding`` the single-valued navigation property of its Regarding lookup
    to contact. A platform missing from ``contact_columns`` is never looked up.

    Raises:
        ValueError: when a name is not a Dataverse logical name (letters, digits, ``_``).
    """

    contact_columns: Mapping[Platform, ContactColumns] = field(
        default_factory=_default_contact_columns
    )
    communication_entity_set: str = "trident_socialcommunications"
    communication_key_column: str = "trident_keydigest"
    communication_item_key_column: str = "trident_itemkey"
    communication_platform_column: str = "trident_platform"
    communication_direction_column: str = "trident_direction"
    communication_regarding: str = "regardingobjectid_contact_trident_socialcommunication"

    def __post_init__(self) -> None:
        names = [
            self.communication_entity_set,
            self.communication_key_column,
            self.communication_item_key_column,
            self.communication_platform_column,
            self.communication_direction_column,
            self.communication_regarding,
        ]
        for columns in self.contact_columns.values():
            names += [columns.user_id] + ([columns.handle] if columns.handle else [])
        for name in names:
            if not _LOGICAL_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not a Dataverse logical name")


@dataclass(frozen=True)
class DataverseSettings:
    """How to reach one Dataverse environment.

    ``org_url`` is the environment's URL (``https://<org>.crm11.dynamics.com``);
    ``authority_url`` the Microsoft identity platform (injectable for tests).
    """

    org_url: str
    tenant_id: str
    client_id: str
    client_secret: str = field(repr=False)
    authority_url: str = "https://login.microsoftonline.com"
    tables: DataverseTables = field(default_factory=DataverseTables)
    timeout: float = 30.0


class DataverseCustomerRecords:
    """Customer records in Dataverse, as a :class:`~trident_pipeline.crm.protocol.CustomerRecords`.

    ``session`` and ``clock`` (a monotonic clock for the token's expiry) are injectable.
    """

    def __init__(
        self,
        settings: DataverseSettings,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._org = settings.org_url.rstrip("/")
        self._session = session or requests.Session()
        self._clock = clock
        self._token: str | None = None
        self._token_expires = 0.0

    def who_am_i(self) -> str:
        """The id of the application user the credentials sign in as (a connection test).

        Raises:
            CrmError: as :func:`~trident_pipeline.crm.errors.send` sorts the failure.
        """
        payload = _json(self._api("GET", "/WhoAmI", operation="who am I"), "who am I")
        user_id = payload.get("UserId")
        if not isinstance(user_id, str):
            raise CrmRejected(f"{_CRM} who am I: unexpected reply", code="unexpected_reply")
        return user_id

    def find_contact(self, account: CustomerAccount) -> str | None:
        """See :meth:`~trident_pipeline.crm.protocol.CustomerRecords.find_contact`.

        Raises:
            CrmError: as :func:`~trident_pipeline.crm.errors.send` sorts the failure, or
                :class:`CrmRejected` for a reply without the expected ``value`` list.
        """
        columns = self._settings.tables.contact_columns.get(account.platform)
        if columns is None:
            return None
        matches = [f"{columns.user_id} eq {_literal(account.user_id)}"]
        handle = normalise_handle(account.handle)
        if columns.handle and handle:
            matches.append(
                f"({columns.handle} eq {_literal(handle)} and {columns.user_id} eq null)"
            )
        query = {
            "$select": "contactid",
            "$filter": f"statecode eq 0 and ({' or '.join(matches)})",
            "$top": "2",
        }
        path = "/contacts?" + urlencode(query, quote_via=quote, safe="$'(),")
        rows = _json(self._api("GET", path, operation="find contact"), "find contact")
        found = rows.get("value")
        if not isinstance(found, list) or not all(
            isinstance(row, dict) and isinstance(row.get("contactid"), str) for row in found
        ):
            raise CrmRejected(f"{_CRM} find contact: unexpected reply", code="unexpected_reply")
        if len(found) > 1:
            log.warning("Two or more Dataverse contacts match one %s account", account.platform)
            return None
        return found[0]["contactid"] if found else None

    def record_communication(self, record: CrmRecord, contact_id: str) -> None:
        """See :meth:`~trident_pipeline.crm.protocol.CustomerRecords.record_communication`.

        Raises:
            CrmRejected: when the contact id is not a GUID.
            CrmError: as :func:`~trident_pipeline.crm.errors.send` sorts the failure.
        """
        tables = self._settings.tables
        contact = _contact_reference(contact_id, "record communication")
        digest = hashlib.sha256(record.idempotency_key.encode("utf-8")).hexdigest()
        moment = _odata_time(record.occurred_at)
        body: dict[str, Any] = {
            "subject": record.subject,
            "description": record.body,
            "actualstart": moment,
            "actualend": moment,
            tables.communication_item_key_column: record.item_key,
            tables.communication_platform_column: record.customer.platform.value,
            f"{tables.communication_regarding}@odata.bind": contact,
        }
        if record.direction is not None:
            body[tables.communication_direction_column] = record.direction.value
        path = f"/{tables.communication_entity_set}({tables.communication_key_column}='{digest}')"
        self._create_once(path, body, "record communication")

    def record_strike_event(self, record: CrmRecord, contact_id: str) -> None:
        """See :meth:`~trident_pipeline.crm.protocol.CustomerRecords.record_strike_event`.

        Raises:
            CrmRejected: when the contact id is not a GUID.
            CrmError: as :func:`~trident_pipeline.crm.errors.send` sorts the failure.
        """
        self._annotate(record, contact_id, "record strike event")

    def add_note(self, record: CrmRecord, contact_id: str) -> None:
        """See :meth:`~trident_pipeline.crm.protocol.CustomerRecords.add_note`.

        Raises:
            CrmRejected: when the contact id is not a GUID.
            CrmError: as :func:`~trident_pipeline.crm.errors.send` sorts the failure.
        """
        self._annotate(record, contact_id, "add note")

    def _annotate(self, record: CrmRecord, contact_id: str, operation: str) -> None:
        body = {
            "subject": record.subject,
            "notetext": record.body,
            "objectid_contact@odata.bind": _contact_reference(contact_id, operation),
        }
        note_id = uuid.uuid5(_ANNOTATION_NAMESPACE, record.idempotency_key)
        self._create_once(f"/annotations({note_id})", body, operation)

    def _create_once(self, path: str, body: dict[str, Any], operation: str) -> None:
        response = self._api(
            "PATCH",
            path,
            operation=operation,
            accept=(412,),
            json=body,
            headers={"If-None-Match": "*"},
        )
        if response.status_code == 412:
            log.debug("Dataverse %s: already recorded", operation)

    def _api(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        accept: Collection[int] = (),
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """One Web API call; a 401 on a kept token fetches a new token and tries once more."""

        def call() -> requests.Response:
            return send(
                self._session,
                method,
                f"{self._org}{_API_PATH}{path}",
                crm=_CRM,
                operation=operation,
                accept=accept,
                headers={
                    "Authorization": f"Bearer {self._access_token()}",
                    "Accept": "application/json",
                    "OData-MaxVersion": "4.0",
                    "OData-Version": "4.0",
                    **(headers or {}),
                },
                timeout=self._settings.timeout,
                **kwargs,
            )

        kept_token = self._token is not None
        try:
            return call()
        except CrmNotPermitted as error:
            if error.status != 401 or not kept_token:
                raise
        self._token = None
        return call()

    def _access_token(self) -> str:
        if self._token is not None and self._clock() < self._token_expires:
            return self._token
        settings = self._settings
        started = self._clock()
        try:
            response = send(
                self._session,
                "POST",
                f"{settings.authority_url.rstrip('/')}/{settings.tenant_id}/oauth2/v2.0/token",
                crm=_CRM,
                operation="token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": settings.client_id,
                    "client_secret": settings.client_secret,
                    "scope": f"{self._org}/.default",
                },
                headers={"Accept": "application/json"},
                timeout=settings.timeout,
            )
        except CrmNotPermitted:
            raise
        except CrmRejected as error:  # 400 invalid_client, invalid_scope: the Connection is wrong
            raise CrmNotPermitted(str(error), status=error.status, code=error.code) from None
        payload = _json(response, "token")
        token = payload.get("access_token")
        try:
            lifetime = float(payload.get("expires_in", ""))
        except (TypeError, ValueError):
            lifetime = None
        if not isinstance(token, str) or lifetime is None:
            raise CrmRejected(f"{_CRM} token: unexpected reply", code="unexpected_reply")
        self._token = token
        self._token_expires = started + lifetime - _TOKEN_MARGIN
        return token


def _json(response: requests.Response, operation: str) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise CrmRejected(f"{_CRM} {operation}: reply is not a JSON object", code="not_json")
    return payload


def _literal(value: str) -> str:
    """An OData string literal: single quotes, with quotes inside doubled."""
    return "'" + value.replace("'", "''") + "'"


def _contact_reference(contact_id: str, operation: str) -> str:
    try:
        return f"/contacts({uuid.UUID(contact_id)})"
    except ValueError:
        raise CrmRejected(
            f"{_CRM} {operation}: contact id is not a GUID", code="contact_id_not_guid"
        ) from None


def _odata_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
