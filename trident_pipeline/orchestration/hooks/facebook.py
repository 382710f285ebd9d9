"""The ``trident_facebook`` Connection as a Graph API client, a source and a moderator.

Connection fields:

- ``password``: a Page access token for the organisation's page, best a System User's token
  that does not expire, with ``pages_show_list``, ``pages_read_engagement``,
  ``pages_read_user_content`` (visitors' posts and comments), ``pages_manage_engagement`` (hide
  and reply to comments), ``pages_messaging`` (Messenger) and ``pages_manage_metadata``
  (blocking); the person who made it needs the page's MODERATE and MESSAGING tasks;
- extra ``app_secret`` (optional): the app's secret, to send ``appsecret_proof`` (needed when
  the app requires it);
- extra ``api_version`` (optional): the Graph API version, ``v26.0`` by default;
- extra ``max_requests_per_run`` (optional): the request budget of one pull;
- extra ``timeout`` (optional): seconds before a request is abandoned, 30 by default;
- extra ``comment_lookback_days`` (optional): how old a post may be and still have its new
  comments read, 28 by default.

The page id is the account's ``user_id`` in ``accounts.yaml``. Every secret read is masked in
Airflow's logs. :data:`~trident_pipeline.orchestration.connection_types.FACEBOOK` is this
connection type's entry for the provider info
(``connection-types``): Airflow 3.2 and later read the form's fields from there.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Any

import facebook
from airflow.sdk import BaseHook, Connection
from airflow.sdk.log import mask_secret

from trident_pipeline.domain.models import Platform
from trident_pipeline.orchestration.hooks._extras import field, positive_int, positive_number
from trident_pipeline.sources.base import Account
from trident_pipeline.sources.facebook.client import GRAPH_API_VERSION, GraphGateway, build_graph
from trident_pipeline.sources.facebook.moderation import FacebookModerator
from trident_pipeline.sources.facebook.source import DEFAULT_COMMENT_LOOKBACK, FacebookSource
from trident_pipeline.sources.retry import RetryPolicy

__all__ = ["FacebookHook"]

_CONN_TYPE = "trident_facebook"


class FacebookHook(BaseHook):
    """Turns the ``trident_facebook`` Connection into a Graph API client, built on first use.

    Args:
        facebook_conn_id: the Connection to read.
    """

    conn_name_attr = "facebook_conn_id"
    default_conn_name = _CONN_TYPE
    conn_type = _CONN_TYPE
    hook_name = "Trident: Facebook page (Graph API)"

    def __init__(self, *, facebook_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.facebook_conn_id = facebook_conn_id

    @cached_property
    def connection(self) -> Connection:
        """The Connection, its secrets masked in logs from here on.

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
        """
        connection = self.get_connection(self.facebook_conn_id)
        app_secret = field(connection.extra_dejson, "app_secret", _CONN_TYPE)
        for secret in (connection.password, app_secret):
            if isinstance(secret, str) and secret:
                mask_secret(secret)
        return connection

    @cached_property
    def graph(self) -> facebook.GraphAPI:
        """A Graph API client holding the page access token, on a session of its own.

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when the token is missing, or the version or timeout is malformed.
        """
        connection = self.connection
        extra = connection.extra_dejson
        conn_id = self.facebook_conn_id
        if not connection.password:
            raise ValueError(f"the {conn_id} Connection needs a page access token")
        timeout = positive_number(extra, "timeout", conn_type=_CONN_TYPE, conn_id=conn_id) or 30.0
        return build_graph(
            connection.password,
            version=field(extra, "api_version", _CONN_TYPE) or GRAPH_API_VERSION,
            timeout=timeout,
            app_secret=field(extra, "app_secret", _CONN_TYPE) or None,
        )

    def get_conn(self) -> facebook.GraphAPI:
        """The Graph API client (see :attr:`graph`).

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when the token is missing, or the version or timeout is malformed.
        """
        return self.graph

    def get_source(
        self,
        account: Account,
        *,
        max_requests: int | None = None,
        retry: RetryPolicy | None = None,
    ) -> FacebookSource:
        """A source reading the page for one pull, with its own request count and budget.

        Args:
            account: the organisation's page, as configured in ``accounts.yaml``.
            max_requests: the pull's request budget; by default the Connection's
                ``max_requests_per_run``, else none.
            retry: retries and the pull's time budget (its ``deadline``).

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when ``account`` is not on Facebook or the Connection is malformed.
        """
        _check_account(account)
        extra = self.connection.extra_dejson
        conn_id = self.facebook_conn_id
        budget = max_requests or positive_int(
            extra, "max_requests_per_run", conn_type=_CONN_TYPE, conn_id=conn_id
        )
        lookback_days = positive_int(
            extra, "comment_lookback_days", conn_type=_CONN_TYPE, conn_id=conn_id
        )
        return FacebookSource(
            self.graph,
            account,
            retry=retry,
            max_requests=budget,
            comment_lookback=(
                timedelta(days=lookback_days) if lookback_days else DEFAULT_COMMENT_LOOKBACK
            ),
        )

    def get_moderator(
        self, account: Account, *, retry: RetryPolicy | None = None
    ) -> FacebookModerator:
        """A moderator acting as the page.

        Raises:
            AirflowNotFoundException: when the Connection does not exist.
            ValueError: when ``account`` is not on Facebook or the Connection is malformed.
        """
        _check_account(account)
        return FacebookModerator(self.graph, account, retry=retry)

    def test_connection(self) -> tuple[bool, str]:
        """Ask the Graph API whose token this is (``GET /me?fields=id``), with no retries."""
        try:
            gateway = GraphGateway(self.graph, retry=RetryPolicy(attempts=1))
            body = gateway.get("Facebook test connection", "me", {"fields": "id"})
            page_id = body["id"]
        except Exception as error:  # the UI shows why the test failed
            return False, f"{type(error).__name__}: {error}"
        return True, f"Connected to Facebook as the page with id {page_id}"


def _check_account(account: Account) -> None:
    if account.platform is not Platform.FACEBOOK:
        raise ValueError("the Facebook hook serves the organisation's Facebook page only")
