"""Every platform's capability matrix in one place: what each moderation action can do there."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from trident_pipeline.domain.models import Platform
from trident_pipeline.sources.bluesky.moderation import CAPABILITIES as BLUESKY
from trident_pipeline.sources.facebook.moderation import CAPABILITIES as FACEBOOK
from trident_pipeline.sources.moderation import Capabilities
from trident_pipeline.sources.x.moderation import CAPABILITIES as X

__all__ = ["CAPABILITIES"]

CAPABILITIES: Mapping[Platform, Capabilities] = MappingProxyType(
    {Platform.X: X, Platform.BLUESKY: BLUESKY, Platform.FACEBOOK: FACEBOOK}
)
