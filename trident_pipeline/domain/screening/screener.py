"""Screening: every detector over a batch of texts, combined into one result per text.

The personal-information detectors (phones, emails, addresses and postcodes, names) work one
text at a time with compiled patterns; the abuse and threat detector takes the whole batch at
once. Findings are then reconciled: a name, phone number or postcode inside an email address
is the address; a name inside a street address is the address ("12 Victoria Road"); findings
below their type's threshold are dropped. Each text gets its redacted form.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from trident_pipeline.domain.screening.addresses import AddressDetector
from trident_pipeline.domain.screening.emails import EmailDetector
from trident_pipeline.domain.screening.findings import Finding, FindingType
from trident_pipeline.domain.screening.names import NameDetector
from trident_pipeline.domain.screening.phones import PhoneDetector
from trident_pipeline.domain.screening.redaction import redact

__all__ = ["BatchDetector", "Screener", "ScreeningContext", "ScreeningResult"]

# A finding of the key type is dropped when it overlaps a finding of any of the value types.
_YIELDS_TO: Mapping[FindingType, frozenset[FindingType]] = {
    FindingType.PERSON_NAME: frozenset(
        {FindingType.EMAIL, FindingType.POSTAL_ADDRESS, FindingType.PHONE, FindingType.POSTCODE}
    ),
    FindingType.PHONE: frozenset({FindingType.EMAIL}),
    FindingType.POSTCODE: frozenset({FindingType.EMAIL}),
    FindingType.POSTAL_ADDRESS: frozenset({FindingType.EMAIL}),
}


class BatchDetector(Protocol):
    """A detector that screens a whole batch at once, such as the abuse and threat detector."""

    def detect_batch(self, texts: Sequence[str]) -> list[list[Finding]]:
        """One list of findings per text, in the same order.

        Raises:
            Whatever the detector raises; the screener lets it through.
        """
        ...


@dataclass(frozen=True, slots=True)
class ScreeningContext:
    """What screening needs to know about the organisation and its residents.

    Attributes:
        staff_names: full names of staff whose naming breaks the policy (``named_staff`` and
            responders' full names).
        pseudonyms: first names or pseudonyms the responders sign with; a resident repeating
            one is not naming anyone.
        resident_names: full names of residents from CRM contacts, when available.
        published_numbers: the organisation's own published contact numbers; never findings.
        thresholds: the lowest score that makes a finding of each type (config ``policy.yaml``);
            types not listed keep every finding.

    Raises:
        ValueError: when a threshold lies outside [0, 1].
    """

    staff_names: frozenset[str] = frozenset()
    pseudonyms: frozenset[str] = frozenset()
    resident_names: frozenset[str] = frozenset()
    published_numbers: frozenset[str] = frozenset()
    thresholds: Mapping[FindingType, float] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if any(not 0.0 <= value <= 1.0 for value in self.thresholds.values()):
            raise ValueError("a threshold lies between 0 and 1")


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """The findings in one text, in order of position, and the text's redacted form.

    Raises:
        Nothing: built by :meth:`Screener.screen_batch`.
    """

    findings: tuple[Finding, ...]
    redacted: str


class Screener:
    """Screens texts for personal information, naming of individuals, abuse and threats.

    Args:
        context: staff, pseudonyms, residents, published numbers and thresholds.
        abuse_detector: the abuse and threat detector; ``None`` screens personal
            information and names only.

    Raises:
        FileNotFoundError: when the shipped names lists are missing.
        ValueError: from ``context`` (see :class:`ScreeningContext`).
    """

    def __init__(self, context: ScreeningContext, abuse_detector: BatchDetector | None) -> None:
        self._context = context
        self._phones = PhoneDetector(context.published_numbers)
        self._emails = EmailDetector()
        self._addresses = AddressDetector()
        self._names = NameDetector(
            staff_names=context.staff_names,
            pseudonyms=context.pseudonyms,
            resident_names=context.resident_names,
        )
        self._abuse = abuse_detector

    @classmethod
    def load(cls, context: ScreeningContext) -> Screener:
        """A screener with the shipped abuse and threat model.

        Raises:
            ImportError: when the abuse detector is not installed.
            FileNotFoundError: when its model or the names lists are missing.
        """
        from trident_pipeline.domain.screening.abuse import AbuseDetector

        return cls(context, AbuseDetector.load())

    def screen_batch(self, texts: Sequence[str]) -> list[ScreeningResult]:
        """One result per text, in order.

        Raises:
            ValueError: when the abuse detector returns a different number of results.
        """
        abuse = self._abuse.detect_batch(texts) if self._abuse is not None and texts else None
        if abuse is not None and len(abuse) != len(texts):
            raise ValueError("the abuse detector returned a result per text")
        results = []
        for index, text in enumerate(texts):
            findings = self._personal_information(text)
            if abuse is not None:
                findings.extend(abuse[index])
            if not findings:
                results.append(ScreeningResult(findings=(), redacted=text))
                continue
            kept = tuple(sorted(self._kept(findings), key=lambda f: (f.start, f.end)))
            results.append(ScreeningResult(findings=kept, redacted=redact(text, kept)))
        return results

    def _personal_information(self, text: str) -> list[Finding]:
        return [
            *self._emails.detect(text),
            *self._phones.detect(text),
            *self._addresses.detect(text),
            *self._names.detect(text),
        ]

    def _kept(self, findings: list[Finding]) -> list[Finding]:
        thresholds = self._context.thresholds
        confident = [f for f in findings if f.score >= thresholds.get(f.type, 0.0)]
        kinds = {finding.type for finding in confident}
        if all(kinds.isdisjoint(_YIELDS_TO.get(kind, ())) for kind in kinds):
            return confident
        spans: dict[FindingType, list[tuple[int, int]]] = {}
        for finding in sorted(confident, key=lambda f: f.start):
            spans.setdefault(finding.type, []).append((finding.start, finding.end))
        starts = {kind: [start for start, _ in found] for kind, found in spans.items()}
        return [
            finding
            for finding in confident
            if not any(
                _overlaps(spans[kind], starts[kind], finding)
                for kind in _YIELDS_TO.get(finding.type, ())
                if kind in spans
            )
        ]


def _overlaps(spans: list[tuple[int, int]], starts: list[int], finding: Finding) -> bool:
    """Whether ``finding`` overlaps one of ``spans``, which are sorted and do not overlap."""
    index = bisect.bisect_left(starts, finding.end) - 1
    return index >= 0 and spans[index][1] > finding.start
