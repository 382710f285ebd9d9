"""The hand-written threads on X, and every platform's announcements.

Each thread shows one thing the pipeline must get right; its ``note`` goes into the README.
"""

from __future__ import annotations

from .story import AUTO, BLUESKY, FACEBOOK, ORG_PHONE, Story, X, o, r

__all__ = ["tell_announcements", "tell_x"]


# fmt: off
def tell_announcements(story: Story) -> None:
    """The organisation's own posts (unsigned), named so that replies can find them."""
    t = story.thread
    t(X, None, o("23 10:00", "Reminder: the clocks go forward this Sunday, 29 March. A good "
                 "time to test your smoke alarm too 🔔", None), name="x_clocks")
    t(X, None, o("26 11:30", "Our offices are closed on Good Friday (3 April) and Easter Monday "
                 f"(6 April). For emergency repairs call {ORG_PHONE}, open 24 hours.", None),
      name="x_easter")
    t(X, None, o("31 09:30", "Bin collections over Easter: no change to communal collections at "
                 "our blocks. Bulky waste collections resume on Tuesday 7 April.", None),
      name="x_bins")
    t(X, None, o("1 14:00", "Condensation or mould at home? Open a window when cooking, keep "
                 "furniture a little away from walls, and report any mould to us so we can "
                 "help.", None), name="x_damp")
    t(BLUESKY, None, o("23 10:05", "The clocks go forward this Sunday, 29 March. A good time "
                       "to test your smoke alarm too 🔔", None), name="b_clocks")
    t(BLUESKY, None, o("26 11:35", "Our offices are closed on Good Friday and Easter Monday. "
                       f"For emergency repairs call {ORG_PHONE}, open 24 hours.", None),
      name="b_easter")
    t(BLUESKY, None, o("1 14:05", "Mould at home? Open a window when cooking, keep furniture "
                       "away from walls, and report mould to us so we can help.", None),
      name="b_damp")
    t(FACEBOOK, None, o("24 12:00", "Your rent from 6 April: letters with your new weekly rent "
                        "went out this month. If anything isn't clear, send us a private "
                        f"message or call us on {ORG_PHONE}.", None), name="f_rent")
    t(FACEBOOK, None, o("26 11:40", "Easter opening hours 🐣 Our offices are closed on Good "
                        "Friday (3 April) and Easter Monday (6 April). We're back on Tuesday 7 "
                        f"April. For emergency repairs call {ORG_PHONE}, open 24 hours a day.",
                        None), name="f_easter")
    t(FACEBOOK, None, o("30 10:00", "Easter egg hunt at Larkspur Row community garden on "
                        "Saturday 4 April, 11am–1pm 🐣 Free, all welcome, bring a basket!",
                        None), name="f_egghunt")
    t(FACEBOOK, None, o("1 14:10", "Condensation or mould at home? Open a window when cooking "
                        "or drying clothes, keep furniture a little away from the walls, and "
                        "report any mould to us so we can help. We'd rather hear about it "
                        "early.", None), name="f_damp")


def tell_x(story: Story) -> None:
    """The hand-written X threads, public and private."""
    t = story.thread
    # ---- X, public
    t(X, "jo",
      r("23 08:47", "reported a leak under my kitchen sink two weeks ago and still no plumber. "
        "Bucket's full again", note="several inbound posts before one reply"),
      r("23 09:31", "it's now coming through the ceiling of the flat below 😩"),
      o("23 10:02", "Hi Jo, sorry to hear this. Please send us a DM with your address and a "
        "contact number and we'll get a plumber out today.", "Sam", 0),
      r("23 10:15", "Thanks Sam, DM sent", note="resident repeats the responder's pseudonym"))
    t(X, "tariq",
      r("23 19:20", "ring me on 07700 900123 I'm sick of waiting on hold. No hot water for 3 "
        "days", note="public phone number"),
      r("24 07:55", "still nothing. 07700900123 if anyone actually cares",
        note="public phone number, no spaces"),
      o("24 09:14", "Hi Tariq, sorry you're without hot water. Please delete your number from "
        "public posts and DM us your address instead so we can book an engineer.", "Priya", 1))
    t(X, "gone", r("24 21:03", "everyone should know what Trident are really like. nobody "
                   "answers the phone, nobody cares",
                   note="author suspended: missing from includes.users, listed under errors"))
    t(X, "femi",
      r("25 11:02", "Dave Pritchard came round about the damp yesterday and was rude to my mum. "
        "I want a complaint raised.", note="names a member of staff"),
      o("25 11:48", "Hi Femi, I'm sorry to hear that. Please DM us and we'll log this as a "
        "complaint and call you back.", "Alex", 2),
      r("25 12:10", "DM'd you Alex", note="pseudonym Alex repeated (the real name differs)"))
    t(X, "declan",
      r("26 22:41", "you lot are a bunch of 1d10ts. 6 weeks for a toilet seat",
        note="Declan Marsh, strike story (X): obfuscated insult"),
      r("26 22:44", "u s e l e s s. absolute s.c.u.m", note="obfuscated insults"),
      o("27 09:30", "Hi Declan, we understand you're frustrated but please keep it respectful. "
        "If you DM us your address we'll chase the repair.", "Sam", 1))
    t(X, "mick", r("27 23:50", "whoever signed off my eviction notice better watch your back",
                   note="threat, never answered"))
    t(X, "shona",
      r("27 15:50", "our communal door entry buzzer hasn't worked since Wednesday. Delivery "
        "drivers can't get in", note="Friday 15:50 London, answered Monday 09:20 BST"),
      o("30 09:20", "Hi Shona, sorry for the wait. We've raised a repair for the door entry "
        "system at your block.", "Priya", 2))
    t(X, "craig",
      r("23 10:05", "surveyor came about the damp in February and said works would be ordered. "
        "Heard nothing since. Order no. 88213 if it helps",
        note="late reply: over 24 managed hours; order number is not a phone number"),
      r("24 16:22", "any update?"),
      r("25 18:40", "hello?? anyone there"),
      o("27 14:10", "Hi Craig, apologies for the delay. The damp works under order 88213 are "
        "booked for 8 April between 8am and 1pm.", "Alex", 3))
    t(X, "mo",
      r("28 09:05", "no heating or hot water since this morning. Boiler showing an F28 fault. 2 "
        "kids in the house"),
      o("28 10:12", f"Hi Mo, sorry to hear this. Please call our emergency repairs line on "
        f"{ORG_PHONE}, they're open 24/7 and can get an engineer out today.", "Sam", 1,
        note="reply on a Saturday, outside managed hours"),
      r("28 10:30", "rang them, engineer coming at 2. cheers Sam"))
    t(X, "ellie",
      r("29 00:30Z", "flat above still playing music at half midnight. 4th night this week",
        note="00:30 GMT, half an hour before the clocks went forward"),
      r("29 01:30Z", "now it's 2.30am and it's still going. Reported this before, nothing "
        "changes", note="01:30 UTC = 02:30 BST, just after the clocks went forward"),
      o("30 10:45", "Hi Ellie, sorry you're dealing with this. Please DM us the dates and times "
        "and we'll pass it to the neighbourhood team.", "Priya", 0))
    t(X, "gemma",
      r("2 21:15", "are bin collections changing over Easter? Nothing on the noticeboard at "
        "Tansy Court"),
      o("3 10:30", "Hi Gemma, no change for communal bins over Easter. Bulky waste resumes "
        "Tuesday 7 April.", "Alex", 2, note="reply on Good Friday, a bank holiday"))
    t(X, "ken",
      r("2 15:30", "the lift at Harrowgate House is out again. People on the 9th floor with "
        "prams and walking frames", note="Thursday 15:30 BST, answered Tuesday after Easter"),
      o("7 10:00", "Hi Ken, the lift engineer is on site this morning. Sorry for the disruption "
        "over the bank holiday.", "Sam", 0))
    t(X, "tracey",
      r("30 13:20", "new kitchen fitted & the repairs team were brilliant 🙌 𝓽𝓱𝓪𝓷𝓴 𝔂𝓸𝓾",
        note="& sent as &amp;; emoji and characters outside the BMP; emoji display name"),
      o("30 14:02", "Thank you Tracey, that's lovely to hear, we'll pass it on to the team 😊",
        "Priya", 2))
    t(X, "jas",
      r("31 10:12", "how do I change the date my direct debit comes out? Universal Credit moved "
        "my payment date"),
      o("31 11:05", f"Hi Jas, you can change it by calling the income team on {ORG_PHONE} or in "
        "the tenant portal under Payments.", None, note="unsigned reply"))
    t(X, "becca",
      r("1 19:45", "text me when the engineer's on his way, 0 7 7 0 0 9 0 0 5 5 5. I'm at 9 "
        "Larkspur Row ex49zq", note="phone number with spaced digits; address; postcode "
        "lower case without a space"),
      o("2 09:12", "Hi Becca, for your privacy please delete this post and DM us your details "
        "instead. Thanks", "Alex", 1),
      r("2 09:40", "done, sorry"))
    t(X, "nadia", r("6 20:05", "my number is +44 7700 900 321, someone call me, the ceiling in "
                    "the bathroom is bowing", note="+44 phone number; Easter Monday; never "
                    "answered"))
    t(X, "gav", r("26 12:10", "closed for 4 days and the emergency line never answers. "
                  "brilliant", quote="x_easter", note="quote of our post"))
    t(X, "hannah", r("23 12:30", "my neighbour John Smith at number 14 has had his smoke alarm "
                     "beeping for a week, he's never in", note="names a neighbour; reply to "
                     "our post"), on="x_clocks")
    t(X, "amara",
      r("1 11:00", "just want to say Tom Reeve from lettings has been brilliant helping me "
        "move. Thank you!", note="names a member of staff, kindly"),
      o("1 11:30", "Thanks Amara, we'll pass that on 😊", "Sam", 0))
    t(X, "shona",
      r("31 16:40", "the boiler is shot. Engineer came today, said parts ordered, job ref "
        f"4471203. Rang {ORG_PHONE} at 9:15 and waited 40 mins to be told that",
        note="hard negatives: 'the boiler is shot', job ref, our own number, a time"),
      o("1 09:35", "Hi Shona, sorry about the wait on the phone. The part is due Thursday and "
        "the engineer will call to book.", "Priya", 0))
    t(X, "kayleigh",
      r("24 08:15", "my rent statement says I'm £86.40 in arrears but I paid on the 1st, "
        "31/03 isn't even here yet. Can someone check?", note="hard negatives: price, date",
        flaw="no_id"))
    t(X, "ken", r("25 14:02", "is the residents' meeting at Linnet House still on for "
                  "Wednesday at 7pm?", flaw="text_not_string"))
    t(X, "gav", r("31 12:00", "any chance of an extra bulky waste day after Easter? The "
                  "garages are full", note="reply to our post"), on="x_bins")
    t(X, "jo", r("1 15:10", "tried all that, the window frame is rotten. That's where the damp's "
                 "coming from"), on="x_damp")

    # ---- X, private
    t(X, "jo",
      r("23 10:14", "Hi, it's Jo from the tweet. Flat 2, 41 Quillon Close, Exampleton EX4 7NQ. "
        "Mobile 07700 900412. Leak is under the sink and now through next door's ceiling",
        note="personal details in a private message (expected there)"),
      o("23 10:40", "Thanks Jo. I've raised an emergency repair, job ref 4471877. The plumber "
        "will ring 07700 900412 this afternoon to give you a time.", "Sam", 0),
      r("23 18:55", "Plumber's been and fixed it, thank you so much 🙏🏽"),
      private=True)
    t(X, "ellie",
      r("29 01:40Z", "Hi, it's about the noise. I'm at 22 Harrowgate House, Exampleton EX2 8LP "
        "and it's flat 23 above me. Landline 020 7946 0321"),
      o("29 01:41Z", "Thanks for your message. Our social media team is here 9am–4pm, Monday "
        f"to Friday, and will reply as soon as we can. For emergency repairs call {ORG_PHONE}.",
        AUTO, note="automated acknowledgement, unsigned"),
      o("30 10:50", "Thanks Ellie, I've passed this to the neighbourhood team, who will call "
        "you this week.", "Priya", 0),
      private=True)
    t(X, "declan",
      r("27 09:45", "Flat 9, Bramblegate House, EX2 5TT. that's where the toilet seat is, if "
        "anyone bothers", note="Declan Marsh's address, privately (not a violation)"),
      o("27 10:20", "Thanks Declan, I've chased the repair and the operative will be with you "
        "on Monday morning.", "Sam", 1),
      private=True)
    t(X, "kayleigh",
      r("24 09:02", "Hi, rent ref 40021187, 5 Tansy Court EX4 2HU. I paid £412.50 by card on "
        "1 March, I've got the receipt", note="rent reference is not a phone number"),
      r("24 09:05", "my number is 01632 960887 if easier", flaw="no_created_at"),
      o("24 11:30", "Thanks Kayleigh, the income team found the payment. It was on the wrong "
        "account and has been moved, so your balance is now clear.", "Priya", 3),
      private=True)
    t(X, "nadia",
      r("30 18:02", "Hi, this is the Larkspur Row residents' group. Could someone from Trident "
        "come to our meeting on Wednesday 1 April at 7pm to talk about the garden?",
        note="group conversation: its join and leave events are skipped"),
      r("30 18:05", "we'd really appreciate it 🙏", who="hannah"),
      o("31 09:40", "Hi both, thanks for the invite. Our community officer will come along on "
        "Wednesday.", "Alex", 0),
      private=True, group=True)
    t(X, "mick",
      r("28 00:12", "I know where you live Sam. you'll regret this",
        note="threat in a private message: a violation on every channel"),
      private=True)
# fmt: on
