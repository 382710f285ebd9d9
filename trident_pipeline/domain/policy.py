"""The policy decision for one item: which clauses of policy section 3.1 its findings break.

Section 3.1 lists three things that get posts removed: naming individuals, giving out
personal information, and using abusive or threatening language. Which finding types fall
under which clause, on which channel each clause applies, and how sure a finding must be all
come from configuration (``config/policy.yaml``): personal information in a public post is a
violation, in a private message to us it is what we asked for; abuse and threats are
violations on every channel.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from trident_pipeline.domain.models import Channel
from trident_pipeline.domain.screening.findings import Finding, FindingType

__all__ = ["Clause", "ClauseRule", "Decision", "ScreeningPolicy", "decide"]


class Clause(enum.StrEnum):
    """The clauses of policy section 3.1, in the policy's own words."""

    NAMING_INDIVIDUALS = "naming_individuals"
    PERSONAL_INFORMATION = "personal_information"
    ABUSIVE_OR_THREATENING_LANGUAGE = "abusive_or_threatening_language"


@dataclass(frozen=True, slots=True)
class ClauseRule:
    """A clause, the finding types that break it, and the channels where it applies.

    Raises:
        ValueError: when the clause names no finding type or no channel.
    """

    clause: Clause
    finding_types: frozenset[FindingType]
    channels: frozenset[Channel]

    def __post_init__(self) -> None:
        if not self.finding_types or not self.channels:
            raise ValueError(f"clause {self.clause.value} needs finding types and channels")


@dataclass(frozen=True, slots=True)
class ScreeningPolicy:
    """The clause rules in the order they are reported, and the score threshold per type.

    A finding counts when its score is at least its type's threshold; a type with no
    threshold counts at any score.

    Raises:
        ValueError: when a clause appears twice or a threshold lies outside [0, 1].
    """

    rules: tuple[ClauseRule, ...]
    thresholds: Mapping[FindingType, float] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        clauses = [rule.clause for rule in self.rules]
        if len(set(clauses)) != len(clauses):
            raise ValueError("each clause has one rule")
        if any(not 0.0 <= value <= 1.0 for value in self.thresholds.values()):
            raise ValueError("a threshold lies between 0 and 1")

    def counts(self, finding: Finding) -> bool:
        """Whether ``finding`` is sure enough to count.

        Raises:
            Nothing.
        """
        return finding.score >= self.thresholds.get(finding.type, 0.0)


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether an item breaks the policy, and which clauses it breaks (in policy order).

    Raises:
        Nothing: built by :func:`decide`.
    """

    violation: bool
    clauses: tuple[Clause, ...]


def decide(findings: Iterable[Finding], channel: Channel, policy: ScreeningPolicy) -> Decision:
    """Decide an item from its findings and the channel it came on.

    Raises:
        ValueError: when ``channel`` is not a :class:`Channel` value.
    """
    channel = Channel(channel)
    present = {finding.type for finding in findings if policy.counts(finding)}
    clauses = tuple(
        rule.clause
        for rule in policy.rules
        if channel in rule.channels and not present.isdisjoint(rule.finding_types)
    )
    return Decision(violation=bool(clauses), clauses=clauses)
