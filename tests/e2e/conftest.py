"""End-to-end browser tests: Airflow's api-server with the project's plugin, on the sample data.

Once per session this folder's fixtures

* make a fresh AIRFLOW_HOME and TRIDENT_HOME in a temp folder, with SimpleAuthManager users
  ``sam`` (op), ``priya`` (user) and ``board`` (viewer) whose passwords are in ``PASSWORDS``;
* load the bundled sample inbox as ``make run`` does (the Airflow database and pools, the sample
  resident's three linked accounts, then ``airflow dags test trident_inbox`` over the sample
  window), reading the sample settings from the Makefile so the two cannot drift apart;
* start ``airflow api-server`` on a free local port (stopped at the session's end);
* launch Debian's Chromium (``/usr/bin/chromium``) headless through Playwright.

``make browser`` (a prerequisite of ``make test``) installs Chromium with apt-get and axe-core
from the npm registry (``tests/e2e/package.json``). Without Chromium, Playwright or axe-core these
tests are skipped with the reason, except in CI (``CI`` set), where they fail.

Screenshots go to pytest's temp folder, or to ``docs/screenshots/`` when
``TRIDENT_SAVE_SCREENSHOTS=1``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Frame, Page, Playwright

E2E = Path(__file__).resolve().parent
PROJECT = E2E.parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = E2E / "node_modules" / "axe-core" / "axe.min.js"
# Flags for a closed network: no sandbox (root in a container), no GPU, and nothing that phones
# home. Playwright gives each launch a fresh temporary profile (user-data-dir).
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# SimpleAuthManager users (name: role) and the passwords written to its passwords file.
USERS = {"sam": "op", "priya": "user", "board": "viewer"}
PASSWORDS = {name: f"{name}-e2e-password" for name in USERS}
VIEWPORT = {"width": 1280, "height": 800}
SERVER_START_TIMEOUT = 120.0
SERVER_LOG_TAIL = 60
# Where a browser test's timeout hits first: Airflow's UI on two cores can be slow to settle.
DEFAULT_TIMEOUT_MS = 20_000

SERIOUS_IMPACTS = ("serious", "critical")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing_prerequisites() -> list[str]:
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"{CHROMIUM} (Debian's chromium package)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (requirements-dev.txt)")
    if not AXE_JS.is_file():
        missing.append(f"axe-core ({AXE_JS.relative_to(PROJECT)}, from npm ci)")
    return missing


def _require_prerequisites() -> None:
    """Fail (in CI, or when asked for directly) with what is missing and how to get it."""
    missing = _missing_prerequisites()
    if missing:
        pytest.fail(
            f"browser tests need {', '.join(missing)}: run `make browser` (or `make test`)",
            pytrace=False,
        )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: end-to-end test that starts Airflow's api-server on the sample data and "
        "drives the pages in headless Chromium (tests/e2e)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    ours = [item for item in items if item.path.is_relative_to(E2E)]
    if not ours:
        return
    missing = _missing_prerequisites()
    skip = None
    if missing and not _in_ci():
        skip = pytest.mark.skip(
            reason=f"browser tests need {', '.join(missing)}: run `make browser`"
        )
    for item in ours:
        item.add_marker(pytest.mark.browser)
        if skip is not None:
            item.add_marker(skip)


# --- the sample data, as the Makefile's `run` target loads it ------------------------------------


@dataclass(frozen=True)
class SampleSetup:
    """What ``make run`` loads, read from the Makefile."""

    conf: str
    logical_date: str
    links: tuple[tuple[str, str], ...]
    contact: str
    operator: str
    pools: dict[str, dict[str, Any]]

    @classmethod
    def from_makefile(cls, makefile: Path = PROJECT / "Makefile") -> SampleSetup:
        text = makefile.read_text()

        def find(pattern: str) -> re.Match[str]:
            found = re.search(pattern, text, re.MULTILINE)
            if found is None:
                raise RuntimeError(
                    f"tests/e2e/conftest.py reads the sample set-up from {makefile.name}, "
                    f"which no longer matches {pattern!r}: update the conftest"
                )
            return found

        conf = find(r"^SAMPLE_CONF\s*:?=\s*(.+)$").group(1).strip()
        json.loads(conf)  # the run's conf must stay valid JSON
        links = find(r"^SAMPLE_LINKS\s*:?=\s*(.+)$").group(1).split()
        link_args = find(r'--contact (\S+) --operator "([^"]*)"')
        logical_date = find(r"airflow dags test trident_inbox (\S+) --conf").group(1)
        pools = {
            name: {"slots": int(slots), "description": description}
            for name, slots, description in re.findall(
                r'airflow pools set (\S+) (\d+) "([^"]*)"', text
            )
        }
        if not pools:
            raise RuntimeError(f"no `airflow pools set` lines in {makefile}")
        return cls(
            conf=conf,
            logical_date=logical_date,
            links=tuple(tuple(link.split(":", 1)) for link in links),  # type: ignore[misc]
            contact=link_args.group(1),
            operator=link_args.group(2),
            pools=pools,
        )


# --- the Airflow api-server ----------------------------------------------------------------------


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class AirflowServer:
    """The running api-server of this session, and the homes it works on."""

    base_url: str
    env: dict[str, str]
    airflow_home: Path
    trident_home: Path
    log_dir: Path
    users: dict[str, str] = field(default_factory=lambda: dict(USERS))
    """SimpleAuthManager's users of the session: name -> role."""
    passwords: dict[str, str] = field(default_factory=lambda: dict(PASSWORDS))
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds each set-up step took (also in ``log_dir/timings.json``)."""
    process: subprocess.Popen[bytes] | None = None
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def log_path(self) -> Path:
        return self.log_dir / "api-server.log"

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` (``/trident/``, ``/api/v2/dags``, ...)."""
        return self.base_url + "/" + path.lstrip("/")

    def token(self, user: str) -> str:
        """A JWT for ``user``, as the login page gets it (``POST /auth/token``)."""
        if user not in self._tokens:
            response = requests.post(
                self.url("/auth/token"),
                json={"username": user, "password": self.passwords[user]},
                timeout=30,
            )
            if response.status_code != 201:
                raise AssertionError(
                    f"login of {user!r} failed: {response.status_code} {response.text[:300]}"
                )
            self._tokens[user] = response.json()["access_token"]
        return self._tokens[user]

    def http(
        self,
        path: str,
        *,
        user: str | None = None,
        method: str = "GET",
        json_body: Any = None,
        data: dict[str, str] | None = None,
        as_cookie: bool = False,
        allow_redirects: bool = False,
    ) -> HttpResponse:
        """One request outside the browser, signed in as ``user`` if given: with a bearer token,
        or with the browser's ``_token`` cookie when ``as_cookie``. ``json_body`` or form
        ``data`` for the body."""
        headers, cookies = {}, {}
        if user and as_cookie:
            cookies["_token"] = self.token(user)
        elif user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        response = requests.request(
            method,
            self.url(path),
            headers=headers,
            cookies=cookies,
            json=json_body,
            data=data,
            allow_redirects=allow_redirects,
            timeout=60,
        )
        return HttpResponse(response.status_code, dict(response.headers), response.text)

    def run(self, *argv: str | os.PathLike[str], log_name: str, timeout: float = 600) -> None:
        """Run a command (``airflow ...``, ``trident ...`` from the venv) with the server's
        environment; fails the test with the tail of its log when it exits non-zero."""
        command = [str(_executable(argv[0]))] + [str(part) for part in argv[1:]]
        log = self.log_dir / f"{log_name}.log"
        started = time.monotonic()
        with log.open("w") as out:
            result = subprocess.run(
                command,
                env=self.env,
                cwd=PROJECT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        self.timings[log_name] = time.monotonic() - started
        if result.returncode != 0:
            pytest.fail(
                f"`{shlex.join(command)}` exited {result.returncode}; last lines of {log}:\n"
                + _tail(log, 40),
                pytrace=False,
            )

    def log_tail(self, lines: int = SERVER_LOG_TAIL) -> str:
        """The log's last lines, less the access lines of requests that went well."""
        return _tail(self.log_path, lines, skip=_OK_REQUEST)


def _executable(name: str | os.PathLike[str]) -> Path:
    """The venv's own ``airflow`` or ``trident`` (the tests run with the venv's Python)."""
    path = Path(name)
    return path if path.is_absolute() else BIN / path


_OK_REQUEST = re.compile(r"\[http\.access\].* status_code=[23]\d\d\b")


def _tail(path: Path, lines: int, skip: re.Pattern[str] | None = None) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError as error:
        return f"({path}: {error})"
    if skip is not None:
        text = [line for line in text if not skip.search(line)]
    return "\n".join(text[-lines:])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(home: Path) -> dict[str, str]:
    """The Makefile's environment, in ``home``: nothing from the outer session's Airflow."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW", "TRIDENT_"))
    }
    airflow_home = home / "airflow"
    env.update(
        {
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Europe/London",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
            # The host the api-server binds (also passed as --host), and a JWT key of the
            # length that HS512 wants: neither the key nor the host is left to defaults.
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(
                f"{name}:{role}" for name, role in USERS.items()
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
            "TRIDENT_HOME": str(home / "trident"),
            "TRIDENT_CONFIG_DIR": str(PROJECT / "config"),
        }
    )
    return env


# Several CLI commands in one interpreter, through the CLIs' own parsers and handlers: each
# `airflow` or `trident` process spends seconds importing before it does anything.
_AIRFLOW_COMMANDS = """
import json, sys
from airflow import configuration  # first, as airflow/__main__.py does
from airflow.cli import cli_parser
from airflow.configuration import write_default_airflow_configuration_if_needed

write_default_airflow_configuration_if_needed()
parser = cli_parser.get_parser()
for argv in json.loads(sys.argv[1]):
    print("$ airflow", *argv, flush=True)
    arguments = parser.parse_args(argv)
    arguments.func(arguments)
"""
_TRIDENT_COMMANDS = """
import json, sys
from trident_pipeline.cli import main

for argv in json.loads(sys.argv[1]):
    print("$ trident", *argv, flush=True)
    if main(argv):
        sys.exit(f"trident {' '.join(argv)} failed")
"""


def _load_sample(server: AirflowServer, sample: SampleSetup) -> None:
    """``make airflow`` then ``make run``: the Airflow database (migrated, the pools, the DAGs
    serialised, trident_block unpaused) and the store's account links side by side (separate
    databases), then the sample run of trident_inbox."""
    pools_file = server.log_dir / "pools.json"
    pools_file.write_text(json.dumps(sample.pools))
    airflow_commands = [
        ["db", "migrate"],
        ["pools", "import", str(pools_file)],
        ["dags", "reserialize"],
        ["dags", "unpause", "trident_block"],
    ]
    links = [
        ["link", "--platform", platform, "--user-id", user_id,
         "--contact", sample.contact, "--operator", sample.operator]
        for platform, user_id in sample.links
    ]  # fmt: skip
    with ThreadPoolExecutor(max_workers=1) as pool:
        linked = pool.submit(
            server.run,
            sys.executable, "-c", _TRIDENT_COMMANDS, json.dumps(links),
            log_name="trident-link",
        )  # fmt: skip
        server.run(
            sys.executable, "-c", _AIRFLOW_COMMANDS, json.dumps(airflow_commands),
            log_name="airflow-setup",
        )  # fmt: skip
        linked.result()
    server.run(
        "airflow", "dags", "test", "trident_inbox", sample.logical_date, "--conf", sample.conf,
        log_name="sample-run",
    )  # fmt: skip


def _start_server(server: AirflowServer, port: int) -> None:
    started = time.monotonic()
    with server.log_path.open("wb") as log:
        server.process = subprocess.Popen(
            [
                str(BIN / "airflow"), "api-server",
                "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            ],
            env=server.env,
            cwd=PROJECT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so the workers stop with it
        )  # fmt: skip
    deadline = started + SERVER_START_TIMEOUT
    while True:
        if server.process.poll() is not None:
            pytest.fail(
                f"airflow api-server exited {server.process.returncode} while starting; "
                f"last lines of {server.log_path}:\n{server.log_tail()}",
                pytrace=False,
            )
        try:
            if requests.get(server.url("/api/v2/monitor/health"), timeout=5).status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            _stop_server(server)
            pytest.fail(
                f"airflow api-server did not answer on {server.base_url} within "
                f"{SERVER_START_TIMEOUT:.0f} s; last lines of {server.log_path}:\n"
                f"{server.log_tail()}",
                pytrace=False,
            )
        time.sleep(0.5)
    server.timings["api-server"] = time.monotonic() - started


def _stop_server(server: AirflowServer) -> None:
    process = server.process
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)  # the group this fixture started, by its id
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


_SERVER: AirflowServer | None = None


@pytest.fixture(scope="session")
def airflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowServer]:
    """Airflow's api-server with the plugin, on the sample data, signed-in users in ``USERS``."""
    global _SERVER
    _require_prerequisites()
    home = tmp_path_factory.mktemp("e2e-airflow")
    (home / "passwords.json").write_text(json.dumps(PASSWORDS))
    port = _free_port()
    server = AirflowServer(
        base_url=f"http://127.0.0.1:{port}",
        env=_environment(home),
        airflow_home=home / "airflow",
        trident_home=home / "trident",
        log_dir=home / "logs",
    )
    server.airflow_home.mkdir()
    server.trident_home.mkdir()
    server.log_dir.mkdir()
    started = time.monotonic()
    _load_sample(server, SampleSetup.from_makefile())
    _start_server(server, port)
    server.timings["set-up"] = time.monotonic() - started
    (server.log_dir / "timings.json").write_text(json.dumps(server.timings, indent=2))
    _SERVER = server
    try:
        yield server
    finally:
        _SERVER = None
        _stop_server(server)


@pytest.fixture(scope="session")
def sample_response_day(airflow_server: AirflowServer) -> str:
    """The daily response-time DAG run for the sample's last day (7 April 2026, ~17 s), so
    ``response_metrics_daily`` and the month-to-date report have a day. Returns the day."""
    airflow_server.run(
        "airflow", "dags", "test", "trident_response_times", "2026-04-08T00:00:00+01:00",
        log_name="response-times-2026-04-07",
    )  # fmt: skip
    return "2026-04-07"


# --- the browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """Playwright's driver (bundled in its wheel; no browser downloads)."""
    _require_prerequisites()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless, with a fresh temporary profile."""
    launched = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=True
    )
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture
def context(browser: Browser, airflow_server: AirflowServer) -> Iterator[BrowserContext]:
    """A fresh, signed-out browser context whose relative URLs go to the api-server."""
    fresh = browser.new_context(
        base_url=airflow_server.base_url,
        viewport=VIEWPORT,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    fresh.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield fresh
    finally:
        fresh.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A page in a fresh, signed-out context; ``page.goto("/trident/")`` is relative."""
    return context.new_page()


@pytest.fixture
def login(airflow_server: AirflowServer) -> Callable[..., Page]:
    """``login(page, user="sam", *, via_form=False) -> page``: sign ``user`` in.

    By default sets the ``_token`` cookie that Airflow's login page sets (a JWT from
    ``POST /auth/token``), without loading a page. ``via_form=True`` fills in and submits
    SimpleAuthManager's login form instead, ending on Airflow's home page.
    """

    def _login(page: Page, user: str = "sam", *, via_form: bool = False) -> Page:
        if user not in USERS:
            raise ValueError(f"unknown e2e user {user!r}: one of {', '.join(USERS)}")
        if via_form:
            page.goto("/auth/login?next=/")
            page.get_by_label("Username").fill(user)
            page.get_by_label("Password").fill(PASSWORDS[user])
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/auth/login" not in url)
            return page
        page.context.add_cookies(
            [
                {
                    "name": "_token",
                    "value": airflow_server.token(user),
                    "url": airflow_server.url("/"),
                    "sameSite": "Lax",
                }
            ]
        )
        return page

    return _login


# --- screenshots ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def screenshots_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``docs/screenshots/`` when ``TRIDENT_SAVE_SCREENSHOTS=1``, else a temp folder."""
    if os.environ.get("TRIDENT_SAVE_SCREENSHOTS") == "1":
        folder = PROJECT / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@pytest.fixture
def screenshot(screenshots_dir: Path) -> Callable[..., Path]:
    """``screenshot(page, name, *, full_page=True) -> path``: a PNG named ``name``.png."""

    def _screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
        if not _NAME.match(name):
            raise ValueError(f"screenshot name {name!r}: lower-case letters, digits, . _ -")
        path = screenshots_dir / f"{name}.png"
        page.screenshot(path=path, full_page=full_page, animations="disabled", caret="hide")
        return path

    return _screenshot


# --- axe-core ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AxeViolation:
    """One axe-core rule that failed, with the elements it failed on."""

    id: str
    impact: str
    help: str
    help_url: str
    targets: tuple[str, ...]
    snippets: tuple[str, ...]

    def __str__(self) -> str:
        where = "".join(
            f"\n    at {target}  {snippet}"
            for target, snippet in zip(self.targets, self.snippets, strict=True)
        )
        return f"{self.impact} {self.id}: {self.help} ({self.help_url}){where}"


class AxeViolations(list[AxeViolation]):
    """The violations of one check; prints as a readable report in assertion messages."""

    def __str__(self) -> str:
        if not self:
            return "no axe-core violations"
        return f"{len(self)} axe-core violation(s):\n" + "\n".join(map(str, self))

    __repr__ = __str__


def _selector(target: Any) -> str:
    # A target is a CSS selector, or a list of them through iframes and shadow roots.
    if isinstance(target, list):
        return " >>> ".join(_selector(part) for part in target)
    return str(target)


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe.min.js from tests/e2e/node_modules (``make browser``)."""
    _require_prerequisites()
    return AXE_JS.read_text()


@pytest.fixture(scope="session")
def axe_check(axe_source: str) -> Callable[..., AxeViolations]:
    """``axe_check(target, *, include=None, exclude=None, impacts=("serious", "critical"),
    options=None) -> AxeViolations``.

    Injects axe-core into ``target`` (a Page, or a Frame for a page shown in an iframe) and
    runs ``axe.run``, over the whole document or the ``include``/``exclude`` CSS selectors.
    Returns the violations whose impact is in ``impacts`` (empty: none). Use
    ``assert not violations, str(violations)`` or the ``assert_accessible`` fixture.
    """

    def _check(
        target: Page | Frame,
        *,
        include: Sequence[str] | None = None,
        exclude: Sequence[str] | None = None,
        impacts: Sequence[str] = SERIOUS_IMPACTS,
        options: dict[str, Any] | None = None,
    ) -> AxeViolations:
        if not target.evaluate("() => typeof window.axe === 'object'"):
            # evaluate() goes over the DevTools protocol, so a page's CSP cannot block it.
            target.evaluate(axe_source + "\n;0")
        scope: Any = None
        if include or exclude:
            scope = {"include": list(include or ["html"]), "exclude": list(exclude or [])}
        run_options = {"resultTypes": ["violations"], **(options or {})}
        results = target.evaluate(
            "async ([scope, options]) => await axe.run(scope || document, options)",
            [scope, run_options],
        )
        found = AxeViolations()
        for rule in results["violations"]:
            if rule.get("impact") not in impacts:
                continue
            nodes = rule.get("nodes", [])
            found.append(
                AxeViolation(
                    id=rule["id"],
                    impact=rule["impact"],
                    help=rule["help"],
                    help_url=rule["helpUrl"],
                    targets=tuple(_selector(node["target"]) for node in nodes),
                    snippets=tuple(node.get("html", "")[:160] for node in nodes),
                )
            )
        return found

    return _check


@pytest.fixture
def assert_accessible(axe_check: Callable[..., AxeViolations]) -> Callable[..., None]:
    """``assert_accessible(target, **axe_check_kwargs)``: fail with the report when axe-core
    finds serious or critical violations."""

    def _assert(target: Page | Frame, **kwargs: Any) -> None:
        violations = axe_check(target, **kwargs)
        if violations:
            pytest.fail(f"{target.url}: {violations}", pytrace=False)

    return _assert


# --- on failure: the page as it was and the server's log -----------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    if report.failed and item.path.is_relative_to(E2E):
        failed_page = getattr(item, "funcargs", {}).get("page")
        if failed_page is not None and not failed_page.is_closed():
            # Beside the server's logs, never in docs/screenshots/.
            folder = _SERVER.log_dir if _SERVER is not None else Path(tempfile.gettempdir())
            name = re.sub(r"[^a-z0-9._-]+", "-", item.name.lower()).strip("-")
            path = folder / f"FAILED-{name}.png"
            try:
                failed_page.screenshot(path=path, full_page=True)
                report.sections.append(("page at failure", f"{failed_page.url}\n{path}"))
            except Exception as error:  # noqa: BLE001 - best effort, the failure is the news
                report.sections.append(("page at failure", f"no screenshot: {error}"))
        if _SERVER is not None:
            report.sections.append(
                (
                    f"api-server log: last {SERVER_LOG_TAIL} lines but successful requests",
                    _SERVER.log_tail(),
                )
            )
    return report
