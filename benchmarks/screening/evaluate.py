"""Precision, recall and F1 per finding type on the labelled UK set (``uk_set.jsonl``).

Matching rule: a predicted finding matches a labelled span of the same type when the two
overlap by at least one character. Each labelled span is matched at most once, to the first
unmatched prediction that overlaps it; a prediction matching nothing is a false positive and
a labelled span matched by nothing is a false negative. So a name found as "Gary" where the
label is "Gary Smith" counts as found, and a name split into two findings counts one true and
one false positive. Item level: the policy decision (violation or not, by channel) from the
predictions against the decision from the labels, both through ``decide`` and ``policy.yaml``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from trident_pipeline.config import StaffConfig, read_config
from trident_pipeline.config.policy import PolicyConfig, screening_context
from trident_pipeline.domain.models import Channel
from trident_pipeline.domain.policy import decide
from trident_pipeline.domain.screening import Finding, FindingType, Screener

HERE = Path(__file__).resolve().parent


@dataclass
class Counts:
    """True positives, false positives and false negatives of one finding type."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    """Counts per type, the item-level decision counts, and the misses for inspection."""

    per_type: dict[FindingType, Counts] = field(default_factory=dict)
    decisions: Counts = field(default_factory=Counts)
    errors: list[str] = field(default_factory=list)


def load_items(path: Path = HERE / "uk_set.jsonl") -> list[dict]:
    """The labelled items, in file order."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def load_screener(with_abuse: bool = True) -> tuple[Screener, PolicyConfig]:
    """A screener built from ``config/`` and the CRM residents' names beside this file.

    Raises:
        ImportError: when ``with_abuse`` and the abuse detector is not installed.
    """
    staff = read_config("staff.yaml", StaffConfig)
    policy = read_config("policy.yaml", PolicyConfig)
    residents = [
        line.strip()
        for line in (HERE / "crm_residents.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    context = screening_context(policy, staff, residents)
    screener = Screener.load(context) if with_abuse else Screener(context, None)
    return screener, policy


def evaluate(
    items: Sequence[dict], screener: Screener, policy: PolicyConfig, types: Sequence[FindingType]
) -> Evaluation:
    """Score ``screener`` on ``items`` for ``types``."""
    result = Evaluation(per_type={kind: Counts() for kind in types})
    rules = policy.screening_policy()
    screened = screener.screen_batch([item["text"] for item in items])
    for item, screening in zip(items, screened, strict=True):
        gold = [
            Finding(FindingType(label["type"]), label["start"], label["end"], 1.0, "gold@1")
            for label in item["labels"]
        ]
        for kind in types:
            _match(
                item,
                kind,
                [g for g in gold if g.type is kind],
                [f for f in screening.findings if f.type is kind],
                result,
            )
        channel = Channel(item["channel"])
        expected = decide([g for g in gold if g.type in types], channel, rules).violation
        found = decide(screening.findings, channel, rules).violation
        result.decisions.tp += expected and found
        result.decisions.fp += found and not expected
        result.decisions.fn += expected and not found
    return result


def _match(
    item: dict, kind: FindingType, gold: list[Finding], predicted: list[Finding], result: Evaluation
) -> None:
    counts = result.per_type[kind]
    unmatched = list(gold)
    for finding in predicted:
        hit = next((g for g in unmatched if g.start < finding.end and finding.start < g.end), None)
        if hit is None:
            counts.fp += 1
            result.errors.append(
                f"FP {kind.value} {item['id']}: {item['text'][finding.start : finding.end]!r}"
            )
        else:
            counts.tp += 1
            unmatched.remove(hit)
    counts.fn += len(unmatched)
    result.errors.extend(
        f"FN {kind.value} {item['id']}: {item['text'][g.start : g.end]!r}" for g in unmatched
    )
