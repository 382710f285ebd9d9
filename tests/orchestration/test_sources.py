"""A run's source: the sample inbox, or the live account through its Connection."""

import json

import pytest
from airflow.sdk.exceptions import AirflowNotFoundException

from trident_pipeline.domain.models import Platform
from trident_pipeline.orchestration.sources import source_for
from trident_pipeline.sources.replay import ReplaySource
from trident_pipeline.sources.x.source import XSource

OURS = "1500000000000000001"  # config/accounts.yaml


def test_the_sample_inbox_is_replayed():
    source = source_for(Platform.FACEBOOK, "sample")
    assert isinstance(source, ReplaySource)
    assert source.streams == ("comments", "feed", "messages")


def test_a_live_source_uses_the_configured_account_and_connection(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_TRIDENT_X",
        json.dumps(
            {
                "conn_type": "trident_x",
                "login": "key",
                "password": "secret",
                "extra": {"access_token": f"{OURS}-token", "access_token_secret": "s"},
            }
        ),
    )
    source = source_for(Platform.X, "live")
    assert isinstance(source, XSource)
    assert source.account.user_id == OURS


def test_a_live_source_without_its_connection_fails_clearly(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_TRIDENT_FACEBOOK", raising=False)
    with pytest.raises(AirflowNotFoundException, match="trident_facebook"):
        source_for(Platform.FACEBOOK, "live")


def test_an_unknown_inbox_is_refused():
    with pytest.raises(ValueError, match="elsewhere"):
        source_for(Platform.X, "elsewhere")
