"""Messages to residents: drafted from templates, signed with a pseudonym, checked for access.

Policy section 3.1: residents "will be encouraged to delete posts and message privately";
section 3: staff "will use their own first names or agreed pseudonym"; section 4.2:
"Communications on corporate social media will be designed and published following best
accessibility practice". A :class:`Draft` carries every reason it falls short, in words a
member of staff can act on; a draft with any problem is never sent without a person's approval.

The accessibility checks (:func:`check_accessibility`) follow common UK public-sector guidance:

- plain language: short sentences, and plainer words for the configured long ones;
- no words in capitals (screen readers may spell them out), other than configured acronyms;
- hashtags in CamelCase (``#TenantVoice``), so screen readers read the words apart;
- alt text on every image or video.
"""

from __future__ import annotations

import enum
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "AccessibilityRules",
    "Delivery",
    "Draft",
    "Media",
    "check_accessibility",
    "draft_message",
    "placeholders",
]


class Delivery(enum.StrEnum):
    """How a drafted message reaches the resident."""

    REPLY = "reply"
    DIRECT_MESSAGE = "direct_message"


@dataclass(frozen=True, slots=True)
class Media:
    """An image or video attached to a message, and the alt text describing it."""

    name: str
    alt_text: str | None = None


@dataclass(frozen=True, slots=True)
class AccessibilityRules:
    """The configured limits of the accessibility checks.

    ``plain_words`` maps a word to avoid (lower case) to a plainer one.

    Raises:
        ValueError: when ``max_sentence_words`` is below 1.
    """

    max_sentence_words: int = 25
    allowed_capitals: frozenset[str] = frozenset()
    plain_words: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.max_sentence_words < 1:
            raise ValueError("a sentence may have at least one word")


@dataclass(frozen=True, slots=True)
class Draft:
    """A message ready to send or to approve: its text (signed), how it goes, who signed it,
    and every reason it may not go out automatically."""

    text: str
    delivery: Delivery
    signed_by: str
    problems: tuple[str, ...] = ()

    @property
    def accessible(self) -> bool:
        """Whether the draft passed every check.

        Raises:
            Nothing.
        """
        return not self.problems


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[#@]?[\w'’-]+")
_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")
_LETTERS = re.compile(r"[^\W\d_]+")


def placeholders(template: str) -> set[str]:
    """The names of the ``{placeholders}`` in a template.

    Raises:
        ValueError: when the template's braces do not pair up or a placeholder is unnamed.
    """
    names = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier():
            raise ValueError(f"placeholder {{{name}}} needs a name of letters and underscores")
        names.add(name)
    return names


def check_accessibility(
    text: str, rules: AccessibilityRules, media: Sequence[Media] = ()
) -> tuple[str, ...]:
    """Every way ``text`` and its ``media`` fall short of the rules, as reasons to act on.

    Raises:
        Nothing.
    """
    problems: list[str] = []
    for number, sentence in enumerate(_sentences(text), start=1):
        words = [word for word in _WORD.findall(sentence) if word[0] not in "#@"]
        if len(words) > rules.max_sentence_words:
            problems.append(
                f"Sentence {number} has {len(words)} words: keep sentences to "
                f"{rules.max_sentence_words} words or fewer."
            )
    problems += _plain_words(text, rules.plain_words)
    problems += _capitals(text, rules.allowed_capitals)
    problems += _hashtags(text, rules.allowed_capitals)
    for number, item in enumerate(media, start=1):
        if not (item.alt_text or "").strip():
            problems.append(
                f"Media {number} ({item.name}) has no alt text: describe what it shows."
            )
    return tuple(problems)


def _sentences(text: str) -> list[str]:
    lines = (line.strip() for line in text.splitlines())
    return [part for line in lines if line for part in _SENTENCE_END.split(line) if part]


def _plain_words(text: str, plain_words: Mapping[str, str]) -> Iterable[str]:
    found = dict.fromkeys(
        word.casefold() for word in _LETTERS.findall(text) if word.casefold() in plain_words
    )
    for word in found:
        yield f"Say {plain_words[word]!r} rather than {word!r}."


def _capitals(text: str, allowed: frozenset[str]) -> Iterable[str]:
    outside_hashtags = _HASHTAG.sub(" ", text)
    shouting = dict.fromkeys(
        word
        for word in _LETTERS.findall(outside_hashtags)
        if len(word) > 1 and word.isupper() and word not in allowed
    )
    for word in shouting:
        yield (
            f"Write {word!r} in lower case: capitals are harder to read and screen readers "
            "may spell them out letter by letter."
        )


def _hashtags(text: str, allowed: frozenset[str]) -> Iterable[str]:
    for tag in dict.fromkeys(_HASHTAG.findall(text)):
        letters = "".join(_LETTERS.findall(tag))
        if not letters or tag in allowed:
            continue
        if not letters[0].isupper() or (len(letters) > 1 and letters.isupper()):
            yield (
                f"Write #{tag} in CamelCase, a capital letter starting each word "
                "(like #TenantVoice), so screen readers read the words apart."
            )


def draft_message(
    template: str,
    values: Mapping[str, str],
    *,
    delivery: Delivery,
    pseudonym: str,
    sign_off: str,
    rules: AccessibilityRules,
    max_length: int | None = None,
    platform_name: str = "the platform",
) -> Draft:
    """Fill ``template`` with ``values``, sign it, and check it.

    ``sign_off`` is a template with ``{pseudonym}`` (for example ``"- {pseudonym}"``), added
    on a line of its own. A message longer than ``max_length`` characters is a problem too:
    the platform would refuse it.

    Raises:
        ValueError: when the template or sign-off names a placeholder ``values`` lacks, or the
            pseudonym is blank.
    """
    if not pseudonym.strip():
        raise ValueError("a message is signed with a pseudonym")
    missing = placeholders(template) - set(values)
    if missing:
        raise ValueError(f"no value for placeholder(s) {', '.join(sorted(missing))}")
    if placeholders(sign_off) - {"pseudonym"}:
        raise ValueError("the sign-off may name only {pseudonym}")
    body = template.format_map(dict(values)).strip()
    text = f"{body}\n{sign_off.format(pseudonym=pseudonym.strip())}"
    problems = list(check_accessibility(text, rules))
    if max_length is not None and len(text) > max_length:
        problems.append(
            f"The message has {len(text)} characters; {platform_name} allows {max_length}."
        )
    return Draft(
        text=text, delivery=delivery, signed_by=pseudonym.strip(), problems=tuple(problems)
    )
