"""The CRM's Connections as adapters, and the choice of which CRM the outbox delivers to.

**Which CRM**: the Airflow Variable ``trident_crm_adapter`` names it: ``embedded`` (the
store's own tables, the default), ``dataverse`` or ``webhook``. Without the Variable, the CRM
whose Connection exists is used, and the embedded CRM when neither exists; with both
Connections and no Variable, delivery refuses to guess. Set the Variable in production, so a
Connection removed by mistake stops delivery instead of diverting it to the embedded CRM.

**Connection ``trident_dataverse``** (type ``trident_dataverse``; an app registration with an
application user in the Dataverse environment):

- ``host``: the environment's URL, ``https://<org>.crm11.dynamics.com``;
- ``login``: the application (client) id; ``password``: a client secret;
- extra ``tenant_id`` (required): the Microsoft Entra tenant id;
- extra, optional: ``authority_url`` (default ``https://login.microsoftonline.com``),
  ``timeout`` (seconds, 30), ``contact_columns`` (for example
  ``{"x": {"user_id": "trident_xuserid", "handle": "trident_xhandle"}}``, replacing the
  defaults of :class:`~trident_pipeline.crm.dataverse.DataverseTables` entirely), and any
  ``communication_*`` name of that class.

**Connection ``trident_crm_webhook``** (type ``trident_crm_webhook``):

- ``host``: the full URL entries are posted to; ``password``: the signing secret;
- extra, optional: ``lookup_url`` (contact lookups), ``timeout`` (seconds, 30).

URLs must be ``https``, except on the loopback interface. Secrets come only from the
Connections and are masked in Airflow's logs. The two types' entries for the provider info
(``connection-types``) are :data:`~trident_pipeline.orchestration.connection_types.CRM`.
"""

from __future__ import annotations

import enum
import ipaddress
import logging
from collections.abc import Mapping
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from airflow.sdk import BaseHook, Connection, Variable
from airflow.sdk.exceptions import AirflowNotFoundException
from airflow.sdk.log import mask_secret
from sqlalchemy import Engine

from trident_pipeline.crm.dataverse import (
    ContactColumns,
    DataverseCustomerRecords,
    DataverseSettings,
    DataverseTables,
)
from trident_pipeline.crm.embedded import EmbeddedCustomerRecords
from trident_pipeline.crm.protocol import CustomerRecords
from trident_pipeline.crm.webhook import WebhookCustomerRecords, WebhookSettings
from trident_pipeline.domain.models import Platform
from trident_pipeline.orchestration.hooks._extras import field, positive_number

__all__ = [
    "CRM_ADAPTER_VARIABLE",
    "CrmAdapter",
    "CrmWebhookHook",
    "DataverseHook",
    "crm_from_connections",
]

log = logging.getLogger(__name__)

CRM_ADAPTER_VARIABLE = "trident_crm_adapter"
_DATAVERSE = "trident_dataverse"
_WEBHOOK = "trident_crm_webhook"
_TABLE_NAMES = (
    "communication_entity_set",
    "communication_key_column",
    "communication_item_key_column",
    "communication_platform_column",
    "communication_direction_column",
    "communication_regarding",
)


class CrmAdapter(enum.StrEnum):
    """The CRMs the outbox can deliver to."""

    EMBEDDED = "embedded"
    DATAVERSE = "dataverse"
    WEBHOOK = "webhook"


class DataverseHook(BaseHook):
    """Turns the ``trident_dataverse`` Connection into a Dataverse CRM adapter, on first use.

    Args:
        dataverse_conn_id: the Connection to read.
    """

    conn_name_attr = "dataverse_conn_id"
    default_conn_name = _DATAVERSE
    conn_type = _DATAVERSE
    hook_name = "Trident CRM: Dynamics 365 (Dataverse)"

    def __init__(self, *, dataverse_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dataverse_conn_id = dataverse_conn_id

    @cached_property
    def client(self) -> DataverseCustomerRecords:
        """The Dataverse adapter for the Connection's environment.

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when a field is missing or malformed (the message names it).
        """
        connection = _masked(self.get_connection(self.dataverse_conn_id))
        extra = connection.extra_dejson
        conn_id = self.dataverse_conn_id
        tenant_id = field(extra, "tenant_id", _DATAVERSE)
        if not (connection.host and connection.login and connection.password and tenant_id):
            raise ValueError(
                f"the {conn_id} Connection needs host (environment URL), login (client id), "
                "password (client secret) and tenant_id in its extra"
            )
        settings = DataverseSettings(
            org_url=_url(connection.host, conn_id, "host"),
            tenant_id=str(tenant_id),
            client_id=connection.login,
            client_secret=connection.password,
            authority_url=_url(
                field(extra, "authority_url", _DATAVERSE) or "https://login.microsoftonline.com",
                conn_id,
                "authority_url",
            ),
            tables=_tables(extra, conn_id),
            timeout=_timeout(extra, conn_id, _DATAVERSE),
        )
        return DataverseCustomerRecords(settings)

    def get_conn(self) -> DataverseCustomerRecords:
        """The Dataverse adapter (see :attr:`client`).

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when a field is missing or malformed.
        """
        return self.client

    def test_connection(self) -> tuple[bool, str]:
        """Sign in and ask Dataverse who the application user is (``WhoAmI``).

        Raises:
            Nothing: a failure is the answer ``(False, "<error class>: <message>")``.
        """
        try:
            user_id = self.client.who_am_i()
        except Exception as error:  # the UI shows why the test failed; messages hold no secrets
            return False, f"{type(error).__name__}: {error}"
        return True, f"Signed in to Dataverse as the application user {user_id}"


class CrmWebhookHook(BaseHook):
    """Turns the ``trident_crm_webhook`` Connection into a webhook CRM adapter, on first use.

    Args:
        webhook_conn_id: the Connection to read.
    """

    conn_name_attr = "webhook_conn_id"
    default_conn_name = _WEBHOOK
    conn_type = _WEBHOOK
    hook_name = "Trident CRM: signed webhook"

    def __init__(self, *, webhook_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.webhook_conn_id = webhook_conn_id

    @cached_property
    def client(self) -> WebhookCustomerRecords:
        """The webhook adapter for the Connection's URL and secret.

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when a field is missing or malformed (the message names it).
        """
        connection = _masked(self.get_connection(self.webhook_conn_id))
        extra = connection.extra_dejson
        conn_id = self.webhook_conn_id
        if not (connection.host and connection.password):
            raise ValueError(
                f"the {conn_id} Connection needs host (webhook URL) and password (signing secret)"
            )
        lookup_url = field(extra, "lookup_url", _WEBHOOK)
        settings = WebhookSettings(
            url=_url(connection.host, conn_id, "host"),
            secret=connection.password,
            lookup_url=_url(lookup_url, conn_id, "lookup_url") if lookup_url else None,
            timeout=_timeout(extra, conn_id, _WEBHOOK),
        )
        return WebhookCustomerRecords(settings)

    def get_conn(self) -> WebhookCustomerRecords:
        """The webhook adapter (see :attr:`client`).

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when a field is missing or malformed.
        """
        return self.client

    def test_connection(self) -> tuple[bool, str]:
        """Send a signed ping, which the receiver answers without keeping anything.

        Raises:
            Nothing: a failure is the answer ``(False, "<error class>: <message>")``.
        """
        try:
            self.client.ping()
        except Exception as error:  # the UI shows why the test failed; messages hold no secrets
            return False, f"{type(error).__name__}: {error}"
        return True, "The webhook accepted a signed ping"


def crm_from_connections(engine: Engine) -> CustomerRecords:
    """The CRM the outbox delivers to (see the module's documentation for the rule).

    ``engine`` is the store, for the embedded CRM.

    Raises:
        ValueError: when the Variable names no known CRM, both CRM Connections exist and no
            Variable chooses, or the chosen Connection is malformed.
        AirflowNotFoundException: when the Variable names a CRM whose Connection is missing.
    """
    chosen = Variable.get(CRM_ADAPTER_VARIABLE, default=None)
    if chosen:
        try:
            adapter = CrmAdapter(chosen.strip().lower())
        except ValueError:
            raise ValueError(
                f"the {CRM_ADAPTER_VARIABLE} Variable must be one of "
                f"{', '.join(CrmAdapter)}, not {chosen!r}"
            ) from None
    else:
        adapter = _adapter_by_connections()
    log.info("CRM outbox delivers to the %s CRM", adapter)
    if adapter is CrmAdapter.DATAVERSE:
        return DataverseHook().client
    if adapter is CrmAdapter.WEBHOOK:
        return CrmWebhookHook().client
    return EmbeddedCustomerRecords(engine)


def _adapter_by_connections() -> CrmAdapter:
    present = [
        adapter
        for adapter, conn_id in ((CrmAdapter.DATAVERSE, _DATAVERSE), (CrmAdapter.WEBHOOK, _WEBHOOK))
        if _exists(conn_id)
    ]
    if len(present) > 1:
        raise ValueError(
            f"both {_DATAVERSE} and {_WEBHOOK} Connections exist: set the "
            f"{CRM_ADAPTER_VARIABLE} Variable to the CRM to deliver to"
        )
    return present[0] if present else CrmAdapter.EMBEDDED


def _exists(conn_id: str) -> bool:
    try:
        BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return False
    return True


def _masked(connection: Connection) -> Connection:
    if connection.password:
        mask_secret(connection.password)
    return connection


def _url(value: str, conn_id: str, name: str) -> str:
    """``value`` as an absolute URL: ``https``, or ``http`` on the loopback interface only."""
    url = value.strip().rstrip("/")
    if "://" not in url:
        url = f"https://{url}"
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in ("https", "http"):
        raise ValueError(f"the {conn_id} Connection's {name} is not an http(s) URL")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(f"the {conn_id} Connection's {name} must use https")
    return url


def _is_loopback(hostname: str) -> bool:
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def _timeout(extra: Mapping[str, Any], conn_id: str, conn_type: str) -> float:
    """The ``timeout`` extra in seconds, 30 when it is not set."""
    return positive_number(extra, "timeout", conn_type=conn_type, conn_id=conn_id) or 30.0


def _tables(extra: Mapping[str, Any], conn_id: str) -> DataverseTables:
    names: dict[str, Any] = {}
    for name in _TABLE_NAMES:
        value = field(extra, name, _DATAVERSE)
        if value not in (None, ""):
            if not isinstance(value, str):
                raise ValueError(f"the {conn_id} Connection's {name} must be a text")
            names[name] = value
    columns = field(extra, "contact_columns", _DATAVERSE)
    if columns not in (None, ""):
        names["contact_columns"] = _contact_columns(columns, conn_id)
    return DataverseTables(**names)


def _contact_columns(value: Any, conn_id: str) -> dict[Platform, ContactColumns]:
    problem = (
        f"the {conn_id} Connection's contact_columns must map platforms "
        f'({", ".join(Platform)}) to {{"user_id": column, "handle": column or null}}'
    )
    if not isinstance(value, Mapping):
        raise ValueError(problem)
    columns: dict[Platform, ContactColumns] = {}
    for platform, names in value.items():
        if platform not in set(Platform) or not isinstance(names, Mapping):
            raise ValueError(problem)
        user_id, handle = names.get("user_id"), names.get("handle")
        if not isinstance(user_id, str) or not user_id or not isinstance(handle, str | None):
            raise ValueError(problem)
        columns[Platform(platform)] = ContactColumns(user_id, handle or None)
    return columns
