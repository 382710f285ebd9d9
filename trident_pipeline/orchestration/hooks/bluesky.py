"""The ``trident_bluesky`` Connection as an atproto client, a Bluesky source and a moderator.

Connection fields (the organisation's own account, @tridentgrp.bsky.social):

- ``host``: the service to log in to, ``https://bsky.social`` when empty; after the login
  atproto talks to the account's own PDS named in the session;
- ``login``: the account's handle, e.g. ``tridentgrp.bsky.social``;
- ``password``: an app password created with "Allow access to your direct messages" ticked
  (Settings → Privacy and security → App passwords); the account's main password is never
  needed and should not be used;
- extra ``max_requests_per_run`` (optional): the request budget of one pull;
- extra ``timeout`` (optional): seconds before a request is abandoned, 30 by default.

The login session is kept between runs in the Airflow Variable ``<conn_id>_session_secret``
(``trident_bluesky_session_secret`` for the default Connection): Airflow masks Variables whose
key contains ``secret``, and this hook masks the session string and its tokens too. A run
resumes that session and logs in with the app password only when there is none or Bluesky
refuses it, because ``createSession`` is rate-limited (30 per 5 minutes, about 100-300 a day).

:data:`~trident_pipeline.orchestration.connection_types.BLUESKY` is this
connection type's entry for the provider info
(``connection-types``): Airflow 3.2 and later read the form's fields from there.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import httpx
from airflow.sdk import BaseHook, Connection, Variable
from airflow.sdk.log import mask_secret
from atproto_client import models

from trident_pipeline.domain.models import Platform
from trident_pipeline.orchestration.hooks._extras import positive_int, positive_number
from trident_pipeline.sources.base import Account
from trident_pipeline.sources.bluesky.client import BlueskyGateway
from trident_pipeline.sources.bluesky.moderation import BlueskyModerator
from trident_pipeline.sources.bluesky.session import Credentials, SessionStore, session_secrets
from trident_pipeline.sources.bluesky.source import BlueskySource
from trident_pipeline.sources.errors import NotPermitted, SourceError
from trident_pipeline.sources.retry import RetryPolicy

__all__ = ["BlueskyHook", "VariableSessionStore"]

_CONN_TYPE = "trident_bluesky"
_DEFAULT_SERVICE = "https://bsky.social"


def _mask_session(session_string: str) -> None:
    for secret in session_secrets(session_string):
        mask_secret(secret)


class VariableSessionStore:
    """Keeps the Bluesky session string in an Airflow Variable, masked wherever it shows.

    Args:
        key: the Variable's key; it must contain ``secret`` so that Airflow masks its value.

    Raises:
        ValueError: when the key does not contain ``secret``.
    """

    def __init__(self, key: str) -> None:
        if "secret" not in key:
            raise ValueError("the session Variable's key must contain 'secret' to be masked")
        self.key = key

    def load(self) -> str | None:
        """The saved session string, or ``None`` when the Variable does not exist."""
        value = Variable.get(self.key, default=None)
        if not value:
            return None
        _mask_session(value)
        return value

    def save(self, session_string: str) -> None:
        """Replace the saved session string."""
        _mask_session(session_string)
        Variable.set(self.key, session_string, description="Bluesky login session (secret)")


class BlueskyHook(BaseHook):
    """Turns the ``trident_bluesky`` Connection into a logged-in gateway, built on first use.

    Args:
        bluesky_conn_id: the Connection to read.
        session_store: where the session string is kept between runs; by default the Variable
            ``<bluesky_conn_id>_session_secret``.
        retry: retries and the run's time budget (its ``deadline``).
        max_requests: the run's request budget; by default the Connection's
            ``max_requests_per_run``, else none.
        transport: the HTTP transport under atproto's client, for tests; the network by default.
    """

    conn_name_attr = "bluesky_conn_id"
    default_conn_name = _CONN_TYPE
    conn_type = _CONN_TYPE
    hook_name = "Trident: Bluesky (AT Protocol)"

    def __init__(
        self,
        *,
        bluesky_conn_id: str = default_conn_name,
        session_store: SessionStore | None = None,
        retry: RetryPolicy | None = None,
        max_requests: int | None = None,
        transport: httpx.BaseTransport | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.bluesky_conn_id = bluesky_conn_id
        self.session_store = session_store or VariableSessionStore(
            f"{bluesky_conn_id}_session_secret"
        )
        self.retry = retry or RetryPolicy()
        self.max_requests = max_requests
        self.transport = transport

    @cached_property
    def connection(self) -> Connection:
        """The Connection, its app password masked in logs from here on.

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
        """
        connection = self.get_connection(self.bluesky_conn_id)
        if connection.password:
            mask_secret(connection.password)
        return connection

    @cached_property
    def gateway(self) -> BlueskyGateway:
        """The gateway for the Connection's account; it logs in on its first call.

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when the handle or app password is missing, or an extra is not a
                positive number.
        """
        connection = self.connection
        extra = connection.extra_dejson
        try:
            credentials = Credentials(connection.login or "", connection.password or "")
        except ValueError:
            raise ValueError(
                f"the {self.bluesky_conn_id} Connection needs login (handle) and password "
                "(app password)"
            ) from None
        conn_id = self.bluesky_conn_id
        timeout = positive_number(extra, "timeout", conn_type=_CONN_TYPE, conn_id=conn_id) or 30.0
        budget = self.max_requests or positive_int(
            extra, "max_requests_per_run", conn_type=_CONN_TYPE, conn_id=conn_id
        )
        return BlueskyGateway(
            service_url=connection.host or _DEFAULT_SERVICE,
            credentials=credentials,
            session_store=self.session_store,
            retry=self.retry,
            max_requests=budget,
            transport=self.transport,
            timeout=timeout,
        )

    def get_conn(self) -> BlueskyGateway:
        """The gateway (see :attr:`gateway`).

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when the Connection is incomplete.
        """
        return self.gateway

    def get_source(self, account: Account, *, page_size: int = 100) -> BlueskySource:
        """A source reading ``account``, counting against this hook's request budget.

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when the Connection is incomplete or ``page_size`` is out of range.
            NotPermitted: when the Connection logs in to another account than ``account``.
            SourceError: when the login fails.
        """
        self._check_account(account)
        return BlueskySource(account, self.gateway, page_size=page_size)

    def get_moderator(self, account: Account) -> BlueskyModerator:
        """A moderator acting as ``account``.

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when the Connection is incomplete.
            NotPermitted: when the Connection logs in to another account than ``account``.
            SourceError: when the login fails.
        """
        self._check_account(account)
        return BlueskyModerator(account, self.gateway)

    def test_connection(self) -> tuple[bool, str]:
        """Log in (or resume the session), check it, and check direct-message access.

        Returns:
            ``(True, message)`` naming the account's DID, or ``(False, why)``; it never raises.
        """
        try:
            gateway = self.gateway
            did = gateway.account_did()
            gateway.query("Bluesky session check", "com.atproto.server.getSession")
            gateway.query(
                "Bluesky direct messages check",
                "chat.bsky.convo.listConvos",
                models.ChatBskyConvoListConvos.Params(limit=1),
                chat=True,
            )
        except (SourceError, ValueError) as error:
            return False, f"{type(error).__name__}: {error}"
        except Exception as error:  # the UI shows why the test failed; no message text
            return False, type(error).__name__
        return True, f"Connected to Bluesky as {did}, with access to direct messages"

    def _check_account(self, account: Account) -> None:
        if account.platform is not Platform.BLUESKY:
            raise ValueError("the Bluesky hook serves the organisation's Bluesky account only")
        if self.gateway.account_did() != account.user_id:
            raise NotPermitted(
                f"the {self.bluesky_conn_id} Connection logs in to another account than the "
                "configured Bluesky account"
            )
