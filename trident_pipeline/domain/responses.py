"""Which items need a response, and which reply of ours answered each (policy section 3).

"During these times the audience can expect a response to their query, where appropriate,
within 24 hours." An inbound item needs a response unless a rule in config says it does not
(a kind such as a quote, spam, a plain "thanks"), it was handled under the three-strike policy,
or an operator marked it so; an operator's mark wins over every rule, either way. Our own items
need none. Every exclusion is kept on the item's record with its :class:`Exclusion`, so the
figures can count them.

A reply of ours answers the inbound items before it, not yet answered, in the same thread on
the same platform (X conversation, BlueSky reply root, Facebook post, DM conversation):

- a reply to a parent (``in_reply_to_id``) answers the parent and the parent's own chain of
  parents; when the parent is an item from the public, it also answers the other replies to
  that parent (Facebook nests every reply to a comment under the comment, so a follow-up is
  a sibling of our reply, not its parent). Replies to one of our own posts are separate
  conversations: answering one does not answer the others;
- a reply with no parent (a direct message) answers every unanswered item of the conversation.

A reply on another platform or in another thread never answers. Records depend only on the
items of their own thread, so computing them thread by thread, day by day, or all at once gives
the same records: the store can keep them per item and a period's figures aggregate items.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from trident_pipeline.domain.managed_hours import ManagedHours, ResponseTarget, TargetBasis
from trident_pipeline.domain.models import Channel, InboxItem, Kind, Platform
from trident_pipeline.domain.responders import Attribution, AttributionKind, Attributor

__all__ = [
    "Exclusion",
    "OperatorMark",
    "ResponseMatcher",
    "ResponseRecord",
    "ResponseRules",
]

_MENTION = re.compile(r"@[\w.\-]+")
_HOUR = timedelta(hours=1)


class Exclusion(enum.StrEnum):
    """Why an item needs no response."""

    OURS = "ours"
    OPERATOR = "operator"
    STRIKE_POLICY = "strike_policy"
    KIND = "kind"
    SPAM = "spam"
    THANKS = "thanks"


@dataclass(frozen=True, slots=True)
class OperatorMark:
    """An operator's decision that an item does, or does not, need a response, and why.

    Raises:
        ValueError: when ``reason`` is blank.
    """

    needs_response: bool
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("an operator's mark gives its reason")


@dataclass(frozen=True, slots=True)
class ResponseRules:
    """The configured rules for inbound items that need no response.

    ``thanks_patterns`` must match the whole text once @mentions and the punctuation and emoji
    around it are set aside ("Thanks so much! 🙏"), so "thanks, but the boiler is still broken"
    still needs a response. ``spam_patterns`` match anywhere. Both ignore case.
    ``automated_counts_as_response`` says whether an automated message of ours answers an item;
    either way it names no responder.

    Raises:
        re.error: when a pattern is not a regular expression.
    """

    kinds: frozenset[Kind] = frozenset()
    thanks_patterns: tuple[str, ...] = ()
    spam_patterns: tuple[str, ...] = ()
    automated_counts_as_response: bool = False
    _thanks: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)
    _spam: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_thanks", _compiled(self.thanks_patterns))
        object.__setattr__(self, "_spam", _compiled(self.spam_patterns))

    def exclusion(self, item: InboxItem) -> Exclusion | None:
        """The rule that excludes an inbound ``item``, or ``None`` when it needs a response.

        Raises:
            Nothing: an item no rule matches needs a response.
        """
        if item.kind in self.kinds:
            return Exclusion.KIND
        if any(pattern.search(item.text) for pattern in self._spam):
            return Exclusion.SPAM
        core = _core(_MENTION.sub(" ", item.text))
        if any(pattern.fullmatch(core) for pattern in self._thanks):
            return Exclusion.THANKS
        return None


@dataclass(frozen=True, slots=True)
class ResponseRecord:
    """One item's place in the response-time figures; it holds no text and no handle.

    ``arrived_on`` is the local date of arrival (the day it is counted on). For an item that
    needs a response, ``clock_start`` and ``deadline`` are set; once answered, so are the reply,
    its attribution and the three durations in hours, and ``within_target`` compares the
    target's basis duration with the target. ``operator_reason`` is set when an operator
    marked the item, either way.
    """

    key: str
    platform: Platform
    channel: Channel
    kind: Kind
    arrived_at: datetime
    arrived_on: date
    excluded: Exclusion | None = None
    operator_reason: str | None = None
    clock_start: datetime | None = None
    deadline: datetime | None = None
    responded_at: datetime | None = None
    reply_key: str | None = None
    attribution: AttributionKind | None = None
    responder: str | None = None
    calendar_hours: float | None = None
    working_day_hours: float | None = None
    managed_hours: float | None = None
    within_target: bool | None = None


class ResponseMatcher:
    """Turns a set of inbox items into one :class:`ResponseRecord` per item.

    Args:
        clock: the managed-hours clock.
        target: the response target and the duration it is judged on.
        rules: which inbound items need no response.
        attributor: reads the sign-off of our replies.
    """

    def __init__(
        self,
        clock: ManagedHours,
        target: ResponseTarget,
        rules: ResponseRules,
        attributor: Attributor,
    ) -> None:
        self.clock = clock
        self.target = target
        self.rules = rules
        self.attributor = attributor
        self._target_duration = target.duration

    def records(
        self,
        items: Iterable[InboxItem],
        *,
        operator_marks: Mapping[str, OperatorMark] | None = None,
        strike_keys: Set[str] = frozenset(),
    ) -> list[ResponseRecord]:
        """One record per item (by key), ordered by arrival then key.

        Pass every item of each thread concerned: an item's record depends on the items of its
        thread that came before its reply. Items with the same key count once (the last wins).

        Args:
            items: inbox items, ours and the public's, in any order.
            operator_marks: operators' decisions by item key; they win over every rule.
            strike_keys: keys of items handled under the three-strike policy.

        Raises:
            Nothing: items that cannot be matched stay open.
        """
        marks = operator_marks or {}
        threads: dict[tuple[Platform, str], list[tuple[str, InboxItem]]] = defaultdict(list)
        for key, item in {item.key: item for item in items}.items():
            threads[item.platform, item.thread_id].append((key, item))
        records = [
            record
            for thread in threads.values()
            for record in self._thread_records(thread, marks, strike_keys)
        ]
        records.sort(key=lambda record: (record.arrived_at, record.key))
        return records

    def _thread_records(
        self,
        thread: list[tuple[str, InboxItem]],
        marks: Mapping[str, OperatorMark],
        strike_keys: Set[str],
    ) -> list[ResponseRecord]:
        # On a timestamp tie the public's item comes first: a reply cannot precede its question.
        thread.sort(key=lambda pair: (pair[1].created_at, pair[1].is_ours, pair[1].native_id))
        seen: dict[str, InboxItem] = {}
        waiting = _Waiting()
        answers: dict[str, tuple[str, datetime, Attribution]] = {}
        decided: list[tuple[InboxItem, str, Exclusion | None, str | None]] = []
        for key, item in thread:
            if item.is_ours:
                attribution = self.attributor.attribute(item.text)
                if self._answers(attribution):
                    for answered in waiting.answered_by(item, seen):
                        answers[answered] = (key, item.created_at, attribution)
            exclusion, reason = self._exclusion(item, key, marks, strike_keys)
            if exclusion is None:
                waiting.add(item)
            decided.append((item, key, exclusion, reason))
            seen[item.native_id] = item
        return [
            self._record(item, key, exclusion, reason, answers.get(item.native_id))
            for item, key, exclusion, reason in decided
        ]

    def _answers(self, attribution: Attribution) -> bool:
        return (
            attribution.kind is not AttributionKind.AUTOMATED
            or self.rules.automated_counts_as_response
        )

    def _exclusion(
        self,
        item: InboxItem,
        key: str,
        marks: Mapping[str, OperatorMark],
        strike_keys: Set[str],
    ) -> tuple[Exclusion | None, str | None]:
        mark = marks.get(key)
        if mark is not None:
            return (None if mark.needs_response else Exclusion.OPERATOR), mark.reason
        if item.is_ours:
            return Exclusion.OURS, None
        if key in strike_keys:
            return Exclusion.STRIKE_POLICY, None
        return self.rules.exclusion(item), None

    def _record(
        self,
        item: InboxItem,
        key: str,
        exclusion: Exclusion | None,
        operator_reason: str | None,
        answer: tuple[str, datetime, Attribution] | None,
    ) -> ResponseRecord:
        arrived_at = item.created_at
        base = {
            "key": key,
            "platform": item.platform,
            "channel": item.channel,
            "kind": item.kind,
            "arrived_at": arrived_at,
            "arrived_on": arrived_at.astimezone(self.clock.timezone).date(),
            "excluded": exclusion,
            "operator_reason": operator_reason,
        }
        if exclusion is not None:
            return ResponseRecord(**base)
        clock_start = self.clock.clock_start(arrived_at)
        base["clock_start"] = clock_start
        base["deadline"] = self.clock.deadline(clock_start, self.target)
        if answer is None:
            return ResponseRecord(**base)
        reply_key, responded_at, attribution = answer
        durations = {
            basis: self.clock.elapsed(clock_start, responded_at, basis) for basis in TargetBasis
        }
        return ResponseRecord(
            **base,
            responded_at=responded_at,
            reply_key=reply_key,
            attribution=attribution.kind,
            responder=attribution.pseudonym,
            calendar_hours=durations[TargetBasis.CALENDAR] / _HOUR,
            working_day_hours=durations[TargetBasis.WORKING_DAY] / _HOUR,
            managed_hours=durations[TargetBasis.MANAGED] / _HOUR,
            within_target=durations[self.target.basis] <= self._target_duration,
        )


class _Waiting:
    """A thread's inbound items that need a response and have none yet, in arrival order."""

    def __init__(self) -> None:
        self._items: dict[str, InboxItem] = {}
        self._by_parent: dict[str | None, dict[str, InboxItem]] = defaultdict(dict)

    def add(self, item: InboxItem) -> None:
        self._items[item.native_id] = item
        self._by_parent[item.in_reply_to_id][item.native_id] = item

    def answered_by(self, reply: InboxItem, seen: Mapping[str, InboxItem]) -> list[str]:
        """Take out and return the native ids ``reply`` answers."""
        if reply.in_reply_to_id is None:
            chosen = list(self._items)
        else:
            parent = seen.get(reply.in_reply_to_id)
            chosen = []
            if parent is not None and not parent.is_ours:
                chosen.extend(self._by_parent.get(parent.native_id, {}))
            visited: set[str] = set()
            while parent is not None and parent.native_id not in visited:
                visited.add(parent.native_id)
                if parent.native_id in self._items:
                    chosen.append(parent.native_id)
                parent = seen.get(parent.in_reply_to_id) if parent.in_reply_to_id else None
        chosen = list(dict.fromkeys(chosen))
        for native_id in chosen:
            item = self._items.pop(native_id)
            del self._by_parent[item.in_reply_to_id][native_id]
        return chosen


def _compiled(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns)


def _core(text: str) -> str:
    """``text`` without the whitespace, punctuation and emoji around its words."""
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]
