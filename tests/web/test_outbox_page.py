"""The CRM outbox page and retrying dead letters, through Airflow's API server."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import update

from trident_pipeline.store.schema import crm_outbox

pytestmark = [
    pytest.mark.airflow,
    # Airflow's own development fallback: a generated JWT secret shorter than SHA-512 likes.
    pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
]


def dead_letter(pages, count: int = 1) -> list[int]:
    """Turn the first ``count`` waiting entries into dead letters, as failed deliveries leave
    them (the class and HTTP status of the last error only)."""
    waiting = [
        row.id for row in pages.rows(crm_outbox, crm_outbox.c.state == "waiting_for_contact")
    ][:count]
    with pages.store.begin() as connection:
        connection.execute(
            update(crm_outbox)
            .where(crm_outbox.c.id.in_(waiting))
            .values(state="dead_letter", attempts=8, last_error="CrmUnavailable", last_status=503)
        )
    return waiting


def states(pages) -> Counter:
    return Counter(row.state for row in pages.rows(crm_outbox))


def test_the_page_counts_entries_by_state(pages):
    response = pages.get("/outbox", "board")
    assert response.status_code == 200
    counted = states(pages)
    assert counted["delivered"] and counted["waiting_for_contact"]
    for state, label in [
        ("pending", "Pending"),
        ("waiting_for_contact", "Waiting for contact"),
        ("delivered", "Delivered"),
        ("dead_letter", "Dead letter"),
    ]:
        assert f'<th scope="row">{label}</th><td>{counted[state]}</td>' in response.text
    assert "No delivery has failed." in response.text


def test_a_dead_letter_shows_its_error_but_never_its_content(pages):
    (entry_id,) = dead_letter(pages)
    (entry,) = pages.rows(crm_outbox, crm_outbox.c.id == entry_id)
    for user in ("board", "priya"):
        page = pages.get("/outbox", user).text
        assert f"<td>{entry_id}</td>" in page
        assert "CrmUnavailable (HTTP 503)" in page
        assert entry.body not in page
        if entry.handle:
            assert entry.handle not in page
    assert f'name="entry_id" value="{entry_id}"' in pages.get("/outbox", "priya").text
    assert 'name="entry_id"' not in pages.get("/outbox", "board").text
    assert "Retry the ticked dead letters" not in pages.get("/outbox", "board").text


def test_an_officer_retries_the_ticked_dead_letters(pages):
    first, second = dead_letter(pages, 2)
    response = pages.post("/outbox/retry", "priya", {"entry_id": str(first)})
    assert response.status_code == 303
    assert response.headers["location"] == "/trident/outbox?done=retried&retried=1"
    retried = {row.id: row for row in pages.rows(crm_outbox, crm_outbox.c.id.in_([first, second]))}
    assert (retried[first].state, retried[first].attempts) == ("pending", 0)
    assert retried[second].state == "dead_letter"
    page = pages.get("/outbox", "priya", done="retried", retried="1").text
    assert "Dead letters are queued again for the next CRM delivery. (1 entries)" in page


def test_retrying_with_none_ticked_retries_every_dead_letter(pages):
    dead = dead_letter(pages, 3)
    response = pages.post("/outbox/retry", "priya")
    assert response.headers["location"] == "/trident/outbox?done=retried&retried=3"
    assert {row.state for row in pages.rows(crm_outbox, crm_outbox.c.id.in_(dead))} == {"pending"}
    assert states(pages)["dead_letter"] == 0

    again = pages.post("/outbox/retry", "priya")
    assert again.headers["location"] == "/trident/outbox?done=retried&retried=0"


def test_retrying_an_entry_that_is_not_a_dead_letter_changes_nothing(pages):
    (delivered, *_) = [row for row in pages.rows(crm_outbox, crm_outbox.c.state == "delivered")]
    before = states(pages)
    response = pages.post("/outbox/retry", "sam", {"entry_id": str(delivered.id)})
    assert response.headers["location"] == "/trident/outbox?done=retried&retried=0"
    assert states(pages) == before


def test_the_board_may_not_retry(pages):
    dead = dead_letter(pages)
    response = pages.post("/outbox/retry", "board")
    assert response.status_code == 403
    assert "your Airflow role may only read these pages" in response.text
    assert {row.state for row in pages.rows(crm_outbox, crm_outbox.c.id.in_(dead))} == {
        "dead_letter"
    }


@pytest.mark.parametrize("entry_id", ["abc", "0", "-3"])
def test_a_bad_entry_id_is_refused_with_the_field_named(pages, entry_id):
    dead = dead_letter(pages)
    response = pages.post("/outbox/retry", "priya", {"entry_id": entry_id})
    assert response.status_code == 422
    assert re.search(r"<li>Entry: [^<]+</li>", response.text), response.text
    assert {row.state for row in pages.rows(crm_outbox, crm_outbox.c.id.in_(dead))} == {
        "dead_letter"
    }
