"""Abuse: the lexicon, the model and the detector the screener calls."""

from __future__ import annotations

import base64
import json
import zlib
from importlib import resources
from typing import Any

import numpy as np
import pytest

from trident_pipeline.domain.screening.abuse import (
    LEXICON_RULE,
    AbuseDetector,
    AbuseLexicon,
    AbuseModel,
    hashed_features,
)
from trident_pipeline.domain.screening.findings import Finding, FindingType
from trident_pipeline.domain.screening.normalise import normalise, squeezed_words
from trident_pipeline.domain.screening.threats import ThreatDetector

ABUSE = [
    ("You absolute muppet", "You absolute muppet"),
    ("what a knob", "what a knob"),
    ("that contractor is a prick", "that contractor is a prick"),
    ("your staff are a bunch of clowns", "your staff are a bunch of clowns"),
    ("he is a nonce", "nonce"),
    ("F*** off", "F*** off"),
    ("a**hole", "a**hole"),
    ("what a c*nt", "c*nt"),
    ("fuuuuuck this", "fuuuuuck"),
    ("u r a c u n t", "c u n t"),
    ("you tw\u200bat", "tw\u200bat"),
    ("you \u0456d\u0456\u043et", "\u0456d\u0456\u043et"),
    ("B1TCH", "B1TCH"),
    ("$hit service", "$hit"),
    ("Ｆｕｃｋ", "Ｆｕｃｋ"),
    ("You lot are a bunch of scumbags", "scumbags"),
    ("Fucking useless service", "Fucking"),
    ("thick as two short planks the lot of them", "thick as two short planks"),
    ("go back home you p.a.k.i", "p.a.k.i"),
]

NOT_ABUSE = [
    "door knob is loose",
    "the stop cock is leaking",
    "I live in Scunthorpe",
    "Cockermouth office please",
    "my grass needs cutting",
    "the cow in the field got out",
    "I was such an idiot, sorry, wrong flat number",
    "I feel like a right idiot",
    "pass me the tool box",
    "your tool box is in the hall",
    "f***",
    "my neighbour called me a cow",
    "Thanks, you are a star",
]

HOUSING_TALK = [
    "The damp is killing me",
    "My back is killing me from sleeping on the sofa because the bedroom is full of mould",
    "The boiler is shot, no heating or hot water since Tuesday",
    "Boiler's dead again. Third time this month. Absolutely fed up",
    "This is a disgrace, nobody has come to fix the leak in 3 weeks",
    "The mould is disgusting and my kids keep getting ill",
    "The state of the stairwell is shocking, there's rubbish everywhere",
    "Still waiting for the stop cock to be replaced, water everywhere",
    "The ballcock in the toilet cistern is broken",
    "Bloody boiler has broken down again",
    "Your repairs service is useless, I've reported this five times",
    "Honestly this is a joke, I've been waiting since March",
    "I'm dying of cold in this flat, please send someone",
    "The kitchen is a death trap with the wires hanging out",
    "The fire door is smashed and won't close",
    "Stupid boiler",
    "The estate is a dump, nobody cleans it",
    "Who the hell approved this kitchen design",
    "Thank you so much for sorting the boiler!",
    "Can you shoot me an email with the appointment time please",
    "I'm going to kill this mould if it's the last thing I do",
    "The lift has been dead for a week and I'm on the 9th floor",
]


@pytest.fixture(scope="module")
def detector() -> AbuseDetector:
    return AbuseDetector.load()


def _lexicon_text() -> str:
    package = resources.files("trident_pipeline.domain.screening")
    return package.joinpath("lexicon", "abuse.txt").read_text(encoding="utf-8")


def _model_document(weight: float, bits: int = 4) -> dict[str, Any]:
    weights = np.full(1 << bits, weight, dtype="<f2").tobytes()
    return {
        "id": "test-model",
        "version": 7,
        "features": {"bits": bits, "char_ngrams": [2, 3], "word_weight": 1.0},
        "bias": 0.0,
        "threshold": 0.6,
        "weights": {"float16_zlib_base64": base64.b64encode(zlib.compress(weights)).decode()},
    }


def _detector_with_model(weight: float) -> AbuseDetector:
    model = AbuseModel.from_json(_model_document(weight))
    return AbuseDetector(model, AbuseLexicon(_lexicon_text()), ThreatDetector.load())


def _evidence(text: str, findings: list[Finding], kind: FindingType) -> list[str]:
    return [text[f.start : f.end] for f in findings if f.type is kind]


@pytest.mark.parametrize(("text", "evidence"), ABUSE)
def test_abusive_words_are_found_however_written(
    detector: AbuseDetector, text: str, evidence: str
) -> None:
    [findings] = detector.detect_batch([text])

    assert _evidence(text, findings, FindingType.ABUSE) == [evidence]
    assert {f.rule for f in findings} == {LEXICON_RULE}


@pytest.mark.parametrize("text", NOT_ABUSE)
def test_harmless_uses_of_abusive_looking_words_are_not_abuse(
    detector: AbuseDetector, text: str
) -> None:
    assert detector.detect_batch([text]) == [[]]


@pytest.mark.parametrize("text", HOUSING_TALK)
def test_strong_words_about_repairs_are_neither_abuse_nor_threat(
    detector: AbuseDetector, text: str
) -> None:
    assert detector.detect_batch([text]) == [[]]


def test_abuse_and_threat_in_one_text_are_both_found(detector: AbuseDetector) -> None:
    text = "You useless twat, I know where you live"

    [findings] = detector.detect_batch([text])

    assert _evidence(text, findings, FindingType.ABUSE) == ["twat"]
    assert _evidence(text, findings, FindingType.THREAT) == ["I know where you live"]
    assert findings == sorted(findings, key=lambda f: f.start)


def test_a_batch_keeps_its_order(detector: AbuseDetector) -> None:
    texts = ["The boiler is dead", "you muppet", "", "I'll batter you", "thanks!", "sh1t"]

    batch = detector.detect_batch(texts)

    assert batch == [detector.detect_batch([text])[0] for text in texts]
    assert [bool(findings) for findings in batch] == [False, True, False, True, False, True]


def test_an_empty_batch_gives_no_results(detector: AbuseDetector) -> None:
    assert detector.detect_batch([]) == []


@pytest.mark.parametrize("text", ["", "    ", "\n\t", "\x00\x01\x7f", "\u200b\u200d\ufeff"])
def test_empty_and_control_character_texts_have_no_findings(
    detector: AbuseDetector, text: str
) -> None:
    assert detector.detect_batch([text]) == [[]]


def test_a_huge_text_is_screened_whole(detector: AbuseDetector) -> None:
    text = "The repair is late again. " * 10_000 + "You absolute w4nker."

    [findings] = detector.detect_batch([text])

    assert _evidence(text, findings, FindingType.ABUSE) == ["w4nker"]


def test_only_texts_are_accepted(detector: AbuseDetector) -> None:
    with pytest.raises(TypeError):
        detector.detect_batch(["fine", 42])  # type: ignore[list-item]


def test_the_model_decides_when_the_lexicon_finds_nothing_aimed_at_someone() -> None:
    text = "  you are a horrible little man  "

    [findings] = _detector_with_model(2.0).detect_batch([text])

    [finding] = findings
    assert finding.type is FindingType.ABUSE
    assert finding.rule == "test-model@7"
    assert text[finding.start : finding.end] == "you are a horrible little man"
    assert 0.6 <= finding.score <= 1.0


def test_the_model_is_not_asked_about_texts_aimed_at_nobody() -> None:
    assert _detector_with_model(2.0).detect_batch(["the stairs are horrible"]) == [[]]


def test_the_lexicon_takes_precedence_over_the_model() -> None:
    [findings] = _detector_with_model(2.0).detect_batch(["you are a twat"])

    assert [f.rule for f in findings] == [LEXICON_RULE]


def test_a_model_below_its_threshold_finds_nothing() -> None:
    assert _detector_with_model(-2.0).detect_batch(["you are a horrible little man"]) == [[]]


def test_the_shipped_model_is_described_and_scores_probabilities() -> None:
    package = resources.files("trident_pipeline.domain.screening")
    document = json.loads(package.joinpath("models", "abuse-model.json").read_text())
    model = AbuseModel.from_json(document)

    probabilities = model.probabilities(["you are a disgrace to humanity", "thank you", ""])

    assert model.rule == "abuse-model@1"
    assert model.weights.shape == (1 << model.bits,)
    assert "OLID" in document["training"]["data"]
    assert probabilities.shape == (3,)
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    assert probabilities[0] > probabilities[1]


def test_features_are_scaled_per_text_and_do_not_depend_on_the_batch() -> None:
    texts = ["you are a muppet", "the boiler is dead", "x"]

    rows, columns, values = hashed_features(texts, 10, (2, 4), 1.0)
    alone = hashed_features(texts[1:2], 10, (2, 4), 1.0)

    assert np.allclose(np.bincount(rows, weights=values**2), 1.0)
    assert np.all((columns >= 0) & (columns < 1 << 10))
    assert sorted(zip(columns[rows == 1], values[rows == 1], strict=True)) == sorted(
        zip(alone[1], alone[2], strict=True)
    )


@pytest.mark.parametrize(("bits", "ngrams"), [(0, (2, 5)), (33, (2, 5)), (18, (5, 2))])
def test_impossible_feature_spaces_are_refused(bits: int, ngrams: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="bits"):
        hashed_features(["text"], bits, ngrams, 1.0)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("bias"),
        lambda d: d["weights"].update(float16_zlib_base64="not base64!"),
        lambda d: d["features"].update(bits=5),
        lambda d: d["features"].update(char_ngrams=[2]),
    ],
)
def test_a_malformed_model_is_refused(change: Any) -> None:
    document = _model_document(1.0)
    change(document)

    with pytest.raises(ValueError, match="abuse model"):
        AbuseModel.from_json(document)


@pytest.mark.parametrize(
    ("lexicon", "message"),
    [
        ("idiot\n[insult 0.8]\nmoron", "outside any section"),
        ("[rude 0.8]\nmoron", "unknown or unscored"),
        ("[insult]\nmoron", "unknown or unscored"),
        ("[targeted 0.8]\nmuppet", "no \\[people\\]"),
    ],
)
def test_a_malformed_lexicon_is_refused(lexicon: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AbuseLexicon(lexicon)


def test_a_lexicon_scores_by_section_and_aims_targeted_words() -> None:
    lexicon = AbuseLexicon("[insult 0.9]\nplonker\n[targeted 0.7]\nmelon\n[people]\nwarden\n")

    def find(text: str) -> list[tuple[str, float]]:
        normalised = normalise(text)
        [found] = lexicon.find_batch([normalised], squeezed_words([normalised.text]))
        return [(normalised.text[start:end], score) for start, end, score in found]

    assert find("what a plonkerrrr") == [("plonkerr", 0.9)]
    assert find("that warden is a melon") == [("that warden is a melon", 0.7)]
    assert find("a melon for lunch") == []
    assert lexicon.mentions_person(squeezed_words(["the warden came"])[0])
    assert lexicon.mentions_person(squeezed_words(["did you come"])[0])
    assert not lexicon.mentions_person(squeezed_words(["the boiler came"])[0])


def test_the_lexicon_needs_the_words_of_every_text() -> None:
    lexicon = AbuseLexicon(_lexicon_text())

    with pytest.raises(ValueError, match="words"):
        lexicon.find_batch([normalise("you twat")], [])
