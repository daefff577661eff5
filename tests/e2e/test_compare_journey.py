"""A teacher compares SimpleRNN, LSTM, GRU and the dense reference in a real browser (2 seeds, few epochs)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import wait_for_app

pytestmark = pytest.mark.e2e


def set_number(page, label: str, value: int) -> None:
    wait_for_app(page)  # a rerun can briefly show the old and the new widget together
    page.wait_for_function(f"document.querySelectorAll('input[aria-label=\"{label}\"]').length === 1")
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_timeout(300)
    wait_for_app(page)


def test_compare_cells_table_and_charts(page, app_url):
    page.goto(f"{app_url}/Architecture_comparison")
    wait_for_app(page)
    page.get_by_role("heading", name="Which cell is better, and at what cost?").wait_for()
    page.get_by_text("12 models: 4 × 3 seed(s).").wait_for()
    set_number(page, "Seeds per model", 2)
    set_number(page, "Epochs", 3)
    page.get_by_text("8 models: 4 × 2 seed(s).").wait_for()
    page.get_by_role("button", name="Compare", exact=True).click()
    progress = page.get_by_text(re.compile(r"model [1-8] of 8 \(\w+, seed [78]\)"))
    progress.first.wait_for(timeout=120_000)  # the batch progress line: model i of n, seed, time left
    assert "left in all" in progress.first.inner_text()
    page.shot("progress", full_page=False)
    page.get_by_role("heading", name="What the numbers say").wait_for(timeout=300_000)
    wait_for_app(page)
    body = page.inner_text("body")
    assert "Traceback" not in body
    assert "Ranked by RMSE (mean ± std over 2 seed(s))" in body
    assert re.search(r"(differ by less than their spread|by more than their spread)", body)
    assert "best baseline" in body

    table = page.locator('[data-testid="stDataFrame"]').first
    table.scroll_into_view_if_needed()
    table.screenshot(path=str(page.shot("after-run").with_name("table.png")))
    assert table.bounding_box()["height"] > 100  # four rows drawn
    charts = page.locator('[data-testid="stPlotlyChart"]')
    charts.nth(2).wait_for()  # Plotly charts load after the rest of the page
    assert charts.count() == 3
    charts.nth(0).locator(".legend").wait_for()
    legend = charts.nth(0).inner_text()
    for name in ("SimpleRNN", "LSTM", "GRU", "Dense", "real", "persistence"):
        assert name in legend
    charts.nth(0).scroll_into_view_if_needed()
    charts.nth(0).screenshot(path=str(page.shot("predictions").with_name("predictions-chart.png")))
    charts.nth(1).scroll_into_view_if_needed()
    charts.nth(1).screenshot(path=str(page.shot("loss").with_name("loss-chart.png")))
    charts.nth(2).scroll_into_view_if_needed()
    charts.nth(2).screenshot(path=str(page.shot("bars").with_name("bars-chart.png")))


def test_compare_cells_on_a_letter_task(page, app_url):
    page.goto(f"{app_url}/Architecture_comparison")
    wait_for_app(page)
    page.locator('[data-testid="stRadio"]').first.get_by_text("Letter prediction", exact=True).click()
    page.get_by_text("9 models: 3 × 3 seed(s).").wait_for()
    set_number(page, "Seeds per model", 2)
    page.get_by_role("button", name="Compare", exact=True).click()
    page.get_by_role("heading", name="What the numbers say").wait_for(timeout=300_000)
    wait_for_app(page)
    body = page.inner_text("body")
    assert "Traceback" not in body
    assert re.search(r"Ranked by (accuracy|epochs until 100% accuracy) \(mean ± std over 2 seed\(s\)\)", body)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    charts.nth(2).wait_for()
    assert charts.count() == 3  # loss curves, accuracy curves, metric bars
    page.get_by_role("heading", name="What the numbers say").scroll_into_view_if_needed()
    page.shot("letters-results", full_page=False)
    charts.nth(2).scroll_into_view_if_needed()
    charts.nth(2).screenshot(path=str(page.shot("letters-bars").with_name("letters-bars-chart.png")))
