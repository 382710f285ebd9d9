"""The three-strike ledger: append-only moderation events, and the rules that derive from them.

This module gathers the three parts under their original import path:

- :mod:`~trident_pipeline.domain.events`: the event model (:class:`EventType`,
  :class:`ModerationEvent`, :class:`Ledger`);
- :mod:`~trident_pipeline.domain.strikes`: the strike rules (issuing, expiry, overruling,
  drafted messages and their decisions, steps taken on platforms);
- :mod:`~trident_pipeline.domain.blocks`: block requests at the threshold, their decisions
  and reviews, and what awaits a person's decision.

New code should import from those modules.
"""

from __future__ import annotations

from trident_pipeline.domain.blocks import (
    BlockReview,
    awaiting_decision,
    block_request_for,
    decide_block,
    next_review,
    request_blocks,
    review_block,
    reviews_due,
)
from trident_pipeline.domain.events import (
    SYSTEM,
    EventType,
    Ledger,
    ModerationEvent,
    ReviewOutcome,
    UnknownEvent,
)
from trident_pipeline.domain.strikes import (
    StrikeRules,
    Violation,
    action_taken,
    active_strikes,
    apply,
    decide_message,
    expire,
    message_drafted,
    overrule,
    strike_number,
)

__all__ = [
    "SYSTEM",
    "BlockReview",
    "EventType",
    "Ledger",
    "ModerationEvent",
    "ReviewOutcome",
    "StrikeRules",
    "UnknownEvent",
    "Violation",
    "action_taken",
    "active_strikes",
    "apply",
    "awaiting_decision",
    "block_request_for",
    "decide_block",
    "decide_message",
    "expire",
    "message_drafted",
    "next_review",
    "overrule",
    "request_blocks",
    "review_block",
    "reviews_due",
    "strike_number",
]
