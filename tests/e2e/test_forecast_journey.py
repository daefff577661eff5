"""A teacher loads the course settings, trains a few epochs in a real browser and reads the results."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import wait_for_app

pytestmark = pytest.mark.e2e
SCORED = re.compile(r"^Scored on \d+ days")  # the result's line (the split caption also says "scored on")


def test_course_settings_few_epochs_progress_chart_and_table(page, app_url):
    page.goto(f"{app_url}/Stock_forecasting")
    wait_for_app(page)
    page.get_by_role("heading", name="Stock forecasting with SimpleRNN, LSTM and GRU").wait_for()
    page.get_by_text("Choose the settings and press Train").wait_for()  # nothing trains on arrival
    page.get_by_role("button", name="Reset to course settings").click()
    wait_for_app(page)
    epochs = page.get_by_label("Epochs", exact=True)
    expect(epochs).to_have_value("50")  # the course's 50 epochs, window 60
    expect(page.get_by_label("Window (days)", exact=True)).to_have_value("60")
    epochs.fill("3")
    page.get_by_text("SimpleRNN", exact=True).click()  # the fastest cell keeps the journey short
    page.get_by_role("button", name="Train", exact=True).click()

    page.get_by_text("epoch 1 of 3", exact=False).wait_for(timeout=120_000)  # live progress with time left
    assert page.get_by_text("s left", exact=False).count() >= 1
    page.get_by_text("epoch 2 of 3", exact=False).wait_for(timeout=120_000)
    page.locator('[data-testid="stPlotlyChart"]').nth(1).wait_for(timeout=10_000)  # the curves growing
    page.wait_for_timeout(500)
    page.shot("progress")
    page.get_by_text(SCORED).wait_for(timeout=180_000)
    page.locator('[data-testid="stPlotlyChart"]').nth(2).wait_for()  # split, prediction and loss charts
    wait_for_app(page)
    body = page.inner_text("body")
    assert "Traceback" not in body
    assert "SimpleRNN (course)" in body and "test loss" in body
    assert "did not beat previous close" in body.replace("**", "")  # the course model loses to the close
    page.shot("trained")

    table = page.locator('[data-testid="stTable"]').first
    table.scroll_into_view_if_needed()
    table.screenshot(path=str(page.shot("table").with_name("metrics-table.png")))
    split = page.locator('[data-testid="stPlotlyChart"]').first  # the split of the series, drawn before training
    split.scroll_into_view_if_needed()
    assert split.locator("text", has_text="scored days").count() >= 1
    split.screenshot(path=str(page.shot("split").with_name("split-chart.png")))
    chart = page.locator('[data-testid="stPlotlyChart"]').nth(1)
    chart.scroll_into_view_if_needed()
    assert chart.locator("text", has_text="previous close").count() >= 1  # baselines drawn in the legend
    assert chart.locator("text", has_text="forecast (not scored)").count() >= 1
    chart.screenshot(path=str(page.shot("chart").with_name("prediction-chart.png")))
    curves = page.locator('[data-testid="stPlotlyChart"]').nth(2)
    curves.scroll_into_view_if_needed()
    assert curves.locator("text", has_text="test loss").count() >= 1
    curves.screenshot(path=str(page.shot("curves").with_name("loss-chart.png")))

    verdicts = page.get_by_text("did not beat previous close", exact=False).first
    verdicts.scroll_into_view_if_needed()
    page.shot("verdicts", full_page=False)
    page.get_by_role("tab", name="Stand-alone script").click()
    page.get_by_text("# 6. evaluate", exact=False).first.wait_for()
    page.get_by_role("tab", name="Downloads").click()
    page.get_by_role("button", name="Download the trained model (.keras)").wait_for()
    page.get_by_role("button", name="Download the trained model (.keras)").scroll_into_view_if_needed()
    page.shot("downloads", full_page=False)


def test_default_mode_gru_reads_like_the_previous_close(page, app_url):
    page.goto(f"{app_url}/Stock_forecasting")
    wait_for_app(page)
    page.get_by_role("heading", name="Stock forecasting with SimpleRNN, LSTM and GRU").wait_for()
    page.get_by_text("GRU", exact=True).click()
    page.get_by_label("Epochs", exact=True).fill("4")
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text(SCORED).wait_for(timeout=180_000)
    page.locator('[data-testid="stPlotlyChart"]').nth(2).wait_for()  # split, prediction and loss charts
    wait_for_app(page)
    body = page.inner_text("body").replace("**", "")
    assert "GRU (default)" in body and "validation loss (last training rows)" in body
    assert "beat persistence" in body and "Traceback" not in body  # the default beats doing nothing
    page.get_by_text("beat persistence", exact=False).first.scroll_into_view_if_needed()
    page.shot("default-verdicts", full_page=False)
    chart = page.locator('[data-testid="stPlotlyChart"]').nth(1)
    chart.scroll_into_view_if_needed()
    assert chart.locator("text", has_text="previous close").count() >= 1
    chart.screenshot(path=str(page.shot("default-chart").with_name("default-prediction-chart.png")))
