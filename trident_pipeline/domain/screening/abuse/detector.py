"""The detector the screener calls: the lexicon, the model and the threat rules over a batch.

The model decides only the texts the lexicon found nothing in and that speak to or about
someone; every finding is a span of the original text (see the package's docstring).
"""

from __future__ import annotations

from collections.abc import Sequence

from trident_pipeline.domain.screening.abuse.lexicon import LEXICON_RULE, TOKEN, AbuseLexicon
from trident_pipeline.domain.screening.abuse.model import AbuseModel
from trident_pipeline.domain.screening.findings import Finding, FindingType
from trident_pipeline.domain.screening.normalise import (
    Normalised,
    normalise_batch,
    squeezed_words,
)
from trident_pipeline.domain.screening.threats import ThreatDetector

__all__ = ["AbuseDetector"]

_OFFENDING_WORD = 0.5
_OFFENDING_MARGIN = 0.15
_WORD_SCORE_CACHE_LIMIT = 100_000


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
        return cls(AbuseModel.load(), AbuseLexicon.load(), ThreatDetector.load())

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
        tokens = [[match.span() for match in TOKEN.finditer(normalised[i].text)] for i in indices]
        words = [
            normalised[i].text[start:end]
            for i, spans in zip(indices, tokens, strict=True)
            for start, end in spans
        ]
        cache = self._word_scores
        unseen = list(dict.fromkeys(word for word in words if word not in cache))
        if len(cache) + len(unseen) > _WORD_SCORE_CACHE_LIMIT:
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
