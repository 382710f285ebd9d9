"""Moderation actions on a platform, and what each platform lets us do (the capability matrix).

The ledger and the block DAG read :data:`Capabilities` to decide how to carry out a step of the
three-strike policy: automatically, only on threads we started, or by hand.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from trident_pipeline.domain.models import InboxItem, Platform

__all__ = [
    "Action",
    "ActionResult",
    "Capabilities",
    "Moderator",
    "Outcome",
    "Support",
    "check_message_text",
]


class Action(enum.StrEnum):
    """A step the policy may take on a platform."""

    HIDE = "hide"
    REPLY = "reply"
    DIRECT_MESSAGE = "direct_message"
    BLOCK = "block"
    MUTE = "mute"


class Support(enum.StrEnum):
    """How a platform supports an action."""

    AUTOMATIC = "automatic"
    OUR_THREADS_ONLY = "our_threads_only"
    BY_HAND = "by_hand"


class Outcome(enum.StrEnum):
    """What happened when an action was carried out."""

    DONE = "done"
    ALREADY_DONE = "already_done"
    NEEDS_HAND = "needs_hand"
    NOT_POSSIBLE = "not_possible"


Capabilities = Mapping[Action, Support]


@dataclass(frozen=True, slots=True)
class ActionResult:
    """The result of one action. ``reference`` is the platform's id for what was created
    (a reply, a block record); ``detail`` explains a hand-off or refusal without personal data."""

    platform: Platform
    action: Action
    outcome: Outcome
    reference: str | None = None
    detail: str | None = None


class Moderator(Protocol):
    """Carries out moderation actions on one platform through its real client library."""

    platform: Platform
    capabilities: Capabilities

    def hide(self, item: InboxItem) -> ActionResult:
        """Hide a public item (a reply or comment on our thread or page)."""
        ...

    def reply(self, item: InboxItem, text: str, idempotency_key: str) -> ActionResult:
        """Reply publicly to ``item`` from the corporate account."""
        ...

    def send_direct_message(self, user_id: str, text: str, idempotency_key: str) -> ActionResult:
        """Send a private message to a platform user."""
        ...

    def block(self, user_id: str, idempotency_key: str) -> ActionResult:
        """Block a platform user from the corporate account (or hand it over to a person)."""
        ...


def check_message_text(text: str) -> None:
    """Refuse to send a reply or message without text, before any call to the platform.

    Args:
        text: what a moderator is about to send.

    Raises:
        ValueError: when ``text`` is empty or only white space.
    """
    if not text.strip():
        raise ValueError("a reply or message needs text")
