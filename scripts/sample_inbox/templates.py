"""What residents and responders say in the everyday traffic, by topic."""

from __future__ import annotations

from .story import BLUESKY, FACEBOOK, ORG_PHONE, X

__all__ = [
    "AFTERS",
    "ASKS_FOR_DM",
    "AUTO_ACK",
    "CHASERS",
    "DM_REPLIES",
    "ESTATES",
    "OPENERS",
    "ORG_NAMES",
    "REPLIES",
    "WEEKDAYS",
    "WHERE",
]

# fmt: off
OPENERS: dict[str, tuple[str, ...]] = {
    "repairs": (
        "front door won't lock properly since the storm on {weekday}. Can someone come out?",
        "third time asking about the broken window latch in the bedroom at {block}",
        "the lift at {block} is out again. People on the top floors with prams and walking "
        "frames",
        "bathroom extractor fan has packed in, who do I speak to?",
        "the communal door at {block} has been jammed open for days. Anyone can walk in",
        "kitchen tap has been dripping for a month, it's costing me a fortune in water",
        "a fence panel blew down at the back of {street} in the wind, still lying on the path",
        "toilet cistern won't stop running. Reported it on the portal on {weekday}, no reply",
        "security light in the car park at {block} is out, it's pitch black at night",
    ),
    "damp": (
        "black mould is back on the bedroom ceiling, the kids are coughing all night",
        "the damp is killing me, clothes in the wardrobe are covered in it",
        "condensation running down the windows every morning. Is there anything you can do or "
        "do I just keep wiping?",
        "mould coming through the wallpaper in the bathroom again, third time this year",
        "there's a damp patch spreading on my ceiling from the flat above at {block}",
        "surveyor said the damp course needs doing back in January. Still waiting",
    ),
    "rent": (
        "my rent statement says I'm £{amount} in arrears but I paid on the 1st. Can someone "
        "check?",
        "is the new rent from April going up by the full 4.8%? The letter wasn't clear",
        "can't log in to the tenant portal to see my rent account, the password reset email "
        "never arrives",
        "what's the easiest way to pay rent now the post office counter has closed?",
        "been charged twice by direct debit this month. Need it sorted before my other bills "
        "go out",
    ),
    "asb": (
        "the flat above has had music blasting till 3am four nights running. Reported it "
        "before, nothing changes",
        "someone keeps dumping mattresses by the garages behind {street}. It's a fire risk",
        "kids riding motorbikes across the green on {estate} again tonight, nearly hit a dog "
        "walker",
        "there's drug dealing in the stairwell at {block} every evening, I don't feel safe "
        "taking the bins down",
        "dog mess all over the communal garden at {block}, whoever's dog it is never picks it "
        "up",
    ),
    "bins": (
        "bins not emptied on {street} since last {weekday}, they're overflowing and the foxes "
        "are at them",
        "communal bin store door at {block} is broken and rubbish is blowing all over the car "
        "park",
        "recycling wasn't collected again this week at {block}",
        "can we get another general waste bin at {block}? Two isn't enough for 24 flats",
    ),
    "heating": (
        "no heating or hot water since {weekday} morning. Boiler's showing a fault code",
        "the boiler is shot, it's making a banging noise every time the heating comes on",
        "radiators only warm at the top, do you bleed them or do we?",
        "engineer was meant to come between 8am and 1pm today, nobody turned up. Took the day "
        "off work for this",
        "hot water keeps going cold halfway through a shower. Engineer's been twice",
        "heating's stuck on full and the thermostat does nothing. It's like a sauna in here 🥵",
    ),
    "thanks": (
        "big thank you to {org} and the repairs team, new kitchen fitted and it looks "
        "brilliant 🙌",
        "just want to say the caretaker at {block} does a fantastic job. Stairs have never "
        "been cleaner",
        "credit where it's due, {org} sorted my leak within a day. Cheers!",
        "the gardeners did a lovely job on the communal beds at {block} 🌷",
    ),
    "general": (
        "what time do your offices close on Good Friday?",
        "do you still do the garden tidy scheme for older residents?",
        "is there a number for out of hours emergencies over the bank holiday?",
        "how do I apply for a transfer to a bigger place? We're 5 in a 2 bed",
        "is the residents' meeting at {block} still on for Wednesday?",
    ),
}
REPLIES: dict[str, tuple[str, ...]] = {
    "repairs": (
        "Hi {first}, sorry about this. Please send us a DM with your address and a contact "
        "number and we'll get a repair booked in.",
        "Hi {first}, thanks for letting us know. Can you DM us your address so we can raise "
        "the repair?",
    ),
    "damp": (
        "Hi {first}, we're sorry about the mould and we take damp seriously. Please DM us your "
        "address so we can book an inspection.",
        "Hi {first}, that's not OK and we want to help. Please DM us your address and a "
        "number and we'll arrange a damp and mould visit.",
    ),
    "rent": (
        "Hi {first}, please DM us your name, address and rent reference and we'll ask the "
        "income team to look into it.",
        "Hi {first}, sorry for the confusion. DM us your rent reference and we'll check your "
        "account.",
    ),
    "asb": (
        "Hi {first}, thanks for letting us know. Please DM us the details and we'll pass them "
        "to the neighbourhood team. If anyone is in danger call 999.",
        "Hi {first}, sorry you're dealing with this. Please DM us dates and times and we'll "
        "get the neighbourhood team involved.",
    ),
    "bins": (
        "Hi {first}, thanks for flagging this. We've reported it to the estates team and "
        "asked for an extra collection.",
        "Hi {first}, sorry about this, the estates team will be out this week to sort it.",
    ),
    "heating": (
        "Hi {first}, sorry you're having trouble with the heating. Please DM us your address "
        "and a contact number and we'll get an engineer booked.",
        "Hi {first}, sorry to hear that. DM us your address and we'll get an engineer out as "
        "a priority.",
    ),
    "thanks": (
        "Thank you {first}, that's lovely to hear. We'll pass it on to the team 😊",
        "Thanks {first}, we'll make sure they hear this!",
    ),
    "general": (
        "Hi {first}, thanks for asking. Please DM us and we'll find out for you.",
        "Hi {first}, good question! DM us and we'll send you the details.",
    ),
}
DM_REPLIES: dict[str, str] = {
    "repairs": "Thanks {first}, I've raised a repair, job ref {job}. The team will call you "
    "to book a time.",
    "heating": "Thanks {first}, I've raised an engineer visit, job ref {job}. They'll call "
    "before they come.",
    "damp": "Thanks {first}, I've booked a damp and mould inspection, ref {job}. The surveyor "
    "will call before they visit.",
    "rent": "Thanks {first}, I've asked the income team to check your account. They'll call "
    "you within 2 working days.",
    "asb": "Thanks {first}, I've passed this to the neighbourhood team and they'll be in touch "
    "this week.",
    "general": "Thanks {first}, I've passed this on and someone will call you.",
}
CHASERS = (
    "still waiting…",
    "hello?? anyone there",
    "any update?",
    "been on hold on the phone for 45 mins as well",
    "it's getting worse, please can someone reply",
    "this is the third time I've asked",
)
# What a resident says after our reply, by what the reply asked: signed, then unsigned.
AFTERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "dm": (
        ("Thanks {pseudonym}, DM sent", "DM sent, thanks {pseudonym}"),
        ("DM sent", "Done, thank you", "That's not good enough to be honest, this has been "
         "going on for months"),
    ),
    "bins": (("Cheers {pseudonym} 👍", "Still nobody has been out, {pseudonym}"),
             ("Cheers 👍", "Still overflowing this morning")),
    "thanks": (("Aw thanks {pseudonym} 😊",), ("😊",)),
}
ESTATES = ("the Bramblegate estate", "Wrenfield", "Heronsgate")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORG_NAMES = {X: "@tridentgrp", BLUESKY: "@tridentgrp.bsky.social", FACEBOOK: "Trident"}
WHERE = {X: "Twitter", BLUESKY: "Bluesky", FACEBOOK: "your Facebook page"}
ASKS_FOR_DM = ("repairs", "damp", "rent", "asb", "heating", "general")
AUTO_ACK = (
    "Thanks for your message. We're here 9am–4pm, Monday to Friday, and will reply as soon as "
    f"we can. For emergency repairs call {ORG_PHONE}."
)
# fmt: on
