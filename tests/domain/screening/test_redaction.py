"""The redacted form: every finding replaced by its type, overlapping findings merged."""

from __future__ import annotations

import pytest

from trident_pipeline.domain.screening.findings import Finding, FindingType
from trident_pipeline.domain.screening.redaction import redact


def finding(kind: FindingType, start: int, end: int) -> Finding:
    return Finding(kind, start, end, 0.9, "test@1")


def test_replaces_each_span_with_its_type() -> None:
    text = "Call Gary on 07700 900123"
    findings = [finding(FindingType.PERSON_NAME, 5, 9), finding(FindingType.PHONE, 13, 25)]
    assert redact(text, findings) == "Call [person_name] on [phone]"


def test_order_of_findings_does_not_matter() -> None:
    text = "Call Gary on 07700 900123"
    findings = [finding(FindingType.PHONE, 13, 25), finding(FindingType.PERSON_NAME, 5, 9)]
    assert redact(text, findings) == "Call [person_name] on [phone]"


def test_overlapping_spans_merge_under_the_longest_type() -> None:
    text = "at 12 Acacia Avenue LS6 2QT now"
    findings = [
        finding(FindingType.POSTAL_ADDRESS, 3, 27),
        finding(FindingType.POSTCODE, 20, 27),
        finding(FindingType.PERSON_NAME, 6, 12),
    ]
    assert redact(text, findings) == "at [postal_address] now"


def test_chained_overlaps_merge_into_one_placeholder() -> None:
    text = "abcdefghij"
    findings = [
        finding(FindingType.ABUSE, 0, 4),
        finding(FindingType.THREAT, 3, 7),
        finding(FindingType.THREAT, 6, 9),
    ]
    assert redact(text, findings) == "[abuse]j"


def test_touching_spans_stay_separate() -> None:
    assert redact("abcd", [finding(FindingType.EMAIL, 0, 2), finding(FindingType.PHONE, 2, 4)]) == (
        "[email][phone]"
    )


def test_no_findings_leaves_the_text_alone() -> None:
    assert redact("nothing here \x00", []) == "nothing here \x00"
    assert redact("", []) == ""


def test_a_span_past_the_end_raises() -> None:
    with pytest.raises(ValueError, match="past the end"):
        redact("short", [finding(FindingType.PHONE, 2, 9)])
