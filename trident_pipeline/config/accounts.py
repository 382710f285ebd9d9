"""``accounts.yaml``: the organisation's own account on each platform, and its Connection."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from trident_pipeline.domain.models import Platform
from trident_pipeline.sources.base import Account

__all__ = ["AccountConfig", "AccountsConfig"]


class AccountConfig(BaseModel):
    """One corporate account: its stable id, its handle, and the Airflow Connection to use."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: str = Field(min_length=1)
    handle: str = Field(min_length=1)
    connection_id: str = Field(min_length=1)


class AccountsConfig(BaseModel):
    """The corporate accounts, one per platform (policy section 3)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    x: AccountConfig
    bluesky: AccountConfig
    facebook: AccountConfig

    def account(self, platform: Platform) -> Account:
        """The account on ``platform`` as the sources see it."""
        entry: AccountConfig = getattr(self, Platform(platform).value)
        return Account(platform=platform, user_id=entry.user_id, handle=entry.handle)

    def connection_id(self, platform: Platform) -> str:
        """The Airflow Connection that holds this platform's credentials."""
        entry: AccountConfig = getattr(self, Platform(platform).value)
        return entry.connection_id
