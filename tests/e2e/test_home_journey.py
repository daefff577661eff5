"""A teacher opens the app in a real browser: the home page, then every page from the sidebar."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import choose_language, wait_for_app

pytestmark = pytest.mark.e2e

PAGES = ("Data", "Stock forecasting", "Letter prediction", "Cell step-through", "Architecture comparison")


def test_home_page_in_browser(page, app_url):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("heading", name="RNN Lab").wait_for()
    page.locator('[data-testid="stMarkdown"] table').nth(1).wait_for()  # provenance and versions tables drawn
    body = page.inner_text("body")
    assert "Embedded data and where it comes from" in body
    assert "Traceback" not in body
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text(PAGES[-1], exact=True).wait_for()  # the sidebar may draw after the (quick) tables
    nav = sidebar.inner_text()
    for name in PAGES:
        assert name in nav
    page.shot("home")


def test_sidebar_link_opens_a_page_with_the_same_navigation(page, app_url):
    page.goto(f"{app_url}/Letter_prediction")  # a direct link to a page, as a bookmark would
    wait_for_app(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("Cell step-through").click()
    page.wait_for_url("**/Cell_step_through")
    wait_for_app(page)
    page.get_by_role("heading", name="Cell step-through").first.wait_for()
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Home", exact=True).wait_for()
    nav = sidebar.inner_text()
    assert all(name in nav for name in ("Home", *PAGES))
    page.shot("cell-page-from-link")


def test_home_page_in_chinese(page, app_url):
    page.goto(app_url)
    wait_for_app(page)
    choose_language(page, "中文")
    page.get_by_role("heading", name="RNN 实验室").wait_for()
    nav = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "首页" in nav  # the navigation follows the language too
    page.shot("home-zh")
