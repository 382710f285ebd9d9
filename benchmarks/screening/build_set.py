"""Build ``uk_set.jsonl`` from ``uk_set.src``: strip the ``[[type:text]]`` marks, keep offsets.

Run from the project root: ``python benchmarks/screening/build_set.py``. Each output line is
``{"id", "channel", "text", "labels": [{"type", "start", "end"}]}``; offsets count Unicode
code points of ``text``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TYPES = {"phone", "email", "postal_address", "postcode", "person_name", "abuse", "threat"}
MARK = re.compile(r"\[\[([a-z_]+):(.+?)\]\](?!\])")
CHANNELS = {"P": "public", "D": "private"}


def parse(line: str) -> tuple[str, str, list[dict[str, object]]]:
    """The channel, plain text and labels of one source line.

    Raises:
        ValueError: on an unknown channel or type, or a mark left unclosed.
    """
    code, _, marked = line.partition("|")
    if code not in CHANNELS:
        raise ValueError(f"unknown channel {code!r}")
    text, labels, position = [], [], 0
    length = 0
    for match in MARK.finditer(marked):
        kind, span = match.group(1), match.group(2)
        if kind not in TYPES:
            raise ValueError(f"unknown type {kind!r}")
        before = marked[position : match.start()]
        text.append(before)
        length += len(before)
        labels.append({"type": kind, "start": length, "end": length + len(span)})
        text.append(span)
        length += len(span)
        position = match.end()
    text.append(marked[position:])
    plain = "".join(text)
    if "[[" in plain or "]]" in plain:
        raise ValueError("a mark is not closed")
    return CHANNELS[code], plain, labels


def main() -> int:
    """Write the JSONL file and print how many items and labels per type it holds."""
    items, counts = [], dict.fromkeys(sorted(TYPES), 0)
    for line in (HERE / "uk_set.src").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        channel, text, labels = parse(line)
        for label in labels:
            counts[str(label["type"])] += 1
        items.append(
            {"id": f"uk-{len(items) + 1:04d}", "channel": channel, "text": text, "labels": labels}
        )
    with (HERE / "uk_set.jsonl").open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"{len(items)} items; labels: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
