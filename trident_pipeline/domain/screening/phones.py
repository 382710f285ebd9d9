"""Phone and mobile numbers: personal information under policy section 3.1.

A cheap pattern first finds runs of digits that could be a phone number in any of the forms
people write: ``07700 900123``, ``+44 (0)7700 900123``, ``0044 7700-900-123``, ``447700900123``,
``(0113) 496 0123``, ``0113.496.0123``, ``07700/900/123``, ``0 7 7 0 0 9 0 0 1 2 3`` and the
letter ``O`` typed for a zero. Number words (``oh seven seven double oh ...``) are read as
digits too. Only these candidates reach ``phonenumbers``, which is slow; a run is split into
numbers at its separators, so two numbers written side by side are two findings.

A candidate is kept when ``phonenumbers`` says it is a valid number, or it lies in one of
Ofcom's ranges reserved for drama (valid in form, never issued), or it has the shape of a UK
mobile. It is dropped when it is one of the organisation's own published numbers, or when a
word just before it says it is a reference, job, order, tracking or similar number. Dates,
times and prices never match: they lack the length or the leading ``0`` or ``+``, ``:`` never
joins the parts of a phone number, and a run with a date in it (``01/02/2024``) is no number.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Iterator

import phonenumbers

from trident_pipeline.domain.screening.findings import Finding, FindingType

__all__ = ["PhoneDetector", "national_digits"]

_VERSION = "1"

# A run: optional international prefix, then digits (or O for zero) joined by up to three
# separators each. Never starts inside a word, a price, a handle or a URL path.
_CANDIDATE = re.compile(
    r"(?<![\w+£$€#/@\\])(?<!\w-)(?<!\d[.,])"
    r"(?:\+|\b00)?[ \t\u00a0]?(?:\([ \t\u00a0]?)?(?:\d|[Oo](?=[\dOo]))"
    r"(?:[ \t\u00a0.\-\u2010-\u2013()/]{0,3}[\dOo]){6,48}"
    r"(?![\w])"
)
_GROUP = re.compile(r"[\dOo]+")
_LETTER_ZEROS = str.maketrans("Oo", "00")
_UK_SECOND_DIGITS = frozenset("1235789")
_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")
_SIX_DIGITS = re.compile(r"\d(?:\D{0,3}\d){5}")
_WORDS_PRESENT = re.compile(r"\b(?:zero|oh|nought|double)\b", re.IGNORECASE)
_DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "nought": "0",
    "nil": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_WORD_RUN = re.compile(
    r"\b(?:(?:zero|oh|o|nought|nil|one|two|three|four|five|six|seven|eight|nine|"
    r"double|triple|treble|\d+)(?:[ \t\u00a0,.\-]+|$)){7,}",
    re.IGNORECASE,
)
_WORD_TOKEN = re.compile(r"[A-Za-z]+|\d+")
# Words that make a following number a reference of some kind rather than a phone number:
# strong ones on their own (``order 0123...``), weak ones only with "no", "number" and the like.
_REFERENCE_BEFORE = re.compile(
    r"(?:\b(?:ref|reference|job|order|tracking|track|case|invoice|inv|account|acc|acct|"
    r"ticket|booking|claim|policy|parcel|consignment|serial|payment|transaction|membership|"
    r"payroll|crn|uprn)\b[\s.:#-]*(?:(?:no|num|number|nbr|ref|id|code|is|was)\b\.?[\s:#-]*)*"
    r"|\b(?:repair|customer|item|product|model|complaint|tenancy|receipt|voucher|pin|nhs|ni|"
    r"insurance|works?\s+order|sort\s+code|id)[\s.:#-]*(?:no|num|number|nbr|ref|id|code)\b"
    r"\.?[\s.:#-]*(?:(?:is|was)\b[\s:]*)?)$",
    re.IGNORECASE,
)
_PHONE_BEFORE = re.compile(
    r"\b(?:call|ring|rang|phone|mobile|mob|tel|telephone|text|txt|whatsapp|contact|landline|"
    r"number|no|reach|dial|on)\b",
    re.IGNORECASE,
)
_BEFORE_WINDOW = 40
# Ofcom's numbers for drama: (national prefix, first and last national number in the block).
_DRAMA_RANGES: tuple[tuple[int, int], ...] = (
    (7700900000, 7700900999),
    (1632960000, 1632960999),
    (1134960000, 1134960999),
    (1144960000, 1144960999),
    (1154960000, 1154960999),
    (1164960000, 1164960999),
    (1174960000, 1174960999),
    (1184960000, 1184960999),
    (1214960000, 1214960999),
    (1314960000, 1314960999),
    (1414960000, 1414960999),
    (1514960000, 1514960999),
    (1614960000, 1614960999),
    (1914980000, 1914980999),
    (2079460000, 2079460999),
    (2896496000, 2896496999),
    (2920180000, 2920180999),
    (3069990000, 3069990999),
    (8081570000, 8081570999),
    (9098790000, 9098790999),
)


def national_digits(number: str) -> str | None:
    """The UK national form (``07700900123``) of a number written in any common way.

    Returns ``None`` when ``number`` is not a UK number of a plausible length.

    Raises:
        Nothing: anything unreadable gives ``None``.
    """
    digits = "".join(ch for ch in number if ch.isdigit())
    international = number.lstrip().startswith("+") or digits.startswith("00")
    if international:
        digits = digits[2:] if digits.startswith("00") else digits
        if not digits.startswith("44"):
            return None
        rest = digits[2:]
        digits = rest if rest.startswith("0") else "0" + rest
    if digits.startswith("0") and 10 <= len(digits) <= 11:
        return digits
    return None


def _in_drama_range(national: str) -> bool:
    value = int(national[1:])
    return any(low <= value <= high for low, high in _DRAMA_RANGES)


def _may_grow_into_a_number(digits: str, plus: bool) -> bool:
    """Whether ``digits`` (so far) can still be the start of a phone number."""
    if plus:
        return len(digits) <= 15 and digits[0] != "0"
    if digits.startswith("00"):
        return len(digits) <= 17 and (len(digits) < 3 or digits[2] != "0")
    if digits.startswith("44"):
        return len(digits) <= 13
    if digits == "4":
        return True
    return len(digits) <= 11 and digits[0] == "0" and (len(digits) < 2 or digits[1] != "0")


@functools.lru_cache(maxsize=4096)
def _classify(digits: str, international: bool) -> tuple[str, float] | None:
    """The number's comparable form and how sure it is a phone number, or ``None``.

    UK numbers compare in national form (``07700900123``); others in E.164. Shapes no UK
    number has are turned away before ``phonenumbers`` is asked.
    """
    if international:
        e164 = "+" + digits.removeprefix("00")
        if not 8 <= len(e164) - 1 <= 15:
            return None
        if digits.startswith("44") and len(digits) not in (12, 13):
            return None
        national = national_digits(e164)
        if national is None:
            try:
                parsed = phonenumbers.parse(e164, None)
            except phonenumbers.NumberParseException:
                return None
            return (e164, 0.85) if phonenumbers.is_valid_number(parsed) else None
    elif digits.startswith("0") and len(digits) in (10, 11):
        national = digits
    else:
        return None
    if national[1] not in _UK_SECOND_DIGITS:
        return None
    if _in_drama_range(national):
        return national, 0.9
    try:
        parsed = phonenumbers.parse(national, "GB")
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_valid_number(parsed):
        return national, 0.9
    if national.startswith("07") and len(national) == 11:
        return national, 0.75
    return None


def _overlaps_any(starts: list[int], ends: list[int], finding: Finding) -> bool:
    """Whether ``finding`` overlaps one of the sorted, non-overlapping spans given."""
    index = bisect.bisect_left(starts, finding.end) - 1
    return index >= 0 and ends[index] > finding.start


def _is_reference(text: str, start: int) -> bool:
    return _REFERENCE_BEFORE.search(text[max(0, start - _BEFORE_WINDOW) : start]) is not None


class PhoneDetector:
    """Finds phone and mobile numbers, leaving out the organisation's own published numbers.

    Raises:
        Nothing on construction; published numbers that are not UK numbers are ignored.
    """

    def __init__(self, published_numbers: Iterable[str] = ()) -> None:
        self._published = frozenset(
            national for number in published_numbers if (national := national_digits(number))
        )

    def detect(self, text: str) -> list[Finding]:
        """Every phone number in ``text``, with its span, score and rule.

        Raises:
            Nothing: any text, however long or odd, gives a list.
        """
        findings = [
            finding
            for match in (_CANDIDATE.finditer(text) if _SIX_DIGITS.search(text) else ())
            for finding in self._numbers_in_run(text, match.start(), match.end())
        ]
        lowered = text.lower()
        if ("zero" in lowered or "oh" in lowered or "nought" in lowered) and (
            _WORDS_PRESENT.search(text)
        ):
            starts = [finding.start for finding in findings]
            ends = [finding.end for finding in findings]
            findings.extend(
                finding
                for finding in self._numbers_in_words(text)
                if not _overlaps_any(starts, ends, finding)
            )
            findings.sort(key=lambda finding: finding.start)
        return findings

    def _numbers_in_run(self, text: str, start: int, end: int) -> Iterator[Finding]:
        groups = [(m.start(), m.end()) for m in _GROUP.finditer(text, start, end)]
        index = 0
        while index < len(groups):
            finding, index = self._longest_number_from(text, groups, index, start)
            if finding is not None:
                yield finding

    def _longest_number_from(
        self, text: str, groups: list[tuple[int, int]], first: int, run_start: int
    ) -> tuple[Finding | None, int]:
        """The longest number starting at group ``first``, and the group after it.

        A run that yields no number at ``first`` moves on by one group.
        """
        plus = first == 0 and text[run_start] == "+"
        span_start = run_start if plus else groups[first][0]
        digits = ""
        best: tuple[Finding | None, int] = (None, first + 1)
        for last in range(first, len(groups)):
            raw = text[groups[first][0] : groups[last][1]]
            digits += text[groups[last][0] : groups[last][1]].translate(_LETTER_ZEROS)
            if not _may_grow_into_a_number(digits, plus):
                break
            letters = raw.count("O") + raw.count("o")
            if letters and len(digits) - letters < 5 or "/" in raw and _DATE.search(raw):
                continue
            international = plus or digits.startswith(("00", "44"))
            classified = _classify(digits, international=international)
            if classified is None:
                continue
            national, score = classified
            if national in self._published or _is_reference(text, span_start):
                best = (None, last + 1)
                continue
            if _PHONE_BEFORE.search(text, max(0, span_start - _BEFORE_WINDOW), span_start):
                score = round(min(1.0, score + 0.05), 2)
            rule = "phone.obfuscated" if letters else "phone.number"
            end = groups[last][1]
            best = (
                Finding(FindingType.PHONE, span_start, end, score, f"{rule}@{_VERSION}"),
                last + 1,
            )
        return best

    def _numbers_in_words(self, text: str) -> Iterator[Finding]:
        for match in _WORD_RUN.finditer(text):
            digits, repeat = "", 1
            tokens = list(_WORD_TOKEN.finditer(match.group()))
            if sum(token.group().isalpha() for token in tokens) < 3:
                continue
            for token in tokens:
                word = token.group().lower()
                if word in ("double", "triple", "treble"):
                    repeat = 2 if word == "double" else 3
                    continue
                digits += (_DIGIT_WORDS.get(word) or word) * repeat
                repeat = 1
            if not digits.startswith("0") or len(digits) not in (10, 11):
                continue
            classified = _classify(digits, international=False)
            if classified is None or classified[0] in self._published:
                continue
            score = classified[1]
            end = match.start() + len(match.group().rstrip(" \t\u00a0,.-"))
            yield Finding(FindingType.PHONE, match.start(), end, score, f"phone.words@{_VERSION}")
