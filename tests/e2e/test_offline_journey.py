"""A class with no internet, strange files and curious students, in a real browser.

The server runs with every proxy pointed at a closed port on 127.0.0.1, so yfinance's requests
fail at once wherever the tests run (with or without internet) and no traffic leaves the machine.
"""

from __future__ import annotations

import re
import tempfile

import pandas as pd
import pytest
from playwright.sync_api import expect

from core.prices import column_name
from tests.e2e.conftest import free_port, start_app, stop_app, wait_for_app

pytestmark = pytest.mark.e2e

CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens, every connection is refused
NO_NETWORK_ENV = {
    name: CLOSED for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy")
}
NO_NETWORK_ENV |= {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


@pytest.fixture(scope="module")
def offline_url():
    port = free_port()
    proc = start_app(port, env=NO_NETWORK_ENV | {"RNNLAB_CACHE_DIR": tempfile.mkdtemp(prefix="rnnlab-offline-")})
    yield f"http://127.0.0.1:{port}"
    stop_app(proc)


def open_data_page(page, url: str) -> None:
    page.goto(f"{url}/Data")
    wait_for_app(page)
    page.get_by_role("heading", name="Pick, upload or fetch a price series").wait_for()


def choose_source(page, label: str) -> None:
    page.locator('[data-testid="stRadio"]').first.get_by_text(label).click()
    wait_for_app(page)


def test_ticker_without_network_says_why_and_embedded_data_still_works(page, offline_url):
    open_data_page(page, offline_url)
    page.locator('[data-testid="stMetric"]').first.wait_for()  # the embedded default is shown at once
    assert "Rows" in page.inner_text("body")
    choose_source(page, "Ticker (online)")
    page.get_by_label("Ticker (Yahoo Finance symbol)", exact=True).and_(page.locator("input")).fill("AAPL")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Download").click()
    error = page.locator('[data-testid="stAlertContentError"]')
    error.wait_for(timeout=60_000)
    assert "cannot be reached" in error.inner_text()
    page.shot("ticker-offline")
    choose_source(page, "Embedded (offline)")
    page.locator('[data-testid="stMetric"]').first.wait_for()
    body = page.inner_text("body")
    assert "cannot be reached" not in body and "Traceback" not in body
    page.shot("embedded-again")


def test_oversize_upload_gets_a_message(page, offline_url, tmp_path):
    limit_mb = 25  # .streamlit/config.toml server.maxUploadSize
    big = tmp_path / "huge.csv"
    big.write_bytes(b"Date,Close\n" + b"2020-01-01,1.0\n" * ((limit_mb * 2**20) // 15 + 1000))
    assert big.stat().st_size > limit_mb * 2**20
    open_data_page(page, offline_url)
    choose_source(page, "Upload a CSV")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(big))
    message = page.get_by_text(re.compile(r"File must be .*25.*MB or smaller"))
    message.wait_for(timeout=30_000)
    page.shot("oversize")
    assert "Traceback" not in page.inner_text("body")


IMG_COLUMN = "<img src=x onerror=window.__xss=1>"


def hostile_csv(path) -> None:
    dates = pd.bdate_range("2021-02-01", periods=40).strftime("%Y-%m-%d")
    rows = [f"Date,Ticker,Open,{IMG_COLUMN},Close"]
    for ticker in ("<b>AAA</b>", "<script>window.__xss=2</script>"):
        rows += [f"{d},{ticker},{100 + i},{200 + i},{101 + i}" for i, d in enumerate(dates)]
    path.write_text("\n".join(rows) + "\n")


def test_html_in_an_upload_is_shown_as_text(page, offline_url, tmp_path):
    path = tmp_path / "<em>evil.csv"  # a file name cannot hold "/", so the tag stays open
    hostile_csv(path)
    open_data_page(page, offline_url)
    choose_source(page, "Upload a CSV")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    wait_for_app(page)
    page.locator('[data-testid="stAlertContentInfo"]').wait_for()  # two tickers: which one? (a question)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Ticker in this file").click()
    page.get_by_role("option", name="<b>AAA</b>").click()
    wait_for_app(page)
    page.locator('[data-testid="stMetric"]').first.wait_for()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Target column").click()
    page.get_by_role("option", name=column_name(IMG_COLUMN)).click()  # the hostile column becomes the chart's line
    wait_for_app(page)
    page.locator(".js-plotly-plot").filter(has_text="220").wait_for()  # redrawn with the column's values
    page.shot("hostile-upload")
    body = page.inner_text("body")
    assert "<em>evil.csv" in body  # the file name is shown as written, not in italics
    shown = page.locator("main input").evaluate_all("els => els.map(e => e.value)")
    assert column_name(IMG_COLUMN) in shown  # the chosen column's name is the selectbox's text value
    assert page.evaluate("() => window.__xss") is None
    assert page.locator('img[src="x"]').count() == 0 and page.locator("b, em").count() == 0
    plot_text = page.locator(".js-plotly-plot").first.inner_text()
    assert "upload: <em>evil.csv" in plot_text and page.locator(".js-plotly-plot em").count() == 0


def test_forecast_settings_survive_choosing_an_upload(page, offline_url, tmp_path):
    """Choosing "Upload a CSV" (the form is not drawn until a file arrives) must not wipe the settings."""
    path = tmp_path / "prices.csv"
    dates = pd.bdate_range("2015-01-02", periods=600)
    close = 100 + pd.Series(range(600), dtype=float).mul(0.1).to_numpy()
    pd.DataFrame({"Date": dates.strftime("%Y-%m-%d"), "Open": close, "Close": close}).to_csv(path, index=False)
    page.goto(f"{offline_url}/Stock_forecasting")
    form = page.locator('[data-testid="stForm"]')
    form.wait_for()
    wait_for_app(page)
    window = form.get_by_label("Window (days)", exact=True).and_(page.locator("input"))
    # On a busy machine the form's frame can arrive before its fields (a failed run saw only Train in it),
    # and a field can be drawn from its element's default before the session's value is applied to it:
    # wait for the field itself, then (longer) for its value.
    window.wait_for(timeout=60_000)
    expect(window).to_have_value("20", timeout=30_000)  # the first run has settled on the default settings
    before = window.input_value()
    choose_source(page, "Upload a CSV")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_text("upload: prices.csv").first.wait_for()
    form.wait_for()
    wait_for_app(page)
    page.shot("after-upload")
    assert window.input_value() == before == "20"
    assert form.get_by_label("Units per layer", exact=True).and_(page.locator("input")).input_value() == "32"
