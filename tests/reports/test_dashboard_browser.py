"""Must show 5: the dashboard rendered in headless Chromium shows its charts with no network access
(everything is served by the app itself), on screen and in print. Screenshots go to test-artifacts/."""
from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.conftest import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_or_skip() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM}: install Debian's chromium and fonts-wqy-microhei "
                    "(apt-get install chromium fonts-wqy-microhei) to run the browser test")


@pytest.fixture
def live_server(seeded, on_date):
    chromium_or_skip()
    on_date(date(2026, 6, 30))
    app = seeded
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_dashboard_charts_render_offline_in_headless_chromium(live_server):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    failed: list[str] = []

    def only_local(route, request):
        if urlsplit(request.url).hostname == "127.0.0.1":
            route.continue_()
        else:  # anything else would be a CDN or some other network dependency
            outside.append(request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page.route("**/*", only_local)
            page.on("requestfailed", lambda request: failed.append(request.url))

            page.goto(f"{live_server}/login")
            page.fill("input[name=login]", "leader")
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("form:has(input[name=password]) [type=submit]")
            page.wait_for_load_state("networkidle")
            page.goto(f"{live_server}/dashboard")
            page.wait_for_load_state("networkidle")

            assert page.locator("h1").first.inner_text().startswith("仪表盘")
            # Bootstrap is served by the app (BOOTSTRAP_SERVE_LOCAL) and applied.
            assert page.evaluate("getComputedStyle(document.querySelector('.table')).borderCollapse") == "collapse"
            for chart_id in ("chart-states", "chart-groups", "chart-units", "chart-overdue-trend", "chart-rate-trend"):
                chart = page.locator(f"#{chart_id}")
                box = chart.bounding_box()
                assert box and box["width"] > 200 and box["height"] > 60, chart_id
                assert chart.locator("rect.bar, path.line").count() > 0, chart_id
            # The overdue bar of the state chart is drawn with a real width (4 of 16 tasks).
            overdue_bar = page.locator("#chart-states rect.bar").nth(3)
            assert overdue_bar.bounding_box()["width"] > 20
            assert page.locator("#chart-rate-trend path.line").get_attribute("d").startswith("M")
            # Every chart has its table of figures beside it.
            for table_id in ("state-table", "group-table", "unit-table", "trend-table"):
                assert page.locator(f"#{table_id}").is_visible()
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

            page.emulate_media(media="print")
            assert not page.locator("nav.navbar").is_visible()
            assert not page.locator("form.filters").is_visible()
            assert page.locator("#chart-states rect.bar").first.is_visible()
            page.screenshot(path=str(ARTIFACTS / "dashboard-print.png"), full_page=True)
        finally:
            browser.close()

    assert outside == [], f"the dashboard tried to reach the network: {outside}"
    assert failed == [], f"requests failed: {failed}"
    screenshot = ARTIFACTS / "dashboard.png"
    assert screenshot.exists() and screenshot.stat().st_size > 20_000
