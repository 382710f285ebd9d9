"""``policy.yaml``: policy section 3.1 as screening applies it.

Which finding types break which clause, on which channels, how sure a finding must be, and the
organisation's own published contact numbers (never personal information).
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, field_validator

from trident_pipeline.config.staff import StaffConfig
from trident_pipeline.domain.models import Channel
from trident_pipeline.domain.policy import Clause, ClauseRule, ScreeningPolicy
from trident_pipeline.domain.screening import ScreeningContext
from trident_pipeline.domain.screening.findings import FindingType
from trident_pipeline.domain.screening.phones import national_digits

__all__ = ["ClauseConfig", "PolicyConfig", "screening_context"]


class ClauseConfig(BaseModel):
    """One clause: the finding types that break it and the channels where it applies.

    Raises:
        pydantic.ValidationError: on an unknown finding type or channel, or an empty list.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    finding_types: tuple[FindingType, ...] = Field(min_length=1)
    channels: tuple[Channel, ...] = Field(min_length=1)


class PolicyConfig(BaseModel):
    """The clauses of section 3.1 in reporting order, thresholds, and published numbers.

    Raises:
        pydantic.ValidationError: on an unknown clause, a threshold outside [0, 1] or a
            published number that is not a UK phone number (``read_config`` reports it).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    clauses: dict[Clause, ClauseConfig] = Field(min_length=1)
    thresholds: dict[FindingType, float] = Field(default_factory=dict)
    published_numbers: tuple[str, ...] = ()

    @field_validator("thresholds")
    @classmethod
    def _thresholds_are_scores(
        cls, thresholds: dict[FindingType, float]
    ) -> dict[FindingType, float]:
        for kind, value in thresholds.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"the threshold for {kind.value} must lie between 0 and 1")
        return thresholds

    @field_validator("published_numbers")
    @classmethod
    def _numbers_are_uk(cls, numbers: tuple[str, ...]) -> tuple[str, ...]:
        for number in numbers:
            if national_digits(number) is None:
                raise ValueError(f"{number!r} is not a UK phone number")
        return numbers

    def screening_policy(self) -> ScreeningPolicy:
        """The domain's view of this file, for :func:`trident_pipeline.domain.policy.decide`.

        Raises:
            Nothing: the file was validated when loaded.
        """
        rules = tuple(
            ClauseRule(clause, frozenset(entry.finding_types), frozenset(entry.channels))
            for clause, entry in self.clauses.items()
        )
        return ScreeningPolicy(rules=rules, thresholds=dict(self.thresholds))


def screening_context(
    policy: PolicyConfig, staff: StaffConfig, resident_names: Iterable[str] = ()
) -> ScreeningContext:
    """What screening needs from ``policy.yaml`` and ``staff.yaml``, plus CRM residents' names.

    Staff who may not be named are ``named_staff`` and every responder's full name; the names
    responders sign with are their pseudonyms.

    Raises:
        ValueError: when a threshold lies outside [0, 1] (prevented by validation).
    """
    full_names = (responder.full_name for responder in staff.responders if responder.full_name)
    return ScreeningContext(
        staff_names=frozenset([*staff.named_staff, *full_names]),
        pseudonyms=frozenset(responder.pseudonym for responder in staff.responders),
        resident_names=frozenset(resident_names),
        published_numbers=frozenset(policy.published_numbers),
        thresholds=dict(policy.thresholds),
    )
