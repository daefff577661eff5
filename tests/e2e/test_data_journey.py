"""A student brings a price file to the Data page in a real browser: a bad file first, then a good one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.e2e.conftest import choose_language, wait_for_app

pytestmark = pytest.mark.e2e


def investing_csv(rows: int = 300) -> bytes:
    """An investing.com-style export: newest first, "1,234.56" prices, "3.44M" volumes, MM/DD/YYYY."""
    rng = np.random.default_rng(3)
    close = 1000 + np.cumsum(rng.normal(0, 12, rows))
    dates = pd.bdate_range("2023-01-02", periods=rows)
    lines = ['"Date","Price","Open","High","Low","Vol.","Change %"']
    for d, c in reversed(list(zip(dates, close, strict=True))):
        o = c + rng.normal(0, 5)
        lines.append(
            f'"{d:%m/%d/%Y}","{c:,.2f}","{o:,.2f}","{max(o, c) + 4:,.2f}","{min(o, c) - 4:,.2f}",'
            f'"{rng.uniform(1, 5):.2f}M","0.10%"'
        )
    return "\n".join(lines).encode()


def choose_upload(page) -> None:
    page.get_by_text("Upload a CSV", exact=True).click()
    page.locator('[data-testid="stFileUploader"]').wait_for()


def upload(page, name: str, content: bytes) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )


def test_bad_file_then_good_file(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1500})  # the whole chart in one screenshot
    page.goto(f"{app_url}/Data")
    wait_for_app(page)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()  # the embedded default
    assert "3,270" in page.locator('[data-testid="stMetric"]').first.inner_text()
    page.shot("embedded-default")

    choose_upload(page)
    upload(page, "report.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="binary file")
    alert.wait_for()
    assert "This is a binary file (a spreadsheet, archive or image?), not a CSV text file." in alert.inner_text()
    body = page.inner_text("body")
    assert "Traceback" not in body and page.locator('[data-testid="stPlotlyChart"]').count() == 0
    page.shot("bad-file-message")

    upload(page, "investing.csv", investing_csv())
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    wait_for_app(page)
    metrics = page.locator('[data-testid="stMetric"]').all_inner_texts()
    assert "300" in metrics[0] and "2023-01-02" in metrics[1]
    body = page.inner_text("body")
    assert "upload: investing.csv · 300 rows" in body
    assert "reversed the order (the file was newest first)" in body
    assert page.locator('[data-testid="stAlert"]').filter(has_text="binary").count() == 0
    page.locator(".rangeslider-container").first.wait_for()  # the range slider is drawn
    page.shot("good-file-chart")


def test_long_file_ticker_choice(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1500})
    page.goto(f"{app_url}/Data")
    wait_for_app(page)
    choose_upload(page)
    rows = ["ticker,date,open,high,low,close,volume"]
    for i, d in enumerate(pd.bdate_range("2024-01-02", periods=60)):
        rows += [
            f"AAA,{d:%Y-%m-%d},{10 + i},{11 + i},{9 + i},{10 + i},100",
            f"BBB,{d:%Y-%m-%d},{50 - i * 0.3},{51 - i * 0.3},{49 - i * 0.3},{50.5 - i * 0.3},200",
        ]
    upload(page, "long.csv", "\n".join(rows).encode())
    page.locator('[data-testid="stAlertContentInfo"]').filter(has_text="which one should the pages use").wait_for()
    page.shot("long-file-choose")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Ticker in this file").click()
    page.get_by_role("option", name="BBB").click()
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    wait_for_app(page)
    assert "60" in page.locator('[data-testid="stMetric"]').first.inner_text()
    page.shot("long-file-chart")


def test_data_page_in_chinese(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1500})
    page.goto(f"{app_url}/Data")
    wait_for_app(page)
    choose_language(page, "中文")
    page.get_by_role("heading", name="选择、上传或下载一段价格序列").wait_for()
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    wait_for_app(page)
    assert "行数" in page.locator('[data-testid="stMetric"]').first.inner_text()
    radios = page.locator('[data-testid="stRadio"] input[type="radio"]')
    assert [radios.nth(i).is_checked() for i in range(3)] == [True, False, False]  # still shown as chosen
    page.shot("data-zh")
