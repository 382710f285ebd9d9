"""The invented people of the sample inbox, with their ids, addresses and phone numbers.

Declan Marsh is the resident who breaks the policy on all three platforms (the strike story).
Phone numbers come from Ofcom's drama ranges; streets and blocks are invented.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta

from trident_pipeline.config import AccountsConfig
from trident_pipeline.domain.models import Platform

from .story import BLUESKY, FACEBOOK, Person, X
from .wire import Ids, iso_millis

__all__ = ["BLOCKS", "PEOPLE", "STREETS", "address", "cast", "drama_phone", "on_platform"]

PLC = "abcdefghijklmnopqrstuvwxyz234567"

# fmt: off
PEOPLE: tuple[Person, ...] = (
    Person("org", "Trident Group"),
    Person("jo", "Jo Featherstone", x="jofeathers"),
    Person("kayleigh", "Kayleigh Moss", x="kayleighmoss_", facebook=True),
    Person("dan", "Dan Whitlow", bluesky="danwhitlow.bsky.social"),
    Person("marcia", "Marcia Lennox", facebook=True),
    Person("tariq", "Tariq Haddad", x="tariq_h_"),
    Person("bev", "Bev Crossley", facebook=True),
    Person("owen", "Owen Prys", bluesky="owenprys.bsky.social"),
    Person("shona", "Shona McAvoy", x="shonamcavoy"),
    Person("ruth", "Ruth Ellery", facebook=True),
    Person("femi", "Femi Adeyinka", x="femiadey"),
    Person("lorraine", "Lorraine Pask", facebook=True),
    Person("gav", "Gav Thornley", x="gavthorn", bluesky="gavthorn.bsky.social"),
    Person("nadia", "Nadia Sarwar", x="nadia_sarwar", bluesky="nadiasarwar.bsky.social"),
    Person("pete", "Pete Hollins", facebook=True),
    Person("aisling", "Aisling Crowe", bluesky="aislingcrowe.bsky.social"),
    Person("craig", "Craig Dunmore", x="craigd_exm"),
    Person("zofia", "Zofia Nowicka", facebook=True),
    Person("mo", "Mo Rahman", x="morahman84"),
    Person("tina", "Tina Barraclough", facebook=True),
    Person("wes", "Wes Kilbride", bluesky="weskilbride.bsky.social", bluesky_no_display_name=True),
    Person(
        "declan",
        "Declan Marsh",
        x="decmarsh88",
        bluesky="decmarsh.bsky.social",
        facebook=True,
    ),
    Person("hannah", "Hannah Greaves", x="hgreaves", bluesky="hannahgreaves.bsky.social"),
    Person("ellie", "Ellie Vance", x="ellievance_"),
    Person("lee", "Lee Ashdown", facebook=True, facebook_no_from=True),
    Person("sue", "Sue Pennington", facebook=True),
    Person("rhys", "Rhys Gwynne", bluesky="rhysgwynne.bsky.social"),
    Person("amara", "Amara Okoye", x="amaraokoye", facebook=True),
    Person("colin", "Colin Birtles", facebook=True),
    Person("jas", "Jas Dhillon", x="jasdhillon_"),
    Person("ken", "Ken Lowther", x="kenlowther"),
    Person("sian", "Siân Morgan", bluesky="sianmorgan.bsky.social", facebook=True),
    Person("olu", "Olu Bankole", bluesky="olubankole.bsky.social"),
    Person("gone", "(suspended account)", x="gone_account", x_suspended=True),
    Person("becca", "Becca Thwaite", x="beccathwaite", facebook=True),
    Person("ahmed", "Ahmed Nasser", facebook=True),
    Person(
        "louise",
        "Louise Fenwick",
        bluesky="louisefenwick.bsky.social",
        bluesky_invalid_handle=True,
    ),
    Person("mick", "Mick Harland", x="mickharland"),
    Person("gemma", "Gemma Rowbotham", x="gemrow", facebook=True),
    Person("tracey", "Trace 🌸✨", x="tracey_dale"),
    Person("council", "Exampleton Borough Council", x="ExampletonBC",
           bluesky="exampletonbc.bsky.social"),
)
STREETS = ("Larkspur Row", "Quillon Close", "Tansy Court", "Fenwick Terrace", "Ashgrove Road",
           "Orchard Mews", "Cobbler's Walk", "Heronsgate Drive", "Wrenfield Way")
BLOCKS = ("Harrowgate House", "Bramblegate House", "Tŷ Gwyn", "Kestrel Court", "Linnet House",
          "Marlowe Court")
# fmt: on


def drama_phone(rng: random.Random) -> str:
    """A phone number from an Ofcom drama range, in one of the ways people write them."""
    n = rng.randrange(1000)
    return rng.choice(
        (
            f"07700 900{n:03d}",
            f"07700900{n:03d}",
            f"+44 7700 900{n:03d}",
            f"07700 900 {n:03d}",
            f"+447700900{n:03d}",
            f"01632 960{n:03d}",
            f"(01632) 960{n:03d}",
            f"0113 496 0{n:03d}",
            f"0113-496-0{n:03d}",
            f"020 7946 0{n:03d}",
        )
    )


def postcode(rng: random.Random) -> str:
    """A postcode in the real format (``EX4 7NQ``); whether it exists does not matter."""
    inward = "ABDEFGHJLNPQRSTUWXYZ"
    district, sector = rng.randrange(1, 10), rng.randrange(1, 10)
    return f"EX{district} {sector}{rng.choice(inward)}{rng.choice(inward)}"


def address(rng: random.Random) -> str:
    """A house on an invented street, or a flat in an invented block."""
    if rng.random() < 0.5:
        return f"{rng.randrange(1, 60)} {rng.choice(STREETS)}, Exampleton {postcode(rng)}"
    return f"Flat {rng.randrange(1, 40)}, {rng.choice(BLOCKS)}, {postcode(rng)}"


def cast(ids: Ids, accounts: AccountsConfig) -> dict[str, Person]:
    """Copies of :data:`PEOPLE` with their platform ids; the organisation's from the config."""
    people: dict[str, Person] = {}
    for template in PEOPLE:
        person = dataclasses.replace(template)
        joined = datetime(2023, 2, 1, tzinfo=UTC) + timedelta(minutes=ids.rng.randrange(10**6))
        person.joined = iso_millis(joined)
        person.address = address(ids.rng)
        person.contact = ids.rng.choice(
            (
                f"Best number is {drama_phone(ids.rng)}.",
                f"You can call me on {drama_phone(ids.rng)} after 3pm.",
                f"Email is {person.first.lower()}{ids.rng.randrange(10, 99)}@example.com.",
            )
        )
        if person.key == "org":
            person.x_id, person.x = accounts.x.user_id, accounts.x.handle
            person.did, person.bluesky = accounts.bluesky.user_id, accounts.bluesky.handle
            person.fb_id = accounts.facebook.user_id
        else:
            if person.x:
                person.x_id = ids.digits(ids.rng.choice((9, 10, 18, 19)))
            if person.bluesky:
                person.did = ids.text(PLC, 24, prefix="did:plc:")
            if person.facebook:
                person.fb_id = ids.digits(ids.rng.choice((16, 17)))
        people[person.key] = person
    return people


def on_platform(person: Person, platform: Platform) -> bool:
    """Whether ``person`` has an account on ``platform``."""
    return {
        X: person.x is not None,
        BLUESKY: person.bluesky is not None,
        FACEBOOK: person.facebook,
    }[platform]
