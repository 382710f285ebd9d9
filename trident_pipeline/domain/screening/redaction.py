"""The redacted form of a text, for storage and logs: each finding replaced by its type.

``Call Gary on 07700 900123`` becomes ``Call [person_name] on [phone]``. Spans that overlap are
merged first and the merged span takes the type of its longest finding, so an address with its
postcode inside it, or a name inside an email address, leaves one placeholder.
"""

from __future__ import annotations

from collections.abc import Iterable

from trident_pipeline.domain.screening.findings import Finding

__all__ = ["redact"]


def redact(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with every finding's span replaced by ``[type]``.

    Raises:
        ValueError: when a finding reaches past the end of ``text``.
    """
    merged: list[tuple[int, int, Finding]] = []
    for finding in sorted(findings, key=lambda finding: (finding.start, -finding.end)):
        if finding.end > len(text):
            raise ValueError("a finding reaches past the end of the text")
        if merged and finding.start < merged[-1][1]:
            start, end, longest = merged[-1]
            if finding.end - finding.start > longest.end - longest.start:
                longest = finding
            merged[-1] = (start, max(end, finding.end), longest)
        else:
            merged.append((finding.start, finding.end, finding))
    parts: list[str] = []
    position = 0
    for start, end, longest in merged:
        parts.append(text[position:start])
        parts.append(f"[{longest.type.value}]")
        position = end
    parts.append(text[position:])
    return "".join(parts)
