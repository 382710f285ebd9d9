"""Train the abuse model on OLID and export it as package data.

The model is a logistic regression (scikit-learn, liblinear, L2, balanced class weights) over
the hashed word and character n-grams of :func:`trident_pipeline.domain.screening.abuse.hashed_features`
computed on the canonical text of ``normalise``. Training is deterministic: the same data
gives the same file, byte for byte. Scoring needs numpy only; scikit-learn is needed here.

Data: the OLID v1.0 training set (Zampieri et al., 2019, "Predicting the Type and Target of
Offensive Posts in Social Media", SemEval-2019 Task 6; CC BY 4.0), label ``subtask_a``
(OFF = abusive). Usage, from the repository root, with scikit-learn==1.9.1 installed::

    python scripts/train_abuse_model.py /work/shared/data/olid/olid-training-v1.0.tsv

which writes ``trident_pipeline/domain/screening/models/abuse-model.json`` (``--output`` to
write elsewhere). ``benchmarks/olid/cross_validate.py`` uses :func:`train` for every fold.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import json
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
import sklearn
from sklearn.linear_model import LogisticRegression

from trident_pipeline.domain.screening.abuse import hashed_features
from trident_pipeline.domain.screening.normalise import normalise

__all__ = ["MODEL_ID", "MODEL_VERSION", "read_olid", "train"]

MODEL_ID = "abuse-model"
MODEL_VERSION = 1
BITS = 18
CHAR_NGRAMS = (2, 5)
WORD_WEIGHT = 1.0
C = 4.0
THRESHOLD = 0.5
SEED = 20190101
DEFAULT_OUTPUT = (
    Path(__file__).resolve().parents[1]
    / "trident_pipeline/domain/screening/models/abuse-model.json"
)
CITATION = (
    "Zampieri, Malmasi, Nakov, Rosenthal, Farra and Kumar (2019), 'Predicting the Type and "
    "Target of Offensive Posts in Social Media', NAACL-HLT; OLID v1.0 training set, CC BY 4.0"
)


def read_olid(path: Path) -> tuple[list[str], np.ndarray]:
    """Read the OLID training TSV: the tweets and whether each is offensive (subtask A).

    Fields are tab-separated and unquoted, except that some tweets are wrapped in double quotes
    with inner quotes doubled; those are unwrapped.

    Args:
        path: the ``olid-training-v1.0.tsv`` file.

    Returns:
        The tweets and a 0/1 array, 1 for OFF.

    Raises:
        OSError: when the file cannot be read.
        ValueError: when the header or a row is not OLID's.
    """
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or rows[0][:3] != ["id", "tweet", "subtask_a"]:
        raise ValueError(f"{path} is not the OLID training TSV")
    texts: list[str] = []
    labels: list[int] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != 5 or row[2] not in ("OFF", "NOT"):
            raise ValueError(f"{path} line {number} is not an OLID row")
        tweet = row[1]
        if len(tweet) >= 2 and tweet[0] == tweet[-1] == '"':
            tweet = tweet[1:-1].replace('""', '"')
        texts.append(tweet)
        labels.append(int(row[2] == "OFF"))
    return texts, np.array(labels, dtype=np.int64)


def train(texts: Sequence[str], labels: np.ndarray) -> dict[str, Any]:
    """Fit the model and return its exportable JSON document (without training provenance).

    Args:
        texts: the texts as written.
        labels: 1 for abusive, 0 otherwise, one per text.

    Returns:
        The document :meth:`AbuseModel.from_json` reads.

    Raises:
        ValueError: when ``texts`` and ``labels`` differ in length or hold one class only.
    """
    if len(texts) != len(labels) or len(set(labels.tolist())) != 2:
        raise ValueError("need one label per text and both classes")
    rows, columns, values = hashed_features(
        [normalise(text).text for text in texts], BITS, CHAR_NGRAMS, WORD_WEIGHT
    )
    matrix = scipy.sparse.csr_matrix((values, (rows, columns)), shape=(len(texts), 1 << BITS))
    classifier = LogisticRegression(
        C=C, solver="liblinear", class_weight="balanced", random_state=SEED, max_iter=1000
    )
    classifier.fit(matrix, labels)
    weights = classifier.coef_[0].astype("<f2")
    return {
        "id": MODEL_ID,
        "version": MODEL_VERSION,
        "features": {
            "bits": BITS,
            "char_ngrams": list(CHAR_NGRAMS),
            "word_weight": WORD_WEIGHT,
            "text": "trident_pipeline.domain.screening.normalise.normalise(text).text",
        },
        "bias": round(float(classifier.intercept_[0]), 6),
        "threshold": THRESHOLD,
        "weights": {
            "float16_zlib_base64": base64.b64encode(
                zlib.compress(weights.tobytes(), 9)
            ).decode("ascii"),
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Train on the OLID file named on the command line and write the model JSON.

    Args:
        argv: command-line arguments; ``sys.argv[1:]`` when None.

    Returns:
        The exit status, 0.

    Raises:
        OSError: when the data cannot be read or the model cannot be written.
        ValueError: when the data is not OLID's.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("olid", type=Path, help="olid-training-v1.0.tsv")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    arguments = parser.parse_args(argv)
    texts, labels = read_olid(arguments.olid)
    document = train(texts, labels)
    document["training"] = {
        "data": "OLID v1.0 training set, subtask_a (OFF = abusive)",
        "data_sha256": hashlib.sha256(arguments.olid.read_bytes()).hexdigest(),
        "rows": len(texts),
        "citation": CITATION,
        "command": "python scripts/train_abuse_model.py olid-training-v1.0.tsv",
        "estimator": f"sklearn.linear_model.LogisticRegression(C={C}, solver='liblinear', "
        f"class_weight='balanced', random_state={SEED})",
        "scikit_learn": sklearn.__version__,
        "numpy": np.__version__,
    }
    arguments.output.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    print(f"wrote {arguments.output} ({arguments.output.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
