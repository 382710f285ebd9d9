"""Attribution of our replies to the pseudonym they are signed with."""

from __future__ import annotations

import pytest

from trident_pipeline.domain.responders import Attribution, AttributionKind, Attributor

# Made-up responders, signing as the policy asks: a first name or an agreed pseudonym.
SIGN_OFFS = {
    "Sam": ["^SB", "- Sam", "-Sam", "Sam"],
    "Priya": ["^PK", "- Priya"],
    "Jo": ["Jo x"],
}


@pytest.fixture(scope="module")
def attributor() -> Attributor:
    return Attributor(SIGN_OFFS, automated_markers=[r"\bautomated message\b"])


@pytest.mark.parametrize(
    ("text", "pseudonym"),
    [
        ("Sorry to hear that, please DM us your address ^SB", "Sam"),
        ("We've passed this on to the repairs team - Sam", "Sam"),
        ("We've passed this on to the repairs team -Sam", "Sam"),
        ("We've passed this on to the repairs team.\nSam", "Sam"),
        ("Thanks for letting us know, Sam", "Sam"),
        ("Thanks for letting us know! Sam", "Sam"),
        ("Please send us a DM ^PK", "Priya"),
        ("Please send us a DM ^PK 😊", "Priya"),
        ("Please send us a DM ^PK ❤️", "Priya"),
        ("Please send us a DM - Priya.", "Priya"),
        ("Please send us a DM - Priya!!  \n", "Priya"),
        ("Photo of the new kitchens ^PK https://t.co/abc123", "Priya"),
        ("Have a lovely weekend! Jo x", "Jo"),
        ("^SB", "Sam"),
    ],
)
def test_signed_replies_name_their_responder(
    attributor: Attributor, text: str, pseudonym: str
) -> None:
    assert attributor.attribute(text) == Attribution(AttributionKind.SIGNED, pseudonym)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("We've passed this on to the repairs team.", id="no-sign-off"),
        pytest.param("Please ask for Sam", id="name-ending-a-sentence"),
        pytest.param("Have a lovely weekend Jo x", id="letter-form-inside-a-sentence"),
        pytest.param("Thanks for the balsam", id="name-inside-a-word"),
        pytest.param("^SB will call you tomorrow", id="sign-off-not-at-the-end"),
        pytest.param("Please send us a DM ^pk", id="case-differs"),
        pytest.param("Please send us a DM^PKx", id="glued-to-other-letters"),
        pytest.param("", id="empty"),
    ],
)
def test_replies_without_a_known_sign_off_are_unsigned(attributor: Attributor, text: str) -> None:
    assert attributor.attribute(text) == Attribution(AttributionKind.UNSIGNED)


@pytest.mark.parametrize(
    "text",
    [
        "This is an automated message: we reply within one working day.",
        "This is an AUTOMATED MESSAGE ^SB",
    ],
)
def test_automated_messages_name_no_responder(attributor: Attributor, text: str) -> None:
    assert attributor.attribute(text) == Attribution(AttributionKind.AUTOMATED)


def test_without_markers_nothing_is_automated() -> None:
    plain = Attributor(SIGN_OFFS)
    assert plain.attribute("This is an automated message ^SB").pseudonym == "Sam"


def test_a_longer_form_wins_over_a_shorter_one_it_ends_with() -> None:
    # "Ann" also closes the text and stands apart after "&", but "Jo & Ann" is longer.
    attributor = Attributor({"Ann": ["Ann"], "Jo": ["Jo & Ann"]})
    assert attributor.attribute("See you soon, Jo & Ann").pseudonym == "Jo"
    assert attributor.attribute("See you soon, Ann").pseudonym == "Ann"


def test_a_form_shared_by_two_responders_is_refused() -> None:
    with pytest.raises(ValueError, match="two responders"):
        Attributor({"Sam": ["^S"], "Sara": ["^S"]})


def test_a_form_without_letters_or_digits_is_refused() -> None:
    with pytest.raises(ValueError, match="no letter or digit"):
        Attributor({"Sam": ["--"]})


@pytest.mark.parametrize(
    ("kind", "pseudonym"),
    [
        (AttributionKind.SIGNED, None),
        (AttributionKind.UNSIGNED, "Sam"),
        (AttributionKind.AUTOMATED, "Sam"),
    ],
)
def test_only_signed_attributions_carry_a_pseudonym(
    kind: AttributionKind, pseudonym: str | None
) -> None:
    with pytest.raises(ValueError, match="signed"):
        Attribution(kind, pseudonym)
