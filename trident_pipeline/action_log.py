"""The platform action log: each action on a platform carried out at most once per key.

Platform calls happen outside the store's transactions. The log claims an action's idempotency
key (and commits) before the call and records its outcome after, so a retry, a re-run or an
overlapping backfill never acts twice on a platform.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from trident_pipeline.domain.models import Platform
from trident_pipeline.sources.errors import BudgetExhausted, FatalError, RateLimited, SourceError
from trident_pipeline.sources.moderation import Action, ActionResult, Outcome
from trident_pipeline.store.ledger import claim_action, finish_action, release_action

__all__ = ["perform"]

log = logging.getLogger(__name__)

_CREATES = frozenset({Action.REPLY, Action.DIRECT_MESSAGE})
_UNANSWERED = "an earlier attempt ended without an answer: check the platform before acting"


def perform(
    engine: Engine,
    *,
    platform: Platform,
    action: Action,
    key: str,
    target: str,
    event_key: str,
    call: Callable[[], ActionResult],
    now: datetime,
) -> ActionResult | None:
    """Carry out one platform action at most once per ``key``, through the action log.

    The moderator applies its platform's capability matrix: an action the platform allows
    only by hand comes back as ``needs_hand``. The key is claimed (and committed) before
    ``call``; a key with an outcome returns it without calling again. An unfinished claim
    of an earlier attempt is called again for actions that set a state (hide, block), but
    a reply or message that may have gone out becomes ``needs_hand``. Returns ``None``
    when the action waits for a later run: the platform limited the rate (the claim is
    dropped) or gave no answer (the claim is kept). A fatal platform error is recorded as
    ``not_possible``, with the error's class as the reason.

    Raises:
        Exception: whatever ``call`` raises other than a platform's
            :class:`~trident_pipeline.sources.errors.SourceError`; the claim stays.
    """
    with engine.begin() as connection:
        claim = claim_action(
            connection,
            key=key,
            platform=platform,
            action=action,
            target=target,
            event_key=event_key,
            now=now,
        )
    if claim.finished is not None:
        return claim.finished
    if claim.unfinished and action in _CREATES:
        result = ActionResult(platform, action, Outcome.NEEDS_HAND, detail=_UNANSWERED)
    else:
        try:
            result = call()
        except (RateLimited, BudgetExhausted):
            with engine.begin() as connection:
                release_action(connection, key)
            log.warning("%s on %s waits for a later run: rate or budget", action, platform)
            return None
        except FatalError as error:
            reason = type(error).__name__
            result = ActionResult(platform, action, Outcome.NOT_POSSIBLE, detail=reason)
        except SourceError as error:
            log.warning("%s on %s had no answer (%s)", action, platform, type(error).__name__)
            return None
    with engine.begin() as connection:
        finish_action(connection, key, result, now)
    return result
