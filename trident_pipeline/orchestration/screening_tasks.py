"""Task function for the screening and policy-decision stage of the hourly DAG."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timezone
from importlib.metadata import version

from trident_pipeline.config import StaffConfig, read_config
from trident_pipeline.config.policy import PolicyConfig, screening_context
from trident_pipeline.domain.screening import Screener
from trident_pipeline.orchestration.store import store_engine
from trident_pipeline.screen_inbox import screen_new_items

__all__ = ["screen_items", "screener_version"]

log = logging.getLogger(__name__)


def screener_version(policy: PolicyConfig, staff: StaffConfig) -> str:
    """The package version and a digest of the configuration screening depends on: a change to
    either screens every item again."""
    digest = hashlib.sha256(
        json.dumps(
            [policy.model_dump(mode="json"), staff.model_dump(mode="json")], sort_keys=True
        ).encode()
    ).hexdigest()[:12]
    return f"{version('trident-pipeline')}+{digest}"


def screen_items() -> dict[str, int]:
    """Screen the items not yet screened by this screener and configuration.

    Raises:
        trident_pipeline.config.ConfigError: when ``policy.yaml`` or ``staff.yaml`` is invalid.
    """
    policy = read_config("policy.yaml", PolicyConfig)
    staff = read_config("staff.yaml", StaffConfig)
    screener = Screener.load(screening_context(policy, staff))
    counts = screen_new_items(
        store_engine(),
        screener,
        policy.screening_policy(),
        version=screener_version(policy, staff),
        clock=lambda: datetime.now(timezone.utc),
    )
    log.info("Screened %s items: %s break the policy", counts.screened, counts.violations)
    return counts.as_dict()
