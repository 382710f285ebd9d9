"""The parts of ``scripts/build_sample_inbox.py``: the sample inbox's story and wire formats.

- :mod:`.story`: people, threads and messages, and the managed-hours arithmetic they need.
- :mod:`.people`: the invented people, their ids, addresses and phone numbers.
- :mod:`.scripted_x`, :mod:`.scripted_others`: the hand-written threads, one edge case each.
- :mod:`.templates`, :mod:`.filler`: the everyday traffic, drawn with a seeded generator.
- :mod:`.wire`: identifiers in each platform's shape, pages, and the book of expected outcomes.
- :mod:`.x`, :mod:`.bluesky`, :mod:`.facebook`: the story in each platform's wire format.
- :mod:`.readme`: the folder's README, from the book.
"""
