"""Email addresses, plain and disguised, and sentences that only look like them."""

from __future__ import annotations

import pytest

from trident_pipeline.domain.screening.emails import EmailDetector
from trident_pipeline.domain.screening.findings import FindingType

DETECTOR = EmailDetector()


def found(text: str) -> list[str]:
    return [text[f.start : f.end] for f in DETECTOR.detect(text)]


@pytest.mark.parametrize(
    "address",
    [
        "sarah.jones84@example.com",
        "gary_w@example.co.uk",
        "nina.patel+housing@example.com",
        "dave-the-builder@example.com",
        "PAT.GREEN@EXAMPLE.CO.UK",
        "j.oconnor@example.ie",
    ],
)
def test_finds_plain_addresses(address: str) -> None:
    text = f"email me at {address}, thanks."
    assert found(text) == [address]
    finding = DETECTOR.detect(text)[0]
    assert finding.type is FindingType.EMAIL
    assert finding.rule == "email.address@1"


@pytest.mark.parametrize(
    "address",
    [
        "sarah at example dot com",
        "jmorris(at)example(dot)co(dot)uk",
        "tina [at] example [dot] com",
        "callum dot reid at example dot co dot uk",
        "angelapike @ example.com",
        "lewis.h{at}example{dot}com",
        "RAJ.MISTRY (AT) EXAMPLE (DOT) COM",
        "ben.harrow at example.com",
        "jsmith at btinternet.com",
        "info at trident dot org dot uk",
        "sarah at example DOT com",
        "sarah at example Dot co Dot uk",
    ],
)
def test_finds_disguised_addresses(address: str) -> None:
    text = f"my email is {address} please"
    assert found(text) == [address]
    assert DETECTOR.detect(text)[0].rule == "email.obfuscated@1"


@pytest.mark.parametrize(
    "text",
    [
        "@tridentgrp why is nobody answering?",
        "look at trident.org.uk, the page says 5 days",
        "Details are at www.example.gov.uk/housing-benefit",
        "I'm at home all day, at the back of the house",
        "Meet me at 5.30 at the community centre",
        "Go to https://www.example.org.uk/report-a-repair",
        "Read the headlines at bbc.co.uk today",
        "Thanks @tridentgrp.bsky.social for sorting it",
        "had a look at it dot dot dot",
        "find us at facebook.com/tridentgrp",
        "",
    ],
)
def test_ignores_handles_websites_and_sentences_with_at(text: str) -> None:
    assert found(text) == []


def test_two_addresses_are_two_findings() -> None:
    text = "joe@example.com or joe.smithers at example dot co dot uk"
    assert found(text) == ["joe@example.com", "joe.smithers at example dot co dot uk"]


def test_huge_text_with_many_ats_is_handled() -> None:
    text = "look at " * 20_000 + "x@example.com"
    assert found(text) == ["x@example.com"]
