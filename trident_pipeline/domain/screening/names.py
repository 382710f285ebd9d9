"""Naming individuals (policy section 3.1): staff, residents and members of the public.

Four rules, each a ``rule`` id on its findings:

- ``names.staff`` and ``names.resident``: the full names of staff (from configuration) and
  of residents (from CRM contacts, when the caller has them), in any case.
- ``names.title``: a title and a name, ``Mrs Okafor``, ``mr patel``, ``Dr Ayesha Khan``.
- ``names.person``: a given name from the shipped names lists (``data/``), with a surname if
  one follows (``Gary Smith``). A given name that is also an ordinary word, a place or a month
  (``Will``, ``Rose``, ``Chester``, ``May``) needs context: a word before it such as
  "neighbour", "called", "spoke to" or "thanks", or after it such as "from repairs",
  "at number 12", "next door" or a verb ("said", "keeps"). Names written in lower case need
  context too, and those that are ordinary words ("will", "may") never count in lower case;
  in a text written all in capitals every name needs context.

The names we sign our own replies with (responders' pseudonyms) are not a finding when a
resident repeats them ("Thanks Sam"), unless the context shows the name belongs to someone
else ("my neighbour Sam"). A name that is part of a place or a shop ("Victoria Road",
"St George's", "John Lewis") is not a person.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

from trident_pipeline.domain.screening.findings import Finding, FindingType

__all__ = ["NameDetector", "NamesLists"]

_VERSION = "1"

_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*")
# The words of an ASCII text without apostrophes or hyphens: the same, found quicker.
_ASCII_LETTERS = re.compile(r"[A-Za-z]+")
# The bytes of an ASCII text as ``_casefolded_words`` reads them: letters lower-cased,
# apostrophes and hyphens kept (they may join letters into one word), anything else a space.
_ASCII_WORD_BYTES = bytes(
    ord(chr(code).lower()) if chr(code) in string.ascii_letters + "'-" else ord(" ")
    for code in range(256)
)
_CHUNK = re.compile(r"\S+")
_UPPER = re.compile(r"[A-Z]")
_CAPITALISED = re.compile(r"(?<![^\W\d_])[^\W\d_a-z][^\W\d_]*")
_LOWER = re.compile(r"[a-z]")
_BLOCK_MARKERS = ("@", "://", "www.", "#")
_SENTENCE_END = re.compile(r"[.!?\n:;\"\u201c]")
_POSSESSIVE = ("'s", "\u2019s")

_TITLES = frozenset({"mr", "mrs", "ms", "mx", "dr", "cllr", "councillor", "sir", "dame", "rev"})
_CAPITALISED_TITLES = frozenset({"miss"})
# Words after a given name that make it part of a place, an institution or a shop.
_PLACE_AFTER = frozenset(
    """
    road rd street st avenue ave lane close drive way court crescent place gardens grove
    terrace square mews house tower towers lodge heights hospital school academy college
    university centre center station line bridge surgery practice church chapel mosque temple
    primary infirmary estate library stadium arena museum theatre cinema pub inn hotel market
    shopping retail dock quay wharf airport cottage cottages farm manor villa
    """.split()
)
# Place words that are also common surnames ("Victoria Park" but "Pauline Ward"): a place only
# after a given name that needs context anyway.
_PLACE_OR_SURNAME_AFTER = frozenset("ward hall hill park green row walk rise view parade".split())
_ANY_PLACE_AFTER = _PLACE_AFTER | _PLACE_OR_SURNAME_AFTER
_PLACE_BEFORE = frozenset(
    {"st", "saint", "king", "queen", "prince", "princess", "port", "fort", "lake", "mount", "hms"}
)
# Pairs of words with a given name in them that name no one: shops, idioms, dog breeds.
_NOT_PEOPLE = frozenset(
    {
        ("john", "lewis"),
        ("ted", "baker"),
        ("harvey", "nichols"),
        ("william", "hill"),
        ("jack", "wills"),
        ("dorothy", "perkins"),
        ("laura", "ashley"),
        ("papa", "john's"),
        ("ronald", "mcdonald"),
        ("marks", "spencer"),
        ("hail", "mary"),
        ("bloody", "mary"),
        ("tom", "cruise"),
        ("jack", "russell"),
        ("jack", "daniels"),
        ("jack", "daniel's"),
        ("tommy", "hilfiger"),
        ("calvin", "klein"),
        ("rob", "peter"),
        ("pay", "paul"),
        ("doubting", "thomas"),
        ("peeping", "tom"),
        ("smart", "alec"),
        ("uncle", "sam"),
    }
)
_ARTICLES = frozenset({"a", "an", "every", "such", "another", "some"})
# Capitalised words that follow a given name without being a surname.
_NOT_SURNAMES = frozenset(
    """
    i i'm i've i'll i'd the a an and or but so if is are was were has have had will would can
    could should please thanks thank cheers hi hello dear re ref ok yes no not trident
    council housing repairs team manager officer monday tuesday wednesday thursday friday
    saturday sunday january february march april may june july august september october
    november december mum dad lol omg you me him her them us it my your his our their we
    they he she this that christmas easter
    """.split()
)
# Words just before a name: who someone is to the writer, or how they come up.
_RELATION_BEFORE = frozenset(
    """
    neighbour neighbours neighbor neighbors landlord landlady caretaker officer worker manager
    contractor plumber electrician engineer surveyor inspector warden cleaner gardener
    handyman builder joiner technician operative adviser advisor supervisor son daughter
    husband wife partner ex boyfriend girlfriend fiance fiancee mum mother dad father brother
    sister nan nana gran granny grandma grandad grandson granddaughter nephew niece uncle
    aunt auntie cousin friend mate lad bloke fella guy woman lady man girl boy kid child
    tenant lodger resident flatmate housemate colleague boss carer councillor called named
    nicknamed aka
    """.split()
)
_GREETING_BEFORE = frozenset(
    "hi hello hey hiya dear thanks cheers ta morning afternoon evening bye love".split()
)
_PHRASE_BEFORE = frozenset(
    {
        ("spoke", "to"),
        ("speak", "to"),
        ("speaking", "to"),
        ("spoken", "to"),
        ("talked", "to"),
        ("talk", "to"),
        ("talking", "to"),
        ("chatted", "to"),
        ("chatted", "with"),
        ("spoke", "with"),
        ("complained", "about"),
        ("ask", "for"),
        ("asked", "for"),
        ("asking", "for"),
        ("name", "is"),
        ("name", "was"),
        ("thank", "you"),
        ("this", "is"),
        ("called", "by"),
        ("visited", "by"),
        ("letter", "from"),
        ("email", "from"),
        ("call", "from"),
        ("message", "from"),
        ("told", "by"),
        ("i", "am"),
    }
)
_WORDS_BEFORE = frozenset({"name's", "i'm", "im", "named", "called", "aka"})
# Weak cues: enough for a name that is no ordinary word, not for "Will" or "May".
_WEAK_BEFORE = frozenset("ask asked told tell with and by cc per".split())
_STRONG_AFTER = frozenset(
    """
    from said says told tells promised promises rang rings phoned emailed replied shouted
    screams screamed threatened threatens swore attacked keeps kept who who's
    """.split()
)
_WEAK_AFTER = frozenset(
    """
    came comes come was is has had did does didn't doesn't never won't will would could can't
    cannot called calls sent visited left lets let took takes turned parks parked plays played
    smokes smoked knows lives lived works worked sorted fixed helped reported hit and also
    again always still just he she
    """.split()
)
_NUMBER_NEXT = re.compile(r"[ \t]*(?:no\.?[ \t]*)?\d")
_PLACES_AFTER_AT = frozenset({"number", "no", "flat", "the", "house"})


@dataclass(frozen=True, slots=True)
class NamesLists:
    """The shipped names lists, lower-cased: given names, surnames, and given names that are
    also ordinary words (``word_like``) or need context when capitalised (``ambiguous``).

    Raises:
        Nothing: built by :meth:`load`.
    """

    given: frozenset[str]
    surnames: frozenset[str]
    ambiguous: frozenset[str]
    word_like: frozenset[str]

    @classmethod
    @functools.cache
    def load(cls) -> NamesLists:
        """Read the lists from package data once per process.

        Raises:
            FileNotFoundError: when the package was installed without its data files.
        """
        return cls(
            given=_read_list("first_names.txt"),
            surnames=_read_list("surnames.txt"),
            ambiguous=_read_list("ambiguous_names.txt"),
            word_like=_read_list("word_like_names.txt"),
        )


def _read_list(name: str) -> frozenset[str]:
    text = (
        resources.files("trident_pipeline.domain.screening.data")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


class _Token(NamedTuple):
    start: int
    end: int
    text: str
    key: str
    possessive: bool


class _Tokens:
    """The words of a text, each turned into a :class:`_Token` only when first looked at."""

    __slots__ = ("_cache", "_matches")

    def __init__(self, matches: list[re.Match[str]]) -> None:
        # The matches are kept; a token is made only for the words a rule looks at.
        self._matches = matches
        self._cache: dict[int, _Token] = {}

    def __len__(self) -> int:
        return len(self._matches)

    def __getitem__(self, index: int) -> _Token:
        token = self._cache.get(index)
        if token is None:
            match = self._matches[index]
            word = match.group()
            possessive = word.endswith(_POSSESSIVE) and len(word) > 3
            base = word[:-2] if possessive else word
            token = _Token(match.start(), match.end(), base, base.casefold(), possessive)
            self._cache[index] = token
        return token

    def worth_a_look(self, keys: frozenset[str], lower_case_keys: frozenset[str]) -> list[int]:
        """The indices of words in ``keys`` (``lower_case_keys`` if written in lower case).

        Possessive (``Gary's``) and hyphenated (``Mary-Jane``) words count by their name.
        """
        found = []
        for index, match in enumerate(self._matches):
            word = match.group()
            key = word.casefold()
            if "-" in key or key.endswith(_POSSESSIVE):
                key = _given_key(key[:-2] if key.endswith(_POSSESSIVE) else key)
            if key in (lower_case_keys if word.islower() else keys):
                found.append(index)
        return found


class NameDetector:
    """Finds people named in a text.

    Args:
        staff_names: full names of staff whose naming breaks the policy.
        pseudonyms: the first names or pseudonyms responders sign with; exempt on their own.
        resident_names: full names of residents from CRM contacts, when available.
        lists: the names lists; the shipped ones by default.

    Raises:
        FileNotFoundError: when the shipped lists are missing (see :meth:`NamesLists.load`).
    """

    def __init__(
        self,
        staff_names: Iterable[str] = (),
        pseudonyms: Iterable[str] = (),
        resident_names: Iterable[str] = (),
        lists: NamesLists | None = None,
    ) -> None:
        self._lists = lists or NamesLists.load()
        self._pseudonyms = frozenset(name.casefold() for name in pseudonyms)
        self._known: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for names, rule in ((staff_names, "names.staff"), (resident_names, "names.resident")):
            for name in names:
                parts = tuple(part.casefold() for part in _TOKEN.findall(name))
                if len(parts) >= 2:
                    self._known.setdefault(parts[0], []).append((parts, rule))
        # Words worth a closer look: any given name, title or first word of a known full name;
        # in lower case not the given names that are ordinary words and never count so.
        self._worth_a_look = self._lists.given | _TITLES | _CAPITALISED_TITLES | set(self._known)
        self._worth_in_lower_case = self._worth_a_look - (
            self._lists.ambiguous - _TITLES - set(self._known)
        )

    def detect(self, text: str) -> list[Finding]:
        """Every person named in ``text``, with its span, score and rule.

        Raises:
            Nothing: any text gives a list.
        """
        if not self._anything_to_look_at(text):
            return []
        tokens = _tokens(text)
        shouting = _is_shouting(text)
        findings: list[Finding] = []
        after_last = 0
        for index in tokens.worth_a_look(self._worth_a_look, self._worth_in_lower_case):
            if index < after_last:
                continue
            found = (
                self._known_name(text, tokens, index)
                or self._titled_name(text, tokens, index)
                or self._given_name(text, tokens, index, shouting)
            )
            if found is not None:
                finding, after_last = found
                findings.append(finding)
        return findings

    def _anything_to_look_at(self, text: str) -> bool:
        """A quick test, in C-speed set operations, for any word worth a closer look."""
        keys = _casefolded_words(text)
        hits = keys.intersection(self._worth_a_look)
        if "-" in text or "'s" in text or "\u2019s" in text:
            hits.update(
                key
                for word in keys
                if "-" in word or word.endswith(_POSSESSIVE)
                if (key := _given_key(word[:-2] if word.endswith(_POSSESSIVE) else word))
                in self._worth_a_look
            )
        # A word that counts only when not in lower case must appear so at least once.
        return any(
            key in self._worth_in_lower_case or key.title() in text or key.upper() in text
            for key in hits
        )

    def _known_name(self, text: str, tokens: _Tokens, index: int) -> tuple[Finding, int] | None:
        for parts, rule in self._known.get(tokens[index].key, ()):
            last = index + len(parts) - 1
            if last < len(tokens) and all(
                tokens[index + offset].key == part and _joined(text, tokens, index + offset)
                for offset, part in enumerate(parts)
                if offset
            ):
                end = tokens[last].end - (2 if tokens[last].possessive else 0)
                finding = Finding(
                    FindingType.PERSON_NAME, tokens[index].start, end, 0.99, f"{rule}@{_VERSION}"
                )
                return finding, last + 1
        return None

    def _titled_name(self, text: str, tokens: _Tokens, index: int) -> tuple[Finding, int] | None:
        title = tokens[index]
        is_title = title.key in _TITLES or (
            title.key in _CAPITALISED_TITLES and title.text[0].isupper()
        )
        if not is_title or index + 1 >= len(tokens):
            return None
        gap = text[title.end : tokens[index + 1].start]
        if gap.strip(" .") or len(gap) > 3:
            return None
        name = tokens[index + 1]
        capitalised = name.text[0].isupper()
        if name.key in _NOT_SURNAMES or not (
            capitalised or title.key in _TITLES and name.key in self._lists.surnames
        ):
            return None
        last = index + 1
        if (
            last + 1 < len(tokens)
            and name.key in self._lists.given
            and tokens[last + 1].text[0].isupper()
            and tokens[last + 1].key not in _NOT_SURNAMES
            and tokens[last + 1].key not in _PLACE_AFTER
            and _joined(text, tokens, last + 1)
        ):
            last += 1
        end = tokens[last].end - (2 if tokens[last].possessive else 0)
        finding = Finding(
            FindingType.PERSON_NAME, title.start, end, 0.95, f"names.title@{_VERSION}"
        )
        return finding, last + 1

    def _given_name(
        self, text: str, tokens: _Tokens, index: int, shouting: bool
    ) -> tuple[Finding, int] | None:
        token = tokens[index]
        lists = self._lists
        if _given_key(token.key) not in lists.given or _in_place_or_shop(
            text, tokens, index, lists.ambiguous
        ):
            return None
        cased = token.text[0].isupper() and not token.text.isupper() and not shouting
        if not cased and (token.text[1:] != token.text[1:].lower() and not token.text.isupper()):
            return None
        last = self._surname_end(text, tokens, index) if cased else index
        before = _cue_before(text, tokens, index)
        after = _cue_after(text, tokens, last)
        if (
            token.key in self._pseudonyms
            and last == index
            and before != "relation"
            and (after != "locality")
        ):
            return None
        if index and tokens[index - 1].key in _ARTICLES and last == index:
            return None
        strong = before in ("relation", "greeting", "phrase") or after in ("locality", "strong")
        context = strong or before is not None or after is not None or token.possessive
        score = self._score(token, cased, last > index, strong, context, text)
        if score is None:
            return None
        end = tokens[last].end - (2 if tokens[last].possessive else 0)
        finding = Finding(
            FindingType.PERSON_NAME, token.start, end, score, f"names.person@{_VERSION}"
        )
        return finding, last + 1

    def _score(
        self, token: _Token, cased: bool, full: bool, strong: bool, context: bool, text: str
    ) -> float | None:
        """How sure a given name is a person's: certain with a surname or strong context."""
        lists = self._lists
        key = _given_key(token.key)
        if cased and key not in lists.ambiguous:
            if full or context:
                return 0.9
            return 0.6 if _sentence_initial(text, token.start) else 0.75
        if cased:
            return 0.85 if strong or full else None
        if key not in lists.word_like:
            return 0.75 if context else None
        if key not in lists.ambiguous:
            return 0.75 if strong else None
        return None

    def _surname_end(self, text: str, tokens: _Tokens, index: int) -> int:
        """The index of the last token of a full name starting at ``index``."""
        last = index
        while last + 1 < len(tokens) and last - index < 2 and not tokens[last].possessive:
            nxt = tokens[last + 1]
            surname = self._is_surname(nxt.key)
            if not (
                nxt.text[0].isupper()
                and _joined(text, tokens, last + 1)
                and nxt.key not in _NOT_SURNAMES
                and nxt.key not in _PLACE_AFTER
                and (surname or nxt.key in self._lists.given)
                and (surname or nxt.key not in self._lists.ambiguous)
            ):
                break
            last += 1
        return last

    def _is_surname(self, key: str) -> bool:
        """Whether ``key`` is a known surname, double-barrelled (``price-jones``) or not."""
        surnames = self._lists.surnames
        if key in surnames or key.replace("'", "").replace("\u2019", "") in surnames:
            return True
        return "-" in key and all(part in surnames for part in key.split("-"))


def _tokens(text: str) -> _Tokens:
    """The words of ``text``, leaving out handles, hashtags, email addresses and links."""
    plain = text.isascii() and "'" not in text and "-" not in text
    matches = list((_ASCII_LETTERS if plain else _TOKEN).finditer(text))
    blocked = _blocked_chunks(text)
    if not blocked:
        return _Tokens(matches)
    kept, chunk = [], 0
    for match in matches:
        while chunk < len(blocked) and blocked[chunk][1] <= match.start():
            chunk += 1
        if chunk == len(blocked) or match.start() < blocked[chunk][0]:
            kept.append(match)
    return _Tokens(kept)


def _blocked_chunks(text: str) -> list[tuple[int, int]]:
    if not any(marker in text for marker in _BLOCK_MARKERS):
        return []
    return [
        (m.start(), m.end())
        for m in _CHUNK.finditer(text)
        if any(marker in m.group() for marker in _BLOCK_MARKERS)
    ]


def _casefolded_words(text: str) -> set[str]:
    """The words of ``text`` case-folded: the set of ``_TOKEN.findall(text.casefold())``.

    For ASCII, the usual case, translating the bytes and splitting them is much quicker than
    the regex, which then reads only the chunks an apostrophe or hyphen is in.
    """
    if not text.isascii():
        return set(_TOKEN.findall(text.casefold()))
    chunks = text.encode("ascii").translate(_ASCII_WORD_BYTES).decode("ascii").split()
    words = set(chunks)
    if "'" in text or "-" in text:
        joined = [chunk for chunk in chunks if not chunk.isalpha()]
        words.difference_update(joined)
        words.update(_TOKEN.findall(" ".join(joined)))
    return words


def _keys(tokens: _Tokens, start: int, count: int) -> list[str]:
    return [tokens[index].key for index in range(start, min(start + count, len(tokens)))]


def _given_key(key: str) -> str:
    """The part of a lower-cased word to look up as a given name: ``mary`` of ``mary-jane``."""
    return key.partition("-")[0] if "-" in key else key


def _is_shouting(text: str) -> bool:
    """Whether the text is written in capitals, so capitals say nothing about names."""
    upper = len(_UPPER.findall(text, 0, 500))
    return upper >= 12 and upper > 4 * len(_LOWER.findall(text, 0, 500))


def _joined(text: str, tokens: _Tokens, index: int) -> bool:
    """Whether token ``index`` follows the one before it with only a space between."""
    gap = text[tokens[index - 1].end : tokens[index].start]
    return 0 < len(gap) <= 2 and not gap.strip()


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 4) : start].rstrip()
    return not before or _SENTENCE_END.search(before[-1]) is not None


def _in_place_or_shop(text: str, tokens: _Tokens, index: int, ambiguous: frozenset[str]) -> bool:
    places = _ANY_PLACE_AFTER if tokens[index].key in ambiguous else _PLACE_AFTER
    if index + 1 < len(tokens) and _joined(text, tokens, index + 1):
        following = tokens[index + 1].key
        if following in places or (tokens[index].key, following) in _NOT_PEOPLE:
            return True
        if (
            index + 2 < len(tokens)
            and tokens[index + 2].key in places
            and tokens[index + 1].text[0].isupper()
            and _joined(text, tokens, index + 2)
        ):
            return True
    return index > 0 and (
        tokens[index - 1].key.rstrip(".") in _PLACE_BEFORE
        or (tokens[index - 1].key, tokens[index].key) in _NOT_PEOPLE
    )


def _cue_before(text: str, tokens: _Tokens, index: int) -> str | None:
    """What the word before a name says: ``relation``, ``greeting``, ``phrase`` or ``weak``."""
    if index == 0:
        return None
    gap = text[tokens[index - 1].end : tokens[index].start]
    if len(gap) > 3 or gap.strip(" ,-:"):
        return None
    previous = tokens[index - 1].key
    earlier = tokens[index - 2].key if index >= 2 else ""
    if previous in _RELATION_BEFORE or (earlier, previous) == ("next", "door"):
        return "relation"
    if previous in _GREETING_BEFORE:
        return "greeting"
    if (earlier, previous) in _PHRASE_BEFORE or previous in _WORDS_BEFORE:
        return "phrase"
    if previous in _WEAK_BEFORE:
        return "weak"
    return None


def _cue_after(text: str, tokens: _Tokens, last: int) -> str | None:
    """What follows a name: ``locality`` (next door), ``strong`` (from, said) or ``weak``."""
    if last + 1 >= len(tokens):
        return None
    gap = text[tokens[last].end : tokens[last + 1].start]
    if len(gap) > 3 or gap.strip(" ,"):
        return None
    following = tokens[last + 1].key
    then = tokens[last + 2].key if last + 2 < len(tokens) else ""
    if (
        following in ("upstairs", "downstairs")
        or (following == "next" and then == "door")
        or (
            following in ("at", "in", "opposite", "across", "from")
            and _NUMBER_NEXT.match(text, tokens[last + 1].end) is not None
        )
        or (following in ("at", "in", "opposite", "across") and then in _PLACES_AFTER_AT)
        or (following == "the" and _RELATION_BEFORE.intersection(_keys(tokens, last + 2, 2)))
    ):
        return "locality"
    if following in _STRONG_AFTER:
        return "strong"
    if following in _WEAK_AFTER:
        return "weak"
    return None
