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
- THREAT from :mod:`..threats` (rule ``threat-lexicon@1``).

All three read the canonical text of :mod:`..normalise`, so obfuscation does not hide a word,
and report spans into the original text. Nothing is downloaded: scoring needs numpy only.

One module per job: :mod:`.lexicon` matches the lexicon, :mod:`.model` hashes texts into
n-gram features and scores them, :mod:`.detector` runs both and the threat rules over a batch.
"""

from trident_pipeline.domain.screening.abuse.detector import AbuseDetector
from trident_pipeline.domain.screening.abuse.lexicon import LEXICON_RULE, AbuseLexicon
from trident_pipeline.domain.screening.abuse.model import AbuseModel, hashed_features

__all__ = ["LEXICON_RULE", "AbuseDetector", "AbuseLexicon", "AbuseModel", "hashed_features"]
