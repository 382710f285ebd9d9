"""Postcodes in any case and spacing, street and flat addresses, and their look-alikes."""

from __future__ import annotations

import pytest

from trident_pipeline.domain.screening.addresses import AddressDetector
from trident_pipeline.domain.screening.findings import FindingType

DETECTOR = AddressDetector()


def found(text: str, kind: FindingType) -> list[str]:
    return [text[f.start : f.end] for f in DETECTOR.detect(text) if f.type is kind]


@pytest.mark.parametrize(
    "postcode",
    ["LS9 7QX", "ls62qt", "se15 9zq", "M14 9XZ", "SW1A 1AA", "Ls7 9qz", "EC1A1BB", "WV10 9QD"],
)
def test_finds_postcodes_in_any_case_with_or_without_the_space(postcode: str) -> None:
    text = f"postcode {postcode}, no bins again"
    assert found(text, FindingType.POSTCODE) == [postcode]
    assert DETECTOR.detect(text)[0].rule == "postcode.uk@1"


@pytest.mark.parametrize(
    "text",
    [
        "I bought a PS4 2TB for my son",
        "Take the M1 2nd exit",
        "Our estate is in LS9, the east side",
        "Reg AB12 CDE parked on the grass",
        "the B12 vitamins I need",
        "see you b4 5pm",
        "",
    ],
)
def test_ignores_postcode_look_alikes(text: str) -> None:
    assert found(text, FindingType.POSTCODE) == []


def test_canonical_postcode_scores_higher_than_a_squashed_one() -> None:
    canonical = DETECTOR.detect("LS6 2QT")[0]
    squashed = DETECTOR.detect("ls62qt")[0]
    assert canonical.score > squashed.score


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("The drain outside 14 Quillwort Avenue is blocked", "14 Quillwort Avenue"),
        ("I live at Flat 6, 22 Marrowby Lane, Leeds LS9 7QX", "Flat 6, 22 Marrowby Lane, Leeds"),
        ("fly tipping outside 41-43 Harnwick Street again", "41-43 Harnwick Street"),
        ("come to No. 8 Kestrelmoor Way and see", "No. 8 Kestrelmoor Way"),
        ("our new house is 2 The Spinney and", "2 The Spinney"),
        ("the hallway at 19 high st is full", "19 high st"),
        ("flat 4b, 19 drummond terrace the leak", "flat 4b, 19 drummond terrace"),
        ("my address is Flat 12, Gorsebrook House, B12 8QQ", "Flat 12, Gorsebrook House"),
        ("send it to Apartment 5, The Tannery please", "Apartment 5, The Tannery"),
        ("flat 7 cromwell house hallway lights", "flat 7 cromwell house"),
        ("12 Mill Lane, Newcastle upon Tyne NE1 4XX", "12 Mill Lane, Newcastle upon Tyne"),
        ("the address is 7 St Aldhelm's Close, Sheffield", "7 St Aldhelm's Close, Sheffield"),
    ],
)
def test_finds_street_and_flat_addresses(text: str, address: str) -> None:
    assert found(text, FindingType.POSTAL_ADDRESS) == [address]


@pytest.mark.parametrize(
    ("text", "address", "rule"),
    [
        ("LETTERS TO 14 QUILLWORT AVENUE GO MISSING", "14 QUILLWORT AVENUE", "street_lower"),
        ("the bins at 3 acacia rd.", "3 acacia rd", "street_lower"),
        ("Café next to 14 Quillwort Avenue, Leeds", "14 Quillwort Avenue, Leeds", "street"),
        ("14 Quillwort Avenue's drains", "14 Quillwort Avenue", "street"),
        ("FLAT 3, MAPLE COURT has damp", "FLAT 3, MAPLE COURT", "building_lower"),
        ("flat3, maple court", "flat3, maple court", "building_lower"),
    ],
)
def test_the_quick_word_test_lets_every_address_through(
    text: str, address: str, rule: str
) -> None:
    [finding] = [f for f in DETECTOR.detect(text) if f.type is FindingType.POSTAL_ADDRESS]

    assert (text[finding.start : finding.end], finding.rule) == (address, f"address.{rule}@1")


@pytest.mark.parametrize(
    "text", ["12 Mill Lane2 is wrong", "the meeting is at 3 o'clock, lane closed"]
)
def test_a_street_word_that_is_no_suffix_is_no_address(text: str) -> None:
    assert found(text, FindingType.POSTAL_ADDRESS) == []


def test_town_stops_before_an_ordinary_word() -> None:
    text = "14 High St, Leeds Is Awful"
    assert found(text, FindingType.POSTAL_ADDRESS) == ["14 High St, Leeds"]
    text = "27 Wrenfold Close, Thanks for nothing"
    assert found(text, FindingType.POSTAL_ADDRESS) == ["27 Wrenfold Close"]


def test_address_and_its_postcode_are_separate_findings() -> None:
    text = "16 Bramblecote Drive, NG5 9XP — still waiting"
    assert found(text, FindingType.POSTAL_ADDRESS) == ["16 Bramblecote Drive"]
    assert found(text, FindingType.POSTCODE) == ["NG5 9XP"]


@pytest.mark.parametrize(
    "text",
    [
        "I've waited 3 weeks for a reply and 2 days for a callback",
        "We need a 2 Bedroom House, I have 3 kids",
        "The 42 bus down Station Road is always late",
        "Living on Marrowby Lane is a nightmare",
        "3 hours in a row the alarm went off",
        "Flat 3 has been empty for months",
        "My neighbour at number 14 plays music",
        "The 3 Lane road outside is dangerous",
        "The fire door on level 07 doesn't close",
        "12 months of complaints and no windows",
        "5 Star service from the electrician",
    ],
)
def test_ignores_numbers_that_are_not_house_numbers(text: str) -> None:
    assert found(text, FindingType.POSTAL_ADDRESS) == []


def test_huge_text_is_handled() -> None:
    text = "12 " * 30_000 + "Flat 2, 5 Acacia Avenue"
    assert found(text, FindingType.POSTAL_ADDRESS) == ["Flat 2, 5 Acacia Avenue"]


def test_lower_case_descriptions_are_not_street_names_but_title_case_ones_are() -> None:
    assert found("took 2 long way round", FindingType.POSTAL_ADDRESS) == []
    assert found("at 12 Long Lane now", FindingType.POSTAL_ADDRESS) == ["12 Long Lane"]
    assert found("i live at 4 primrose court", FindingType.POSTAL_ADDRESS) == ["4 primrose court"]
