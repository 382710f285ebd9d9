"""Screen the store's unscreened items and keep each item's findings and policy decision.

Screening runs in batches (the screener is fastest that way) over the items from the public
that this screener version has not screened yet, so re-running a run screens nothing twice and
a new screener version or configuration screens everything again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from trident_pipeline.domain.policy import ScreeningPolicy, decide
from trident_pipeline.domain.screening import Screener
from trident_pipeline.store.screenings import ScreeningRow, items_to_screen, save_screenings

__all__ = ["ScreeningCounts", "screen_new_items"]


@dataclass(slots=True)
class ScreeningCounts:
    """What a screening pass did: items screened, violations, and clauses broken."""

    screened: int = 0
    violations: int = 0
    clauses: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, int]:
        """Counts for XCom: plain integers, no text."""
        return {
            "screened": self.screened,
            "violations": self.violations,
            **{f"clause_{name}": count for name, count in sorted(self.clauses.items())},
        }


def screen_new_items(
    engine: Engine,
    screener: Screener,
    policy: ScreeningPolicy,
    *,
    version: str,
    clock: Callable[[], datetime],
    batch: int = 256,
) -> ScreeningCounts:
    """Screen every item not yet screened by ``version``, batch by batch, and store the results.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: when the store cannot be read or written.
    """
    counts = ScreeningCounts()
    after = ""
    while True:
        with engine.connect() as connection:
            items = items_to_screen(connection, version, limit=batch, after_key=after)
        if not items:
            return counts
        results = screener.screen_batch([item.text for item in items])
        rows = []
        for item, result in zip(items, results, strict=True):
            decision = decide(result.findings, item.channel, policy)
            rows.append(
                ScreeningRow(
                    item_key=item.key,
                    screener_version=version,
                    violation=decision.violation,
                    clauses=[clause.value for clause in decision.clauses],
                    findings=[
                        {
                            "type": finding.type.value,
                            "start": finding.start,
                            "end": finding.end,
                            "score": round(finding.score, 4),
                            "rule": finding.rule,
                        }
                        for finding in result.findings
                    ],
                    redacted=result.redacted,
                )
            )
            counts.screened += 1
            counts.violations += decision.violation
            counts.clauses.update(clause.value for clause in decision.clauses)
        with engine.begin() as connection:
            save_screenings(connection, rows, clock())
        after = items[-1].key
