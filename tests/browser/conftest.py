"""Browser tests: the app served on 127.0.0.1 from a background thread, driven by Debian's Chromium
through Playwright (never `playwright install`: nothing is downloaded). Every request that does not
go to 127.0.0.1 is aborted and recorded; the tests assert there were none.

The session ``app`` fixture serves (demo seed loaded, today fixed to 2026-06-30); the server threads
and the test thread each have their own database session, so the test re-reads with fresh sessions
(``db.session.remove()`` first) when it checks the database."""
from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.conftest import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
JOURNEY_DAY = date(2026, 6, 30)  # the demo history is designed around this day (seeds/xicen_plan.py)


def chromium_or_skip() -> None:
    if not Path(CHROMIUM).exists():
        reason = (f"Chromium not installed at {CHROMIUM}: install Debian's chromium and fonts-wqy-microhei "
                  "(apt-get install chromium fonts-wqy-microhei; .ci/run does) to run the browser tests")
        print(f"\nSKIPPED: {reason}", file=sys.stderr)
        pytest.skip(reason)


@pytest.fixture
def live_server(seeded, on_date):
    """The base URL of the app, served by werkzeug in a background thread."""
    chromium_or_skip()
    on_date(JOURNEY_DAY)
    server = make_server("127.0.0.1", 0, seeded, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@dataclass
class NetworkGuard:
    """Lets requests to 127.0.0.1 through; aborts and records everything else (a CDN, a font, …)."""

    outside: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def route(self, route, request) -> None:
        if urlsplit(request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(request.url)
            route.abort()


@pytest.fixture
def network_guard():
    guard = NetworkGuard()
    yield guard
    assert guard.outside == [], f"the pages tried to reach the network: {guard.outside}"


@pytest.fixture
def chromium():
    """Debian's Chromium, headless, launched by Playwright."""
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_page(chromium, live_server, network_guard):
    """``open_page()`` → a page in a fresh browser context (its own cookies: one per person), with the
    network guard on every request; ``open_page("jingwei")`` also logs in."""
    contexts = []

    def open_as(login: str | None = None):
        context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN",
                                       accept_downloads=True, base_url=live_server)
        context.route("**/*", network_guard.route)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: network_guard.page_errors.append(str(error)))
        if login:
            log_in(page, login)
        return page

    yield open_as
    for context in contexts:
        context.close()


def log_in(page, login: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=password]) [type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, f"login failed for {login}: {page.locator('.alert').all_inner_texts()}"


def go_by_menu(page, group: str, link: str) -> None:
    """Opens a page through the top bar as a person does: the group's dropdown (任务, 督办, …), then its link."""
    nav = page.locator("nav.navbar")
    toggler = nav.locator(".navbar-toggler")
    if toggler.is_visible():  # a phone: the groups are behind the toggler
        toggler.click()
    nav.get_by_role("button", name=group, exact=True).click()
    nav.get_by_role("link", name=link, exact=True).click()
    page.wait_for_load_state("networkidle")
