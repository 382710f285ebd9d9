"""Plain-English notes for a resident's customer record.

Policy section 3.1: "A note will also be added to their customer record". A note reads as a
person would write it, for example::

    Strike 2 of 3: personal information (phone number) in a public reply on Facebook on
    3 Mar 2027 at 10:14. Asked to delete it and message us privately. Sam

Times are shown in Europe/London, as ``3 Mar 2027 at 10:14``. A note names clauses and the
kinds of thing found, never what the resident wrote; it ends with the pseudonym of the member
of staff who answers for it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from trident_pipeline.domain.models import Channel, Kind, Platform

__all__ = [
    "MessageStatus",
    "PlatformOutcome",
    "account_link_note",
    "block_carried_out_note",
    "block_rejected_note",
    "block_requested_note",
    "block_review_note",
    "describe_clauses",
    "describe_item",
    "london_date",
    "london_time",
    "message_decision_note",
    "platform_name",
    "strike_event_text",
    "strike_expired_note",
    "strike_note",
    "strike_overruled_note",
]

LONDON = ZoneInfo("Europe/London")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PLATFORMS = {Platform.X: "X", Platform.BLUESKY: "BlueSky", Platform.FACEBOOK: "Facebook"}
_KINDS = {
    Kind.POST: "post",
    Kind.REPLY: "reply",
    Kind.COMMENT: "comment",
    Kind.MENTION: "mention",
    Kind.QUOTE: "quote post",
    Kind.DIRECT_MESSAGE: "message",
}
_FINDINGS = {
    "phone": "phone number",
    "email": "email address",
    "postal_address": "postal address",
    "postcode": "postcode",
    "person_name": "a name",
    "abuse": "abuse",
    "threat": "threat",
}


class MessageStatus(enum.StrEnum):
    """Where the drafted "please delete and message us privately" message stands."""

    SENT = "sent"
    AWAITING_APPROVAL = "awaiting_approval"
    BY_HAND = "by_hand"
    NOT_SENT = "not_sent"


class PlatformOutcome(enum.StrEnum):
    """How a block went on one platform, as a note reports it."""

    DONE = "done"
    BY_HAND = "by_hand"
    NOT_POSSIBLE = "not_possible"


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a note's times must be timezone-aware")
    return moment.astimezone(LONDON)


def london_date(moment: datetime) -> str:
    """``3 Mar 2027``: the date in Europe/London.

    Raises:
        ValueError: when ``moment`` is naive.
    """
    local = _aware(moment)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}"


def london_time(moment: datetime) -> str:
    """``3 Mar 2027 at 10:14``: the date and time in Europe/London.

    Raises:
        ValueError: when ``moment`` is naive.
    """
    local = _aware(moment)
    return f"{london_date(local)} at {local:%H:%M}"


def platform_name(platform: Platform) -> str:
    """The platform's name as the policy writes it (X, BlueSky, Facebook).

    Raises:
        ValueError: when ``platform`` is not a :class:`Platform` value.
    """
    return _PLATFORMS[Platform(platform)]


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def describe_clauses(clauses: Mapping[str, Sequence[str]]) -> str:
    """``personal information (phone number)``: each clause with the kinds of thing found.

    ``clauses`` maps a clause name (``personal_information``) to the finding types behind it.

    Raises:
        ValueError: when ``clauses`` is empty.
    """
    if not clauses:
        raise ValueError("a note names at least one clause")
    parts = []
    for clause, types in clauses.items():
        found = [_FINDINGS.get(kind, kind.replace("_", " ")) for kind in dict.fromkeys(types)]
        named = clause.replace("_", " ")
        parts.append(f"{named} ({', '.join(found)})" if found else named)
    return _join(parts)


def describe_item(kind: Kind, channel: Channel, platform: Platform) -> str:
    """``a public reply on Facebook``, ``a private message on X``.

    Raises:
        ValueError: when a value is not one of its enumeration's.
    """
    return f"a {Channel(channel).value} {_KINDS[Kind(kind)]} on {platform_name(platform)}"


def _strike_count(number: int, threshold: int) -> str:
    if number <= threshold:
        return f"Strike {number} of {threshold}"
    return f"Strike {number} (a block is considered from {threshold})"


def _message_sentence(status: MessageStatus, channel: Channel) -> str:
    asked = (
        "delete it and message us privately"
        if Channel(channel) is Channel.PUBLIC
        else "keep their messages to us within the policy"
    )
    return {
        MessageStatus.SENT: f"Asked to {asked}.",
        MessageStatus.AWAITING_APPROVAL: f"A message asking them to {asked} awaits approval.",
        MessageStatus.BY_HAND: f"A message asking them to {asked} needs sending by hand.",
        MessageStatus.NOT_SENT: f"No message asking them to {asked} was sent.",
    }[MessageStatus(status)]


def strike_event_text(
    *,
    number: int,
    threshold: int,
    clauses: Mapping[str, Sequence[str]],
    kind: Kind,
    channel: Channel,
    platform: Platform,
    occurred_at: datetime,
) -> str:
    """``Strike 2 of 3: personal information (phone number) in a public reply on Facebook on
    3 Mar 2027 at 10:14.``

    Raises:
        ValueError: when ``occurred_at`` is naive or ``clauses`` is empty.
    """
    return (
        f"{_strike_count(number, threshold)}: {describe_clauses(clauses)} in "
        f"{describe_item(kind, channel, platform)} on {london_time(occurred_at)}."
    )


def strike_note(
    *,
    number: int,
    threshold: int,
    clauses: Mapping[str, Sequence[str]],
    kind: Kind,
    channel: Channel,
    platform: Platform,
    occurred_at: datetime,
    message: MessageStatus,
    signed_by: str,
) -> str:
    """The note of a strike and what the resident was asked to do, signed.

    Raises:
        ValueError: when ``occurred_at`` is naive or ``clauses`` is empty.
    """
    strike = strike_event_text(
        number=number,
        threshold=threshold,
        clauses=clauses,
        kind=kind,
        channel=channel,
        platform=platform,
        occurred_at=occurred_at,
    )
    return f"{strike} {_message_sentence(message, channel)} {signed_by}"


def message_decision_note(
    *,
    approved: bool,
    by: str,
    reason: str,
    kind: Kind,
    channel: Channel,
    platform: Platform,
    occurred_at: datetime,
    message: MessageStatus,
) -> str:
    """The note of a person's decision on a drafted message, and where the message stands.

    Raises:
        ValueError: when ``occurred_at`` is naive.
    """
    about = f"About {describe_item(kind, channel, platform)} on {london_time(occurred_at)}:"
    why = reason.strip().rstrip(".")
    if approved:
        decided = f"message approved by {by}" + (f" ({why})" if why else "")
        return f"{about} {decided}. {_message_sentence(message, channel)} {by}"
    return f"{about} {by} decided not to send the drafted message ({why}). {by}"


def block_requested_note(*, strikes: int, platforms: Sequence[Platform], at: datetime) -> str:
    """The note that a block was requested at the threshold.

    Raises:
        ValueError: when ``at`` is naive.
    """
    names = _join([platform_name(platform) for platform in platforms])
    return (
        f"{strikes} active strikes on {london_time(at)}: a block on all their accounts "
        f"({names}) awaits a manager's approval."
    )


def block_carried_out_note(
    *,
    strikes: int,
    approved_by: str,
    reason: str,
    approved_at: datetime,
    outcomes: Mapping[Platform, PlatformOutcome],
    review_due: datetime,
) -> str:
    """The note that a block was approved and carried out, platform by platform.

    Raises:
        ValueError: when a time is naive or ``outcomes`` is empty.
    """
    if not outcomes:
        raise ValueError("a block is carried out on at least one platform")
    by_outcome: dict[PlatformOutcome, list[str]] = {}
    for platform, outcome in outcomes.items():
        by_outcome.setdefault(PlatformOutcome(outcome), []).append(platform_name(platform))
    sentences = [
        f"Blocked on all accounts after {strikes} strikes, approved by {approved_by} on "
        f"{london_time(approved_at)}: {reason.strip().rstrip('.')}."
    ]
    if PlatformOutcome.DONE in by_outcome:
        sentences.append(f"Done on {_join(by_outcome[PlatformOutcome.DONE])}.")
    if PlatformOutcome.BY_HAND in by_outcome:
        names = _join(by_outcome[PlatformOutcome.BY_HAND])
        sentences.append(f"On {names} it needs doing by hand in the app.")
    if PlatformOutcome.NOT_POSSIBLE in by_outcome:
        names = _join(by_outcome[PlatformOutcome.NOT_POSSIBLE])
        sentences.append(f"On {names} the platform refused it.")
    sentences.append(f"Review due {london_date(review_due)}. {approved_by}")
    return " ".join(sentences)


def block_rejected_note(*, rejected_by: str, reason: str, at: datetime) -> str:
    """The note that a manager did not approve a block, and why.

    Raises:
        ValueError: when ``at`` is naive.
    """
    return (
        f"Block not approved by {rejected_by} on {london_time(at)}: "
        f"{reason.strip().rstrip('.')}. {rejected_by}"
    )


def strike_expired_note(
    *, clauses: Mapping[str, Sequence[str]], occurred_at: datetime, expired_at: datetime
) -> str:
    """The note that a strike has expired.

    Raises:
        ValueError: when a time is naive or ``clauses`` is empty.
    """
    return (
        f"The strike of {london_date(occurred_at)} ({describe_clauses(clauses)}) expired on "
        f"{london_date(expired_at)}."
    )


def strike_overruled_note(
    *,
    clauses: Mapping[str, Sequence[str]],
    occurred_at: datetime,
    by: str,
    reason: str,
    at: datetime,
) -> str:
    """The note that a strike was overruled on appeal.

    Raises:
        ValueError: when a time is naive or ``clauses`` is empty.
    """
    return (
        f"The strike of {london_date(occurred_at)} ({describe_clauses(clauses)}) was "
        f"overruled on appeal by {by} on {london_time(at)}: {reason.strip().rstrip('.')}. {by}"
    )


def block_review_note(
    *, lifted: bool, by: str, reason: str, at: datetime, next_review: datetime | None
) -> str:
    """The note of a block's review: kept until the next review, or lifted.

    Raises:
        ValueError: when a time is naive, or a kept block has no next review.
    """
    head = f"Block reviewed by {by} on {london_time(at)}"
    why = reason.strip().rstrip(".")
    if lifted:
        return f"{head}: lifted ({why}). It must be undone on each platform by hand. {by}"
    if next_review is None:
        raise ValueError("a kept block has a next review")
    return f"{head}: kept ({why}). Next review due {london_date(next_review)}. {by}"


def account_link_note(platform: Platform, *, linked: bool, by: str, at: datetime) -> str:
    """The note that an operator linked an account on ``platform`` to this customer record,
    or unlinked it, so its strikes now count here or on their own.

    Raises:
        ValueError: when ``at`` is naive.
    """
    where = f"{platform_name(platform)} account"
    if linked:
        return (
            f"{by} linked a {where} to this record on {london_time(at)}: its strikes now "
            "count with this resident's other accounts."
        )
    return f"{by} unlinked a {where} on {london_time(at)}: its strikes now count on their own."
