"""The organisation's accounts as the mapping tests see them (the ids of config/accounts.yaml)."""

import pytest

from trident_pipeline.domain.models import Platform
from trident_pipeline.sources.base import Account


@pytest.fixture
def x_account() -> Account:
    """@tridentgrp on X."""
    return Account(Platform.X, "1500000000000000001", "tridentgrp")


@pytest.fixture
def bluesky_account() -> Account:
    """@tridentgrp.bsky.social on Bluesky."""
    return Account(Platform.BLUESKY, "did:plc:tridentgrp0000000000000001", "tridentgrp.bsky.social")


@pytest.fixture
def facebook_account() -> Account:
    """The tridentgrp page on Facebook."""
    return Account(Platform.FACEBOOK, "100000000000001", "tridentgrp")
