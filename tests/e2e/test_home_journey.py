"""A teacher opens the app in a real browser: the home page, then every page from the sidebar."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_for_app

pytestmark = pytest.mark.e2e

PAGES = ("Data", "Stock forecasting", "Letter prediction", "Cell step-through", "Architecture comparison")


def test_home_page_in_browser(page, app_url):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("heading", name="RNN Lab").wait_for()
    body = page.inner_text("body")
    assert "Embedded data and where it comes from" in body
    assert "Traceback" not in body
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    for name in PAGES:
        assert name in nav
    page.shot("home")


def test_home_page_in_chinese(page, app_url):
    page.goto(app_url)
    wait_for_app(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="中文").click()
    page.get_by_role("heading", name="RNN 实验室").wait_for()
    page.shot("home-zh")
