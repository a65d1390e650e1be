"""The dashboard in a real browser (Debian's Chromium, driven by Selenium and chromedriver).

Each page is opened from its folder with every request outside it refused: it must load
with no console error and no request for anything but itself, and its screenshots at a
desktop and a phone width must show the charts (many colours, no blank page), with nothing
wider than the phone's screen but the tables, which scroll in their own box.

``.ci/run`` installs ``chromium`` and ``chromium-driver``; where they are missing (a laptop
without them) these tests are skipped, saying so.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers_workflow import describe
from helpers_workflow import run as guarded_run

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-20"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}

if CHROMIUM is None or DRIVER is None:
    pytest.skip(
        "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver; "
        ".ci/run installs them)",
        allow_module_level=True,
    )
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
Image = pytest.importorskip("PIL.Image", reason="Pillow is not installed")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A dashboard for each audience, over a generated repository of 60 cases."""
    base = tmp_path_factory.mktemp("browser")
    repo = base / "repo"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(repo), "--cases", "60"],
        check=True,
        capture_output=True,
    )
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    out = {"repo": repo}
    for audience in ("caseworker", "buyer", "investor"):
        folder = base / audience
        result = guarded_run(
            ["dashboard", repo, "--for", audience, "--output", folder, "--as-of", AS_OF]
        )
        assert result.exit_code == 0, describe(result)
        out[audience] = folder
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        # the network is blocked: every name resolves to nothing, every proxy is dead
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
        "--disable-background-networking",
        "--no-first-run",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = webdriver.ChromeService(executable_path=DRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


def requests_made(driver: Any) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def colours(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    found = image.getcolors(maxcolors=1 << 20)
    return len(found) if found is not None else 1 << 20


@pytest.mark.parametrize("audience", ["caseworker", "buyer", "investor"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_page_loads_offline_draws_its_charts_and_fits(
    browser: Any, sites: dict[str, Path], audience: str, width: str, tmp_path: Path
) -> None:
    page = sites[audience] / "index.html"
    browser.set_window_size(*WIDTHS[width])
    browser.get_log("performance")  # forget earlier pages
    browser.get_log("browser")
    browser.get(page.as_uri())
    assert browser.execute_script("return document.readyState") == "complete"
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    requests = requests_made(browser)
    assert page.as_uri() in requests
    assert [u for u in requests if u != page.as_uri()] == []
    drawn = browser.execute_script(
        """
        const charts = [...document.querySelectorAll('svg.chart')];
        return {
          charts: charts.length,
          bars: document.querySelectorAll('svg.chart rect').length,
          narrowest: Math.min(...charts.map(c => c.getBoundingClientRect().width)),
          widest: Math.max(...charts.map(c => c.getBoundingClientRect().right)),
          page: document.documentElement.scrollWidth,
          screen: window.innerWidth,
          tables: document.querySelectorAll('table').length,
        };
        """
    )
    assert drawn["charts"] > 10 and drawn["bars"] > drawn["charts"]
    assert drawn["tables"] == drawn["charts"]
    assert drawn["narrowest"] > 200
    assert drawn["widest"] <= drawn["screen"]
    assert drawn["page"] <= drawn["screen"], "the page is wider than the screen"
    shot = browser.get_screenshot_as_png()
    (tmp_path / f"{audience}-{width}.png").write_bytes(shot)
    assert colours(shot) > 20, "a blank or nearly blank screenshot"
    browser.execute_script("document.querySelector('svg.chart').scrollIntoView()")
    chart = browser.find_element("css selector", "svg.chart").screenshot_as_png
    assert colours(chart) >= 4  # white, text and the bars' colours
    if audience == "investor":
        shown = browser.execute_script("return document.documentElement.outerHTML")
        ids = [p.name for p in (sites["repo"] / "cases").iterdir()]
        assert ids and not [i for i in ids if i in shown]
