"""The everyday traffic around the scripted threads, drawn with a seeded random generator."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from trident_pipeline.domain.models import Platform

from .people import BLOCKS, STREETS, on_platform
from .story import (
    AUTO,
    BLUESKY,
    FACEBOOK,
    LONDON,
    PERIOD_END,
    PERIOD_START,
    Person,
    Step,
    Story,
    X,
    add_managed,
    london,
    next_open,
)
from .templates import (
    AFTERS,
    ASKS_FOR_DM,
    AUTO_ACK,
    CHASERS,
    DM_REPLIES,
    ESTATES,
    OPENERS,
    ORG_NAMES,
    REPLIES,
    WEEKDAYS,
    WHERE,
)

__all__ = ["inbound_time", "tell_filler"]

# People who only appear in the scripted threads.
SCRIPTED_ONLY = ("org", "council", "gone", "declan", "mick", "colin", "louise", "lee", "tracey")


def inbound_time(rng: random.Random) -> datetime:
    """A moment in the period, mostly in waking hours, London time."""
    day = PERIOD_START.date() + timedelta(days=rng.randrange(16))
    hour = rng.choice((7, 8, 8, 9, 9, 10, 11, 12, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23))
    local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), LONDON)
    return local.astimezone(UTC)


def reply_time(rng: random.Random, asked: datetime, outcome: str) -> datetime:
    """When the organisation answers an inbound ``asked``, for one of the reply outcomes."""
    if outcome == "late":
        return add_managed(asked, rng.randrange(26 * 60, 34 * 60))
    if outcome == "out_of_hours":
        local = london(asked)
        evening = datetime.combine(
            local.date(), time(rng.randrange(17, 21), rng.randrange(60)), LONDON
        ).astimezone(UTC)
        return evening if evening > asked else asked + timedelta(minutes=rng.randrange(20, 90))
    return add_managed(asked, rng.randrange(12, 200))


def fill(template: str, rng: random.Random, platform: Platform, **names: str) -> str:
    """``template`` with invented places and amounts, and the platform's name for us."""
    return template.format(
        org=ORG_NAMES[platform],
        block=rng.choice(BLOCKS),
        street=rng.choice(STREETS),
        estate=rng.choice(ESTATES),
        weekday=rng.choice(WEEKDAYS),
        amount=f"{rng.randrange(20, 400)}.{rng.randrange(100):02d}",
        **names,
    )


def tell_filler(story: Story, rng: random.Random, threads: int) -> None:
    """``threads`` everyday public threads, some followed by a private conversation."""
    responders = list(story.sign_offs)
    platforms = (X, X, X, X, BLUESKY, BLUESKY, BLUESKY, FACEBOOK, FACEBOOK, FACEBOOK)
    regulars = [p for p in story.people.values() if p.key not in SCRIPTED_ONLY]
    for _ in range(threads):
        platform = rng.choice(platforms)
        resident = rng.choice([p for p in regulars if on_platform(p, platform)])
        topic = rng.choice(list(OPENERS))
        asked = inbound_time(rng)
        text = fill(rng.choice(OPENERS[topic]), rng, platform)
        steps: list[Step] = [
            Step(asked, text[0].upper() + text[1:] if platform is FACEBOOK else text)
        ]
        chasers = 0 if topic == "thanks" else rng.choice((0, 0, 0, 1, 1, 2))
        for chaser in rng.sample(CHASERS, chasers):
            chased = asked + timedelta(minutes=rng.randrange(20, 480))
            if chased < PERIOD_END:
                asked = chased
                steps.append(Step(asked, chaser))
        outcome = rng.choice(
            ("prompt",) * 9
            + ("late",) * 2
            + ("out_of_hours",) * 2
            + ("unsigned",) * 2
            + ("never",) * 3
        )
        answered = reply_time(rng, asked, outcome)
        if outcome == "never" or answered > PERIOD_END:
            story.thread(platform, resident.key, *steps)
            continue
        by = None if outcome == "unsigned" else rng.choice(responders)
        form = rng.randrange(4)
        body = fill(rng.choice(REPLIES[topic]), rng, platform, first=resident.first)
        steps.append(Step(answered, body, by=by, form=form, ours=True))
        after = answered + timedelta(minutes=rng.randrange(5, 300))
        if rng.random() < 0.45 and after < PERIOD_END:
            signed, unsigned = AFTERS["dm" if topic in ASKS_FOR_DM else topic]
            steps.append(Step(after, rng.choice(signed if by else unsigned).format(pseudonym=by)))
        story.thread(platform, resident.key, *steps)
        if topic in ASKS_FOR_DM and rng.random() < 0.55:
            tell_private_follow_up(story, rng, platform, resident, topic, answered, by)


def tell_private_follow_up(
    story: Story,
    rng: random.Random,
    platform: Platform,
    resident: Person,
    topic: str,
    answered: datetime,
    by: str | None,
) -> None:
    """The private conversation after a public reply: personal details, as the policy asks."""
    sent = answered + timedelta(minutes=rng.randrange(4, 90))
    earlier = story.conversation(platform, resident.key)
    if sent > PERIOD_END or (earlier is not None and earlier.messages[0].at > sent):
        return
    if earlier is None:
        steps = [
            Step(
                sent,
                f"Hi, it's {resident.first} from {WHERE[platform]}. "
                f"{resident.address}. {resident.contact}",
            )
        ]
    else:
        steps = [
            Step(
                sent,
                "Hi again, it's about my post from earlier. Same address and number as before.",
            )
        ]
    if (platform is FACEBOOK and earlier is None) or (platform is X and next_open(sent) > sent):
        # Messenger's instant reply answers a new conversation; X's away message, out of hours.
        steps.append(Step(sent + timedelta(seconds=20), AUTO_ACK, by=AUTO, ours=True))
    answered = add_managed(sent, rng.randrange(10, 240))
    if answered <= PERIOD_END and rng.random() < 0.85:
        job = f"{rng.randrange(4471000, 4479999)}"
        text = DM_REPLIES.get(topic, DM_REPLIES["general"]).format(first=resident.first, job=job)
        steps.append(
            Step(
                answered,
                text,
                by=by or rng.choice(list(story.sign_offs)),
                form=rng.randrange(4),
                ours=True,
            )
        )
    story.thread(platform, resident.key, *steps, private=True)
