"""A student walks through the Sequence lab's four tabs in 中文 and trains a tiny seasonal model (1280x720),
then reads the same result in English (it comes from the cache)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import choose_language, wait_for_app

pytestmark = pytest.mark.e2e
TABS_ZH = ("季节序列", "多步编码器-解码器", "涨跌分类", "序列形状")


def set_number(page, label: str, value) -> None:
    """Type into a number field of a form (Tab, not Enter: Enter would submit the form)."""
    wait_for_app(page)
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Tab")
    page.wait_for_timeout(300)


def train_tiny_seasonal(page, epochs_label: str, seeds_label: str, train: str) -> None:
    set_number(page, epochs_label, 3)
    set_number(page, seeds_label, 1)
    page.get_by_role("button", name=train, exact=True).click()
    page.locator("#result").wait_for(timeout=300_000)
    wait_for_app(page, timeout=120_000)


def test_four_tabs_in_chinese_and_a_tiny_seasonal_model(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_url}/Sequence_lab")
    wait_for_app(page)
    choose_language(page, "中文")
    page.get_by_role("heading", name="序列实验室：季节、多步预测、涨跌分类与形状").wait_for()
    for name in reversed(TABS_ZH):  # each tab draws its own form (and, for shapes, the formulas)
        page.get_by_role("tab", name=name).click()
        wait_for_app(page)
        page.get_by_role("tab", name=name, selected=True).wait_for()
        page.get_by_role("button", name="训练", exact=True).wait_for()
        body = page.inner_text("body")
        assert "Traceback" not in body and "训练" in body
        if name == "序列形状":
            page.get_by_text("4U(F+U+1)", exact=True).wait_for()  # the formula table
            assert "共 26 个参数" in page.inner_text("body")
        page.shot(f"tab-{TABS_ZH.index(name) + 1}", full_page=False)
    train_tiny_seasonal(page, "轮数", "种子数", "训练")
    body = page.inner_text("body")
    assert "Traceback" not in body and "结果：季节序列" in body
    assert "最好的朴素基线" in body and "季节朴素 y[t-m]" in body and "GRU 默认" in body  # default mode, as chosen
    page.locator("#result").scroll_into_view_if_needed()
    page.shot("seasonal-result-zh", full_page=False)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.locator(".legend").wait_for()
    assert "真实值" in chart.inner_text() and "季节朴素 y[t-m]" in chart.inner_text()
    chart.scroll_into_view_if_needed()
    page.shot("seasonal-chart-zh", full_page=False)

    choose_language(page, "English")
    page.get_by_role("tab", name="Seasonal series").click()
    wait_for_app(page)
    train_tiny_seasonal(page, "Epochs", "Seeds", "Train")  # the same settings: taken from the cache
    body = page.inner_text("body")
    assert "Result: Seasonal series" in body and "best naive baseline" in body and "GRU default" in body
    page.locator("#result").scroll_into_view_if_needed()
    page.shot("seasonal-result-en", full_page=False)
