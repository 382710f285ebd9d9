"""What the pages work with: the store, the loaded configuration, the clock, and the services
behind each action. Built once per web process; the configuration is read on first use, so a
change to ``config/`` takes effect when the Airflow API server restarts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from functools import cached_property

from sqlalchemy import Engine

from trident_pipeline.blocking import Approvals
from trident_pipeline.config import StaffConfig, read_config
from trident_pipeline.config.service import ServiceConfig
from trident_pipeline.config.strikes import EnforcementSettings
from trident_pipeline.crm import outbox
from trident_pipeline.domain.responses import ResponseMatcher
from trident_pipeline.enforcement import Enforcement
from trident_pipeline.sources.capabilities import CAPABILITIES
from trident_pipeline.store import migrate
from trident_pipeline.web.references import ResidentReferences

__all__ = ["ApprovalLinks", "Services", "utc_now"]

ApprovalLinks = Callable[[Sequence[int]], Mapping[int, str]]
"""Where each pending approval is answered: the URL of its task's Required Actions page."""


def utc_now() -> datetime:
    """The time now, in UTC."""
    return datetime.now(timezone.utc)


class Services:
    """The store and configuration behind the pages.

    Args:
        engine_factory: makes the store's engine (the ``trident_store`` Connection, or the
            embedded SQLite store); called once, on first use.
        approval_links: finds where each pending approval is answered (Airflow's Required
            Actions); an approval it gives no link for is shown without one.
        secret: gives the server's secret key, which makes the residents' page references.
        clock: the time now; tests freeze it.
    """

    def __init__(
        self,
        engine_factory: Callable[[], Engine],
        approval_links: ApprovalLinks,
        secret: Callable[[], str],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._engine_factory = engine_factory
        self.approval_links = approval_links
        self.references = ResidentReferences(secret)
        self.now = clock

    @cached_property
    def engine(self) -> Engine:
        """The store, migrated to the current schema (so a fresh install shows empty pages).

        Raises:
            sqlalchemy.exc.SQLAlchemyError: when the store cannot be reached.
        """
        engine = self._engine_factory()
        migrate(engine)
        return engine

    @cached_property
    def settings(self) -> EnforcementSettings:
        """The three-strike configuration (``strikes``, ``templates``, ``staff``, ``policy``).

        Raises:
            ConfigError: when a file is missing or invalid.
        """
        return EnforcementSettings.load()

    @property
    def staff(self) -> StaffConfig:
        """``staff.yaml``: responders, their pseudonyms, roles and logins."""
        return self.settings.staff

    @cached_property
    def service(self) -> ServiceConfig:
        """``service.yaml``: managed hours, the response target and its rules.

        Raises:
            ConfigError: when the file is missing or invalid.
        """
        return read_config("service.yaml", ServiceConfig)

    @cached_property
    def matcher(self) -> ResponseMatcher:
        """Matches replies to items, by the rules of ``service.yaml`` and ``staff.yaml``."""
        return self.service.response_matcher(self.staff)

    @cached_property
    def enforcement(self) -> Enforcement:
        """The three-strike service, for decisions that touch no platform (appeals, reviews)."""
        return Enforcement(self.engine, self.settings, {}, outbox.enqueue)

    @cached_property
    def approvals(self) -> Approvals:
        """Pending approvals, their evidence, and block reviews."""
        return Approvals(self.enforcement, CAPABILITIES)
