"""``trident report`` on the command line."""

import pytest

from trident_pipeline.cli import main


def test_report_writes_the_periods_files_from_the_store(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRIDENT_HOME", str(tmp_path / "home"))
    from trident_pipeline.orchestration.store import store_engine
    from trident_pipeline.store import migrate

    migrate(store_engine())
    out = tmp_path / "reports"
    code = main(
        [
            "report",
            "--from",
            "2026-03-23",
            "--to",
            "2026-04-07",
            "--as-of",
            "2026-04-15T00:00:00+00:00",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    names = sorted(path.name for path in out.iterdir())
    assert names == [
        "response-times_2026-03-23_to_2026-04-07.csv",
        "response-times_2026-03-23_to_2026-04-07.html",
    ]
    assert "Wrote" in capsys.readouterr().out


def test_report_refuses_a_period_that_ends_before_it_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIDENT_HOME", str(tmp_path))
    with pytest.raises(SystemExit, match="ends on or after"):
        main(["report", "--from", "2026-04-07", "--to", "2026-03-23"])


def test_report_refuses_an_as_of_without_an_offset(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--from", "2026-03-23", "--to", "2026-03-24", "--as-of", "2026-04-01"])
    assert "UTC offset" in capsys.readouterr().err
