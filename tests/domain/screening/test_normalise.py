"""The canonical form of obfuscated text, and its map back to the original offsets."""

from __future__ import annotations

import pytest

from trident_pipeline.domain.screening.normalise import (
    Normalised,
    normalise,
    normalise_batch,
    squeezed_words,
)

_BOLD_FUCK = "\U0001d41f\U0001d42e\U0001d41c\U0001d424"  # mathematical bold letters


def _span_of(normalised: Normalised, word: str) -> str:
    """The original text behind the first occurrence of ``word`` in the canonical text."""
    start = normalised.text.index(word)
    first, last = normalised.original_span(start, start + len(word))
    return normalised.original[first:last]


@pytest.mark.parametrize(
    ("text", "word", "written"),
    [
        ("You sh1t", "shit", "sh1t"),
        ("what a b!tch!!!", "bitch", "b!tch"),
        ("$hite service", "shite", "$hite"),
        ("a$$hole", "asshole", "a$$hole"),
        ("1d10t", "idiot", "1d10t"),
        ("f.u.c.k off", "fuck", "f.u.c.k"),
        ("f u c k off", "fuck", "f u c k"),
        ("w-a-n-k-e-r", "wanker", "w-a-n-k-e-r"),
        ("t_w_a_t", "twat", "t_w_a_t"),
        ("fu\u200bck", "fuck", "fu\u200bck"),
        ("tw\u00adat", "twat", "tw\u00adat"),
        ("c\u2060u\ufeffnt", "cunt", "c\u2060u\ufeffnt"),
        ("\u0456d\u0456\u043et", "idiot", "\u0456d\u0456\u043et"),
        ("\u1d04\u1d1c\u0274\u1d1b", "cunt", "\u1d04\u1d1c\u0274\u1d1b"),
        ("\uff49\uff44\uff49\uff4f\uff54", "idiot", "\uff49\uff44\uff49\uff4f\uff54"),
        (_BOLD_FUCK, "fuck", _BOLD_FUCK),
        ("\u24d5\u24e4\u24d2\u24da", "fuck", "\u24d5\u24e4\u24d2\u24da"),
        ("i\u0301di\u0301o\u0301t\u0301 there", "idiot", "i\u0301di\u0301o\u0301t\u0301"),
        ("fuuuuuuck", "fuuck", "fuuuuuuck"),
        ("you twaaaaat", "twaat", "twaaaaat"),
        ("shut up nooooo", "noo", "nooooo"),
        ("KILL YOU", "kill you", "KILL YOU"),
        ("I\u2019ll", "i'll", "I\u2019ll"),
        ("f\x00u\x01c\x02k", "fuck", "f\x00u\x01c\x02k"),
    ],
)
def test_disguised_words_become_canonical_and_map_back(text: str, word: str, written: str) -> None:
    normalised = normalise(text)

    assert word in normalised.text
    assert _span_of(normalised, word) == written


def test_spelled_out_words_with_wider_gaps_stay_separate_words() -> None:
    normalised = normalise("k i l l   y o u")

    assert normalised.text == "kill you"
    assert [normalised.text[start:end] for start, end in normalised.joined] == ["kill", "you"]
    assert _span_of(normalised, "you") == "y o u"


@pytest.mark.parametrize(
    "text",
    [
        "u r a star",  # text-speak, not a word spelled out
        "see you at 10pm on the 2nd",
        "the M25 and flat 3b",
        "@user thanks",
        "costs £5 a week",
        "I have 1000 reasons",
        "3 4 5",
    ],
)
def test_ordinary_text_is_only_lower_cased(text: str) -> None:
    assert normalise(text).text == text.lower()


def test_plain_text_maps_each_character_to_itself() -> None:
    normalised = normalise("The Boiler Is Broken")

    assert normalised.text == "the boiler is broken"
    assert list(normalised.origin) == list(range(len(normalised.text)))
    assert normalised.joined == ()


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\x00\x07\x1b", "\u200b\u200b", "a\u0301", "ﬁne ß", "😡😡😡😡 you", "x" * 10],
)
def test_every_canonical_character_has_an_origin_in_order(text: str) -> None:
    normalised = normalise(text)

    assert len(normalised.origin) == len(normalised.text)
    assert list(normalised.origin) == sorted(normalised.origin)
    assert all(0 <= index < len(text) for index in normalised.origin)


def test_control_and_invisible_characters_are_dropped_and_spaces_unified() -> None:
    normalised = normalise("a\u00a0b\u2003c\u2028d\x07e\u3164f")

    assert normalised.text == "a b c\nde" + "f"


def test_a_span_grows_over_marks_dropped_after_its_last_letter() -> None:
    text = "cafe\u0301\u200d ok"
    normalised = normalise(text)

    start, end = normalised.original_span(0, 4)

    assert text[start:end] == "cafe\u0301\u200d"


def test_huge_text_is_normalised_whole() -> None:
    text = ("The damp is back again. " * 20_000) + "ｆｕｃｋ"
    normalised = normalise(text)

    assert normalised.text.endswith("fuck")
    assert _span_of(normalised, "fuck") == "ｆｕｃｋ"


@pytest.mark.parametrize(("start", "end"), [(0, 0), (3, 2), (-1, 2), (0, 99)])
def test_spans_outside_the_canonical_text_are_refused(start: int, end: int) -> None:
    with pytest.raises(ValueError, match="span"):
        normalise("hello there").original_span(start, end)


def test_only_text_is_accepted() -> None:
    with pytest.raises(TypeError, match="str"):
        normalise(b"bytes")  # type: ignore[arg-type]


def test_squeezed_words_make_doubled_letters_single_text_by_text() -> None:
    texts = [normalise(text).text for text in ("I'll KIIIILL you", "", "Good boot")]

    assert squeezed_words(texts) == [
        frozenset({"i", "l", "kil", "you"}),
        frozenset(),
        frozenset({"god", "bot"}),
    ]
    assert squeezed_words([]) == []


def test_squeezed_words_read_only_letters_a_to_z() -> None:
    texts = ["naïve café 😂😂 kiill", "  mm--mmm  ", "x2y  zz"]

    assert squeezed_words(texts) == [
        frozenset({"na", "ve", "caf", "kil"}),
        frozenset({"m"}),
        frozenset({"x", "y", "z"}),
    ]


BATCH = [
    "The boiler is dead",
    "",
    "f.u.c.k off",
    "k i l l   y o u",
    "u r a star",
    "sh1t b@stard $hit b!tch",
    "@tridentgrp call me at 5pm on 07700 900123",
    "me@example.com NG5 9XP",
    "fuuuuck!!!",
    "\u0456d\u0456\u043et \uff49\uff44",
    "a\x00b\x07c",
    "0 7 7 0 0 9 0 0",
    "Thanks!",
    "k 1 l l",
    "s$$$",
]


def test_a_batch_is_normalised_as_its_texts_are_one_by_one() -> None:
    batch = normalise_batch(BATCH)

    assert [(n.text, list(n.origin), n.joined) for n in batch] == [
        (n.text, list(n.origin), n.joined) for n in map(normalise, BATCH)
    ]
    assert normalise_batch([]) == []


def test_a_batch_of_text_only_is_accepted() -> None:
    with pytest.raises(TypeError, match="str"):
        normalise_batch(["fine", None])  # type: ignore[list-item]
