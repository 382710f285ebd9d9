"""``trident screen``: screen JSON lines from standard input against policy section 3.1.

Each input line is ``{"id": ..., "text": "...", "channel": "public" | "private"}``. Each output
line, in the same order, is ``{"id", "findings": [{"type", "start", "end", "score", "rule"}],
"violation", "clauses", "redacted"}``; spans count Unicode code points of ``text``. A line that
cannot be read gives ``{"line": n, "error": "..."}`` (counting from 1, never quoting the line)
and the rest go on. Lines are screened in batches, so large inputs run at full speed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trident_pipeline.domain.policy import ScreeningPolicy
    from trident_pipeline.domain.screening import Screener, ScreeningResult

__all__ = ["register"]

_DEFAULT_BATCH = 256


@dataclass(frozen=True, slots=True)
class _Item:
    line: int
    id: Any
    text: str
    channel: str


@dataclass(frozen=True, slots=True)
class _Error:
    line: int
    error: str


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``screen`` to the ``trident`` command.

    Raises:
        Nothing.
    """
    parser = subparsers.add_parser(
        "screen",
        help="screen JSON lines on standard input for policy section 3.1",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument(
        "--batch-size", type=_positive, default=_DEFAULT_BATCH, help="texts screened at once"
    )
    parser.add_argument(
        "--config-dir", type=Path, default=None, help="YAML configuration (default: config/)"
    )
    parser.add_argument(
        "--resident-names",
        type=Path,
        default=None,
        help="a file of residents' full names from CRM contacts, one a line",
    )
    parser.set_defaults(handler=_run)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _run(arguments: argparse.Namespace) -> int:
    from trident_pipeline.config import ConfigError, StaffConfig, read_config
    from trident_pipeline.config.policy import PolicyConfig, screening_context
    from trident_pipeline.domain.screening import Screener

    try:
        staff = read_config("staff.yaml", StaffConfig, arguments.config_dir)
        policy = read_config("policy.yaml", PolicyConfig, arguments.config_dir)
        residents = _resident_names(arguments.resident_names)
        screener = Screener.load(screening_context(policy, staff, residents))
    except (ConfigError, OSError, ValueError) as error:
        print(f"trident screen: {error}", file=sys.stderr)
        return 2
    rules = policy.screening_policy()
    _screen_stream(_input_lines(sys.stdin), sys.stdout, screener, rules, arguments.batch_size)
    return 0


def _resident_names(path: Path | None) -> frozenset[str]:
    if path is None:
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip())


def _input_lines(stream: IO[str]) -> Iterator[bytes | str]:
    """The raw lines of ``stream``: bytes when it has a binary buffer, so any byte is kept."""
    buffer = getattr(stream, "buffer", None)
    yield from buffer if buffer is not None else stream


def _screen_stream(
    lines: Iterable[bytes | str],
    out: IO[str],
    screener: Screener,
    policy: ScreeningPolicy,
    batch_size: int,
) -> None:
    pending: list[_Item | _Error] = []
    items = 0
    for number, raw in enumerate(lines, start=1):
        entry = _parse(number, raw)
        pending.append(entry)
        items += isinstance(entry, _Item)
        if items >= batch_size:
            _flush(pending, out, screener, policy)
            pending, items = [], 0
    _flush(pending, out, screener, policy)


def _parse(number: int, raw: bytes | str) -> _Item | _Error:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _Error(number, "not UTF-8")
    raw = raw.rstrip("\r\n")
    if not raw.strip():
        return _Error(number, "empty line")
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as error:
        return _Error(number, f"not valid JSON ({error.msg})")
    except RecursionError:
        return _Error(number, "not valid JSON (nested too deeply)")
    if not isinstance(document, dict):
        return _Error(number, "expected a JSON object")
    missing = [key for key in ("id", "text", "channel") if key not in document]
    if missing:
        return _Error(number, f"missing {', '.join(missing)}")
    if not isinstance(document["text"], str):
        return _Error(number, "text must be a string")
    if document["channel"] not in ("public", "private"):
        return _Error(number, "channel must be public or private")
    identifier = document["id"]
    if not isinstance(identifier, str | int) or isinstance(identifier, bool):
        return _Error(number, "id must be a string or an integer")
    return _Item(number, identifier, document["text"], document["channel"])


def _screen(screener: Screener, texts: list[str]) -> list[ScreeningResult | None]:
    """Screen ``texts`` as one batch; if the batch fails, each text alone, ``None`` on failure.

    One text that breaks a detector must not cost the rest of its batch their results.
    """
    try:
        return list(screener.screen_batch(texts))
    except Exception:
        if len(texts) == 1:
            return [None]
        return [_screen(screener, [text])[0] for text in texts]


def _flush(
    pending: list[_Item | _Error], out: IO[str], screener: Screener, policy: ScreeningPolicy
) -> None:
    from trident_pipeline.domain.models import Channel
    from trident_pipeline.domain.policy import decide

    items = [entry for entry in pending if isinstance(entry, _Item)]
    results = iter(_screen(screener, [item.text for item in items]))
    for entry in pending:
        result = next(results) if isinstance(entry, _Item) else None
        if isinstance(entry, _Error) or result is None:
            error = entry.error if isinstance(entry, _Error) else "screening failed"
            document: dict[str, Any] = {"line": entry.line, "error": error}
        else:
            decision = decide(result.findings, Channel(entry.channel), policy)
            document = {
                "id": entry.id,
                "findings": [
                    {
                        "type": finding.type.value,
                        "start": finding.start,
                        "end": finding.end,
                        "score": round(finding.score, 4),
                        "rule": finding.rule,
                    }
                    for finding in result.findings
                ],
                "violation": decision.violation,
                "clauses": [clause.value for clause in decision.clauses],
                "redacted": result.redacted,
            }
        out.write(json.dumps(document, ensure_ascii=True) + "\n")
    out.flush()
