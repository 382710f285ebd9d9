"""Smoke tests of the browser-test set-up: Airflow's api-server with auth on the sample data,
signing in, Chromium, screenshots and the axe-core check. Airflow's own pages are not ours, so
axe runs only on a page made here."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def test_the_api_refuses_a_request_without_a_token(airflow_server):
    assert airflow_server.http("/api/v2/dags").status == 401


def test_the_api_answers_a_signed_in_user_with_the_projects_dags(airflow_server):
    response = airflow_server.http("/api/v2/dags", user="board")
    assert response.status == 200
    dag_ids = {dag["dag_id"] for dag in response.json()["dags"]}
    assert {"trident_inbox", "trident_block", "trident_response_times"} <= dag_ids
    # The browser's way: the `_token` cookie the login page sets.
    assert airflow_server.http("/api/v2/dags", user="board", as_cookie=True).status == 200


def test_the_sample_run_succeeded(airflow_server):
    runs = airflow_server.http("/api/v2/dags/trident_inbox/dagRuns", user="sam").json()
    assert [run["state"] for run in runs["dag_runs"]] == ["success"]


def test_an_operator_signed_in_sees_airflow_and_its_dags(page, login, screenshot):
    from playwright.sync_api import expect

    login(page, "sam")
    page.goto("/")
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    screenshot(page, "airflow-home")

    page.get_by_role("link", name="Dags", exact=True).click()
    page.wait_for_url("**/dags")
    for dag_id in ("trident_inbox", "trident_block", "trident_response_times"):
        expect(page.get_by_role("link", name=dag_id, exact=True).first).to_be_visible()
    screenshot(page, "airflow-dags")


def test_the_login_form_signs_a_user_in(page, login):
    from playwright.sync_api import expect

    page.goto("/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    login(page, "priya", via_form=True)
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    assert {cookie["name"] for cookie in page.context.cookies()} >= {"_token"}


def test_every_user_gets_a_token(airflow_server):
    assert airflow_server.users == {"sam": "op", "priya": "user", "board": "viewer"}
    for user in airflow_server.users:
        assert airflow_server.token(user).count(".") == 2  # a JWT


def test_the_trident_pages_answer(page, login):
    if not (PROJECT / "plugins" / "trident_pages.py").exists():
        pytest.skip("plugins/trident_pages.py is not there yet")
    login(page, "sam")
    response = page.goto("/trident/")
    assert response is not None
    assert response.ok, f"/trident/ answered {response.status}"


def test_axe_check_reports_serious_and_critical_violations_only(
    browser, axe_check, assert_accessible
):
    page = browser.new_page()
    try:
        page.set_content(
            "<!doctype html><html lang='en'><head><title>axe probe</title></head><body><main>"
            "<h1>Probe</h1><img src='data:,' id='no-alt'>"
            "<p style='color:#777;background:#888'>low contrast</p>"
            "</main></body></html>"
        )
        violations = axe_check(page)
        found = {violation.id: violation for violation in violations}
        assert set(found) == {"image-alt", "color-contrast"}, str(violations)
        assert found["image-alt"].impact == "critical"
        assert found["image-alt"].targets == ("#no-alt",)
        assert "image-alt" in str(violations)

        page.set_content(
            "<!doctype html><html lang='en'><head><title>fine</title></head><body><main>"
            "<h1>Fine</h1><img src='data:,' alt='nothing'></main></body></html>"
        )
        assert not axe_check(page), "a clean page has no serious or critical violations"
        assert not axe_check(page, exclude=["#none"])
        assert_accessible(page)
    finally:
        page.close()
