"""What screening finds in a text: the type, where it is, how sure, and which rule said so."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Finding", "FindingType"]


class FindingType(enum.StrEnum):
    """Kinds of finding, after policy section 3.1 (personal information, naming, abuse)."""

    PHONE = "phone"
    EMAIL = "email"
    POSTAL_ADDRESS = "postal_address"
    POSTCODE = "postcode"
    PERSON_NAME = "person_name"
    ABUSE = "abuse"
    THREAT = "threat"


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding: ``text[start:end]`` is the evidence; ``rule`` is ``<id>@<version>``.

    Raises:
        ValueError: when the span is empty or inverted or the score is outside [0, 1].
    """

    type: FindingType
    start: int
    end: int
    score: float
    rule: str

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError("a finding spans at least one character")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError("a finding's score lies between 0 and 1")
