"""`make dashboard` as an analyst sees it (issue 16, point 1): the real Superset, from its own
environment (.venv-dashboard), on 127.0.0.1 over a warehouse built by a real refresh of the
samples, shows the dashboard shipped in orchestration/dashboard/bundle/ in headless Debian
Chromium; every chart shows the sample data and none shows an error."""

import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest
import yaml
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from tests.conftest import REPO_ROOT, free_port, query, wait_for

DASHBOARD = REPO_ROOT / "orchestration" / "dashboard"
DASHBOARD_PYTHON = REPO_ROOT / ".venv-dashboard" / "bin" / "python"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
# nothing of the browser's own reaches out (updates, sync, QUIC probes)
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1600,2600",
)  # fmt: skip
CHART = '[data-test="chart-grid-component"]'
ERROR = '[role="alert"], .ant-alert-error'
# what a chart holds once drawn: its canvas (ECharts), its table, or an error
DRAWN = f"canvas, table, {ERROR}"


def slice_names() -> dict[str, str]:
    """Every chart the bundle ships: its file's name to its title."""
    return {
        path.stem: yaml.safe_load(path.read_text())["slice_name"]
        for path in (DASHBOARD / "bundle" / "charts").glob("*.yaml")
    }


def healthy(base: str, process: subprocess.Popen, log: Path) -> bool:
    if process.poll() is not None:
        raise AssertionError(f"Superset exited ({process.returncode}):\n{log.read_text()[-4000:]}")
    try:
        with urlopen(f"{base}/health", timeout=5) as response:
            return response.status == 200
    except (URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture(scope="module")
def superset(
    sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """`make dashboard`'s launcher on a free port; its metadata in a fresh home."""
    assert DASHBOARD_PYTHON.exists(), "no .venv-dashboard: `make dashboard-install` creates it"
    home = tmp_path_factory.mktemp("superset")
    password = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "DIGIMETRICS_WAREHOUSE": str(sample_warehouse),
        "DIGIMETRICS_DASHBOARD_HOME": str(home),
        "SUPERSET_ADMIN_PASSWORD": password,
    }
    env.pop("SUPERSET_SECRET_KEY", None)  # the launcher generates one in its home
    base = f"http://127.0.0.1:{(port := free_port())}"
    log = home / "superset.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(DASHBOARD_PYTHON), str(DASHBOARD / "serve.py"), "--port", str(port)],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for(lambda: healthy(base, process, log), 600, "Superset's /health", every=0.5)
        yield base, password
    finally:
        process.terminate()
        process.wait(timeout=60)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    options = Options()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def log_in(browser: WebDriver, base: str, password: str) -> None:
    browser.get(f"{base}/login/")
    username = wait_for(
        lambda: browser.find_elements(By.CSS_SELECTOR, '[data-test="username-input"]'),
        60, "the login form", every=0.2,
    )[0]  # fmt: skip
    username.send_keys("admin")
    browser.find_element(By.CSS_SELECTOR, '[data-test="password-input"]').send_keys(password)
    browser.find_element(By.CSS_SELECTOR, '[data-test="login-button"]').click()
    wait_for(lambda: "/login" not in browser.current_url, 60, "the login", every=0.2)


def rendered(browser: WebDriver) -> dict[str, WebElement] | None:
    """Every chart by title once all of them are on the page and none is still loading."""
    try:
        charts = {
            chart.get_attribute("data-test-chart-name"): chart
            for chart in browser.find_elements(By.CSS_SELECTOR, CHART)
        }
        loading = browser.find_elements(By.CSS_SELECTOR, f'{CHART} [data-test="loading-indicator"]')
        drawn = all(chart.find_elements(By.CSS_SELECTOR, DRAWN) for chart in charts.values())
        if sorted(charts) != sorted(slice_names().values()) or loading or not drawn:
            return None
        return charts
    except StaleElementReferenceException:
        return None


def tooltip(browser: WebDriver, chart: WebElement) -> str:
    """A line chart draws on a canvas: its values show in the tooltip (HTML) on hover."""
    ActionChains(browser).move_to_element(chart.find_element(By.TAG_NAME, "canvas")).perform()
    return wait_for(
        lambda: browser.execute_script(
            "return [...document.querySelectorAll('.echarts-tooltip')]"
            ".map(e => e.innerText.trim()).filter(t => t).join('\\n')"
        ),
        30, "the chart's tooltip", every=0.2,
    )  # fmt: skip


def pct(value: float, sign: str = "") -> str:
    """A rate as the charts format it (d3 ',.1f')."""
    return f"{value:{sign},.1f}"


def expected_texts(warehouse: Path) -> dict[str, list[str]]:
    """For each table and pivot chart (by its file's name), texts of the sample data that
    its cells must show, read from the warehouse with the chart's own filters."""
    named = "from marts.fct_indicators join marts.dim_region using (region_code) where sector = 'all' and period_type = 'year'"
    rates = query(
        warehouse,
        f"select name, rate_pct {named} and geography = 'as_reported' and region_level = 'province'",
    )
    ranks = query(
        warehouse,
        f"select name, rank_in_parent, rate_pct {named} and geography = 'current' and region_level = 'province'",
    )
    targets = query(
        warehouse,
        f"select name, target_gap_pp, target_met {named} and geography = 'as_reported' and region_level in ('country', 'province') and target_pct is not null",
    )
    reports = query(
        warehouse,
        "select period, completeness_pct, timeliness_pct from marts.fct_reporting_completeness where region_level = 'country'",
    )
    issues = query(warehouse, "select submitter, rule from marts.data_quality_issues")
    assert rates and ranks and targets and reports and issues, "the samples lack a figure"
    return {
        "rates_by_province_and_period": [t for name, rate in rates for t in (name, pct(rate))],
        "province_ranking": [t for name, rank, rate in ranks for t in (name, str(rank), pct(rate))],
        "targets_met_and_missed": [
            t for name, gap, met in targets for t in (name, pct(gap, "+"), str(met).lower())
        ],
        "reporting_completeness": [
            t for period, done, on_time in reports for t in (period, pct(done), pct(on_time))
        ],
        "data_quality_issues": [*{t for row in issues for t in row}, str(len(issues))],
    }


def expected_series(warehouse: Path) -> dict[str, list[tuple[str, str, float]]]:
    """For each line chart: (period, series, rate) of every point it draws."""
    return {
        "country_trend": query(warehouse, "select period, indicator, rate_pct from marts.fct_indicators where region_code = 'VN' and geography = 'current' and sector = 'all' and period_type = 'quarter'"),
        "province_in_both_geographies": query(warehouse, "select period, geography || ', ' || region_code, rate_pct from marts.fct_indicators where indicator = 'online_dossier_rate' and sector = 'all' and period_type = 'year' and ((geography = 'current' and region_code = 'VN-25-34') or (geography = 'as_reported' and region_code in ('VN-34', 'VN-25-34')))"),
    }  # fmt: skip


def outside_requests_blocked(browser: WebDriver, base: str) -> list[str]:
    """The URLs outside this server that the page asked for and the content security policy
    did not block (Superset's front end asks for a telemetry pixel)."""
    asked = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    blocked = " ".join(
        entry["message"]
        for entry in browser.get_log("browser")
        if "violates the following Content Security Policy" in entry["message"]
    )
    return [url for url in asked if not url.startswith(base) and url not in blocked]


def test_the_dashboard_shows_every_chart_with_the_sample_data(
    superset: tuple[str, str],
    browser: WebDriver,
    sample_warehouse: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    base, password = superset
    log_in(browser, base, password)
    browser.get(f"{base}/superset/dashboard/digimetrics/")
    charts = wait_for(lambda: rendered(browser), 180, "every chart to render", every=0.5)

    errors = {
        name: chart.text
        for name, chart in charts.items()
        if chart.find_elements(By.CSS_SELECTOR, ERROR)
    }
    assert errors == {}
    titles = slice_names()
    texts, series = expected_texts(sample_warehouse), expected_series(sample_warehouse)
    assert sorted([*texts, *series]) == sorted(titles), "a chart of the bundle is not checked"
    for name, expected in texts.items():
        shown = charts[titles[name]].text
        assert [t for t in expected if t not in shown] == [], name
    for name, points in series.items():
        # the tooltip of the period under the pointer lists each series' value there
        shown = tooltip(browser, charts[titles[name]])
        period = shown.split()[0]
        expected = [f"{label}\t{pct(rate)}" for p, label, rate in points if p == period]
        assert expected, f"{name}: the tooltip names no period of the sample data: {shown!r}"
        assert [t for t in expected if t not in shown] == [], (name, shown)
    assert outside_requests_blocked(browser, base) == []
    # the lines have finished drawing by now
    screenshot = tmp_path_factory.getbasetemp() / "dashboard.png"
    browser.save_screenshot(str(screenshot))
    print(f"screenshot: {screenshot}")
