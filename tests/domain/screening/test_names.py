"""Naming individuals: staff, residents, members of the public; and words that only look so."""

from __future__ import annotations

import pytest

from trident_pipeline.domain.screening.findings import FindingType
from trident_pipeline.domain.screening.names import (
    _TOKEN,
    NameDetector,
    NamesLists,
    _casefolded_words,
)

DETECTOR = NameDetector(
    staff_names=["Dave Pritchard", "Helen Okafor", "Morgan Hale", "Sam Bennett"],
    pseudonyms=["Sam", "Priya", "Alex"],
    resident_names=["Oluwaseun Abernethy-Clarke"],
)


def found(text: str) -> list[str]:
    return [text[f.start : f.end] for f in DETECTOR.detect(text)]


def rules(text: str) -> list[str]:
    return [f.rule for f in DETECTOR.detect(text)]


def test_staff_full_names_from_configuration() -> None:
    text = "dave pritchard from repairs never turned up"
    assert found(text) == ["dave pritchard"]
    assert rules(text) == ["names.staff@1"]
    assert found("Sam Bennett ignored my complaint") == ["Sam Bennett"]


def test_resident_names_from_crm_even_when_no_list_knows_them() -> None:
    text = "Oluwaseun Abernethy-Clarke reported the leak"
    assert found(text) == ["Oluwaseun Abernethy-Clarke"]
    assert rules(text) == ["names.resident@1"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("my neighbour John Smith keeps parking", "John Smith"),
        ("Sarah from repairs hung up on me", "Sarah"),
        ("The caretaker Kev is brilliant", "Kev"),
        ("Gary next door has a dog", "Gary"),
        ("my neighbour's son Tyler's ball", "Tyler"),
        ("the lad next door, Jordan, is setting fires", "Jordan"),
        ("I spoke to Will about it", "Will"),
        ("Rose from the council said", "Rose"),
        ("I know your real name is Morgan", "Morgan"),
        ("Winston Clarke upstairs is 90", "Winston Clarke"),
        ("Shout out to Leanne in the rent team", "Leanne"),
    ],
)
def test_members_of_the_public_by_names_list_and_context(text: str, name: str) -> None:
    assert found(text) == [name]
    assert all(f.type is FindingType.PERSON_NAME for f in DETECTOR.detect(text))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("my neighbour Mrs Okonjo has been flooded", "Mrs Okonjo"),
        ("Mr. Patel at number 9", "Mr. Patel"),
        ("spoke to mr patel yesterday", "mr patel"),
        ("Dr Ayesha Khan says the damp is bad", "Dr Ayesha Khan"),
    ],
)
def test_titles(text: str, name: str) -> None:
    assert found(text) == [name]
    assert rules(text) == ["names.title@1"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("gary next door is a nightmare", "gary"),
        ("hi gemma any update?", "gemma"),
        ("kev from the council came round", "kev"),
    ],
)
def test_lower_case_names_with_context(text: str, name: str) -> None:
    assert found(text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "Thanks Sam, that's really helpful",
        "Hi Alex, any news?",
        "Cheers Priya, all sorted",
        "Priya said you'd call back",
    ],
)
def test_pseudonyms_we_sign_with_are_not_findings(text: str) -> None:
    assert found(text) == []


def test_a_pseudonym_that_belongs_to_someone_else_is_a_finding() -> None:
    assert found("my neighbour Alex plays music") == ["Alex"]
    assert found("Sam next door uses my bin") == ["Sam"]


@pytest.mark.parametrize(
    "text",
    [
        "Will you fix my boiler?",
        "May I ask why?",
        "The flooding in April and May was the worst",
        "Victoria Road is flooded again",
        "I went to John Lewis for a heater",
        "St George's Hospital said the mould is bad",
        "Stop being a Karen, they said",
        "Jesus Christ, how long does it take?",
        "Rob Peter to pay Paul",
        "The Jack Russell from the ground floor is lovely",
        "will do thanks",
        "I miss London",
        "Chester is lovely",
        "JUST SORT IT OUT GARY",
        "@gary_smith keeps posting about me",
        "email gary.smith@example.com",
        "reported 3rd Jan and 17th Jan",
        "",
    ],
)
def test_ignores_words_places_shops_and_handles(text: str) -> None:
    assert found(text) == []


def test_unambiguous_name_without_context_scores_lower_than_with_context() -> None:
    alone = DETECTOR.detect("the form went to Gary yesterday")[0]
    with_context = DETECTOR.detect("my neighbour Gary yesterday")[0]
    assert alone.score < with_context.score


def test_shipped_lists_load_and_hold_common_uk_names() -> None:
    lists = NamesLists.load()
    assert {"gary", "sarah", "priya", "mohammed", "kev"} <= lists.given
    assert {"smith", "patel", "okafor"} & lists.surnames
    assert {"will", "may", "mark"} <= lists.ambiguous
    assert {"rose", "gemma"} <= lists.word_like - lists.ambiguous
    assert lists.ambiguous <= lists.given


def test_huge_text_is_handled() -> None:
    text = "word " * 50_000 + "my neighbour Gary"
    assert found(text) == ["Gary"]


@pytest.mark.parametrize(
    "text",
    [
        "my neighbour Mary-Jane's dog",
        "I'm fed up with O'Brien next door",
        "GARY'S van, 'tis -- a--b -x- don't'",
        "Spoke to Priya-Anne from repairs",
        "Zoë and Siân from the office",
        "tab\tand_underscore 42nd",
    ],
)
def test_the_quick_word_split_finds_what_the_word_pattern_finds(text: str) -> None:
    assert _casefolded_words(text) == set(_TOKEN.findall(text.casefold()))
