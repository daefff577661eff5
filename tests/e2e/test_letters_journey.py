"""A teacher trains the course's L4 model in a real browser, types mnop and sees q."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import choose_language, wait_for_app

pytestmark = pytest.mark.e2e


def test_train_l4_type_mnop_see_q(page, app_url):
    page.goto(f"{app_url}/Letter_prediction")
    wait_for_app(page)
    page.get_by_role("heading", name="Letter prediction: which letter comes next?").wait_for()
    page.get_by_text("L4 · 4 letters a–z, Embedding").click()
    page.get_by_text("L4: alphabet a–z, four letters").wait_for()  # the settings follow the task
    page.wait_for_timeout(500)
    wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("All 22 inputs are mapped to the right next letter (100%).").wait_for(timeout=120_000)
    wait_for_app(page)
    body = page.inner_text("body")
    assert "These settings differ from the course task" not in body  # the course's own L4, not a custom one
    assert "Traceback" not in body
    page.shot("l4-trained")
    charts = page.locator('[data-testid="stPlotlyChart"]')  # curves, probabilities, letter vectors
    charts.first.scroll_into_view_if_needed()
    charts.first.screenshot(path=str(page.shot("curves").with_name("curves-chart.png")))
    charts.last.scroll_into_view_if_needed()
    assert charts.last.locator("text", has_text="z").count() >= 1
    charts.last.screenshot(path=str(page.shot("embedding").with_name("embedding-chart.png")))

    box = page.get_by_label("4 letter(s)")
    box.fill("mnop")
    box.press("Enter")
    page.get_by_text("mnop → q").wait_for()
    wait_for_app(page)
    chart = page.locator('[data-testid="stPlotlyChart"]').nth(1)  # curves first, then the probabilities
    chart.scroll_into_view_if_needed()
    assert chart.locator("text", has_text="q").count() >= 1
    chart.screenshot(path=str(page.shot("prediction-mnop").with_name("probability-chart.png")))

    box.fill("mno")
    box.press("Enter")
    page.get_by_text("Type exactly 4 letter(s); 'mno' has 3.").wait_for()
    page.shot("wrong-length")


def test_student_saves_and_reloads_a_model(page, app_url, tmp_path):
    """Train L1, download the .keras file, upload a broken file (a sentence), then the real one (restored)."""
    page.goto(f"{app_url}/Letter_prediction")
    wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("All 5 inputs are mapped to the right next letter (100%).").wait_for(timeout=120_000)
    wait_for_app(page)
    page.get_by_role("tab", name="Save / load model").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the model (.keras)").click()
    saved = tmp_path / "letters_L1_rnn.keras"
    download.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"  # a .keras file is a zip archive

    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"this is not a model")
    upload = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    upload.set_input_files(str(broken))
    message = page.get_by_text("This is not a .keras model file (a .keras file is a zip archive).")
    message.wait_for()
    wait_for_app(page)
    assert message.is_visible()  # the open tab stays open after the rerun, so the sentence is seen
    page.shot("broken-upload")

    upload.set_input_files(str(saved))
    page.get_by_text("An uploaded model has no training curves.").wait_for()
    page.get_by_text("This is not a .keras model file").wait_for(state="detached")
    wait_for_app(page)
    body = page.inner_text("body")
    assert "All 5 inputs are mapped to the right next letter (100%)." in body
    assert "This is not a .keras model" not in body
    page.shot("restored")


def test_page_in_chinese(page, app_url):
    page.goto(f"{app_url}/Letter_prediction")
    wait_for_app(page)
    choose_language(page, "中文")
    page.get_by_role("heading", name="字母预测：下一个字母是什么？").wait_for()
    wait_for_app(page)
    page.get_by_role("button", name="训练", exact=True).click()
    page.get_by_text("全部 5 个输入都映射到正确的下一个字母（100%）。").wait_for(timeout=120_000)
    page.wait_for_timeout(1000)
    wait_for_app(page)
    page.shot("zh-trained")
