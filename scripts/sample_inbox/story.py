"""The story of the sample inbox: people, threads and messages, free of any wire format.

Times are written as London wall-clock times (``"23 09:12"``: 23 March; days 1-7 are April),
or in UTC with a ``Z``. Managed hours are Monday to Friday, 09:00-16:00 London, outside the
two bank holidays of the period.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from trident_pipeline.config import StaffConfig
from trident_pipeline.domain.models import Platform

__all__ = [
    "AUTO",
    "BLUESKY",
    "BLUESKY_LIMIT",
    "FACEBOOK",
    "LONDON",
    "ORG_PHONE",
    "PERIOD_END",
    "PERIOD_START",
    "X",
    "X_LIMIT",
    "Msg",
    "Person",
    "Step",
    "Story",
    "Thread",
    "add_managed",
    "check",
    "london",
    "next_open",
    "o",
    "r",
    "when",
]

X, BLUESKY, FACEBOOK = Platform.X, Platform.BLUESKY, Platform.FACEBOOK
LONDON = ZoneInfo("Europe/London")
PERIOD_START = datetime(2026, 3, 23, tzinfo=UTC)
PERIOD_END = datetime(2026, 4, 7, 23, 59, tzinfo=UTC)
BANK_HOLIDAYS = (date(2026, 4, 3), date(2026, 4, 6))
OPENING, CLOSING = time(9), time(16)
ORG_PHONE = "0306 999 0456"
AUTO = "auto"
X_LIMIT, BLUESKY_LIMIT = 280, 300


@dataclass(eq=False)
class Person:
    """A member of the public (or, with key ``org``, the organisation) on some platforms."""

    key: str
    name: str
    x: str | None = None
    bluesky: str | None = None
    facebook: bool = False
    x_suspended: bool = False
    bluesky_invalid_handle: bool = False
    bluesky_no_display_name: bool = False
    facebook_no_from: bool = False
    x_id: str = ""
    did: str = ""
    fb_id: str = ""
    joined: str = ""
    address: str = ""
    contact: str = ""

    @property
    def first(self) -> str:
        return self.name.split()[0]


@dataclass(eq=False)
class Msg:
    """One message of a thread; ``flaw`` makes its record malformed, ``note`` lists it."""

    who: Person
    at: datetime
    text: str
    parent: Msg | None = None
    quotes: Msg | None = None
    flaw: str | None = None
    deleted: bool = False
    note: str | None = None
    seq: int = 0
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def ours(self) -> bool:
        return self.who.key == "org"

    def root(self) -> Msg:
        return self if self.parent is None else self.parent.root()


@dataclass(eq=False)
class Thread:
    """A public thread (a post and what answers it) or a private conversation."""

    platform: Platform
    private: bool
    messages: list[Msg]
    group: bool = False
    resident: str | None = None


@dataclass
class Step:
    """A message not yet placed: ``to`` is the index of its parent in the thread call.

    ``by`` is a responder's pseudonym, :data:`AUTO` or ``None`` (unsigned); ``form`` picks
    the responder's sign-off from ``config/staff.yaml``.
    """

    when: str | datetime
    text: str
    who: str | None = None
    to: int | None = None
    quote: str | None = None
    by: str | None = None
    form: int = 0
    flaw: str | None = None
    deleted: bool = False
    note: str | None = None
    ours: bool = False


def r(when: str, text: str, **options: Any) -> Step:
    """A resident's message (``who`` defaults to the thread's resident)."""
    return Step(when, text, **options)


def o(when: str, text: str, by: str | None, form: int = 0, **options: Any) -> Step:
    """The organisation's message, signed by ``by`` with sign-off form ``form``."""
    return Step(when, text, by=by, form=form, ours=True, **options)


def when(spec: str) -> datetime:
    """``"23 09:12"``: London time on 23 March (days 23-31) or April (1-7); ``Z`` means UTC."""
    day_text, clock = spec.split()
    day, month = int(day_text), 3 if int(day_text) >= 23 else 4
    zone = UTC if clock.endswith("Z") else LONDON
    hours, minutes = (int(part) for part in clock.rstrip("Z").split(":"))
    return datetime(2026, month, day, hours, minutes, tzinfo=zone).astimezone(UTC)


def london(moment: datetime) -> datetime:
    """``moment`` on London's clock."""
    return moment.astimezone(LONDON)


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a bank holiday."""
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def next_open(moment: datetime) -> datetime:
    """The first managed minute at or after ``moment``."""
    local = london(moment)
    while True:
        opening = datetime.combine(local.date(), OPENING, LONDON)
        closing = datetime.combine(local.date(), CLOSING, LONDON)
        if is_working_day(local.date()) and local < closing:
            return max(local, opening).astimezone(UTC)
        local = datetime.combine(local.date() + timedelta(days=1), time(0), LONDON)


def add_managed(moment: datetime, minutes: int) -> datetime:
    """``moment`` plus ``minutes`` of managed time."""
    current = next_open(moment)
    while True:
        closing = datetime.combine(london(current).date(), CLOSING, LONDON).astimezone(UTC)
        left = int((closing - current).total_seconds() // 60)
        if minutes < left:
            return current + timedelta(minutes=minutes)
        minutes -= left
        current = next_open(closing + timedelta(minutes=1))


class Story:
    """Threads per platform, built from steps, plus the organisation's announcements."""

    def __init__(self, staff: StaffConfig, people: dict[str, Person], rng: random.Random) -> None:
        self.rng = rng
        self.counter = itertools.count()
        self.threads: list[Thread] = []
        self.posts: dict[str, Msg] = {}
        self.people = people
        self.sign_offs = {r.pseudonym: r.sign_offs for r in staff.responders}

    def sign(self, text: str, by: str | None, form: int) -> str:
        """``text`` closed with ``by``'s sign-off number ``form`` (none for AUTO or None)."""
        if by is None or by == AUTO:
            return text
        sign_off = self.sign_offs[by][form]
        joiner = "\n" if sign_off.startswith("- ") or sign_off == by else " "
        return f"{text}{joiner}{sign_off}"

    def thread(
        self,
        platform: Platform,
        resident: str | None,
        *steps: Step,
        private: bool = False,
        group: bool = False,
        on: str | None = None,
        name: str | None = None,
    ) -> list[Msg]:
        """Add a thread; ``on`` continues an announcement's thread; ``name`` names its root.

        A step given as text (``"23 09:12"``) gets random seconds; a message never comes
        before the one placed before it. Private messages between a resident and us on one
        platform all join the same conversation.

        Raises:
            KeyError: for an unknown person, announcement name or responder.
        """
        placed: list[Msg] = []
        target = self.posts[on] if on else None
        thread = next(t for t in self.threads if target in t.messages) if target else None
        if private and not group:
            thread = self.conversation(platform, resident)
        if thread is None:
            thread = Thread(platform, private, [], group, resident)
            self.threads.append(thread)
        for step in steps:
            if isinstance(step.when, datetime):
                at = step.when
            else:
                at = when(step.when) + timedelta(seconds=self.rng.randrange(60))
            if placed and at <= placed[-1].at:
                at = placed[-1].at + timedelta(seconds=self.rng.randrange(5, 40))
            who = self.people["org" if step.ours else (step.who or resident or "")]
            if step.to is not None:
                parent = placed[step.to]
            elif placed and not private:
                parent = placed[-1]
            else:
                parent = target
            message = Msg(
                who=who,
                at=at,
                text=self.sign(step.text, step.by, step.form) if step.ours else step.text,
                parent=None if private else parent,
                quotes=self.posts[step.quote] if step.quote else None,
                flaw=step.flaw,
                deleted=step.deleted,
                note=step.note,
                seq=next(self.counter),
            )
            placed.append(message)
            thread.messages.append(message)
        thread.messages.sort(key=lambda msg: (msg.at, msg.seq))
        if name:
            self.posts[name] = placed[0]
        return placed

    def conversation(self, platform: Platform, resident: str | None) -> Thread | None:
        """The one private conversation a resident has with us on a platform, if any yet."""
        return next(
            (
                t
                for t in self.threads
                if t.platform is platform and t.private and not t.group and t.resident == resident
            ),
            None,
        )


def check(story: Story) -> None:
    """Every message inside the period, after the message it answers.

    Raises:
        ValueError: naming the first message that breaks the rule.
    """
    for thread in story.threads:
        for msg in thread.messages:
            if not PERIOD_START <= msg.at <= PERIOD_END:
                raise ValueError(f"{msg.at} is outside the period: {msg.text[:40]}")
            if msg.parent is not None and msg.parent.at >= msg.at:
                raise ValueError(f"{msg.at} answers a later message: {msg.text[:40]}")
