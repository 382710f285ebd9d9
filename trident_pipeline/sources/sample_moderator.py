"""The sample inbox's stand-in for the platforms' moderation, for ``make run``.

The bundled sample inbox is replayed, not fetched, so there is no platform to hide a post on,
reply to or block anyone from. :class:`SampleModerator` takes the place of the real
:class:`~trident_pipeline.sources.moderation.Moderator` of each platform in sample runs: it
touches nothing but the store, and reports each action as the real connector would, by the
real capability matrix (:data:`~trident_pipeline.sources.x.moderation.CAPABILITIES` and its
BlueSky and Facebook counterparts). So a block on X comes back as needing a person (X allows
blocking only in its app), and hiding on X or BlueSky happens only on threads the
organisation started. Everything else is reported as done, with a reference made from the
idempotency key; the action log then records it as done.

It is the sample run's moderator, not a test double: tests use it only where they exercise the
sample run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from sqlalchemy import Engine

from trident_pipeline.domain.models import InboxItem, Kind, Platform
from trident_pipeline.sources.capabilities import CAPABILITIES
from trident_pipeline.sources.moderation import (
    Action,
    ActionResult,
    Capabilities,
    Outcome,
    Support,
)
from trident_pipeline.store.ledger import thread_started_by_us

__all__ = ["SampleModerator", "sample_moderators"]

_BY_HAND = {
    Action.BLOCK: "blocking needs a person in the platform's app",
    Action.HIDE: "hiding needs a person in the platform's app",
    Action.REPLY: "replying needs a person in the platform's app",
    Action.DIRECT_MESSAGE: "messaging needs a person in the platform's app",
}


class SampleModerator:
    """Moderation of the sample inbox on one platform, by that platform's capability matrix.

    Args:
        platform: the platform it stands in for.
        capabilities: that platform's real capability matrix.
        engine: the store holding the sample inbox (to tell which threads are ours).
    """

    def __init__(self, platform: Platform, capabilities: Capabilities, engine: Engine) -> None:
        self.platform = Platform(platform)
        self.capabilities = capabilities
        self._engine = engine

    def hide(self, item: InboxItem) -> ActionResult:
        """Hide ``item`` where the platform would let the account.

        Raises:
            ValueError: when ``item`` is on another platform.
        """
        self._check(item)
        support = self.capabilities.get(Action.HIDE, Support.BY_HAND)
        if support is Support.BY_HAND:
            return self._result(Action.HIDE, Outcome.NEEDS_HAND, detail=_BY_HAND[Action.HIDE])
        if support is Support.OUR_THREADS_ONLY:
            with self._engine.connect() as connection:
                ours = thread_started_by_us(connection, self.platform, item.thread_id)
            if not ours or item.kind is Kind.POST:
                detail = "the platform hides replies only on threads the account started"
                return self._result(Action.HIDE, Outcome.NOT_POSSIBLE, detail=detail)
        return self._result(Action.HIDE, Outcome.DONE, reference=item.native_id)

    def reply(self, item: InboxItem, text: str, idempotency_key: str) -> ActionResult:
        """Reply to ``item`` (nothing is posted: the sample has no platform).

        Raises:
            ValueError: when ``item`` is on another platform or ``text`` is blank.
        """
        self._check(item, text)
        return self._created(Action.REPLY, idempotency_key)

    def send_direct_message(self, user_id: str, text: str, idempotency_key: str) -> ActionResult:
        """Send a private message to ``user_id`` (nothing is sent: the sample has no platform).

        Raises:
            ValueError: when ``text`` is blank.
        """
        self._check(None, text)
        return self._created(Action.DIRECT_MESSAGE, idempotency_key)

    def block(self, user_id: str, idempotency_key: str) -> ActionResult:
        """Block ``user_id``, or report that a person must, as the platform would.

        Raises:
            Nothing.
        """
        if self.capabilities.get(Action.BLOCK, Support.BY_HAND) is not Support.AUTOMATIC:
            return self._result(
                Action.BLOCK, Outcome.NEEDS_HAND, reference=user_id, detail=_BY_HAND[Action.BLOCK]
            )
        return self._result(Action.BLOCK, Outcome.DONE, reference=user_id)

    def _created(self, action: Action, idempotency_key: str) -> ActionResult:
        if self.capabilities.get(action, Support.BY_HAND) is Support.BY_HAND:
            return self._result(action, Outcome.NEEDS_HAND, detail=_BY_HAND[action])
        digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:16]
        return self._result(action, Outcome.DONE, reference=f"sample-{digest}")

    def _check(self, item: InboxItem | None, text: str | None = None) -> None:
        if item is not None and item.platform is not self.platform:
            raise ValueError(f"this moderator acts on {self.platform.value} only")
        if text is not None and not text.strip():
            raise ValueError("a message needs text")

    def _result(
        self,
        action: Action,
        outcome: Outcome,
        *,
        reference: str | None = None,
        detail: str | None = None,
    ) -> ActionResult:
        return ActionResult(self.platform, action, outcome, reference=reference, detail=detail)


def sample_moderators(engine: Engine) -> Mapping[Platform, SampleModerator]:
    """A sample moderator per platform, each with its platform's real capability matrix.

    Raises:
        Nothing.
    """
    return {
        platform: SampleModerator(platform, CAPABILITIES[platform], engine) for platform in Platform
    }
