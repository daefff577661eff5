"""A teacher walks the Memory and gradients page in a real browser at 1280x720, in English and then in 中文:
the power argument's numbers, one tiny long-memory training (the dense reference, T = 5, one seed), the
peephole check against Keras. Screenshots in test-artifacts/screenshots/test_grad_page_in_english_and_chinese/."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import choose_language
from tests.e2e.conftest import wait_for_app as wait_for_rerun

pytestmark = pytest.mark.e2e


def wait_for_app(page) -> None:
    """The first visit imports TensorFlow and computes the power argument and Jacobians: minutes on a busy CPU."""
    wait_for_rerun(page, timeout=240_000)


def section(page, label: str) -> None:
    page.locator('[data-testid="stRadio"]').first.get_by_text(label, exact=True).click()
    wait_for_app(page)


def no_error(page) -> None:
    body = page.inner_text("body")
    assert "Traceback" not in body and not page.locator('[data-testid="stException"]').count()


def test_grad_page_in_english_and_chinese(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_url}/Memory_and_gradients")
    wait_for_app(page)
    page.get_by_role("heading", name="The power argument, exactly").wait_for()
    page.get_by_text("0.00515378").first.wait_for()  # 0.9^50 by closed form (and by GradientTape beside it)
    assert page.get_by_text("0.00515378").count() >= 2
    page.get_by_text("agree within").wait_for()
    page.locator('[data-testid="stMetric"]').first.scroll_into_view_if_needed()
    page.shot("en-power", full_page=False)
    no_error(page)

    section(page, "3 · Long memory")
    for name in ("SimpleRNN", "LSTM", "GRU"):  # keep the dense reference only: a training of seconds
        page.get_by_role("button", name=f"Remove {name}", exact=True).first.click()
        wait_for_app(page)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="T").last.click()
    page.get_by_role("option", name="5", exact=True).click()
    wait_for_app(page)
    seeds = page.get_by_label("Seeds", exact=True)
    seeds.fill("1")
    seeds.press("Enter")
    wait_for_app(page)
    page.get_by_text("1 models at T = 5; 1 still to train").wait_for()
    page.get_by_role("button", name="Train T = 5").click()
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for(timeout=240_000)
    wait_for_app(page)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
    no_error(page)
    table.scroll_into_view_if_needed()
    page.shot("en-memory-trained", full_page=False)

    choose_language(page, "中文")
    wait_for_app(page)
    page.get_by_role("heading", name="长期记忆：不同 T 下的加法问题").wait_for()
    page.locator('[data-testid="stDataFrame"]').first.scroll_into_view_if_needed()
    page.shot("zh-memory", full_page=False)
    no_error(page)

    section(page, "1 · 梯度消失与爆炸")
    page.get_by_role("heading", name="幂次论证的准确表述").wait_for()
    page.locator('[data-testid="stMetric"]').first.scroll_into_view_if_needed()
    page.shot("zh-power", full_page=False)

    section(page, "4 · 窥孔 LSTM")
    page.get_by_role("button", name="与 Keras 对照检查").click()
    success = page.locator('[data-testid="stAlertContentSuccess"]')
    success.wait_for(timeout=120_000)
    assert "4576" in success.inner_text().replace(",", "")  # 4·32·(2+32+1) + 3·32
    success.scroll_into_view_if_needed()
    page.shot("zh-peephole", full_page=False)
    no_error(page)
