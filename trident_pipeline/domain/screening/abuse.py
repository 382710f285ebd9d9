"""Abuse and threats in a text: policy section 3.1, "using abusive or threatening language".

:class:`AbuseDetector` is what the screener calls. For each text it finds

- ABUSE from the curated lexicon (``lexicon/abuse.txt``, rule ``abuse-lexicon@1``): slurs,
  insults and swearing, and words that insult only when aimed at someone ("you muppet");
- ABUSE from the model (rule ``abuse-model@1``) when the lexicon found none and the text
  speaks to or about someone ("you", "she", "your staff"): a logistic regression over hashed
  word and character n-grams, trained on the OLID tweets (Zampieri et al., 2019, "Predicting
  the Type and Target of Offensive Posts in Social Media", CC BY 4.0) and on generated,
  harmless housing complaints by ``scripts/train_abuse_model.py``, shipped as
  ``models/abuse-model.json``. Untargeted swearing is the lexicon's to find; the model's
  part is abuse aimed at people without a listed word;
- THREAT from :mod:`.threats` (rule ``threat-lexicon@1``).

All three read the canonical text of :mod:`.normalise`, so obfuscation does not hide a word,
and report spans into the original text. Nothing is downloaded: scoring needs numpy only.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from trident_pipeline.domain.screening.findings import Finding, FindingType
from trident_pipeline.domain.screening.normalise import (
    Normalised,
    normalise_batch,
    squeezed_words,
)
from trident_pipeline.domain.screening.threats import ThreatDetector

__all__ = ["LEXICON_RULE", "AbuseDetector", "AbuseLexicon", "AbuseModel", "hashed_features"]

LEXICON_RULE = "abuse-lexicon@1"
_MODEL_FILE = "abuse-model.json"
_OFFENDING_WORD = 0.5
_OFFENDING_MARGIN = 0.15
_LEXICON_FILE = "abuse.txt"


class AbuseDetector:
    """Finds abuse and threats in batches of texts; build it once with :meth:`load`."""

    def __init__(self, model: AbuseModel, lexicon: AbuseLexicon, threats: ThreatDetector) -> None:
        """Combine the three detectors; :meth:`load` builds them from the package data.

        Args:
            model: the abuse model.
            lexicon: the abuse lexicon.
            threats: the threat detector.

        Raises:
            Nothing.
        """
        self._model = model
        self._lexicon = lexicon
        self._threats = threats
        self._word_scores: dict[str, float] = {}  # the model's score of one word alone

    @classmethod
    def load(cls) -> AbuseDetector:
        """Load the shipped model and lexicons from the package data.

        Returns:
            The detector.

        Raises:
            ValueError: when a shipped file is malformed.
            OSError: when the package data cannot be read.
        """
        package = resources.files(__package__)
        model = json.loads(package.joinpath("models", _MODEL_FILE).read_text(encoding="utf-8"))
        lexicon = package.joinpath("lexicon", _LEXICON_FILE).read_text(encoding="utf-8")
        return cls(AbuseModel.from_json(model), AbuseLexicon(lexicon), ThreatDetector.load())

    def detect_batch(self, texts: Sequence[str]) -> list[list[Finding]]:
        """Screen texts for abuse and threats.

        Args:
            texts: the texts as written.

        Returns:
            For each text, in order, its ABUSE and THREAT findings sorted by position, with
            spans into that text.

        Raises:
            TypeError: when an item of ``texts`` is not a ``str``.
        """
        normalised = normalise_batch(texts)
        canonical = [item.text for item in normalised]
        words = squeezed_words(canonical)
        results: list[list[Finding]] = []
        asked: list[int] = []  # no lexicon finding, but aimed at someone: the model decides
        for index, (item, hits, threats, text_words) in enumerate(
            zip(
                normalised,
                self._lexicon.find_batch(normalised, words),
                self._threats.detect_batch(normalised, words),
                words,
                strict=True,
            )
        ):
            if hits:
                abuse = [
                    Finding(FindingType.ABUSE, *item.original_span(start, end), score, LEXICON_RULE)
                    for start, end, score in hits
                ]
                results.append(abuse + threats)
            else:
                if self._lexicon.mentions_person(text_words):
                    asked.append(index)
                results.append(threats)
        if asked:
            probabilities = self._model.probabilities([canonical[index] for index in asked])
            flagged = [
                (index, probability)
                for index, probability in zip(asked, probabilities.tolist(), strict=True)
                if probability >= self._model.threshold
            ]
            spans = self._offending_spans(normalised, [index for index, _ in flagged])
            for (index, probability), span in zip(flagged, spans, strict=True):
                if span is not None:
                    finding = Finding(FindingType.ABUSE, *span, probability, self._model.rule)
                    results[index].append(finding)
        return [sorted(found, key=_position) if len(found) > 1 else found for found in results]

    def _offending_spans(
        self, normalised: Sequence[Normalised], indices: Sequence[int]
    ) -> list[tuple[int, int] | None]:
        """The original span of each text's most offending words, else of the whole text.

        Every word is scored alone by the model; the most offending are those within
        ``_OFFENDING_MARGIN`` of the best, if the best scores at least ``_OFFENDING_WORD``.
        """
        tokens = [[match.span() for match in _TOKEN.finditer(normalised[i].text)] for i in indices]
        words = [
            normalised[i].text[start:end]
            for i, spans in zip(indices, tokens, strict=True)
            for start, end in spans
        ]
        cache = self._word_scores
        unseen = list(dict.fromkeys(word for word in words if word not in cache))
        if len(cache) + len(unseen) > _CACHE_LIMIT:
            cache.clear()
            unseen = list(dict.fromkeys(words))
        if unseen:
            cache.update(zip(unseen, self._model.probabilities(unseen).tolist(), strict=True))
        scores = iter([cache[word] for word in words])
        spans: list[tuple[int, int] | None] = []
        for index, token_spans in zip(indices, tokens, strict=True):
            item = normalised[index]
            scored = [(next(scores), span) for span in token_spans]
            best = max((score for score, _ in scored), default=0.0)
            hits = [span for score, span in scored if score >= best - _OFFENDING_MARGIN]
            if best >= _OFFENDING_WORD:
                spans.append(item.original_span(hits[0][0], hits[-1][1]))
            else:
                spans.append(_whole(item.original))
        return spans


def _position(finding: Finding) -> tuple[int, int, str]:
    return finding.start, finding.end, finding.type.value


def _whole(text: str) -> tuple[int, int] | None:
    """The span of ``text`` without its surrounding white space, or None when that is empty."""
    stripped = text.strip()
    if not stripped:
        return None
    start = text.index(stripped)
    return start, start + len(stripped)


# A whole run of [a-z0-9*] with a letter in it; possessive, so a run of digits (a phone
# number) fails at once rather than being tried again from each of its characters.
_TOKEN = re.compile(r"(?<![a-z0-9*])[0-9*]*+[a-z][a-z0-9*]*+")
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
        tokens = list(_TOKEN.finditer(text))
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


_URL = re.compile(r"(?:https?://|ww+\.)\S+")
_MENTIONS = re.compile(r"(?:@\w+\s*)+")
_WORD_CHARACTERS = np.zeros(129, dtype=bool)
_WORD_CHARACTERS[[ord(c) for c in "abcdefghijklmnopqrstuvwxyz0123456789'*#@_"]] = True
_BASE = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xD6E8FEB86659FD93)
_WORD_SALT = np.uint64(0x5851F42D4C957F2D)
_BIGRAM_SALT = np.uint64(0x14057B7EF767814F)


@dataclass(frozen=True, slots=True)
class AbuseModel:
    """A logistic regression over hashed word and character n-grams of canonical text.

    The features are computed with numpy alone, so scoring needs neither scikit-learn nor
    any download; ``scripts/train_abuse_model.py`` fits the weights with scikit-learn on the
    same features.

    Attributes:
        rule: the finding rule, ``<id>@<version>``.
        bits: the feature space has ``2**bits`` hashed buckets.
        char_ngrams: the smallest and largest character n-gram length.
        word_weight: how much a word or word-pair feature counts against a character one.
        weights: one weight per bucket.
        bias: the intercept.
        threshold: the probability from which a text counts as abusive.
    """

    rule: str
    bits: int
    char_ngrams: tuple[int, int]
    word_weight: float
    weights: np.ndarray
    bias: float
    threshold: float

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> AbuseModel:
        """Build the model from its exported JSON document.

        Args:
            document: the parsed JSON written by ``scripts/train_abuse_model.py``.

        Returns:
            The model.

        Raises:
            ValueError: when the document is malformed or its weights have the wrong size.
        """
        try:
            features = document["features"]
            raw = zlib.decompress(base64.b64decode(document["weights"]["float16_zlib_base64"]))
            weights = np.frombuffer(raw, dtype="<f2").astype(np.float32)
            model = cls(
                rule=f"{document['id']}@{int(document['version'])}",
                bits=int(features["bits"]),
                char_ngrams=(int(features["char_ngrams"][0]), int(features["char_ngrams"][1])),
                word_weight=float(features["word_weight"]),
                weights=weights,
                bias=float(document["bias"]),
                threshold=float(document["threshold"]),
            )
        except (KeyError, IndexError, TypeError, zlib.error, binascii.Error) as error:
            raise ValueError(f"malformed abuse model: {error!r}") from error
        if weights.shape != (1 << model.bits,):
            raise ValueError("abuse model weights do not match its feature space")
        return model

    def features(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Hash the canonical ``texts`` into a sparse feature matrix (see ``hashed_features``).

        Args:
            texts: canonical texts, as made by :func:`normalise`.

        Returns:
            ``(rows, columns, values)`` entries of the matrix, one row per text; entries at the
            same place add up.

        Raises:
            Nothing.
        """
        return hashed_features(texts, self.bits, self.char_ngrams, self.word_weight)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Score canonical ``texts``; a logit above ``logit(threshold)`` means abusive.

        Args:
            texts: canonical texts.

        Returns:
            One logit per text.

        Raises:
            Nothing.
        """
        rows, columns, values = self.features(texts)
        sums = np.bincount(rows, weights=values * self.weights[columns], minlength=len(texts))
        return sums + self.bias

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """The model's probability that each canonical text is abusive.

        Args:
            texts: canonical texts.

        Returns:
            One probability in [0, 1] per text.

        Raises:
            Nothing.
        """
        return 1.0 / (1.0 + np.exp(-self.logits(texts)))


def hashed_features(
    texts: Sequence[str], bits: int, char_ngrams: tuple[int, int], word_weight: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hash canonical texts into word, word-pair and character n-gram features.

    Each text is prepared (links become ``url``, runs of mentions one ``@user``, spaces
    collapsed), then every character n-gram, word and adjacent word pair is hashed with a
    polynomial rolling hash into one of ``2**bits`` buckets. Each occurrence is one entry,
    worth 1 (a character n-gram) or ``word_weight`` (a word or pair), divided by the square
    root of the sum of the squared worths in its text; entries in the same bucket add up.

    Args:
        texts: canonical texts.
        bits: log2 of the number of buckets (at most 32).
        char_ngrams: smallest and largest character n-gram length.
        word_weight: scale of word and word-pair features.

    Returns:
        ``(rows, columns, values)``: one entry per occurrence, as for a COO sparse matrix.

    Raises:
        ValueError: when ``bits`` is outside 1..32 or the n-gram range is empty.
    """
    if not 1 <= bits <= 32 or not 1 <= char_ngrams[0] <= char_ngrams[1]:
        raise ValueError("bits must lie in 1..32 and the n-gram range must not be empty")
    prepared = _prepare(texts)
    lengths = np.fromiter(map(len, prepared), dtype=np.int64, count=len(prepared))
    codes = np.frombuffer("".join(prepared).encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    size = len(codes)
    doc_of = np.repeat(np.arange(len(prepared)), lengths)
    doc_end = np.repeat(np.cumsum(lengths), lengths)
    powers, inverse_powers = _powers(size + 1)
    prefix = np.zeros(size + 1, dtype=np.uint64)
    np.cumsum(codes * powers[:size], out=prefix[1:])
    shift = np.uint64(64 - bits)

    rows: list[np.ndarray] = []
    columns: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    room = doc_end - np.arange(size)  # characters left in its text from each position
    for n in range(char_ngrams[0], char_ngrams[1] + 1):
        count = max(size - n + 1, 0)
        fits = room[:count] >= n  # the n-gram starting there stays inside its text
        hashes = ((prefix[n : n + count] - prefix[:count]) * inverse_powers[:count])[fits]
        rows.append(doc_of[:count][fits])
        columns.append(((hashes ^ np.uint64(n)) * _MIX) >> shift)
        weights.append(np.ones(len(hashes)))

    is_word = _WORD_CHARACTERS[np.minimum(codes, 128)].astype(np.int8)
    edges = np.diff(np.concatenate(([0], is_word, [0])))
    word_starts, word_ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    word_hashes = (prefix[word_ends] - prefix[word_starts]) * inverse_powers[word_starts]
    rows.append(doc_of[word_starts])
    columns.append(((word_hashes ^ _WORD_SALT) * _MIX) >> shift)
    weights.append(np.full(len(word_starts), word_weight))
    same_doc = doc_of[word_starts[1:]] == doc_of[word_starts[:-1]]
    pair_hashes = (word_hashes[:-1] * _BASE + word_hashes[1:])[same_doc]
    rows.append(doc_of[word_starts[1:]][same_doc])
    columns.append(((pair_hashes ^ _BIGRAM_SALT) * _MIX) >> shift)
    weights.append(np.full(len(pair_hashes), word_weight))

    all_rows = np.concatenate(rows)
    values = np.concatenate(weights)
    norms = np.sqrt(np.bincount(all_rows, weights=values * values, minlength=len(prepared)))
    return all_rows, np.concatenate(columns).astype(np.int64), values / norms[all_rows]


def _prepare(texts: Sequence[str]) -> list[str]:
    """Links become ``url``, runs of mentions one ``@user``, spaces one space, padded."""
    prepared = []
    for text in texts:
        if "@" in text or "ww." in text or "://" in text:
            text = _MENTIONS.sub(" @user ", _URL.sub(" url ", text))
        prepared.append(f" {' '.join(text.split())} ")
    return prepared


_POWERS: list[np.ndarray] = [np.ones(0, dtype=np.uint64), np.ones(0, dtype=np.uint64)]


def _powers(size: int) -> tuple[np.ndarray, np.ndarray]:
    if len(_POWERS[0]) < size:
        grown = max(size, 2 * len(_POWERS[0]), 4096)
        _POWERS[0] = np.cumprod(np.full(grown, _BASE, dtype=np.uint64)) * _INVERSE_BASE
        _POWERS[1] = np.cumprod(np.full(grown, _INVERSE_BASE, dtype=np.uint64)) * _BASE
    return _POWERS[0], _POWERS[1]


_INVERSE_BASE = np.uint64(pow(int(_BASE), -1, 1 << 64))
