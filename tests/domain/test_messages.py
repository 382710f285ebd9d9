import pytest

from trident_pipeline.domain.messages import (
    AccessibilityRules,
    Delivery,
    Media,
    check_accessibility,
    draft_message,
    placeholders,
)

RULES = AccessibilityRules(
    max_sentence_words=12,
    allowed_capitals=frozenset({"DM", "UK"}),
    plain_words={"utilise": "use", "commence": "start"},
)
TEMPLATE = "Hello. Your {item} {what_it_does}. Please delete it and {how}."
VALUES = {"item": "reply", "what_it_does": "shares personal details", "how": "send us a DM"}


def draft(**changes):
    arguments = {
        "delivery": Delivery.REPLY,
        "pseudonym": "Sam",
        "sign_off": "- {pseudonym}",
        "rules": RULES,
    } | changes
    return draft_message(TEMPLATE, VALUES, **arguments)


def test_a_draft_is_filled_in_and_signed_with_the_pseudonym_on_its_own_line():
    message = draft()
    assert message.text == (
        "Hello. Your reply shares personal details. Please delete it and send us a DM.\n- Sam"
    )
    assert message.signed_by == "Sam"
    assert message.delivery is Delivery.REPLY
    assert message.accessible


def test_a_draft_longer_than_the_platform_allows_says_so():
    message = draft(max_length=40, platform_name="X")
    assert not message.accessible
    assert message.problems == (f"The message has {len(message.text)} characters; X allows 40.",)


def test_drafting_needs_every_placeholder_a_plain_sign_off_and_a_pseudonym():
    with pytest.raises(ValueError, match="what_it_does"):
        draft_message(
            TEMPLATE,
            {"item": "post", "how": "DM us"},
            delivery=Delivery.REPLY,
            pseudonym="Sam",
            sign_off="- {pseudonym}",
            rules=RULES,
        )
    with pytest.raises(ValueError, match="sign-off"):
        draft(sign_off="- {pseudonym} {team}")
    with pytest.raises(ValueError, match="pseudonym"):
        draft(pseudonym="  ")


def test_placeholders_are_named():
    assert placeholders("Hi {item}, {how}") == {"item", "how"}
    with pytest.raises(ValueError, match="name"):
        placeholders("Hi {}")


def test_a_clear_message_passes_every_check():
    assert check_accessibility("Please send us a DM. We can help. #TenantVoice", RULES) == ()


def test_a_long_sentence_is_reported_with_its_number_and_length():
    text = "Short one. " + " ".join(["word"] * 13) + "."
    assert check_accessibility(text, RULES) == (
        "Sentence 2 has 13 words: keep sentences to 12 words or fewer.",
    )


def test_words_in_capitals_are_reported_but_allowed_acronyms_are_not():
    problems = check_accessibility("PLEASE delete it. Send a DM from the UK.", RULES)
    assert len(problems) == 1
    assert problems[0].startswith("Write 'PLEASE' in lower case")


def test_hashtags_must_be_camel_case():
    problems = check_accessibility("Read #tenantvoice and #REPAIRS and #TenantVoice.", RULES)
    assert [p.split(" in CamelCase")[0] for p in problems] == [
        "Write #tenantvoice",
        "Write #REPAIRS",
    ]


def test_long_words_have_plainer_ones_suggested():
    assert check_accessibility("We will utilise it and Commence work.", RULES) == (
        "Say 'use' rather than 'utilise'.",
        "Say 'start' rather than 'commence'.",
    )


def test_every_image_needs_alt_text():
    media = [Media("boiler.jpg", "A boiler with its cover off"), Media("map.png", " ")]
    assert check_accessibility("See the pictures.", RULES, media) == (
        "Media 2 (map.png) has no alt text: describe what it shows.",
    )


def test_rules_need_at_least_one_word_a_sentence():
    with pytest.raises(ValueError):
        AccessibilityRules(max_sentence_words=0)
