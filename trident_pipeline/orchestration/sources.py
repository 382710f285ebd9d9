"""Choose a platform's source for a run: the bundled sample inbox, or the live account through
its Airflow Connection (named in ``config/accounts.yaml``)."""

from __future__ import annotations

import enum

from trident_pipeline.config import AccountsConfig, read_config
from trident_pipeline.domain.models import Platform
from trident_pipeline.sources.base import Source
from trident_pipeline.sources.replay import ReplaySource

__all__ = ["Inbox", "source_for"]


class Inbox(enum.StrEnum):
    """Where a run reads from: the live accounts, or the bundled sample inbox."""

    LIVE = "live"
    SAMPLE = "sample"


def source_for(platform: Platform, inbox: str) -> Source:
    """The source a pull task reads ``platform`` from.

    Raises:
        ValueError: when ``inbox`` is neither ``live`` nor ``sample``.
        trident_pipeline.config.ConfigError: when ``accounts.yaml`` is missing or invalid.
        airflow.sdk.exceptions.AirflowNotFoundException: when the platform's Connection is
            not defined.
    """
    if Inbox(inbox) is Inbox.SAMPLE:
        return ReplaySource(platform)
    accounts = read_config("accounts.yaml", AccountsConfig)
    account = accounts.account(platform)
    connection_id = accounts.connection_id(platform)
    if platform is Platform.X:
        from trident_pipeline.orchestration.hooks.x import XHook

        return XHook(x_conn_id=connection_id).get_source(account)
    if platform is Platform.BLUESKY:
        from trident_pipeline.orchestration.hooks.bluesky import BlueskyHook

        return BlueskyHook(bluesky_conn_id=connection_id).get_source(account)
    from trident_pipeline.orchestration.hooks.facebook import FacebookHook

    return FacebookHook(facebook_conn_id=connection_id).get_source(account)
