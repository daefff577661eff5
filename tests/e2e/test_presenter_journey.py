"""A teacher on a 1280x720 projector, presenter view on (a bookmark: ?present=true&lang=...), in English and 中文.

On every page the main button is in the first screen without scrolling; on the pages that train, the
headline numbers are in the screen once the result arrives (the page scrolls to it).
"""

from __future__ import annotations

import shutil
import tomllib

import pytest

from tests.e2e.conftest import ROOT, SCREENSHOTS, wait_for_app

pytestmark = pytest.mark.e2e
SCREEN = {"width": 1280, "height": 720}


def words(page: str, lang: str) -> dict:
    return tomllib.loads((ROOT / "assets" / "text" / lang / f"{page}.toml").read_text("utf-8"))


@pytest.fixture
def projector(browser, request):
    """A 1280x720 page and a `shot(name)` saving what the screen shows (not the whole page)."""
    context = browser.new_context(viewport=SCREEN)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    folder = SCREENSHOTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    pg.shot = lambda name: pg.screenshot(path=str(folder / f"{name}.png"))
    yield pg
    context.close()


def in_first_screen(locator) -> bool:
    """The element is drawn and lies inside the window as it is now (no scrolling)."""
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"] and box["width"] > 0


def open_presenting(page, url: str, path: str, lang: str, lesson: str | None = None) -> None:
    query = f"present=true&lang={lang}" + (f"&lesson={lesson}" if lesson else "")
    page.goto(f"{url}/{path}?{query}")
    wait_for_app(page)
    assert page.locator('[data-testid="stSidebar"][data-collapsed="true"]').count() == 1  # collapsed
    assert "Traceback" not in page.inner_text("body")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_train_and_headline_in_the_first_screen(projector, app_url, lang):
    page = projector
    for path, name, key, lesson in (
        ("Letter_prediction", "letters", "train_button", "L1"),
        ("Stock_forecasting", "forecast", "train_button", None),
    ):
        t = words(name, lang)
        open_presenting(page, app_url, path, lang, lesson)
        button = page.get_by_role("button", name=t[key], exact=True)
        assert in_first_screen(button), f"{path}: {t[key]} is below the first screen"
        page.shot(f"{name}-before")
        button.click()
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=240_000)
        wait_for_app(page)
        page.wait_for_timeout(1500)  # the page scrolls smoothly to the result
        page.shot(f"{name}-result")
        metrics = page.locator('[data-testid="stMetric"]')
        assert metrics.count() >= 4
        assert all(in_first_screen(metrics.nth(i)) for i in range(4)), f"{path}: headline off screen"  # its 4 numbers
        assert "Traceback" not in page.inner_text("body")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_main_controls_in_the_first_screen(projector, app_url, lang):
    page = projector
    compare, cells = words("compare", lang), words("cells", lang)
    open_presenting(page, app_url, "Architecture_comparison", lang, "letters")
    assert in_first_screen(page.get_by_role("button", name=compare["run_button"], exact=True))
    page.shot("compare")
    open_presenting(page, app_url, "Cell_step_through", lang, "worked")
    for label in (cells["previous"], cells["next"]):
        button = page.get_by_role("button", name=label, exact=True)
        assert in_first_screen(button), f"{label} is below the first screen"
        box = button.bounding_box()
        inner = button.locator("p").first.bounding_box()
        assert inner["width"] <= box["width"] + 0.5, f"{label} is cut"  # the label fits in its button
    page.shot("cells")
