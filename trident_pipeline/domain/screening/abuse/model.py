"""The abuse model: a logistic regression over hashed word and character n-grams.

Trained on the OLID tweets (Zampieri et al., 2019, "Predicting the Type and Target of
Offensive Posts in Social Media", CC BY 4.0) and on generated, harmless housing complaints by
``scripts/train_abuse_model.py``, which fits the weights with scikit-learn on the features of
:func:`hashed_features` and exports them to ``models/abuse-model.json``. Scoring needs numpy
only, and nothing is downloaded.
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

__all__ = ["AbuseModel", "hashed_features"]

_PACKAGE = "trident_pipeline.domain.screening"  # holds the models/ data directory
_MODEL_FILE = "abuse-model.json"
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
    def load(cls) -> AbuseModel:
        """Load the model shipped in the package (``models/abuse-model.json``).

        Returns:
            The model.

        Raises:
            ValueError: when the shipped model is malformed.
            OSError: when the package data cannot be read.
        """
        document = resources.files(_PACKAGE).joinpath("models", _MODEL_FILE)
        return cls.from_json(json.loads(document.read_text(encoding="utf-8")))

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
