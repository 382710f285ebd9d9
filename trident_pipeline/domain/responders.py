"""Who answered: a reply's sign-off names the responder (policy section 3).

"The Communications Manager and Communications Officer will use their own first names or agreed
pseudonym to ensure that accountability can be taken." Every reply goes out from the one
corporate account, so the sign-off at the end of its text is the only record of who wrote it.

A sign-off counts only at the very end of the text, after trailing whitespace, punctuation,
emoji and links (X appends a link for attached media) are set aside. A form that starts with a
letter, such as a bare ``Sam``, must also stand apart from the sentence before it: at the start
of a line or after punctuation, as in ``Thanks, Sam``; ``please ask Sam`` is not a signature.
Forms are matched exactly as configured, case included. A reply that matches no form is
unsigned; one that carries an automated marker is automated and names no responder.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["Attribution", "AttributionKind", "Attributor"]

_TRAILING_LINK = re.compile(r"\s*https?://\S+\s*\Z")


class AttributionKind(enum.StrEnum):
    """Whether a reply names its responder, names none, or was sent automatically."""

    SIGNED = "signed"
    UNSIGNED = "unsigned"
    AUTOMATED = "automated"


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who a reply is attributed to: a pseudonym when signed, nobody otherwise.

    Raises:
        ValueError: when a signed attribution has no pseudonym or another kind has one.
    """

    kind: AttributionKind
    pseudonym: str | None = None

    def __post_init__(self) -> None:
        if (self.kind is AttributionKind.SIGNED) != (self.pseudonym is not None):
            raise ValueError("exactly the signed attributions name a pseudonym")


class Attributor:
    """Reads the sign-off of the organisation's replies.

    Args:
        sign_offs: each responder's pseudonym and the forms they sign with (``^SB``, ``- Sam``).
        automated_markers: regular expressions (case-insensitive) found only in automated
            messages.

    Raises:
        ValueError: when a form has no letter or digit, or two responders share a form.
        re.error: when a marker is not a regular expression.
    """

    def __init__(
        self,
        sign_offs: Mapping[str, Iterable[str]],
        automated_markers: Iterable[str] = (),
    ) -> None:
        owners: dict[str, str] = {}
        for pseudonym, forms in sign_offs.items():
            for form in forms:
                trimmed = _trim(form.strip())
                if not any(character.isalnum() for character in trimmed):
                    raise ValueError(f"sign-off {form!r} of {pseudonym} has no letter or digit")
                if owners.setdefault(trimmed, pseudonym) != pseudonym:
                    raise ValueError(f"sign-off {form!r} belongs to two responders")
        # Longest first, so "- Sam" is tried before "Sam".
        self._forms = sorted(owners.items(), key=lambda pair: len(pair[0]), reverse=True)
        self._markers = tuple(re.compile(marker, re.IGNORECASE) for marker in automated_markers)

    def attribute(self, text: str) -> Attribution:
        """Attribute one of the organisation's messages by its sign-off.

        Raises:
            Nothing: every text comes back signed, unsigned or automated.
        """
        if any(marker.search(text) for marker in self._markers):
            return Attribution(AttributionKind.AUTOMATED)
        trimmed = _trim(text)
        for form, pseudonym in self._forms:
            if trimmed.endswith(form) and _stands_apart(trimmed[: -len(form)], form):
                return Attribution(AttributionKind.SIGNED, pseudonym)
        return Attribution(AttributionKind.UNSIGNED)


def _stands_apart(before: str, form: str) -> bool:
    """Whether ``form`` closing a text is a signature rather than the end of a sentence."""
    if not before:
        return True
    if not form[0].isalnum():
        return not before[-1].isalnum()
    if not before[-1].isspace():
        return False
    sentence = before.rstrip()
    gap = before[len(sentence) :]
    return not sentence or "\n" in gap or _is_noise(sentence[-1])


def _trim(text: str) -> str:
    """``text`` without trailing whitespace, punctuation, emoji or links."""
    while True:
        shorter = _TRAILING_LINK.sub("", text)
        end = len(shorter)
        while end and _is_noise(shorter[end - 1]):
            end -= 1
        shorter = shorter[:end]
        if shorter == text:
            return text
        text = shorter


def _is_noise(character: str) -> bool:
    """Punctuation, symbols (emoji among them), spaces, controls and emoji modifiers."""
    category = unicodedata.category(character)
    return category[0] in "PSZC" or category == "Me" or "\ufe00" <= character <= "\ufe0f"
