"""The hand-written threads on Bluesky and Facebook.

Each thread shows one thing the pipeline must get right; its ``note`` goes into the README.
"""

from __future__ import annotations

from .story import AUTO, BLUESKY, FACEBOOK, ORG_PHONE, Story, o, r

__all__ = ["long_post", "tell_bluesky", "tell_facebook"]

# fmt: off
LONG_DIARY_WEEKS = (
    ("5 January", "the black mould came back on the bedroom ceiling two weeks after it was "
     "treated. I wiped it down with the spray the surveyor left and opened the windows every "
     "morning like we were told, but by Friday it was back along the top of the wall"),
    ("12 January", "I rang the repairs line and was given job ref 4471650. I was told someone "
     "would call within 5 working days to book a damp survey. Nobody called. The baby's cot "
     "is now in our room because the back bedroom smells of damp"),
    ("19 January", "I rang again and waited 52 minutes on hold. The lady was kind and said the "
     "job had been passed to the damp and mould team. She gave me a new reference, 4471702, and "
     "said the old one had been closed by mistake"),
    ("26 January", "a surveyor came on the Tuesday between 8am and 1pm as promised. He took "
     "photos, measured the walls with a meter and said the readings were very high. He said the "
     "guttering at the back is blocked and the water is running down the outside wall"),
    ("2 February", "nothing. I checked the portal and the job said 'awaiting contractor'. My "
     "daughter's inhaler prescription went up from one to two a month, the GP asked if we "
     "have damp at home and I said yes, we've reported it"),
    ("9 February", "a contractor came to clear the gutters. They did the front but said the "
     "back needs a cherry picker and would be booked separately. The patch on the bedroom "
     "wall is now the size of a door and the plaster is soft when you press it"),
    ("16 February", "I emailed the complaints address and got an automatic reply saying I'd "
     "hear back within 10 working days. We threw out a mattress and two coats that had gone "
     "green. That's about £240 of stuff we can't afford to replace right now"),
    ("23 February", "the complaint was acknowledged and logged as stage 1. The letter said a "
     "manager would visit within 20 working days. The bedroom window now has condensation "
     "running down it every single morning, even with the trickle vents open"),
    ("2 March", "still waiting for the cherry picker. It rained most of the week and the wet "
     "patch spread across the ceiling into the corner above the wardrobe. I've moved all the "
     "clothes into bin bags in the living room"),
    ("9 March", "the manager visited and agreed the gutter, the wall and the plaster all need "
     "doing, plus a new extractor fan in the bathroom and a positive input ventilation unit. "
     "She said she would write to me with dates by the end of the month"),
    ("16 March", "no letter yet. The kids have had colds on and off since Christmas. I know "
     "you're busy and I know it's not one person's fault, but we've now been living with this "
     "for eleven weeks and I'm exhausted"),
    ("23 March", "a dry week at last, so I took photos of every wall and ceiling with the "
     "date on them. The black patches come back within two days of wiping. I've put them all "
     "in one folder and I'm happy to send them by private message so they go on the record"),
)


LONG_TOLD = (
    "that someone would call within 5 working days to book a survey",
    "that the first job had been closed by mistake and a new one opened",
    "that the survey found high readings and the works would be ordered",
    "that the gutters would be cleared, then that the back needs a cherry picker",
    "that the cherry picker would be booked separately and someone would let me know",
    "that my complaint was logged at stage 1 and a manager would visit within 20 working days",
    "that the manager agreed everything needs doing and would write with dates",
    "that the letter with the dates would come by the end of the month",
)
LONG_COSTS = (
    "What it has cost us so far, roughly: one cot mattress and one adult mattress (£240 "
    "between them), two winter coats, a bag of school uniform that went mouldy in the "
    "wardrobe, about £15 a week extra on the electric for the dehumidifier we bought "
    "ourselves, and more days off work than I can count waiting in for people who didn't "
    "come or came without the right equipment. My manager has been understanding but I've "
    "used up all my leave until the summer. The kids' health is what worries me most. My "
    "youngest has been to the GP three times since January and each time we are asked "
    "whether there is damp in the home. I say yes, it's reported, and they write it down. "
    "I would like that to stop being true."
)

LONG_ASKS = (
    "a date for clearing the back gutter, with the cherry picker booked",
    "a date for the wall and the ceiling to be treated and replastered",
    "the extractor fan and the ventilation unit fitted before the next winter",
    "a call the day before anyone comes, so I'm not taking a day off for nothing",
    "one named person I can contact who knows the history, instead of starting again",
    "a written reply to my complaint, as the letter promised",
)


def long_post() -> str:
    """A visitor's post of well over 5,000 characters: a diary of a damp and mould case.

    Raises:
        ValueError: if the post has shrunk to 5,000 characters or fewer.
    """
    opening = (
        "I've tried the phone, the portal and email, so I'm writing it all down here in one "
        "place so that whoever picks this up can see the whole story without me having to "
        "repeat it again. This is what has happened since the new year.\n\n"
    )
    weeks = "\n\n".join(f"Week of {week}: {entry}." for week, entry in LONG_DIARY_WEEKS)
    closing = (
        "\n\nAll I'm asking for is a date for the works and for someone to tell me honestly "
        "what is going to happen and when. I'm not going to post my address here but I'm "
        "happy to send it by private message. I've kept every reference number and every "
        "letter. Thank you for reading this far."
    )
    told = "\n".join(f"- {told}" for told in LONG_TOLD)
    asks = "\n".join(f"- {ask}" for ask in LONG_ASKS)
    text = (
        f"{opening}{weeks}\n\nWhat I have been told, in order:\n{told}\n\n{LONG_COSTS}"
        f"\n\nWhat I would like to happen now:\n{asks}{closing}"
    )
    if len(text) <= 5000:
        raise ValueError(f"the long post has only {len(text)} characters")
    return text


def tell_bluesky(story: Story) -> None:
    """The hand-written Bluesky threads, public and private."""
    t = story.thread
    # ---- Bluesky, public
    t(BLUESKY, "dan",
      r("24 20:10", "email me at dan at example dot com, I've given up on the phone line. "
        "Mould in the back bedroom again", note="e-mail address written out in words"),
      o("25 09:40", "Hi Dan, please remove your email from this post and DM us instead, we'll "
        "book a mould inspection.", "Alex", 2),
      r("25 09:55", "fair enough, DM'd"))
    t(BLUESKY, "declan",
      r("31 21:30", "call me on 07700 900777 or I'm coming down your office. watch your back",
        note="Declan Marsh, strike story (Bluesky): phone number and threat"))
    t(BLUESKY, "wes",
      r("2 18:20", "sc\u200bum landlords, the lot of you. still no heating",
        note="insult with a zero-width space inside; author has no display name"),
      o("7 09:30", "Hi Wes, sorry you're still without heating. Please DM us your address and "
        "we'll treat it as an emergency.", "Priya", 0))
    t(BLUESKY, "owen",
      r("26 14:15", "Sarah from repairs said it'd be done by Friday. It's now Thursday the "
        "following week", note="names a member of staff by first name and team"),
      o("26 15:02", "Hi Owen, sorry about that. Can you DM us your address and we'll chase the "
        "repairs team?", "Sam", 1))
    t(BLUESKY, "louise",
      r("27 10:00", "does anyone know if the garden tidy scheme for older residents is still "
        "running?", note="handle.invalid: link uses the DID"),
      o("27 11:30", "Hi Louise, yes it is, the next round starts in May. We'll post details "
        "soon.", "Alex", 2, flaw="naive_time"))
    t(BLUESKY, "nadia",
      r("1 08:05", "reach me on 07700.900.654 or nadia(at)example.com, the communal bin store "
        "door is hanging off", note="dotted phone number; e-mail with (at)"),
      o("1 10:20", "Hi Nadia, please delete this post as it has your contact details on it, "
        "and DM us instead. We've reported the bin store door.", "Priya", 0))
    t(BLUESKY, "aisling", r("1 15:30", "open a window, they say. the window frame is rotten, "
                            "that's where the damp is coming from 🙄", quote="b_damp",
                            note="quote of our post"))
    t(BLUESKY, "rhys",
      r("30 12:00", "diolch yn fawr to the caretaker at Tŷ Gwyn, stairs have never been "
        "cleaner 🧹✨", note="Welsh, accented letters, emoji"),
      o("30 12:40", "Diolch Rhys! We'll pass it on 😊", "Sam", 0))
    t(BLUESKY, "olu",
      r("4 13:00", "𝗨𝗦𝗘𝗟𝗘𝗦𝗦. 3 weeks with a hole in the kitchen ceiling",
        note="insult in mathematical bold letters outside the BMP"),
      o("7 09:05", "Hi Olu, sorry for the wait over the bank holiday. Please DM us your address "
        "and we'll get this booked.", "Alex", 1))
    t(BLUESKY, "hannah", r("23 18:02", "23/03/2026: my smoke alarm test worked fine 👍",
                           flaw="bad_time"), on="b_clocks")
    t(BLUESKY, "sian", r("26 13:15", "will the emergency line be staffed on Easter Sunday as "
                         "well?"), on="b_easter")
    t(BLUESKY, "gav", r("26 12:14", "same post, different site. still closed for 4 days 🙃"),
      on="b_easter")
    # ---- Bluesky, private
    t(BLUESKY, "dan",
      r("25 09:52", "Hi, it's Dan. 15 Fenwick Terrace, Exampleton EX3 1RB. Mobile 07700 "
        "900238, email dan.whitlow@example.com"),
      o("25 10:30", "Thanks Dan, mould inspection booked for Thursday 26 March, 10am-12pm.",
        "Alex", 2),
      r("25 10:33", "great thanks"),
      private=True)
    t(BLUESKY, "owen",
      r("26 15:10", "Flat 6, 3 Orchard Mews, EX1 4DW"),
      r("26 15:11", "Flat 6, 3 Orchard Mews, EX1 4DW", deleted=True,
        note="deleted chat message (skipped)"),
      r("26 15:12", "sorry, sent that twice. Number is 01632 960331"),
      o("27 09:15", "Thanks Owen, I've asked the repairs team to call you today.", "Sam", 1),
      private=True)
    t(BLUESKY, "wes",
      r("7 10:02", "28 Ashgrove Road EX2 9HP, no heating since Thursday"),
      r("7 10:03", "and the hot water", flaw="not_object"),
      o("7 10:30", "Thanks Wes, an engineer will be with you this afternoon.", "Priya", 0),
      private=True)


def tell_facebook(story: Story) -> None:
    """The hand-written Facebook threads, public and private."""
    t = story.thread
    # ---- Facebook, public
    t(FACEBOOK, "ruth",
      r("24 22:10", long_post(), note="visitor post over 5,000 characters"),
      o("25 09:20", "Hi Ruth, thank you for setting all of this out, and I'm so sorry it has "
        "taken this long. Please send us a private message with your address and I'll make "
        "sure the works are dated this week.", "Sam", 1))
    t(FACEBOOK, "marcia",
      r("25 08:30", "Can someone from repairs call me on (01632) 960123? I live at 12 Acacia "
        "Avenue, Exampleton EX7 2QJ and the bathroom ceiling is coming down",
        note="public address, phone number and postcode"),
      o("25 09:05", "Hi Marcia, please delete this post as it shows your address and phone "
        "number. We've messaged you privately to book the repair.", "Priya", 0))
    t(FACEBOOK, "pete",
      r("28 14:40", "", note="photo-only visitor post: no message field"),
      o("30 09:40", "Hi Pete, thanks for the photo. Could you send us a private message with "
        "your address and what's happened?", "Alex", 3))
    t(FACEBOOK, "colin", r("29 16:20", "Third week without a working shower.",
                           flaw="message_not_string"))
    t(FACEBOOK, "declan",
      r("26 19:05", "Gareth Lloyd the surveyor is a liar and a s.c.u.m",
        note="Declan Marsh, strike story (Facebook): names staff, insult"), on="f_easter")
    t(FACEBOOK, "bev",
      r("26 12:30", "Mine's the same at Flat 3, 7 Mill Lane, Exampleton. ring 0113-496-0123 as "
        "nobody answers", note="public address and dashed phone number"),
      o("26 13:05", "Hi Bev, please delete your comment as it has your details in it, and send "
        "us a private message instead.", "Priya", 1, to=0),
      on="f_easter")
    t(FACEBOOK, "lorraine",
      r("27 08:50", "Helen Okafor promised me a call back a week ago", note="names staff"),
      r("27 21:14", "still waiting", to=0),
      on="f_easter")
    t(FACEBOOK, "sue", r("26 12:05", "will the emergency line actually answer this time? 😂"),
      on="f_easter")
    t(FACEBOOK, "tina",
      r("24 13:10", "Bernadette Shaw in the rents team is the only one who ever helps",
        note="names staff"),
      on="f_rent")
    t(FACEBOOK, "ahmed",
      r("24 19:45", "£9.80 a week more? On what planet is that affordable",
        note="hard negative: price"),
      o("25 10:10", "Hi Ahmed, we know it's a worry. Our money advice team can help, send us a "
        "private message and we'll put you in touch.", "Alex", 0, to=0),
      r("25 10:40", "ok thanks Alex", to=0),
      on="f_rent")
    t(FACEBOOK, "kayleigh",
      r("1 16:20", "email me kayleigh.moss@example.org, I've got photos of the mould for you",
        note="public e-mail address"),
      on="f_damp")
    t(FACEBOOK, "zofia",
      r("1 18:02", "Dziękuję bardzo, the inspection last week was very helpful 🙂"),
      on="f_damp")
    t(FACEBOOK, "sian",
      r("30 11:15", "Will there be anything for the little ones? 🐣🐰"),
      o("30 11:50", "Hi Siân, yes, there's a toddler trail too!", "Sam", 3, to=0),
      on="f_egghunt")
    t(FACEBOOK, "lee", r("31 07:30", "is it still on if it rains?",
                         note="comment with no from: author unknown"), on="f_egghunt")
    t(FACEBOOK, "becca", r("30 22:05", "my mobile is 07700 900 568 if the organisers need "
                           "volunteers", note="public phone number, grouped 3-3",
                           flaw="bad_clock"), on="f_egghunt")
    # ---- Facebook, private
    t(FACEBOOK, "marcia",
      o("25 09:06", "Hi Marcia, it's Priya from the social media team. When is the best time "
        "for the repairs team to call you?", "Priya", 3),
      r("25 09:30", "anytime today. it's 12 Acacia Avenue EX7 2QJ like I said"),
      o("25 10:00", "Thanks Marcia, a roofer will be with you by 2pm.", "Priya", 0),
      private=True)
    t(FACEBOOK, "colin",
      r("29 16:25", "you're a useless bunch and I know where you live",
        note="threat in a private message"),
      o("29 16:25", "Thanks for your message. We're here 9am–4pm, Monday to Friday, and will "
        f"reply as soon as we can. For emergency repairs call {ORG_PHONE}.", AUTO),
      private=True)
    t(FACEBOOK, "sian",
      r("2 17:10", "Hi, my daughter's email for the egg hunt list is sian.m.morgan@example.net",
        flaw="no_id"),
      o("2 17:10", "Thanks for your message. We're here 9am–4pm, Monday to Friday, and will "
        f"reply as soon as we can. For emergency repairs call {ORG_PHONE}.", AUTO),
      r("2 17:12", "and my number is 0113 496 0577"),
      o("7 09:10", "Thanks Siân, you're on the list!", "Sam", 3),
      private=True)
# fmt: on
