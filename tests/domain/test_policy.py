"""The policy decision: clauses of section 3.1 by channel, with score thresholds."""

from __future__ import annotations

import pytest

from trident_pipeline.domain.models import Channel
from trident_pipeline.domain.policy import (
    Clause,
    ClauseRule,
    Decision,
    ScreeningPolicy,
    decide,
)
from trident_pipeline.domain.screening.findings import Finding, FindingType

PUBLIC = frozenset({Channel.PUBLIC})
EVERYWHERE = frozenset({Channel.PUBLIC, Channel.PRIVATE})
POLICY = ScreeningPolicy(
    rules=(
        ClauseRule(Clause.NAMING_INDIVIDUALS, frozenset({FindingType.PERSON_NAME}), PUBLIC),
        ClauseRule(
            Clause.PERSONAL_INFORMATION,
            frozenset(
                {
                    FindingType.PHONE,
                    FindingType.EMAIL,
                    FindingType.POSTCODE,
                    FindingType.POSTAL_ADDRESS,
                }
            ),
            PUBLIC,
        ),
        ClauseRule(
            Clause.ABUSIVE_OR_THREATENING_LANGUAGE,
            frozenset({FindingType.ABUSE, FindingType.THREAT}),
            EVERYWHERE,
        ),
    ),
    thresholds={FindingType.PHONE: 0.6, FindingType.THREAT: 0.5},
)


def finding(kind: FindingType, score: float = 0.9) -> Finding:
    return Finding(kind, 0, 4, score, "test@1")


def test_personal_information_in_a_public_post_is_a_violation() -> None:
    decision = decide([finding(FindingType.PHONE)], Channel.PUBLIC, POLICY)
    assert decision == Decision(violation=True, clauses=(Clause.PERSONAL_INFORMATION,))


def test_personal_information_in_a_private_message_is_expected() -> None:
    findings = [finding(FindingType.PHONE), finding(FindingType.PERSON_NAME)]
    assert decide(findings, Channel.PRIVATE, POLICY) == Decision(violation=False, clauses=())


@pytest.mark.parametrize("channel", [Channel.PUBLIC, Channel.PRIVATE])
@pytest.mark.parametrize("kind", [FindingType.ABUSE, FindingType.THREAT])
def test_abuse_and_threats_are_violations_on_every_channel(
    channel: Channel, kind: FindingType
) -> None:
    decision = decide([finding(kind)], channel, POLICY)
    assert decision.violation
    assert decision.clauses == (Clause.ABUSIVE_OR_THREATENING_LANGUAGE,)


def test_clauses_come_in_policy_order_once_each() -> None:
    findings = [
        finding(FindingType.THREAT),
        finding(FindingType.EMAIL),
        finding(FindingType.PHONE),
        finding(FindingType.PERSON_NAME),
    ]
    assert decide(findings, Channel.PUBLIC, POLICY).clauses == (
        Clause.NAMING_INDIVIDUALS,
        Clause.PERSONAL_INFORMATION,
        Clause.ABUSIVE_OR_THREATENING_LANGUAGE,
    )


def test_findings_below_their_threshold_do_not_count() -> None:
    assert not decide([finding(FindingType.PHONE, 0.59)], Channel.PUBLIC, POLICY).violation
    assert decide([finding(FindingType.PHONE, 0.6)], Channel.PUBLIC, POLICY).violation
    assert decide([finding(FindingType.EMAIL, 0.01)], Channel.PUBLIC, POLICY).violation


def test_no_findings_no_violation() -> None:
    assert decide([], Channel.PUBLIC, POLICY) == Decision(violation=False, clauses=())


def test_channel_given_as_text_is_read_and_nonsense_raises() -> None:
    assert decide([finding(FindingType.ABUSE)], "private", POLICY).violation
    with pytest.raises(ValueError):
        decide([], "carrier pigeon", POLICY)


def test_a_clause_without_types_or_channels_raises() -> None:
    with pytest.raises(ValueError, match="needs finding types and channels"):
        ClauseRule(Clause.NAMING_INDIVIDUALS, frozenset(), PUBLIC)


def test_a_clause_twice_or_a_threshold_out_of_range_raises() -> None:
    rule = POLICY.rules[0]
    with pytest.raises(ValueError, match="one rule"):
        ScreeningPolicy(rules=(rule, rule))
    with pytest.raises(ValueError, match="threshold"):
        ScreeningPolicy(rules=(rule,), thresholds={FindingType.PHONE: -0.1})
