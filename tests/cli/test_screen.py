"""``trident screen``: JSON lines in, one JSON line out per line, in order, whatever comes in."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

import trident_pipeline.cli as cli
from trident_pipeline.domain.screening import Finding, FindingType, Screener, ScreeningContext


class FakeAbuseDetector:
    """A test double for the abuse and threat detector: "idiot" is abuse."""

    batches: list[int] = []

    def detect_batch(self, texts: Sequence[str]) -> list[list[Finding]]:
        FakeAbuseDetector.batches.append(len(texts))
        return [
            [Finding(FindingType.ABUSE, t.find("idiot"), t.find("idiot") + 5, 0.9, "fake@1")]
            if "idiot" in t
            else []
            for t in texts
        ]


@pytest.fixture(autouse=True)
def screen_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_SUBCOMMANDS", ("screen",))
    monkeypatch.setattr(
        Screener, "load", classmethod(lambda cls, context: cls(context, FakeAbuseDetector()))
    )
    FakeAbuseDetector.batches = []


def run(monkeypatch: pytest.MonkeyPatch, data: bytes, *arguments: str) -> tuple[int, list[dict]]:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    monkeypatch.setattr(sys, "stdout", out)
    code = cli.main(["screen", *arguments])
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def line(**fields: object) -> bytes:
    return json.dumps(fields).encode() + b"\n"


def test_screens_each_line_with_the_channel_deciding(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Call Gary on 07700 900123, you idiot"
    data = line(id="a", text=text, channel="public") + line(id=7, text=text, channel="private")
    code, out = run(monkeypatch, data)
    assert code == 0
    public, private = out
    assert public["id"] == "a" and private["id"] == 7
    assert [f["type"] for f in public["findings"]] == ["person_name", "phone", "abuse"]
    phone = public["findings"][1]
    assert text[phone["start"] : phone["end"]] == "07700 900123"
    assert phone["rule"] == "phone.number@1" and 0 < phone["score"] <= 1
    assert public["violation"] is True
    assert public["clauses"] == [
        "naming_individuals",
        "personal_information",
        "abusive_or_threatening_language",
    ]
    assert private["clauses"] == ["abusive_or_threatening_language"]
    assert public["redacted"] == "Call [person_name] on [phone], you [abuse]"
    assert set(public) == {"id", "findings", "violation", "clauses", "redacted"}


def test_malformed_lines_get_an_error_line_and_the_rest_go_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "07700 900999 secret"
    data = (
        line(id="1", text="hello", channel="public")
        + b'{"id": "2", "text": "'
        + secret.encode()
        + b'"\n'
        + b"\n"
        + b"[1, 2]\n"
        + line(id="5", text=secret, channel="carrier pigeon")
        + line(id="6", channel="public")
        + line(id="7", text=12, channel="public")
        + line(id=[8], text="x", channel="public")
        + b"\xff\xfe not utf-8\n"
        + line(id="10", text="fine", channel="private")
    )
    code, out = run(monkeypatch, data)
    assert code == 0
    assert [entry.get("id", entry.get("line")) for entry in out] == [
        "1",
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
        "10",
    ]
    errors = out[1:9]
    assert all(set(entry) == {"line", "error"} for entry in errors)
    assert all("secret" not in entry["error"] and "07700" not in entry["error"] for entry in errors)
    assert "missing text" in errors[4]["error"]


def test_empty_huge_and_control_character_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    huge = "nothing to see here " * 100_000 + "ring 07700 900123"
    data = (
        line(id="empty", text="", channel="public")
        + line(id="huge", text=huge, channel="public")
        + line(id="control", text="\x00\x07\x1b[31m\u202e\ud800", channel="public")
    )
    _, out = run(monkeypatch, data)
    assert out[0] == {
        "id": "empty",
        "findings": [],
        "violation": False,
        "clauses": [],
        "redacted": "",
    }
    assert [f["type"] for f in out[1]["findings"]] == ["phone"]
    assert out[1]["redacted"].endswith("ring [phone]")
    assert out[2]["findings"] == [] and out[2]["redacted"] == "\x00\x07\x1b[31m\u202e\ud800"


def test_screens_in_batches_and_keeps_order(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"".join(line(id=n, text=f"item {n}", channel="public") for n in range(10))
    data += b"oops\n" + line(id=10, text="last", channel="public")
    _, out = run(monkeypatch, data, "--batch-size", "4")
    assert FakeAbuseDetector.batches == [4, 4, 3]
    assert [entry.get("id", entry.get("line")) for entry in out] == [*range(10), 11, 10]


def test_resident_names_from_a_crm_export(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    names = tmp_path / "residents.txt"
    names.write_text("Zebedee Quarrington\n", encoding="utf-8")
    data = line(id="r", text="Zebedee Quarrington is lying", channel="public")
    _, out = run(monkeypatch, data, "--resident-names", str(names))
    assert [f["rule"] for f in out[0]["findings"]] == ["names.resident@1"]


def test_a_broken_configuration_exits_2_without_output(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "staff.yaml").write_text("responders: []\n", encoding="utf-8")
    code, out = run(
        monkeypatch, line(id="1", text="x", channel="public"), "--config-dir", str(tmp_path)
    )
    assert code == 2
    assert out == []
    assert "staff.yaml" in capsys.readouterr().err


def test_the_screener_gets_the_configured_context(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[ScreeningContext] = []
    monkeypatch.setattr(
        Screener,
        "load",
        classmethod(lambda cls, context: seen.append(context) or cls(context, None)),
    )
    _, out = run(monkeypatch, line(id="1", text="Thanks Sam, rang 0113 496 0000", channel="public"))
    assert out[0]["findings"] == []
    assert "Sam" in seen[0].pseudonyms and "Dave Pritchard" in seen[0].staff_names
    assert FindingType.PERSON_NAME in seen[0].thresholds


class FragileAbuseDetector:
    """A test double that breaks on one particular text, as a detector bug would."""

    def detect_batch(self, texts: Sequence[str]) -> list[list[Finding]]:
        if any("boom" in text for text in texts):
            raise RuntimeError("detector bug")
        return [[] for _ in texts]


def test_a_text_that_breaks_a_detector_costs_only_its_own_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        Screener, "load", classmethod(lambda cls, context: cls(context, FragileAbuseDetector()))
    )
    data = (
        line(id="1", text="ring 07700 900123", channel="public")
        + line(id="2", text="boom 07700 900124", channel="public")
        + line(id="3", text="fine", channel="public")
    )
    _, out = run(monkeypatch, data)
    assert out[0]["id"] == "1" and out[2]["id"] == "3"
    assert out[1] == {"line": 2, "error": "screening failed"}


def test_models_that_cannot_load_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def missing(cls: type[Screener], context: ScreeningContext) -> Screener:
        raise FileNotFoundError("abuse-model.json")

    monkeypatch.setattr(Screener, "load", classmethod(missing))
    code, out = run(monkeypatch, line(id="1", text="x", channel="public"))
    assert (code, out) == (2, [])
    assert "abuse-model.json" in capsys.readouterr().err
