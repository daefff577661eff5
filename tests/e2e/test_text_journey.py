"""The text lab in a real browser at 1280x720: in 中文 a teacher writes a Tang quatrain with the shipped
model and translates a Chinese date with attention (tiny training); in English a student generates
Shakespeare and meets an empty prompt as a sentence."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import choose_language, wait_for_app

pytestmark = pytest.mark.e2e


def open_lab(page, app_url) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_url}/Text_lab")
    wait_for_app(page)


def fill_number(page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    wait_for_app(page)


def test_zh_poem_and_chinese_date(page, app_url):
    open_lab(page, app_url)
    choose_language(page, "中文")
    page.get_by_role("heading", name="文本实验室：一个字一个字地写，以及带注意力的翻译").wait_for()
    wait_for_app(page)
    page.get_by_text("唐诗五言", exact=True).click()
    page.get_by_role("button", name="写一首绝句").wait_for()
    wait_for_app(page)
    page.get_by_role("button", name="写一首绝句").click()
    page.get_by_text("一首五言绝句：四行，每行五字").wait_for()
    wait_for_app(page)
    grid = page.locator("table").filter(has_text="。").first
    assert grid.locator("tbody tr").count() == 4
    body = page.inner_text("body")
    assert "Traceback" not in body and "记忆检查" in body
    grid.scroll_into_view_if_needed()
    page.shot("zh-poem", full_page=False)

    page.get_by_role("tab", name="带注意力的翻译").click()
    page.get_by_text("短：一项").click()
    wait_for_app(page)
    page.get_by_role("tabpanel").get_by_text("设置", exact=True).last.click()
    fill_number(page, "轮数", 3)
    fill_number(page, "句子对数", 2000)
    page.get_by_role("button", name="训练", exact=True).click()
    page.get_by_text("每一行是一个输出字符").wait_for(timeout=180_000)
    wait_for_app(page)
    body = page.inner_text("body")
    assert "Traceback" not in body and "完全正确" in body and "二〇一九年五月六日" in body
    page.shot("zh-translated", full_page=False)
    heat = page.locator('[data-testid="stPlotlyChart"]').last
    heat.scroll_into_view_if_needed()
    page.shot("zh-attention-map", full_page=False)


def test_en_generate_and_empty_prompt(page, app_url):
    open_lab(page, app_url)
    page.get_by_role("heading", name="Text lab: writing text one character at a time").wait_for()
    page.get_by_text("shipped", exact=False).first.wait_for()
    wait_for_app(page)
    page.get_by_role("button", name="Generate", exact=True).click()
    page.get_by_text("Memorisation check").wait_for()
    wait_for_app(page)
    body = page.inner_text("body")
    assert "Traceback" not in body and "ROMEO:" in body
    page.shot("en-shipped-model", full_page=False)
    page.get_by_text("Memorisation check").scroll_into_view_if_needed()
    page.shot("en-generated", full_page=False)

    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill("")
    prompt.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Generate", exact=True).click()
    page.get_by_text("Type a prompt of at least one character").wait_for()
    wait_for_app(page)
    assert "Traceback" not in page.inner_text("body")
    page.get_by_text("Type a prompt of at least one character").scroll_into_view_if_needed()
    page.shot("en-empty-prompt", full_page=False)
