"""``templates.yaml``: the messages drafted to residents, checked for accessibility at load.

Policy section 3.1 asks residents to delete posts and message privately; section 4.2 asks that
communications follow "best accessibility practice". Every template is drafted here with every
platform's words and every clause when the file is loaded, so a template that fails a check is
a configuration error naming the reason, not a surprise in a run.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from trident_pipeline.domain.messages import (
    AccessibilityRules,
    Delivery,
    Draft,
    draft_message,
    placeholders,
)
from trident_pipeline.domain.models import Channel, Kind, Platform
from trident_pipeline.domain.notes import platform_name
from trident_pipeline.domain.policy import Clause

__all__ = ["AccessibilityConfig", "TemplatesConfig"]

_ITEMS = {
    Kind.POST: "post",
    Kind.REPLY: "reply",
    Kind.COMMENT: "comment",
    Kind.MENTION: "post",
    Kind.QUOTE: "quote post",
    Kind.DIRECT_MESSAGE: "message",
}
_PLACEHOLDERS = {"item", "what_it_does", "how_to_message_us"}
_SAMPLE_PSEUDONYM = "Sam"


class AccessibilityConfig(BaseModel):
    """The limits of the accessibility checks."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_sentence_words: int = Field(25, ge=1)
    allowed_capitals: tuple[str, ...] = ()
    plain_words: dict[str, str] = Field(default_factory=dict)

    def rules(self) -> AccessibilityRules:
        """The domain's rules for these limits.

        Raises:
            ValueError: never for a loaded file, whose values were checked.
        """
        return AccessibilityRules(
            max_sentence_words=self.max_sentence_words,
            allowed_capitals=frozenset(self.allowed_capitals),
            plain_words={word.casefold(): plain for word, plain in self.plain_words.items()},
        )


class TemplatesConfig(BaseModel):
    """Message templates per channel, the words they are filled with, and the checks."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sign_off: str = Field(min_length=1)
    templates: dict[Channel, str]
    clauses: dict[Clause, str]
    how_to_message_us: dict[Platform, str]
    max_length: dict[Platform, int]
    accessibility: AccessibilityConfig = AccessibilityConfig()

    @model_validator(mode="after")
    def _complete_and_accessible(self) -> TemplatesConfig:
        for name, mapping, keys in (
            ("templates", self.templates, Channel),
            ("clauses", self.clauses, Clause),
            ("how_to_message_us", self.how_to_message_us, Platform),
            ("max_length", self.max_length, Platform),
        ):
            missing = [key.value for key in keys if key not in mapping]
            if missing:
                raise ValueError(f"{name}: nothing for {', '.join(missing)}")
        problems: list[str] = []
        for channel, template in self.templates.items():
            unknown = ", ".join(sorted(placeholders(template) - _PLACEHOLDERS))
            if unknown:
                raise ValueError(f"templates.{channel.value}: unknown placeholder(s) {unknown}")
            problems += (
                f"templates.{channel.value}: {problem}"
                for platform in Platform
                for clauses in _clause_sets()
                for problem in self._draft(platform, channel, clauses, _SAMPLE_PSEUDONYM).problems
            )
        if problems:
            raise ValueError("; ".join(dict.fromkeys(problems)))
        return self

    def draft(
        self,
        platform: Platform,
        channel: Channel,
        kind: Kind,
        clauses: Sequence[str],
        pseudonym: str,
        delivery: Delivery,
    ) -> Draft:
        """The message about an item of ``kind`` breaking ``clauses``, signed by ``pseudonym``,
        checked for accessibility and for the platform's length limit.

        Raises:
            ValueError: when a clause is unknown or the pseudonym is blank.
        """
        platform = Platform(platform)
        return self._draft(
            platform,
            channel,
            clauses,
            pseudonym,
            kind=kind,
            delivery=delivery,
            max_length=self.max_length[platform],
        )

    def _draft(
        self,
        platform: Platform,
        channel: Channel,
        clauses: Sequence[str],
        pseudonym: str,
        *,
        kind: Kind | None = None,
        delivery: Delivery | None = None,
        max_length: int | None = None,
    ) -> Draft:
        channel = Channel(channel)
        public = channel is Channel.PUBLIC
        kind = kind or (Kind.REPLY if public else Kind.DIRECT_MESSAGE)
        what = [self.clauses[Clause(clause)] for clause in clauses]
        values = {
            "item": _ITEMS[Kind(kind)],
            "what_it_does": _join(what),
            "how_to_message_us": self.how_to_message_us[Platform(platform)],
        }
        return draft_message(
            self.templates[channel],
            values,
            delivery=delivery or (Delivery.REPLY if public else Delivery.DIRECT_MESSAGE),
            pseudonym=pseudonym,
            sign_off=self.sign_off,
            rules=self.accessibility.rules(),
            max_length=max_length,
            platform_name=platform_name(platform),
        )


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _clause_sets() -> list[tuple[Clause, ...]]:
    return [combo for size in (1, 2, 3) for combo in combinations(tuple(Clause), size)]
