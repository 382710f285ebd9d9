"""Cross-validate the abuse model on OLID against alt-profanity-check, on the same folds.

Stratified 5-fold cross-validation on OLID subtask A (OFF = abusive) with a fixed seed. In each
fold the same test tweets are scored by:

- alt-profanity-check's shipped model (``predict_prob`` >= 0.5, i.e. its ``predict``);
- alt-profanity-check's pipeline retrained on the fold's training tweets (TF-IDF with English
  stop words, min_df 0.0001; a sigmoid-calibrated, class-balanced LinearSVC), as its
  ``profanity_check/data`` model was built;
- our model, trained on the fold's training tweets by ``scripts/train_abuse_model.py``'s
  :func:`train`, at its shipped threshold;
- our whole detector (:class:`AbuseDetector` with that model): abusive when it reports any
  ABUSE finding.

Prints a Markdown table of macro-F1 per fold and the mean, with precision and recall of OFF.
Needs scikit-learn==1.9.1 and alt-profanity-check==1.9.1 (see README.md)::

    python benchmarks/olid/cross_validate.py /work/shared/data/olid/olid-training-v1.0.tsv
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from trident_pipeline.domain.screening.abuse import AbuseDetector, AbuseLexicon, AbuseModel
from trident_pipeline.domain.screening.findings import FindingType
from trident_pipeline.domain.screening.normalise import normalise
from trident_pipeline.domain.screening.threats import ThreatDetector

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from train_abuse_model import SEED, read_olid, train  # noqa: E402

__all__ = ["main"]

FOLDS = 5


def _profanity_check_shipped(test_texts: Sequence[str]) -> np.ndarray:
    from profanity_check import predict_prob

    return np.asarray(predict_prob(list(test_texts))) >= 0.5


def _profanity_check_retrained(
    train_texts: Sequence[str], train_labels: np.ndarray, test_texts: Sequence[str]
) -> np.ndarray:
    vectorizer = TfidfVectorizer(stop_words="english", min_df=0.0001)
    classifier = CalibratedClassifierCV(
        LinearSVC(class_weight="balanced", dual=False, tol=1e-2, max_iter=100000),
        method="sigmoid",
    )
    classifier.fit(vectorizer.fit_transform(train_texts), train_labels)
    return classifier.predict(vectorizer.transform(test_texts)) == 1


def _ours(
    detector_parts: tuple[AbuseLexicon, ThreatDetector],
    train_texts: Sequence[str],
    train_labels: np.ndarray,
    test_texts: Sequence[str],
) -> tuple[np.ndarray, np.ndarray]:
    model = AbuseModel.from_json(train(train_texts, train_labels))
    alone = model.probabilities([normalise(text).text for text in test_texts]) >= model.threshold
    detector = AbuseDetector(model, *detector_parts)
    whole = np.array(
        [
            any(finding.type is FindingType.ABUSE for finding in findings)
            for findings in detector.detect_batch(test_texts)
        ]
    )
    return alone, whole


def main(argv: Sequence[str] | None = None) -> int:
    """Run the cross-validation and print the table.

    Args:
        argv: command-line arguments; ``sys.argv[1:]`` when None.

    Returns:
        The exit status, 0.

    Raises:
        OSError: when the data cannot be read.
        ValueError: when the data is not OLID's.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("olid", type=Path, help="olid-training-v1.0.tsv")
    parser.add_argument("--seed", type=int, default=SEED)
    arguments = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    texts, labels = read_olid(arguments.olid)
    lexicon = resources.files("trident_pipeline.domain.screening").joinpath("lexicon", "abuse.txt")
    detector_parts = (AbuseLexicon(lexicon.read_text(encoding="utf-8")), ThreatDetector.load())
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=arguments.seed)
    names = (
        "alt-profanity-check 1.9.1, shipped model",
        "alt-profanity-check pipeline, retrained per fold",
        "ours: abuse model alone",
        "ours: AbuseDetector (lexicon + model)",
    )
    scores: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names}
    for number, (train_index, test_index) in enumerate(folds.split(texts, labels), start=1):
        train_texts = [texts[i] for i in train_index]
        test_texts = [texts[i] for i in test_index]
        truth = labels[test_index]
        predictions = (
            _profanity_check_shipped(test_texts),
            _profanity_check_retrained(train_texts, labels[train_index], test_texts),
            *_ours(detector_parts, train_texts, labels[train_index], test_texts),
        )
        for name, predicted in zip(names, predictions, strict=True):
            scores[name].append(
                (
                    f1_score(truth, predicted, average="macro"),
                    precision_score(truth, predicted),
                    recall_score(truth, predicted),
                )
            )
        print(f"fold {number} done", file=sys.stderr)
    print(_table(scores, arguments.seed, len(texts)))
    return 0


def _table(scores: dict[str, list[tuple[float, float, float]]], seed: int, rows: int) -> str:
    header = " | ".join(f"fold {n}" for n in range(1, FOLDS + 1))
    lines = [
        f"OLID subtask A, {rows} tweets, stratified {FOLDS}-fold CV, seed {seed}: macro-F1",
        "",
        f"| system | {header} | mean macro-F1 | P(OFF) | R(OFF) |",
        "|---" * (FOLDS + 4) + "|",
    ]
    for name, folds in scores.items():
        values = np.array(folds)
        cells = " | ".join(f"{f1:.3f}" for f1 in values[:, 0])
        mean = values.mean(axis=0)
        lines.append(
            f"| {name} | {cells} | **{mean[0]:.3f}** ± {values[:, 0].std():.3f} "
            f"| {mean[1]:.3f} | {mean[2]:.3f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
