"""Phone numbers in every common written form, and the numbers that are not phone numbers."""

from __future__ import annotations

import pytest

from trident_pipeline.domain.screening.findings import FindingType
from trident_pipeline.domain.screening.phones import PhoneDetector, national_digits

DETECTOR = PhoneDetector(published_numbers=["0113 496 0000", "+44 808 157 0192"])


def found(text: str) -> list[str]:
    return [text[f.start : f.end] for f in DETECTOR.detect(text)]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("ring me on 07700 900123 today", "07700 900123"),
        ("call 07700900456?", "07700900456"),
        ("my mobile is +44 7700 900789 ok", "+44 7700 900789"),
        ("+447700900321 boiler off", "+447700900321"),
        ("landline 0113 496 0571", "0113 496 0571"),
        ("text me 07700-900-614", "07700-900-614"),
        ("it's 07700.900.275", "07700.900.275"),
        ("ring +44 (0)7700 900442 please", "+44 (0)7700 900442"),
        ("via 0044 7700 900883", "0044 7700 900883"),
        ("London 020 7946 0118", "020 7946 0118"),
        ("Cardiff 029 2018 0554", "029 2018 0554"),
        ("drama 01632 960 482 line", "01632 960 482"),
        ("mobile 07700/900/312 after 10", "07700/900/312"),
        ("best number (0)7700 900 516", "7700 900 516"),
        ("a real-shaped mobile 07123 456789", "07123 456789"),
    ],
)
def test_finds_uk_numbers_in_common_forms(text: str, number: str) -> None:
    assert number in "".join(found(text))
    assert all(f.type is FindingType.PHONE for f in DETECTOR.detect(text))


def test_bracketed_area_code_is_found_from_its_first_digit() -> None:
    text = "call (0113) 496 0382 after 5"
    assert found(text) == ["0113) 496 0382"]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("ring 0 7 7 0 0 9 0 0 5 5 1 now", "0 7 7 0 0 9 0 0 5 5 1"),
        ("my num is O77OO 9OO 584", "O77OO 9OO 584"),
        (
            "call oh seven seven double oh nine double oh four one two thanks",
            "oh seven seven double oh nine double oh four one two",
        ),
        ("zero seven seven zero zero nine zero zero six two one", None),
    ],
)
def test_finds_obfuscated_numbers(text: str, number: str | None) -> None:
    findings = DETECTOR.detect(text)
    assert len(findings) == 1
    if number is not None:
        assert text[findings[0].start : findings[0].end] == number
    assert findings[0].rule.split("@")[0] in {"phone.number", "phone.obfuscated", "phone.words"}


def test_two_numbers_side_by_side_are_two_findings() -> None:
    assert found("07700 900736 or 07700 900737") == ["07700 900736", "07700 900737"]
    assert found("07700 900 534/0113 496 0239") == ["07700 900 534", "0113 496 0239"]


@pytest.mark.parametrize(
    "text",
    [
        "My repair reference is 07700900123 and nothing happened",
        "Job no. 01134960571 was closed",
        "order number 0161496074 never arrived",
        "ref: 07700 900 551 why closed?",
        "Account no 01134960882 shows arrears",
        "Tracking number 0123456789012 says delivered",
        "Ticket #0770090055 raised",
        "Rent went up to £1,034.50 a month",
        "waiting since 01/02/2024 for the survey",
        "appointment 14.03.2024 between 08:00-13:00",
        "paid £450.00 on 12/12/2023 and 12/01/2024",
        "version 10.4.2 crashes, 3-0 at football",
        "meter reading 0045123",
        "I called 0113 496 0000 and waited",
        "the freephone +44 808 157 0192 rings out",
        "",
    ],
)
def test_ignores_references_prices_dates_times_and_our_numbers(text: str) -> None:
    assert found(text) == []


def test_reference_word_suppresses_only_the_number_it_precedes() -> None:
    text = "ref 07700900124 call me on 07700900125"
    assert found(text) == ["07700900125"]


def test_context_raises_the_score_and_scores_stay_in_range() -> None:
    plain = DETECTOR.detect("07700 900123")[0]
    with_context = DETECTOR.detect("call me on 07700 900123")[0]
    assert with_context.score > plain.score
    assert 0.0 < plain.score <= with_context.score <= 1.0
    assert plain.rule == "phone.number@1"


def test_valid_international_number_is_a_phone_number() -> None:
    assert found("my Dublin number +353 1 234 5678") == ["+353 1 234 5678"]


def test_letters_o_in_ordinary_words_are_not_read_as_digits() -> None:
    assert found("oooo ooo oooo good 0o0") == []


@pytest.mark.parametrize(
    ("written", "national"),
    [
        ("0113 496 0000", "01134960000"),
        ("+44 (0)113 496 0000", "01134960000"),
        ("0044 7700 900123", "07700900123"),
        ("+353 1 234 5678", None),
        ("12345", None),
    ],
)
def test_national_digits(written: str, national: str | None) -> None:
    assert national_digits(written) == national


def test_huge_text_of_digits_and_control_characters_is_handled() -> None:
    text = ("0" * 50_000) + "\x00\x1b" + " 07700 900123 " + ("9 " * 20_000)
    assert found(text) == ["07700 900123"]
