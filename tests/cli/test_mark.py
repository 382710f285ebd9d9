"""``trident mark``: an operator's response mark, recorded and counted at once."""

from datetime import date, datetime, timezone

import pytest

from trident_pipeline.cli import main
from trident_pipeline.domain.models import Author, InboxItem, Kind, Platform
from trident_pipeline.store import migrate, upsert_items
from trident_pipeline.store.responses import records_between

ITEM = InboxItem(
    platform=Platform.X,
    kind=Kind.MENTION,
    native_id="1001",
    thread_id="1001",
    author=Author("2244994945"),
    text="@tridentgrp is the office open on Monday?",
    created_at=datetime(2026, 3, 24, 10, tzinfo=timezone.utc),
    is_ours=False,
)


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIDENT_HOME", str(tmp_path))
    from trident_pipeline.orchestration.store import store_engine

    engine = store_engine()
    migrate(engine)
    with engine.begin() as connection:
        upsert_items(connection, [ITEM], ITEM.created_at)
    return engine


def record(engine):
    with engine.connect() as connection:
        [found] = records_between(connection, date(2026, 3, 24), date(2026, 3, 24))
    return found


def test_marking_an_item_excludes_it_with_the_reason_and_can_be_undone(store, capsys):
    assert (
        main(
            [
                "mark",
                "x:1001",
                "--no-response",
                "--reason",
                "answered by phone",
                "--operator",
                "Sam",
            ]
        )
        == 0
    )
    assert "Marked x:1001" in capsys.readouterr().out
    marked = record(store)
    assert (marked.excluded.value, marked.operator_reason) == ("operator", "answered by phone")
    main(
        [
            "mark",
            "x:1001",
            "--needs-response",
            "--reason",
            "not answered after all",
            "--operator",
            "Priya",
        ]
    )
    assert record(store).excluded is None


def test_an_unknown_item_or_a_blank_reason_is_refused(store):
    with pytest.raises(SystemExit, match="no item x:9"):
        main(["mark", "x:9", "--no-response", "--reason", "r", "--operator", "Sam"])
    with pytest.raises(SystemExit, match="reason"):
        main(["mark", "x:1001", "--no-response", "--reason", " ", "--operator", "Sam"])
