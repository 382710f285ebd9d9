"""Who may use the operators' pages, and how: Airflow's session or token, each role's
permissions, forms from other sites, and what error pages and logs never show."""

from __future__ import annotations

import logging

import pytest

from trident_pipeline.store.schema import (
    account_links,
    crm_outbox,
    moderation_events,
    response_marks,
)

pytestmark = [
    pytest.mark.airflow,
    # Airflow's own development fallback: a generated JWT secret shorter than SHA-512 likes.
    pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
]

READ_PAGES = [
    "/inbox",
    "/residents",
    "/approvals",
    "/response-times",
    "/response-times/report.html",
    "/response-times/report.csv",
    "/outbox",
]
DECLAN_X_STRIKE = "x:2037298876513930779"


def write_forms(pages) -> dict[str, dict[str, str]]:
    """A valid form for each action that changes something."""
    (block,) = [r.id for r in pages.rows(moderation_events) if r.type == "block_requested"]
    return {
        "/inbox/mark": {"item_key": DECLAN_X_STRIKE, "needs_response": "yes", "reason": "asked"},
        "/residents/link": {"platform": "x", "user_id": "3449963409", "contact_id": "C-1"},
        "/residents/unlink": {"platform": "x", "user_id": pages.accounts[0].user_id},
        "/strikes/overrule": {"item_key": DECLAN_X_STRIKE, "reason": "Appeal upheld"},
        "/blocks/review": {"request_id": str(block), "outcome": "lifted", "reason": "Lifted"},
        "/outbox/retry": {},
    }


WRITES = [
    "/inbox/mark",
    "/residents/link",
    "/residents/unlink",
    "/strikes/overrule",
    "/blocks/review",
    "/outbox/retry",
]


def snapshot(pages):
    return [
        pages.rows(table)
        for table in (response_marks, account_links, moderation_events, crm_outbox)
    ]


@pytest.mark.parametrize("path", [*READ_PAGES, "/residents/resident"])
def test_without_a_session_every_page_asks_to_sign_in(pages, path):
    if path == "/residents/resident":
        path = f"/residents/{pages.services.references.of(f'contact:{pages.contact}')}"
    response = pages.get(path, None)
    assert response.status_code == 401
    assert "Sign in to Airflow to use the Trident pages." in response.text
    assert '<a class="button" href="/auth/login" target="_top">Sign in</a>' in response.text


@pytest.mark.parametrize("path", [*WRITES, "/residents"])
def test_without_a_session_no_action_is_taken(pages, path):
    before = snapshot(pages)
    form = write_forms(pages).get(path, {"q": "decmarsh"})
    response = pages.post(path, None, form)
    assert response.status_code == 401
    assert snapshot(pages) == before


@pytest.mark.parametrize("path", READ_PAGES)
def test_every_role_reads_every_page(pages, path):
    for user in ("board", "priya", "sam"):
        assert pages.get(path, user).status_code == 200, user


@pytest.mark.parametrize("path", WRITES)
def test_the_board_may_take_no_action(pages, path):
    before = snapshot(pages)
    response = pages.post(path, "board", write_forms(pages)[path])
    assert response.status_code == 403
    assert "Not allowed" in response.text
    assert snapshot(pages) == before


@pytest.mark.parametrize("path", WRITES)
@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "http://testserver.evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
    ids=["other-origin", "look-alike-origin", "cross-site", "same-site"],
)
def test_a_form_posted_from_another_site_is_refused(pages, path, headers):
    before = snapshot(pages)
    response = pages.post(path, "sam", write_forms(pages)[path], **headers)
    assert response.status_code == 403
    assert "Cross-site form posts are refused." in response.text
    assert snapshot(pages) == before


def test_a_search_posted_from_another_site_is_refused(pages):
    response = pages.post("/residents", "sam", {"q": "decmarsh"}, Origin="http://evil.example")
    assert response.status_code == 403
    assert "decmarsh" not in response.text


def test_a_form_posted_from_the_pages_themselves_is_taken(pages):
    form = write_forms(pages)["/outbox/retry"]
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert pages.post("/outbox/retry", "priya", form, **same).status_code == 303


def test_the_browser_session_cookie_signs_in(pages):
    pages.client.cookies.set("_token", pages.tokens["priya"])
    try:
        response = pages.client.get("/trident/inbox")
    finally:
        pages.client.cookies.clear()
    assert response.status_code == 200
    assert "Signed in as priya: may mark items, link accounts and retry the CRM outbox" in (
        response.text
    )


def test_a_token_not_issued_by_airflow_is_refused(pages):
    response = pages.client.get("/trident/inbox", headers={"Authorization": "Bearer not.a.token"})
    assert response.status_code == 403
    assert "your Airflow session is not valid; sign in again" in response.text


def test_an_expired_token_asks_to_sign_in_again(pages):
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    expired = get_auth_manager().generate_jwt(
        SimpleAuthManagerUser(username="sam", role="op"), expiration_time_in_seconds=-3600
    )
    response = pages.client.get("/trident/inbox", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert "Sign in" in response.text


@pytest.mark.parametrize(
    ("user", "says"),
    [
        ("board", "may read these pages; personal data is redacted."),
        ("priya", "may mark items, link accounts and retry the CRM outbox."),
        ("sam", "may decide appeals and block reviews."),
    ],
)
def test_each_page_says_who_is_signed_in_and_what_they_may_do(pages, user, says):
    assert f"Signed in as {user}: {says}" in pages.get("/outbox", user).text


def test_the_home_page_is_the_inbox_queue(pages):
    response = pages.get("/", "board")
    assert response.status_code == 303
    assert response.headers["location"].endswith("/trident/inbox")


def test_the_stylesheet_is_served(pages):
    response = pages.client.get("/trident/static/trident.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


def test_the_pages_are_in_airflows_navigation_without_import_errors(pages):
    listed = pages.client.get("/api/v2/plugins", headers=pages.headers("board")).json()
    (plugin,) = [p for p in listed["plugins"] if p["name"] == "trident_pages"]
    views = plugin["external_views"]
    assert [(v["name"], v["href"], v["category"]) for v in views] == [
        ("Inbox queue", "/trident/inbox", "Trident"),
        ("Residents", "/trident/residents", "Trident"),
        ("Approvals", "/trident/approvals", "Trident"),
        ("Response times", "/trident/response-times", "Trident"),
        ("CRM outbox", "/trident/outbox", "Trident"),
    ]
    for view in views:
        assert pages.get(view["href"].removeprefix("/trident"), "board").status_code == 200
    errors = pages.client.get("/api/v2/plugins/importErrors", headers=pages.headers("board"))
    assert errors.json()["import_errors"] == []


def test_no_error_page_or_log_shows_the_board_personal_data(pages, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    resident = pages.services.references.of(f"contact:{pages.contact}")
    forms = write_forms(pages)
    responses = [
        pages.get(f"/residents/{resident}", "board"),
        pages.get(f"/residents/{'0' * 32}", "board"),
        pages.get("/residents/not-a-reference", "board"),
        pages.get("/inbox", "board", status="all", platform="bluesky"),
        pages.post("/residents", "board", {"q": "x"}),
        pages.post("/inbox/mark", "board", forms["/inbox/mark"]),
        pages.post("/strikes/overrule", "board", forms["/strikes/overrule"]),
        pages.post("/inbox/mark", "priya", forms["/inbox/mark"] | {"item_key": "x:404"}),
        pages.post("/inbox/mark", "priya", forms["/inbox/mark"] | {"reason": ""}),
        pages.get("/response-times", "board", **{"from": "2026-04-07", "to": "2026-03-01"}),
    ]
    assert [r.status_code for r in responses] == [200, 404, 422, 200, 422, 403, 403, 404, 422, 400]
    captured = capfd.readouterr()
    logged = caplog.text + captured.out + captured.err
    assert "/trident/residents" in logged or caplog.records, "the requests were logged"
    for personal in pages.personal_data:
        for response in responses:
            assert personal not in response.text
        assert personal not in logged
