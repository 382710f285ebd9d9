"""``strikes.yaml``: the three-strike policy's numbers, and how its messages may go out.

Policy section 3.1 sets three strikes before a block; this file says how long a strike counts,
when a block is reviewed, who signs what the pipeline drafts, and where a drafted message may be
sent without a person's approval. :class:`EnforcementSettings` loads it with the other files
the three-strike services need and checks them against each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from trident_pipeline.config.loader import ConfigError, read_config
from trident_pipeline.config.policy import PolicyConfig
from trident_pipeline.config.staff import Responder, Role, StaffConfig
from trident_pipeline.config.templates import TemplatesConfig
from trident_pipeline.domain.messages import Delivery
from trident_pipeline.domain.models import Channel, Platform
from trident_pipeline.domain.policy import Clause
from trident_pipeline.domain.strikes import StrikeRules

__all__ = [
    "ApproverError",
    "EnforcementSettings",
    "MessageRoute",
    "PlatformRoutes",
    "StrikesConfig",
]


class ApproverError(ValueError):
    """A decision named someone ``staff.yaml`` does not allow to make it."""


class MessageRoute(BaseModel):
    """How the drafted message goes on one channel, and whether it needs approval first."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    delivery: Delivery
    automatic: bool = False


class PlatformRoutes(BaseModel):
    """The message routes of one platform, per channel."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    public: MessageRoute
    private: MessageRoute

    @model_validator(mode="after")
    def _private_goes_privately(self) -> PlatformRoutes:
        if self.private.delivery is not Delivery.DIRECT_MESSAGE:
            raise ValueError("a private message is answered by direct_message")
        return self


class StrikesConfig(BaseModel):
    """The three-strike policy (policy section 3.1) as configured."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: int = Field(3, ge=1)
    strike_expiry_days: int = Field(365, ge=1)
    block_review_days: int = Field(90, ge=1)
    system_pseudonym: str = Field(min_length=1)
    hide_public_violations: bool = True
    messages: dict[Platform, PlatformRoutes]

    @model_validator(mode="after")
    def _every_platform_has_routes(self) -> StrikesConfig:
        missing = [platform.value for platform in Platform if platform not in self.messages]
        if missing:
            raise ValueError(f"messages: no routes for {', '.join(missing)}")
        return self

    def rules(self) -> StrikeRules:
        """The ledger's rules: threshold, expiry and review periods.

        Raises:
            ValueError: never for a loaded file, whose values were checked.
        """
        return StrikeRules(
            threshold=self.threshold,
            expiry=timedelta(days=self.strike_expiry_days),
            block_review=timedelta(days=self.block_review_days),
        )

    def route(self, platform: Platform, channel: Channel) -> MessageRoute:
        """How the message about an item on ``platform`` and ``channel`` goes.

        Raises:
            ValueError: when ``platform`` or ``channel`` is not a known value.
        """
        routes = self.messages[Platform(platform)]
        return routes.public if Channel(channel) is Channel.PUBLIC else routes.private

    def signer(self, staff: StaffConfig) -> Responder:
        """The responder who signs the pipeline's own drafts.

        Raises:
            ConfigError: when ``system_pseudonym`` is not a responder of ``staff.yaml``.
        """
        wanted = self.system_pseudonym.casefold()
        for responder in staff.responders:
            if responder.pseudonym.casefold() == wanted:
                return responder
        raise ConfigError(
            f"strikes.yaml: system_pseudonym {self.system_pseudonym!r} is not a responder "
            "in staff.yaml"
        )


@dataclass(frozen=True)
class EnforcementSettings:
    """The configuration the three-strike services use, loaded and cross-checked together:
    ``strikes.yaml``, ``templates.yaml``, ``staff.yaml`` and ``policy.yaml``."""

    strikes: StrikesConfig
    templates: TemplatesConfig
    staff: StaffConfig
    policy: PolicyConfig

    @classmethod
    def load(cls, folder: Path | None = None) -> EnforcementSettings:
        """Read the four files from ``folder`` (by default :func:`config_dir`).

        Raises:
            ConfigError: when a file is missing or invalid, or the system pseudonym is not a
                responder of ``staff.yaml``.
        """
        settings = cls(
            strikes=read_config("strikes.yaml", StrikesConfig, folder),
            templates=read_config("templates.yaml", TemplatesConfig, folder),
            staff=read_config("staff.yaml", StaffConfig, folder),
            policy=read_config("policy.yaml", PolicyConfig, folder),
        )
        settings.strikes.signer(settings.staff)
        return settings

    @property
    def rules(self) -> StrikeRules:
        """The ledger's threshold, expiry and review periods.

        Raises:
            ValueError: never for settings from :meth:`load`, which were checked.
        """
        return self.strikes.rules()

    @property
    def signer(self) -> str:
        """The pseudonym that signs the pipeline's own drafts.

        Raises:
            ConfigError: never for settings from :meth:`load`, which checked it.
        """
        return self.strikes.signer(self.staff).pseudonym

    def findings_by_clause(
        self, clauses: Sequence[str], finding_types: Sequence[str]
    ) -> dict[str, list[str]]:
        """Each clause with those of ``finding_types`` that break it (``policy.yaml``).

        Raises:
            ValueError: when a clause is not one of policy section 3.1's.
        """
        found = {}
        for clause in clauses:
            rule = self.policy.clauses.get(Clause(clause))
            breaking = set(rule.finding_types) if rule else set()
            found[clause] = [kind for kind in finding_types if kind in breaking]
        return found

    def approver(self, pseudonym: str, *, manager: bool) -> str:
        """The pseudonym, as ``staff.yaml`` spells it, of a responder allowed to decide.

        Raises:
            ApproverError: when no responder has the pseudonym, or a manager is needed and the
                responder is not one.
        """
        wanted = pseudonym.strip().casefold()
        for responder in self.staff.responders:
            if responder.pseudonym.casefold() == wanted:
                if manager and responder.role is not Role.MANAGER:
                    raise ApproverError(f"{responder.pseudonym} is not a manager in staff.yaml")
                return responder.pseudonym
        raise ApproverError(f"{pseudonym.strip() or '(blank)'} is not a responder in staff.yaml")
