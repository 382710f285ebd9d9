"""Screening of inbox texts against policy section 3.1.

:class:`Screener` runs every detector over a batch of texts and returns a
:class:`ScreeningResult` per text: its :class:`Finding` values (type, span, score, rule) and its
redacted form. What a finding means for an item is decided by :mod:`trident_pipeline.domain.policy`.
"""

from trident_pipeline.domain.screening.findings import Finding, FindingType
from trident_pipeline.domain.screening.redaction import redact
from trident_pipeline.domain.screening.screener import (
    BatchDetector,
    Screener,
    ScreeningContext,
    ScreeningResult,
)

__all__ = [
    "BatchDetector",
    "Finding",
    "FindingType",
    "Screener",
    "ScreeningContext",
    "ScreeningResult",
    "redact",
]
