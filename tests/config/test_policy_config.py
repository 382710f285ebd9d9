"""``policy.yaml``: the shipped file loads, and mistakes are reported by field."""

from __future__ import annotations

from pathlib import Path

import pytest

from trident_pipeline.config import ConfigError, StaffConfig, read_config
from trident_pipeline.config.policy import PolicyConfig, screening_context
from trident_pipeline.domain.models import Channel
from trident_pipeline.domain.policy import Clause
from trident_pipeline.domain.screening.findings import FindingType

VALID = """
clauses:
  personal_information: {finding_types: [phone], channels: [public]}
thresholds: {phone: 0.6}
published_numbers: ["0113 496 0000"]
"""


def write(folder: Path, text: str) -> Path:
    (folder / "policy.yaml").write_text(text, encoding="utf-8")
    return folder


def test_the_shipped_policy_covers_every_clause_and_finding_type() -> None:
    policy = read_config("policy.yaml", PolicyConfig).screening_policy()
    assert [rule.clause for rule in policy.rules] == list(Clause)
    covered = set().union(*(rule.finding_types for rule in policy.rules))
    assert covered == set(FindingType)
    abuse = next(r for r in policy.rules if r.clause is Clause.ABUSIVE_OR_THREATENING_LANGUAGE)
    assert abuse.channels == {Channel.PUBLIC, Channel.PRIVATE}


def test_screening_context_takes_staff_pseudonyms_and_published_numbers(tmp_path: Path) -> None:
    policy = read_config("policy.yaml", PolicyConfig, write(tmp_path, VALID))
    staff = read_config("staff.yaml", StaffConfig)
    context = screening_context(policy, staff, ["Janet Eccleston"])
    assert "Dave Pritchard" in context.staff_names
    assert "Morgan Hale" in context.staff_names
    assert context.pseudonyms == {"Sam", "Priya", "Alex"}
    assert context.resident_names == {"Janet Eccleston"}
    assert context.published_numbers == {"0113 496 0000"}
    assert context.thresholds == {FindingType.PHONE: 0.6}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("clauses: {}", "clauses"),
        ("clauses:\n  gossip: {finding_types: [phone], channels: [public]}", "gossip"),
        (
            "clauses:\n  personal_information: {finding_types: [fax], channels: [public]}",
            "finding_types.0",
        ),
        (VALID.replace("0.6", "1.6"), "between 0 and 1"),
        (VALID.replace("0113 496 0000", "12345"), "not a UK phone number"),
        (VALID + "strikes: 3\n", "strikes"),
    ],
)
def test_mistakes_name_the_field(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        read_config("policy.yaml", PolicyConfig, write(tmp_path, text))
