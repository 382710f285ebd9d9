"""Screening benchmark: accuracy on the UK set, then throughput and memory against presidio.

Run from the project root with the bench requirements installed (``requirements-bench.txt``)::

    python benchmarks/screening/run.py [--repeat 20] [--rounds 5]

Prints Markdown: precision, recall and F1 per type (ours, and presidio's for the three types
it covers), the item-level policy decision, then messages per second per core for batched
screening, ours against presidio pattern-only in the same run, and peak memory of each in a
fresh process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from evaluate import Counts, evaluate, load_items, load_screener  # noqa: E402
from throughput import measure, ours, presidio_batch  # noqa: E402

from trident_pipeline.domain.screening import Finding, FindingType  # noqa: E402

# (type, what the issue asks of it); None: reported without a target.
TARGETS = {
    FindingType.PHONE: "P >= 0.95, R >= 0.97",
    FindingType.EMAIL: "P >= 0.95, R >= 0.97",
    FindingType.POSTCODE: "P >= 0.95, R >= 0.97",
    FindingType.PERSON_NAME: "F1 >= 0.85",
    FindingType.THREAT: "R >= 0.85",
    FindingType.POSTAL_ADDRESS: None,
    FindingType.ABUSE: None,
}
PRESIDIO_TYPES = {
    "PHONE_NUMBER": FindingType.PHONE,
    "EMAIL_ADDRESS": FindingType.EMAIL,
    "UK_POSTCODE": FindingType.POSTCODE,
}


def met(kind: FindingType, counts: Counts) -> str:
    """Whether ``counts`` meet the issue's target for ``kind``: yes, no or a dash."""
    if TARGETS[kind] is None:
        return "-"
    if kind in (FindingType.PHONE, FindingType.EMAIL, FindingType.POSTCODE):
        ok = counts.precision >= 0.95 and counts.recall >= 0.97
    elif kind is FindingType.PERSON_NAME:
        ok = counts.f1 >= 0.85
    else:
        ok = counts.recall >= 0.85
    return "yes" if ok else "**no**"


class _PresidioScreener:
    """Presidio's results in our shape, so ``evaluate`` can score them the same way."""

    def __init__(self) -> None:
        self._screen = presidio_batch()

    def screen_batch(self, texts: Sequence[str]) -> list[object]:
        results = []
        for found in self._screen(texts):
            findings = tuple(
                Finding(PRESIDIO_TYPES[r.entity_type], r.start, r.end, r.score, "presidio@2.2.366")
                for r in found
                if r.entity_type in PRESIDIO_TYPES and r.end > r.start
            )
            results.append(argparse.Namespace(findings=findings))
        return results


def accuracy_table(items: list[dict], with_abuse: bool) -> list[str]:
    screener, policy = load_screener(with_abuse=with_abuse)
    kinds = [
        kind
        for kind in TARGETS
        if with_abuse or kind not in (FindingType.ABUSE, FindingType.THREAT)
    ]
    ours_result = evaluate(items, screener, policy, kinds)
    theirs = evaluate(items, _PresidioScreener(), policy, list(PRESIDIO_TYPES.values()))
    lines = [
        "| type | labels | precision | recall | F1 | target | met | presidio P / R / F1 |",
        "|---|---:|---:|---:|---:|---|---|---|",
    ]
    for kind in kinds:
        counts = ours_result.per_type[kind]
        other = theirs.per_type.get(kind)
        presidio = f"{other.precision:.3f} / {other.recall:.3f} / {other.f1:.3f}" if other else "-"
        lines.append(
            f"| {kind.value} | {counts.tp + counts.fn} | {counts.precision:.3f} | "
            f"{counts.recall:.3f} | {counts.f1:.3f} | {TARGETS[kind] or '-'} | "
            f"{met(kind, counts)} | {presidio} |"
        )
    decisions = ours_result.decisions
    lines.append(
        f"| *item violation (policy.yaml, by channel)* | {decisions.tp + decisions.fn} | "
        f"{decisions.precision:.3f} | {decisions.recall:.3f} | {decisions.f1:.3f} | - | - | - |"
    )
    return lines


def throughput_table(texts: list[str], rounds: int, with_abuse: bool) -> list[str]:
    engines = {"ours": lambda: ours(lambda: load_screener(with_abuse=with_abuse)[0])}
    if with_abuse:
        engines["ours, no abuse/threat"] = lambda: ours(lambda: load_screener(False)[0])
    engines["presidio"] = presidio_batch
    results = {r.name: r for r in measure(engines, texts, rounds)}
    memory = _memory(texts)
    ratio = results["ours"].per_second / results["presidio"].per_second
    described = {
        "ours": "all 7 types" if with_abuse else "5 types (no abuse/threat detector)",
        "ours, no abuse/threat": "5 types: phone, email, address, postcode, name",
        "presidio": "phone GB, email, UK postcode",
    }
    lines = [
        "| engine | types | messages | msg/s per core (median) | rounds | peak traced MiB |"
        " peak RSS MiB |",
        "|---|---|---:|---:|---|---:|---:|",
    ]
    for name, result in results.items():
        rounds_text = ", ".join(f"{value:,.0f}" for value in result.rounds)
        traced, rss = (
            (f"{memory[name]['traced_mib']:.1f}", f"{memory[name]['rss_mib']:.0f}")
            if name in memory
            else ("-", "-")
        )
        lines.append(
            f"| {name} | {described[name]} | {result.messages:,} | {result.per_second:,.0f} | "
            f"{rounds_text} | {traced} | {rss} |"
        )
    verdict = "yes" if ratio >= 2.0 else "**no**"
    lines.append("")
    lines.append(f"Ours / presidio throughput: **{ratio:.2f}x** (target >= 2x: {verdict})")
    return lines


def _memory(texts: list[str]) -> dict[str, dict[str, float]]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(texts, handle)
    memory = {}
    for engine in ("ours", "presidio"):
        output = subprocess.run(
            [sys.executable, str(HERE / "throughput.py"), engine, handle.name],
            check=True,
            capture_output=True,
            text=True,
            cwd=HERE,
        ).stdout
        memory[engine] = json.loads(output.strip().splitlines()[-1])
    Path(handle.name).unlink()
    return memory


def main(argv: Sequence[str] | None = None) -> int:
    """Print the benchmark's Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="copies of the set to time")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per engine")
    arguments = parser.parse_args(argv)
    try:
        load_screener(with_abuse=True)
        with_abuse = True
    except ImportError:
        with_abuse = False
    items = load_items()
    texts = [item["text"] for item in items] * arguments.repeat
    print(f"## Screening on the UK set ({len(items)} items)\n")
    if not with_abuse:
        print("The abuse and threat detector is not installed: those rows are left out.\n")
    print("\n".join(accuracy_table(items, with_abuse)))
    print(f"\n## Batched throughput: one process, {arguments.rounds} rounds, engines alternating\n")
    print("\n".join(throughput_table(texts, arguments.rounds, with_abuse)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
