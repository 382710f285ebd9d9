"""The curated abuse lexicon (``lexicon/abuse.txt``, rule ``abuse-lexicon@1``).

Slurs, insults and swearing, and words that insult only when aimed at someone ("you
muppet"), matched word by word on the canonical text of :mod:`..normalise`, so repeated,
masked ("f*ck") and spelled-out ("c u n t") words are found too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from trident_pipeline.domain.screening.normalise import Normalised

__all__ = ["LEXICON_RULE", "TOKEN", "AbuseLexicon"]

LEXICON_RULE = "abuse-lexicon@1"
_PACKAGE = "trident_pipeline.domain.screening"  # holds the lexicon/ data directory
_LEXICON_FILE = "abuse.txt"

# A word of canonical text as the lexicon reads it (the detector scores the same words): a
# whole run of [a-z0-9*] with a letter in it; possessive, so a run of digits (a phone
# number) fails at once rather than being tried again from each of its characters.
TOKEN = re.compile(r"(?<![a-z0-9*])[0-9*]*+[a-z][a-z0-9*]*+")
_SQUEEZE = re.compile(r"(.)\1+")
_SELF = re.compile(
    r"(?:\bi\s*'?\s*(?:m|am|was|feel like|felt like|look like|must be)|\bcall(?:ed)? me|\bme"
    r"|\bmyself)\s+(?:(?:a|an|such|total|complete|absolute|proper|right|bit|of|utter|massive"
    r"|little|big|being)\s+){0,3}$"
)
_AIMED_FILLERS = (
    "a|an|absolute|total|complete|utter|proper|fucking|fuckin|fking|fkn|bloody|right|massive|"
    "little|big|fat|ugly|stupid|useless|lazy|thick|bunch|lot|pack|load|set|of|such|two|faced|"
    "just|nothing|but|more|than|another|typical|bent|lying|thieving|dirty|filthy|horrible|"
    "nasty|vile|pathetic|sad|old|silly|incompetent|clueless|arrogant|rude|ignorant|smug|jumped|"
    "up|greedy|corrupt|evil|disgusting|like|the|biggest|worst|brainless|spineless|dumb|daft|"
    "bald|sweaty|miserable"
)
_AIMED_AFTER = re.compile(
    r"\s*(?:$|[^\w\s'*]|(?:and|who|that|like|you|u|mate|pal|lol|haha|x+|then|now|again|or|"
    r"but|if|when|why|how|innit|honestly|seriously|ffs|lmao|smh)\b)"
)
_CATEGORIES = ("slur", "insult", "profanity", "targeted")
_COMMON_WORDS = frozenset(
    "a an the of to up go get you your yours my me it is as in on at end".split()
)
_CACHE_LIMIT = 100_000
_PERSON_WORDS = frozenset(
    "you u ya yous youse ye your ur yer yourself yourselves youre yal he she him her his hers "
    "they them their theirs himself herself themselves".split()
)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One lexicon word or phrase: a pattern per word, its category and score."""

    words: tuple[re.Pattern[str], ...]
    length: int
    category: str
    score: float

    @classmethod
    def parse(cls, phrase: str, category: str, score: float) -> _Entry:
        words = tuple(re.compile(_word_pattern(word)) for word in phrase.split())
        return cls(words, len(phrase.split()[0]), category, score)

    def match(self, tokens: Sequence[re.Match[str]], index: int) -> int | None:
        """The canonical end offset when the entry matches from ``tokens[index]``, else None."""
        if index + len(self.words) > len(tokens):
            return None
        for pattern, token in zip(self.words, tokens[index : index + len(self.words)], strict=True):
            word = token.group()
            if not pattern.fullmatch(word):
                return None
            if "*" in word and len(self.words) == 1 and not _mostly_written(word, self.length):
                return None
        return tokens[index + len(self.words) - 1].end()


def _word_pattern(word: str) -> str:
    """Runs of a letter match when repeated; after the first, may be masked with ``*``."""
    runs = [match.group() for match in re.finditer(r"(.)\1*", word)]
    parts = [f"{re.escape(runs[0][0])}{{{len(runs[0])},}}"]
    parts += [f"(?:{re.escape(run[0])}{{{len(run)},}}|\\*+)" for run in runs[1:]]
    return "".join(parts) + "s*"


def _rarest_word(phrase: str) -> str:
    """The squeezed word of a lexicon phrase best to look for: not common, long, late."""
    words = [_SQUEEZE.sub(r"\1", word) for word in reversed(phrase.split())]
    return min(words, key=lambda word: (word in _COMMON_WORDS, -len(word)))


def _mostly_written(token: str, length: int) -> bool:
    letters = sum(char != "*" for char in token)
    return letters >= 2 and (token[-1] != "*" or 2 * letters >= length)


class AbuseLexicon:
    """The curated abuse lexicon, matched word by word on canonical text."""

    def __init__(self, lexicon: str) -> None:
        """Parse a lexicon in the format of ``lexicon/abuse.txt``.

        Args:
            lexicon: the lexicon's text.

        Raises:
            ValueError: when a line lies outside a section, a section is unknown or has no
                score, or [targeted] words have no [people] to be aimed at.
        """
        self._entries: dict[str, list[_Entry]] = {}
        self._cache: dict[str, list[_Entry]] = {}
        self._masked: dict[str, list[_Entry]] = {}
        spelled: list[tuple[str, float]] = []
        people: list[str] = []
        prefilter: set[str] = set()  # a word each entry needs
        for category, score, items in _sections(lexicon):
            if category == "people":
                people.extend(items)
                continue
            if category not in _CATEGORIES or score is None:
                raise ValueError(f"unknown or unscored abuse lexicon section [{category}]")
            for item in items:
                entry = _Entry.parse(item, category, score)
                prefilter.add(_rarest_word(item))
                self._entries.setdefault(_SQUEEZE.sub(r"\1", item.split()[0]), []).append(entry)
                self._masked.setdefault(item[0], []).append(entry)
                if len(entry.words) == 1 and category != "targeted" and len(item) >= 4:
                    spelled.append((_word_pattern(item), score))
        self._keys = frozenset((*prefilter, *(key + "s" for key in prefilter)))
        for entries in (*self._entries.values(), *self._masked.values()):
            entries.sort(key=lambda entry: -len(entry.words))
        if not people and any(
            e.category == "targeted" for es in self._entries.values() for e in es
        ):
            raise ValueError("abuse lexicon has [targeted] words but no [people]")
        self._spelled = re.compile("|".join(f"({pattern})" for pattern, _ in spelled))
        self._spelled_scores = [score for _, score in spelled]
        subjects = "|".join(re.escape(p) for p in sorted(people, key=len, reverse=True))
        self._aimed = re.compile(
            r"(?:\b(?:you|u|ya|yous|youse|ye|you lot|you people|you all|ur|your|yer|you'?re)"
            r"(?:\s+(?:are|re|r|were|is))?"
            r"|\b(?:he|she|they|them|him|her)\s*(?:'s|s|is|'re|re|are|was|were)"
            rf"|\b(?:(?:your|ur|the|that|this|these|those|all|all the|all your)\s+)?(?:{subjects})"
            r"\s*(?:'s|s|is|'re|re|are|was|were)"
            r"|\b(?:what|such)"
            r"|\b(?:bunch|pack|load|shower|gang|band|lot) of)"
            rf"\s+(?:(?:{_AIMED_FILLERS})\s+){{0,6}}$"
        )
        self._person = _PERSON_WORDS | {
            _SQUEEZE.sub(r"\1", person.split()[-1]) for person in people
        }

    @classmethod
    def load(cls) -> AbuseLexicon:
        """Parse the lexicon shipped in the package (``lexicon/abuse.txt``).

        Returns:
            The lexicon.

        Raises:
            ValueError: when the shipped lexicon is malformed.
            OSError: when the package data cannot be read.
        """
        lexicon = resources.files(_PACKAGE).joinpath("lexicon", _LEXICON_FILE)
        return cls(lexicon.read_text(encoding="utf-8"))

    def find_batch(
        self, texts: Sequence[Normalised], words: Sequence[frozenset[str]]
    ) -> list[list[tuple[int, int, float]]]:
        """Find the lexicon's words in canonical texts.

        Args:
            texts: the texts, as made by :func:`~.normalise.normalise_batch`.
            words: their words, as made by :func:`~.normalise.squeezed_words`; a text with none
                of the lexicon's words, no masked word and no spelled-out word is not read.

        Returns:
            For each text, in order, ``(start, end, score)`` spans of its canonical text,
            sorted and not overlapping.

        Raises:
            ValueError: when ``texts`` and ``words`` differ in length.
        """
        if len(texts) != len(words):
            raise ValueError("the lexicon needs the words of every text")
        keys = self._keys
        return [
            self._find(text)
            if not keys.isdisjoint(text_words) or "*" in text.text or text.joined
            else []
            for text, text_words in zip(texts, words, strict=True)
        ]

    def _find(self, normalised: Normalised) -> list[tuple[int, int, float]]:
        text = normalised.text
        tokens = list(TOKEN.finditer(text))
        hits: list[tuple[int, int, float]] = []
        for index, token in enumerate(tokens):
            for entry in self._candidates(token.group()):
                end = entry.match(tokens, index)
                start = token.start()
                if end is None or (
                    entry.category in ("insult", "targeted")
                    and _SELF.search(text, max(0, start - 40), start)
                ):
                    continue
                if entry.category == "targeted":
                    aimed = self._aimed.search(text, max(0, start - 80), start)
                    if aimed is None or not _AIMED_AFTER.match(text, end):
                        continue
                    start = aimed.start()
                hits.append((start, end, entry.score))
                break
        for start, end in normalised.joined:
            for spelled in self._spelled.finditer(text, start, end):
                if spelled.lastindex is not None:
                    score = self._spelled_scores[spelled.lastindex - 1]
                    hits.append((spelled.start(), spelled.end(), score))
        return _merge(hits)

    def mentions_person(self, words: frozenset[str]) -> bool:
        """Whether a text speaks to or about a person ("you", "she", "your staff").

        Args:
            words: the text's words, as made by :func:`~.normalise.squeezed_words`.

        Returns:
            True when a personal pronoun or one of the lexicon's [people] occurs.

        Raises:
            Nothing.
        """
        return not self._person.isdisjoint(words)

    def _candidates(self, token: str) -> list[_Entry]:
        found = self._cache.get(token)
        if found is None:
            key = _SQUEEZE.sub(r"\1", token)
            found = self._entries.get(key, [])
            if not found and key.endswith("s"):
                found = self._entries.get(key[:-1], [])
            if "*" in token:
                found = found + self._masked.get(token[0], [])
            if len(self._cache) < _CACHE_LIMIT:
                self._cache[token] = found
        return found


def _sections(lexicon: str) -> list[tuple[str, float | None, list[str]]]:
    sections: list[tuple[str, float | None, list[str]]] = []
    for number, raw in enumerate(lexicon.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = re.fullmatch(r"\[([a-z]+)(?:\s+(0(?:\.\d+)?|1(?:\.0+)?))?\]", line)
        if header:
            score = float(header.group(2)) if header.group(2) else None
            sections.append((header.group(1), score, []))
        elif not sections:
            raise ValueError(f"abuse lexicon line {number} lies outside any section")
        else:
            sections[-1][2].extend(item.strip() for item in line.split(",") if item.strip())
    return sections


def _merge(spans: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    merged: list[tuple[int, int, float]] = []
    for start, end, score in sorted(spans):
        if merged and start < merged[-1][1]:
            last_start, last_end, last_score = merged[-1]
            merged[-1] = (last_start, max(end, last_end), max(score, last_score))
        else:
            merged.append((start, end, score))
    return merged
