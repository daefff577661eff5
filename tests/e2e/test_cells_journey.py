"""A teacher steps through a cell in a real browser: plays bcde with SimpleRNN, LSTM and GRU."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import choose_language, wait_for_app

pytestmark = pytest.mark.e2e

CELLS = {"SimpleRNN": "h_t &= \\tanh", "LSTM": "c_t &= f_t", "GRU": "z_t &= \\sigma"}


def slider_value(page) -> str:
    return page.locator('[data-testid="stSliderThumbValue"]').first.inner_text()


def wait_for_step(page, step: int) -> None:
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=stSliderThumbValue]')?.innerText === '{step}'", timeout=60_000
    )


def test_play_through_bcde_with_each_cell(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 3400})  # the whole page in each screenshot
    page.goto(f"{app_url}/Cell_step_through")
    wait_for_app(page)
    page.get_by_role("heading", name="Cell step-through").wait_for()
    page.get_by_text("Input letters").wait_for()
    page.shot("first-view")
    for label, formula in CELLS.items():
        page.locator('[data-testid="stRadio"]').nth(1).get_by_text(label, exact=True).click()
        wait_for_app(page)
        page.get_by_role("button", name="▶ Play").click()
        page.get_by_role("button", name="■ Stop").wait_for()  # playing starts from step 1
        page.get_by_role("button", name="▶ Play").wait_for(timeout=90_000)  # and stops at the last step
        wait_for_app(page)
        assert slider_value(page) == "4"
        page.get_by_text("step 4 of 4: input “e”").first.wait_for()
        page.get_by_text("next letter after “bcde”: a").first.wait_for()
        body = page.inner_text("body")
        assert "Traceback" not in body and "Error" not in body
        tex = " ".join(page.locator('annotation[encoding="application/x-tex"]').all_text_contents())
        assert formula in tex  # the cell's own formulas, rendered by KaTeX
        page.shot(f"{label}-step4")
    page.get_by_role("button", name="◀ Previous").click()
    wait_for_step(page, 3)
    wait_for_app(page)
    page.get_by_text("step 3 of 4: input “d”").first.wait_for()
    page.shot("gru-step3")


def test_worked_example_in_browser(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 2600})
    page.goto(f"{app_url}/Cell_step_through")
    wait_for_app(page)
    page.get_by_text("The course's worked examples (1pre1, 4pre1)").click()
    wait_for_app(page)
    page.get_by_text("The course slips at step 3").wait_for()
    page.get_by_role("button", name="Next ▶").click()
    wait_for_step(page, 2)
    page.get_by_role("button", name="Next ▶").click()
    wait_for_step(page, 3)
    wait_for_app(page)
    page.get_by_text("step 3 of 4: input “d”").first.wait_for()
    page.shot("worked-4pre1-step3")


def test_conventions_and_parameters_in_chinese(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 3800})
    page.goto(f"{app_url}/Cell_step_through")
    wait_for_app(page)
    choose_language(page, "中文")
    page.get_by_role("heading", name="循环核逐步演示").wait_for()
    wait_for_app(page)
    page.get_by_text("约定：Keras 与教科书、与课程写法的不同之处").click()
    page.get_by_text("参数个数（由公式推导）").click()
    page.get_by_text("GRU 的两个偏置").wait_for()
    page.get_by_text("与 Keras 对该模型的 count_params() 结果（128）完全一致").wait_for()
    body = page.inner_text("body")
    assert "课程的 z 等于 Keras 的 1 − z" in body and "Traceback" not in body
    page.shot("zh-conventions-parameters")
