"""The ``trident_x`` Connection as a tweepy client, an X source and an X moderator.

Connection fields (OAuth 1.0a user context for the organisation's own account; the app needs
"Read and write and Direct message" permission, on a plan that can read timelines and DMs):

- ``login``: the app's API key (consumer key);
- ``password``: the app's API key secret (consumer secret);
- extra ``access_token`` and ``access_token_secret``: the organisation's account's access token
  and secret (the token starts with the account's numeric id);
- extra ``max_requests_per_run`` (optional): the request budget of one pull;
- extra ``timeout`` (optional): seconds before a request is abandoned, 30 by default.

Every secret read is masked in Airflow's logs. The Connection form's fields are this connection
type's entry for the provider info, :data:`~trident_pipeline.orchestration.connection_types.X`:
Airflow 3.2 and later read them from there, and warn when a hook defines
``get_ui_field_behaviour`` or ``get_connection_form_widgets``.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import tweepy
from airflow.sdk import BaseHook, Connection
from airflow.sdk.log import mask_secret

from trident_pipeline.domain.models import Platform
from trident_pipeline.orchestration.hooks._extras import field, positive_int, positive_number
from trident_pipeline.sources.base import Account
from trident_pipeline.sources.retry import RetryPolicy
from trident_pipeline.sources.x.client import XGateway, build_client
from trident_pipeline.sources.x.moderation import XModerator
from trident_pipeline.sources.x.source import XSource

__all__ = ["XHook"]

_CONN_TYPE = "trident_x"


class XHook(BaseHook):
    """Turns the ``trident_x`` Connection into a tweepy client, built on first use.

    Args:
        x_conn_id: the Connection to read.
    """

    conn_name_attr = "x_conn_id"
    default_conn_name = _CONN_TYPE
    conn_type = _CONN_TYPE
    hook_name = "Trident: X (API v2)"

    def __init__(self, *, x_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.x_conn_id = x_conn_id

    @cached_property
    def connection(self) -> Connection:
        """The Connection, its secrets masked in logs from here on.

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
        """
        connection = self.get_connection(self.x_conn_id)
        extra = connection.extra_dejson
        for secret in (
            connection.login,
            connection.password,
            field(extra, "access_token", _CONN_TYPE),
            field(extra, "access_token_secret", _CONN_TYPE),
        ):
            if isinstance(secret, str) and secret:
                mask_secret(secret)
        return connection

    @cached_property
    def client(self) -> tweepy.Client:
        """A tweepy client for the Connection's account (raw JSON bodies, no rate-limit wait).

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when a credential is missing or the timeout is not a positive number.
        """
        connection = self.connection
        extra = connection.extra_dejson
        credentials = {
            "consumer_key": connection.login,
            "consumer_secret": connection.password,
            "access_token": field(extra, "access_token", _CONN_TYPE),
            "access_token_secret": field(extra, "access_token_secret", _CONN_TYPE),
        }
        if not all(isinstance(value, str) and value for value in credentials.values()):
            raise ValueError(
                f"the {self.x_conn_id} Connection needs login (API key), password (API key "
                "secret), and access_token and access_token_secret in its extra"
            )
        conn_id = self.x_conn_id
        timeout = positive_number(extra, "timeout", conn_type=_CONN_TYPE, conn_id=conn_id) or 30.0
        return build_client(**credentials, timeout=timeout)

    def get_conn(self) -> tweepy.Client:
        """The tweepy client (see :attr:`client`).

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when a credential is missing or the timeout is not a positive number.
        """
        return self.client

    def get_source(
        self,
        account: Account,
        *,
        max_requests: int | None = None,
        retry: RetryPolicy | None = None,
    ) -> XSource:
        """A source reading ``account`` for one pull, with its own request count and budget.

        Args:
            account: the organisation's X account, as configured in ``accounts.yaml``.
            max_requests: the pull's request budget; by default the Connection's
                ``max_requests_per_run``, else none.
            retry: retries and the pull's time budget (its ``deadline``).

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when the Connection is incomplete or holds another account's token.
        """
        self._check_account(account)
        extra = self.connection.extra_dejson
        budget = max_requests or positive_int(
            extra, "max_requests_per_run", conn_type=_CONN_TYPE, conn_id=self.x_conn_id
        )
        return XSource(self.client, account, retry=retry, max_requests=budget)

    def get_moderator(self, account: Account, *, retry: RetryPolicy | None = None) -> XModerator:
        """A moderator acting as ``account``.

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when the Connection is incomplete or holds another account's token.
        """
        self._check_account(account)
        return XModerator(self.client, account, retry=retry)

    def test_connection(self) -> tuple[bool, str]:
        """Ask X who the credentials belong to (``GET /2/users/me``), with no retries."""
        try:
            client = self.client
            gateway = XGateway(client, retry=RetryPolicy(attempts=1))
            body = gateway.call("X test connection", lambda: client.get_me(user_auth=True))
            user_id = body["data"]["id"]
        except Exception as error:  # the UI shows why the test failed
            return False, f"{type(error).__name__}: {error}"
        return True, f"Connected to X as the account with id {user_id}"

    def _check_account(self, account: Account) -> None:
        if account.platform is not Platform.X:
            raise ValueError("the X hook serves the organisation's X account only")
        # An OAuth 1.0a access token starts with its account's id (tweepy relies on it too).
        token = self.client.access_token
        if token.partition("-")[0] != account.user_id:
            raise ValueError(
                f"the {self.x_conn_id} Connection's access token is not for the configured "
                "X account"
            )
