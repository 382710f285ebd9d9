"""The screener: every detector over a batch, findings reconciled, thresholds, redaction."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from trident_pipeline.domain.screening import (
    Finding,
    FindingType,
    Screener,
    ScreeningContext,
    ScreeningResult,
)


class FakeAbuseDetector:
    """A test double for the abuse and threat detector: flags the word "idiot" and "kill you"."""

    def __init__(self) -> None:
        self.batches: list[int] = []

    def detect_batch(self, texts: Sequence[str]) -> list[list[Finding]]:
        self.batches.append(len(texts))
        results = []
        for text in texts:
            found = []
            for word, kind in (("idiot", FindingType.ABUSE), ("kill you", FindingType.THREAT)):
                start = text.find(word)
                if start >= 0:
                    found.append(Finding(kind, start, start + len(word), 0.9, "fake@1"))
            results.append(found)
        return results


class ShortAbuseDetector:
    def detect_batch(self, texts: Sequence[str]) -> list[list[Finding]]:
        return []


CONTEXT = ScreeningContext(
    staff_names=frozenset({"Dave Pritchard"}),
    pseudonyms=frozenset({"Sam"}),
    resident_names=frozenset({"Janet Eccleston"}),
    published_numbers=frozenset({"0113 496 0000"}),
    thresholds={FindingType.PERSON_NAME: 0.8},
)


@pytest.fixture
def abuse() -> FakeAbuseDetector:
    return FakeAbuseDetector()


@pytest.fixture
def screener(abuse: FakeAbuseDetector) -> Screener:
    return Screener(CONTEXT, abuse)


def kinds(result: ScreeningResult) -> list[str]:
    return [finding.type.value for finding in result.findings]


def test_one_result_per_text_in_order_with_one_abuse_call(
    screener: Screener, abuse: FakeAbuseDetector
) -> None:
    texts = [
        "you idiot, ring 07700 900123",
        "",
        "Dave Pritchard never came to 12 Acacia Avenue, LS6 2QT",
        "email janet at example dot com",
        "I will kill you",
    ]
    results = screener.screen_batch(texts)
    assert abuse.batches == [5]
    assert [kinds(result) for result in results] == [
        ["abuse", "phone"],
        [],
        ["person_name", "postal_address", "postcode"],
        ["email"],
        ["threat"],
    ]
    assert results[0].redacted == "you [abuse], ring [phone]"
    assert results[2].redacted == "[person_name] never came to [postal_address], [postcode]"


def test_names_inside_an_address_or_email_are_the_address_or_email(screener: Screener) -> None:
    (result,) = screener.screen_batch(["write to sarah.jones@example.com or 12 Victoria Road"])
    assert kinds(result) == ["email", "postal_address"]


def test_findings_below_their_threshold_are_dropped(screener: Screener) -> None:
    (kept,) = screener.screen_batch(["my neighbour Gary keeps parking there"])
    (dropped,) = screener.screen_batch(["the form went to Gary yesterday"])
    assert kinds(kept) == ["person_name"]
    assert kinds(dropped) == []
    assert dropped.redacted == "the form went to Gary yesterday"


def test_published_numbers_and_pseudonyms_are_not_findings(screener: Screener) -> None:
    (result,) = screener.screen_batch(["Thanks Sam, I rang 0113 496 0000"])
    assert result.findings == ()


def test_without_an_abuse_detector_only_personal_information_is_screened() -> None:
    (result,) = Screener(CONTEXT, None).screen_batch(["you idiot, ring 07700 900123"])
    assert kinds(result) == ["phone"]


def test_an_empty_batch_gives_no_results(screener: Screener, abuse: FakeAbuseDetector) -> None:
    assert screener.screen_batch([]) == []
    assert abuse.batches == []


def test_abuse_detector_returning_too_few_results_raises() -> None:
    with pytest.raises(ValueError, match="result per text"):
        Screener(CONTEXT, ShortAbuseDetector()).screen_batch(["hello"])


def test_control_characters_and_huge_texts(screener: Screener) -> None:
    huge = ("lorem ipsum 12 " * 40_000) + "call 07700 900123"
    results = screener.screen_batch(["\x00\x01\x1b\u202e\ud800", huge])
    assert results[0].findings == ()
    assert results[0].redacted == "\x00\x01\x1b\u202e\ud800"
    assert kinds(results[1]) == ["phone"]
    assert results[1].redacted.endswith("call [phone]")


def test_a_threshold_outside_zero_to_one_raises() -> None:
    with pytest.raises(ValueError, match="threshold"):
        ScreeningContext(thresholds={FindingType.PHONE: 1.5})


def test_load_brings_the_shipped_abuse_and_threat_detector() -> None:
    screener = Screener.load(CONTEXT)
    abusive, harmless = screener.screen_batch(
        ["you useless fucking idiots", "thanks for fixing the boiler"]
    )
    assert "abuse" in kinds(abusive)
    assert harmless.findings == ()
