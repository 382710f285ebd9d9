"""Threats against staff, their families and property, veiled or disguised; and housing talk."""

from __future__ import annotations

import pytest

from trident_pipeline.domain.screening.findings import Finding, FindingType
from trident_pipeline.domain.screening.normalise import normalise, squeezed_words
from trident_pipeline.domain.screening.threats import RULE, ThreatDetector

THREATS = [
    # violence to people, with every kind of agent, filler and target
    "I'm going to stab you when you come round",
    "I'll fucking batter you",
    "I swear I will batter the next officer who comes here",
    "Touch my car again and I'll break your legs",
    "I'll glass that surveyor if he comes back",
    "my brothers will sort you out",
    "I'll come down to your office and smash your face in",
    "Imma shank you",
    "Gonna murder you",
    "I'll kill Dave from repairs",
    "I'll punch your teeth down your throat",
    "I will beat the shit out of you",
    "Someone should put a bullet in that manager",
    # harm to property
    "We'll burn your office to the ground",
    "I will set fire to the building",
    "I'll petrol bomb your house",
    "I'll slash your tyres",
    "there'll be a brick through your window tonight",
    # coming to "you" or yours
    "Your windows are going to get smashed",
    "your office will be torched",
    "You deserve to be shot",
    "They should all be hanged",
    # veiled
    "I know where you live and I know your car",
    "I know where your receptionist parks",
    "Better watch your back mate",
    "You're dead meat",
    "I'm coming for you",
    "Your days are numbered",
    "Sleep with one eye open",
    "You won't see it coming",
    "I'll put you in the ground",
    "I've got a knife with your name on it",
    "you'll regret this",
    # death wishes and self-harm
    "hope you die in a fire",
    "kys",
    "I'm going to end my life",
]

DISGUISED = [
    ("I'll k1ll y0u", "I'll k1ll y0u"),
    ("ok I'll k.i.l.l you", "I'll k.i.l.l you"),
    ("I'll k\u0456\u0456ll you", "I'll k\u0456\u0456ll you"),
    ("I'll ki\u200bll you", "I'll ki\u200bll you"),
    ("I'LL KILL YOU", "I'LL KILL YOU"),
    ("i'll kiiiiill youuuu!", "i'll kiiiiill youuuu"),
    ("k i l l   y o u", "k i l l   y o u"),
    ("Ｉ ｗｉｌｌ ｓｔａｂ ｙｏｕ", "Ｉ ｗｉｌｌ ｓｔａｂ ｙｏｕ"),
    ("watch-your-back", "watch-your-back"),
    ("i'll fkn kill u", "i'll fkn kill u"),
]

HOUSING_TALK = [
    "The damp is killing me",
    "This damp is killing me, can someone come out",
    "My knees are killing me on these stairs",
    "The boiler is shot",
    "The boiler is dead",
    "Our lift has died again",
    "This heat is killing us",
    "I'd kill for a working shower",
    "I could murder a cup of tea",
    "Smashed it, thanks for the quick repair",
    "You've killed it with the new kitchen",
    "Can you shoot me a text when the engineer is on the way",
    "I'll shoot you an email",
    "I'll hit you up with the photos later",
    "Beat me to it",
    "I'll break the news to my wife",
    "The kids broke the window playing football",
    "The window got smashed in the storm",
    "Someone is going to get hurt on that loose handrail",
    "Someone will get hurt if you don't fix the stairs",
    "This mould will kill someone one day",
    "The fumes could kill you",
    "The electrics are a death trap",
    "I'm dying to hear back",
    "I'm going to the ombudsman",
    "I'll be waiting for your call",
    "I know where you are coming from",
    "I don't know where you live, can I post it?",
    "I would never hurt you",
    "We're going to fight this in court",
    "My son got stabbed last year and we need to move",
    "The neighbour threatened to kill my dog",
    "My ex said he would kill me, I need to be rehoused",
    "Dead good service today",
    "You're dead right about the leak",
    "Watch this space",
    "You won't regret it",
    "I'll kill the mould with bleach",
    "I WILL KILL THE MOULD",
    "The gas man said the boiler is knackered",
]


@pytest.fixture(scope="module")
def detector() -> ThreatDetector:
    return ThreatDetector.load()


def _detect(detector: ThreatDetector, text: str) -> list[Finding]:
    normalised = normalise(text)
    return detector.detect_batch([normalised], squeezed_words([normalised.text]))[0]


@pytest.mark.parametrize("text", THREATS)
def test_threats_are_found(detector: ThreatDetector, text: str) -> None:
    findings = _detect(detector, text)

    assert findings
    assert all(finding.type is FindingType.THREAT and finding.rule == RULE for finding in findings)
    assert all(0.5 <= finding.score <= 1.0 for finding in findings)


@pytest.mark.parametrize(("text", "evidence"), DISGUISED)
def test_disguised_threats_are_found_with_spans_into_the_original(
    detector: ThreatDetector, text: str, evidence: str
) -> None:
    findings = _detect(detector, text)

    assert [text[finding.start : finding.end] for finding in findings] == [evidence]


@pytest.mark.parametrize("text", HOUSING_TALK)
def test_housing_talk_and_idioms_are_not_threats(detector: ThreatDetector, text: str) -> None:
    assert _detect(detector, text) == []


def test_a_threat_inside_a_long_text_is_found_where_it_is(detector: ThreatDetector) -> None:
    text = "The boiler is broken again. " * 5_000 + "Fix it or I'll burn your office down."

    findings = _detect(detector, text)

    assert [text[finding.start : finding.end] for finding in findings] == [
        "I'll burn your office down"
    ]


def test_overlapping_matches_become_one_finding_with_the_highest_score(
    detector: ThreatDetector,
) -> None:
    text = "I know where you live, watch your back, I'll batter you"

    findings = _detect(detector, text)

    assert [text[f.start : f.end] for f in findings] == [
        "I know where you live",
        "watch your back",
        "I'll batter you",
    ]
    assert [f.score for f in findings] == [0.85, 0.85, 0.9]


def test_a_capitalised_name_is_a_target_but_a_lower_case_word_is_not(
    detector: ThreatDetector,
) -> None:
    assert _detect(detector, "I'll kill Gareth")
    assert _detect(detector, "I'll kill gareth") == []


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\x02", "\u200b", "!!!???"])
def test_empty_and_control_character_text_has_no_threat(
    detector: ThreatDetector, text: str
) -> None:
    assert _detect(detector, text) == []


MINIMAL = """
[violence]
kick, kicked | off
[participle]
kicked
[person]
manager
[property]
office
[warning 0.5]
mind {your} step | please
"""


def test_a_lexicon_drives_the_detector() -> None:
    detector = ThreatDetector(MINIMAL)

    assert [f.score for f in _detect(detector, "I'll kick the manager")] == [0.9]
    assert _detect(detector, "I'll kick off the meeting") == []
    assert [f.score for f in _detect(detector, "mind ur step")] == [0.5]
    assert _detect(detector, "mind your step please") == []
    assert _detect(detector, "I'll batter you") == []


def test_a_batch_needs_the_words_of_every_text(detector: ThreatDetector) -> None:
    with pytest.raises(ValueError, match="words"):
        detector.detect_batch([normalise("a"), normalise("b")], [frozenset()])


@pytest.mark.parametrize(
    ("lexicon", "message"),
    [
        ("[violence]\nkill\n[participle]\nkilled\n[person]\nman", "lacks sections"),
        (MINIMAL + "[veiled]\nwatch {your} back\n", "need a score"),
        (MINIMAL + "[veiled 0.8]\nwatch {yours} back\n", "unknown placeholder"),
        (MINIMAL + "[veiled 0.8]\nwatch, your back\n", "no commas"),
        ("kill\n" + MINIMAL, "outside any section"),
    ],
)
def test_a_malformed_lexicon_is_refused(lexicon: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ThreatDetector(lexicon)
