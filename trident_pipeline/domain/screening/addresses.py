"""Postal addresses and postcodes: personal information under policy section 3.1.

Postcodes (``postcode.uk``): the UK format in any case, with or without the space
(``LS6 2QT``, ``ls62qt``), whose area is a real postcode area, so ``PS4 2TB`` is no postcode
(``GIR 0AA``, the one postcode outside the pattern, belongs to a bank, not a person).
An inward code that reads as an ordinal (``M1 2nd``) is left alone unless written in capitals.

Addresses: a house number with a street (``12 Acacia Avenue``, ``14b Mill Lane``,
``No. 3 The Green``), optionally after a flat (``Flat 3, 12 Acacia Avenue``) and before a town
(``..., Leeds``); or a flat with a named building (``Flat 7, Maple Court``, ``Apartment 5,
The Tannery``). Street words in
title case take any street or building suffix (``address.street``); in lower case only
suffixes that are no ordinary word (``12 acacia avenue``; ``address.street_lower``), so
``3 hours in a row`` and ``2 bedroom house`` stay unflagged. The postcode after an address is
its own finding.
"""

from __future__ import annotations

import bisect
import re
import string

from trident_pipeline.domain.screening.findings import Finding, FindingType

__all__ = ["AddressDetector"]

_VERSION = "1"

_AREAS = (
    "AB AL BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY "
    "EC EH EN EX FK FY GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY LA LD LE LL "
    "LN LS LU ME MK ML NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM SA SE SG SK SL SM SN "
    "SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB WA WC WD WF WN WR WS WV YO ZE B E G L M N S W"
).split()
_AREA_SET = frozenset(_AREAS)
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?P<area>[A-Za-z]{1,2})[0-9][A-Za-z0-9]?"
    r"[ \u00a0]?[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}(?![A-Za-z0-9])"
)
_DIGIT = re.compile(r"[0-9]")
_HOUSE_NUMBER = re.compile(r"[0-9][A-Za-z]?,?[ \t]+[A-Za-z]")
_FLAT_WORDS = ("flat", "apartment", "apt", "unit", "maisonette", "studio", "room", "bedsit")
_ORDINAL = re.compile(r"(?:1st|2nd|3rd|[04-9]th)\Z", re.IGNORECASE)
_POSTCODE_CONTEXT = re.compile(r"post\s?code", re.IGNORECASE)

_STREET_SUFFIXES = (
    "Street|St|Road|Rd|Avenue|Ave|Av|Lane|Ln|Close|Cl|Drive|Dr|Way|Court|Ct|Crescent|Cres|"
    "Place|Pl|Gardens|Gdns|Grove|Gr|Terrace|Terr|Tce|Walk|Square|Sq|Mews|Hill|Row|Park|Rise|"
    "View|Green|Parade|Pde|Mount|Vale|Wharf|Yard|Fold|Gate|Croft|Meadow|Meadows|Chase|"
    "Boulevard|Blvd|Path|Brow|Bank|Side|End|Heights|Approach|Circus|Embankment|Passage|Garth|"
    "Wynd|Drove|Broadway|Quay|Crest|Dale|Field|Fields|Grange|Glade|Hollow|Lea|Mead|Nook|"
    "Orchard|Paddock|Ridge|Spinney|Villas|Walkway|Wood|Court|Cottages|Buildings|House|Lodge|"
    "Mansions|Tower|Towers|Point|Hall|Mill|Works|Estate"
)
_LOWER_SUFFIXES = (
    "street|st|road|rd|avenue|ave|lane|ln|crescent|cres|terrace|gardens|gdns|mews|close|"
    "grove|drive|boulevard|cottages|mansions|court|way|place|walk|house|hill|park|row|view|"
    "green|rise|lodge|heights|parade"
)
_BUILDING_SUFFIXES = (
    "House|Court|Tower|Towers|Lodge|Heights|Mansions|Point|Buildings|Hall|Block|Apartments|"
    "Flats|Mill|Wharf|Gardens|Place|View|Close|Cottages|Works|Quarter|Plaza|Yard|Walk|Rise|"
    "Grange|Manor|Gate|Mews|Terrace|Square|Row|Parade|Green"
)
_LOWER_SUFFIX = re.compile(_LOWER_SUFFIXES, re.IGNORECASE)
# For ``_may_match``: the suffixes in lower case, and the bytes of lower-cased ASCII text with
# everything but letters made a space.
_STREET_WORDS = frozenset(_STREET_SUFFIXES.lower().split("|"))
_LOWER_STREET_WORDS = frozenset(_LOWER_SUFFIXES.split("|"))
_LETTERS_ONLY = bytes(
    code if chr(code) in string.ascii_letters else ord(" ") for code in range(256)
)
_FLAT = r"(?i:flat|apartment|apt|unit|maisonette|studio|room|bedsit)\.?[ \t]*\d{1,4}[A-Za-z]?"
# A house number ("12", "14b", "41-43") that is not part of a word, amount, time or decimal:
# not after a letter, digit, "£", "$", "/", ":", "-", or a digit and "." or ",". It opens with
# its first digit and only then looks behind that digit, so the regex engine skips straight to
# the digits of a text rather than trying the lookbehinds at every position.
_NUMBER = (
    r"\d(?<![\w£$/:-]\d)(?<!\d[.,]\d)\d{0,3}[A-Za-z]?"
    r"(?:[ \t]?[-\u2013/][ \t]?\d{1,4}[A-Za-z]?)?"
)
# Before a house number: a flat, and "No." or "number"; read backwards from the number.
_BEFORE_HOUSE = re.compile(rf"(?<![\w])(?:{_FLAT},?[ \t]+)?(?:(?i:no\.?|number|house)[ \t]*)?\Z")
_BEFORE_WINDOW = 40
_TITLE_WORD = r"(?:[A-Z][a-z'\u2019]+(?:-[A-Z][a-z'\u2019]+)?|St\.?)"
_LOWER_WORD = r"[a-z][a-z'\u2019]+"
_TOWN = r"(?:,[ \t]*(?P<town>[A-Z][a-z]+(?:(?:[ -](?:upon|on|under|le|in)[ -]|[ ])[A-Z][a-z]+)?))?"

_STREET = re.compile(
    rf"{_NUMBER},?[ \t]+"
    rf"(?P<words>The[ \t]+(?:{_TITLE_WORD}[ \t]+){{0,2}}|(?:{_TITLE_WORD}[ \t]+){{1,3}})"
    rf"(?P<suffix>{_STREET_SUFFIXES})\b{_TOWN}"
)
_STREET_LOWER = re.compile(
    rf"{_NUMBER},?[ \t]+"
    rf"(?P<words>(?:{_LOWER_WORD}[ \t]+){{1,3}})(?P<suffix>(?i:{_LOWER_SUFFIXES}))\b",
    re.IGNORECASE,
)
_BUILDING = re.compile(
    rf"(?<![\w.£$/:-])(?P<flat>{_FLAT}),?[ \t]+(?:(?i:at|in)[ \t]+)?"
    rf"(?:(?P<words>(?:The[ \t]+)?(?:{_TITLE_WORD}[ \t]+){{1,3}})(?P<suffix>{_BUILDING_SUFFIXES})"
    rf"|(?P<named>The[ \t]+{_TITLE_WORD}))\b{_TOWN}"
)
_BUILDING_LOWER = re.compile(
    rf"(?<![\w.£$/:-])(?P<flat>{_FLAT}),?[ \t]+"
    rf"(?P<words>(?:{_LOWER_WORD}[ \t]+){{1,3}})(?P<suffix>{_BUILDING_SUFFIXES})\b",
    re.IGNORECASE,
)
# Words that count things rather than name a street: "2 Bedroom House", "3 Days Walk".
_NOT_STREET_WORDS = frozenset(
    """
    a an the in on at of to for and or but my our your his her their its this that these
    those is are was were be been has have had it we i you he she they me us them not no
    bedroom bedrooms bed beds bathroom bathrooms storey story floor floors hour hours day days
    week weeks month months year years minute minutes min mins second seconds time times
    people person persons kids children pound pounds quid star stars door doors window windows
    room rooms mile miles metre metres meter meters foot feet inch inches yard yards bus buses
    car cars page pages point points percent per times do does did doesn't don't didn't won't
    wont dont cant can't isn't wasn't will can could would should to not never still just also
    level levels block blocks
    """.split()
)
# In lower case also words that describe rather than name: "2 long way round", "3 big park".
_NOT_LOWER_STREET_WORDS = frozenset(
    """
    long short big small little only other same whole wrong right easy hard nice lovely good
    bad best worst different separate extra more less few many several whole full empty open
    """.split()
)
_TOWN_STOPWORDS = frozenset(
    """
    Thanks Thank Please Cheers Regards Hi Hello Dear Yes No Ok Okay And But So Then Also It
    I We You He She They This That There Here What When Where Why How Can Could Would Should
    Will Is Are Was Were Has Have Had Do Does Did Not Just Still Again Now Today Tomorrow
    Yesterday Since Because If As Which Who My Our Your Their His Her
    """.split()
)


class AddressDetector:
    """Finds postcodes and street or flat addresses.

    Raises:
        Nothing on construction.
    """

    def detect(self, text: str) -> list[Finding]:
        """Every postcode and postal address in ``text``, with its span, score and rule.

        Raises:
            Nothing: any text gives a list.
        """
        if not _DIGIT.search(text):
            return []
        findings = self._postcodes(text)
        if not _HOUSE_NUMBER.search(text):
            return findings
        flats, streets, lower_streets = _may_match(text)
        taken_starts: list[int] = []
        taken_ends: list[int] = []
        for pattern, rule, score in (
            (_BUILDING if flats else None, "address.building", 0.85),
            (_STREET if streets else None, "address.street", 0.9),
            (_BUILDING_LOWER if flats else None, "address.building_lower", 0.75),
            (_STREET_LOWER if lower_streets else None, "address.street_lower", 0.75),
        ):
            if pattern is None:
                continue
            for match in pattern.finditer(text):
                span = _address_span(text, match)
                if span is None:
                    continue
                # Kept spans never overlap, so only the last one starting before this end can.
                index = bisect.bisect_left(taken_starts, span[1])
                if index and taken_ends[index - 1] > span[0]:
                    continue
                taken_starts.insert(index, span[0])
                taken_ends.insert(index, span[1])
                findings.append(
                    Finding(FindingType.POSTAL_ADDRESS, *span, score, f"{rule}@{_VERSION}")
                )
        findings.sort(key=lambda finding: finding.start)
        return findings

    @staticmethod
    def _postcodes(text: str) -> list[Finding]:
        findings = []
        for match in _POSTCODE.finditer(text):
            code = match.group()
            if match.group("area").upper() not in _AREA_SET:
                continue
            if _ORDINAL.search(code) and not code.isupper():
                continue
            canonical = code.isupper() and (" " in code or "\u00a0" in code)
            score = 0.95 if canonical else 0.85
            if _POSTCODE_CONTEXT.search(text, max(0, match.start() - 20), match.start()):
                score = min(1.0, score + 0.05)
            findings.append(
                Finding(
                    FindingType.POSTCODE,
                    match.start(),
                    match.end(),
                    score,
                    f"postcode.uk@{_VERSION}",
                )
            )
        return findings


def _may_match(text: str) -> tuple[bool, bool, bool]:
    """Whether a flat, a street or a lower-case street can be found in ``text``: a quick test.

    Each needs one of its words (a flat word, a street suffix) as a whole word. In ASCII text
    that is a set lookup on the text's words, much quicker than letting a street pattern try
    every number; other text tries every street, and flats when a flat word is in it at all.
    """
    lowered = text.lower()
    if not text.isascii():
        return any(word in lowered for word in _FLAT_WORDS), True, True
    words = set(lowered.encode("ascii").translate(_LETTERS_ONLY).decode("ascii").split())
    return (
        not words.isdisjoint(_FLAT_WORDS),
        not words.isdisjoint(_STREET_WORDS),
        not words.isdisjoint(_LOWER_STREET_WORDS),
    )


def _address_span(text: str, match: re.Match[str]) -> tuple[int, int] | None:
    """The span of an address match with its flat and "No." before it, or ``None`` when its
    street words count things."""
    words = (match.group("words") or "").split()
    if any(word.lower().strip(".") in _NOT_STREET_WORDS for word in words if word != "The"):
        return None
    if match.re.flags & re.IGNORECASE and any(
        _LOWER_SUFFIX.fullmatch(word) or word.lower() in _NOT_LOWER_STREET_WORDS for word in words
    ):
        return None
    start = match.start()
    if text[start].isdigit():
        window = max(0, start - _BEFORE_WINDOW)
        start = window + _BEFORE_HOUSE.search(text[window:start]).start()
    street_end = match.end("suffix") if match.group("suffix") else match.end("named")
    town = match.groupdict().get("town")
    if not town or town.split()[0] in _TOWN_STOPWORDS:
        return start, street_end
    parts = town.split()
    if len(parts) > 1 and parts[-1] in _TOWN_STOPWORDS:
        return start, match.start("town") + len(parts[0])
    return start, match.end()
