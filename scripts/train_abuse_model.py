"""Train the abuse model on OLID and export it as package data.

The model is a logistic regression (scikit-learn, liblinear, L2, balanced class weights) over
the hashed word and character n-grams of ``abuse.hashed_features``, computed on the canonical
text of ``normalise``. Training is deterministic: the same data gives the same file, byte for
byte. Scoring needs numpy only; training needs scikit-learn.

Data: the OLID v1.0 training set (Zampieri et al., 2019, "Predicting the Type and Target of
Offensive Posts in Social Media", SemEval-2019 Task 6; CC BY 4.0), label ``subtask_a``
(OFF = abusive), plus :func:`housing_complaints`: sentences generated from the templates below
in the voice of residents reporting repairs with strong but harmless words ("the boiler is
dead", "the damp is killing me", "this is a disgrace"), labelled not abusive. OLID alone
teaches the model that any angry sentence is offensive, and flagged half of such complaints.

Usage, from the repository root, with scikit-learn==1.9.1 installed::

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
import random
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

__all__ = ["MODEL_ID", "MODEL_VERSION", "housing_complaints", "read_olid", "train"]

MODEL_ID = "abuse-model"
MODEL_VERSION = 1
BITS = 18
CHAR_NGRAMS = (2, 5)
WORD_WEIGHT = 1.0
C = 4.0
THRESHOLD = 0.6
SEED = 20190101
COMPLAINTS = 1000
DEFAULT_OUTPUT = (
    Path(__file__).resolve().parents[1]
    / "trident_pipeline/domain/screening/models/abuse-model.json"
)
CITATION = (
    "Zampieri, Malmasi, Nakov, Rosenthal, Farra and Kumar (2019), 'Predicting the Type and "
    "Target of Offensive Posts in Social Media', NAACL-HLT; OLID v1.0 training set, CC BY 4.0"
)


def _choices(words: str) -> tuple[str, ...]:
    return tuple(words.split("|"))


# Templates of harmless complaints: a thing in a home, a strong way of saying it is broken,
# and what residents add. Strong words here are about things, never aimed at a person.
_THINGS = _choices(
    "the boiler|my boiler|the heating|the central heating|the radiator|the radiators|the damp|"
    "the mould|the black mould|the condensation|the leak|the roof|the ceiling|the window|"
    "the windows|the front door|the back door|the lock|the lift|the stairs|the stairwell|"
    "the landing lights|the fence|the gate|the bins|the bin store|the drains|the toilet|"
    "the shower|the bath|the sink|the taps|the kitchen|the cooker|the extractor fan|the wiring|"
    "the electrics|the smoke alarm|the intercom|the guttering|the walls|the carpet|the floor|"
    "the garden|the estate|the car park|the communal area|the hallway|my flat|the house|"
    "this flat|the property|the repairs line|the call centre|the phone line|the app|"
    "the website|the rent|the service charge|the hot water|the water pressure|the fire door|"
    "the door entry|the playground|the pipes|the loft|the balcony|the damp patch|the plaster|"
    "the shower tray|the washing machine|the fridge"
)
_STATES = _choices(
    "is dead|is dead again|has died|has packed up|is shot|is knackered|is broken|is bust|"
    "is smashed|is kaput|is killing me|is killing us|is a disgrace|is disgusting|is vile|"
    "is a joke|is a nightmare|is a death trap|is lethal|is dangerous|is a dump|is a tip|"
    "is rubbish|is shocking|is appalling|is horrendous|is unbearable|is ridiculous|is pathetic|"
    "is useless|is crap|is bloody useless|is falling apart|stinks|reeks|is a health hazard|"
    "is beyond a joke|is driving me mad|is driving me insane|is doing my head in|"
    "is making my kids ill|keeps cutting out|blew up|is on its last legs|"
    "has given up the ghost|is freezing|is boiling|is filthy|is a mess|is leaking again|"
    "is hanging off|is rotten|is cracked|is stone cold|is a fire risk|is an absolute state|"
    "is a bloody nightmare|is hell|is torture|is wrecked|got smashed by the wind|is battered|"
    "took a beating in the storm|is a total write off|has been dead for weeks|"
    "is black with mould|is crawling with damp|is soaking"
)
_OPENERS = _choices(
    "|honestly|seriously|again|for the third time|hi,|morning,|@tridentgrp|still waiting,|"
    "fed up,|sorry to moan but|not again,|day 12 and|update:|just so you know|hello,|ffs|ugh|"
    "right,|yet again"
)
_REMARKS = _choices(
    "please send someone|when will this be fixed?|I've reported it 3 times|"
    "can someone call me back|I've got kids here|it's been weeks|I'm at the end of my tether|"
    "I'm sick to death of it|I'm fuming|I'm livid|what a joke|absolutely shocking|"
    "this is unacceptable|I'll be going to the ombudsman|I'm making a formal complaint|"
    "thanks for nothing|cheers|no one has been out|my son has asthma|"
    "I'm disabled and can't cope|we can't live like this|the engineer never turned up|"
    "you said you'd call back|your staff never answer|your contractor left a mess|"
    "the surveyor said it's condensation|he said it would be done last week|"
    "she told me to open a window|they keep cancelling|you keep fobbing me off|"
    "your call centre kept me on hold for an hour|nobody has bothered to reply|"
    "I've been waiting since March|it's the fourth time I've asked|I'm at my wits end|"
    "I'm paying rent for this|my kids are freezing|I can't sleep|it's costing me a fortune|"
    "thank you for sorting it|the engineer was brilliant|your team were lovely|"
    "thanks to the caretaker|the contractor did a great job|I'll hit you up with photos|"
    "can you shoot me an email|I could kill for a hot bath|it nearly killed me on the stairs|"
    "I nearly broke my neck|I'm dying of cold|my back is killing me|"
    "someone is going to get hurt on it|it's a miracle nobody has been hurt|"
    "I'm going to kill this mould myself"
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


def housing_complaints(count: int, seed: int) -> list[str]:
    """Generate residents' complaints that use strong words harmlessly, from fixed templates.

    Args:
        count: how many sentences.
        seed: the seed of the generator; the same seed gives the same sentences.

    Returns:
        The sentences.

    Raises:
        ValueError: when ``count`` is negative.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    rng = random.Random(seed)
    sentences = []
    for _ in range(count):
        complaint = f"{rng.choice(_THINGS)} {rng.choice(_STATES)}"
        form = rng.randrange(5)
        if form == 1:
            complaint = f"{complaint}, {rng.choice(_REMARKS)}"
        elif form == 2:
            complaint = f"{rng.choice(_OPENERS)} {complaint}. {rng.choice(_REMARKS)}"
        elif form == 3:
            complaint = f"{complaint} and {rng.choice(_THINGS)} {rng.choice(_STATES)}"
        elif form == 4:
            complaint = f"{rng.choice(_REMARKS)}. {complaint}"
        complaint = complaint.strip()
        sentences.append(complaint[0].upper() + complaint[1:] if rng.random() < 0.6 else complaint)
    return sentences


def train(texts: Sequence[str], labels: np.ndarray) -> dict[str, Any]:
    """Fit the model, with the generated complaints added as not abusive.

    Args:
        texts: the texts as written.
        labels: 1 for abusive, 0 otherwise, one per text.

    Returns:
        The document :meth:`AbuseModel.from_json` reads, without training provenance.

    Raises:
        ValueError: when ``texts`` and ``labels`` differ in length or hold one class only.
    """
    if len(texts) != len(labels) or len(set(labels.tolist())) != 2:
        raise ValueError("need one label per text and both classes")
    complaints = housing_complaints(COMPLAINTS, SEED)
    texts = [*texts, *complaints]
    labels = np.concatenate([labels, np.zeros(len(complaints), dtype=labels.dtype)])
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
            "float16_zlib_base64": base64.b64encode(zlib.compress(weights.tobytes(), 9)).decode(
                "ascii"
            ),
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
        "data": "OLID v1.0 training set, subtask_a (OFF = abusive); "
        f"{COMPLAINTS} generated housing complaints (not abusive)",
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
