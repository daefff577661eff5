"""One test per dead end of issue #12 that an AppTest reaches (the others: see each test's docstring).

Bug 3 (summary table): tests/core/test_models.py::test_summary_keeps_every_column_at_any_width.
Bug 4 (offline ticker reasons): tests/core/test_yahoo.py. Bug 5 (all-text prices): tests/core/test_prices.py
and test_all_text_prices_cli_exits_2 below. Bug 7 (中文): tests/app/test_chinese.py. Bug 8 "◀ Prev" at
1280 px: tests/e2e/test_presenter_journey.py. Bug 9: tests/core/test_forecast.py (fallback) and
benchmarks/bench_forecast.py --untouched.
"""

from __future__ import annotations

import subprocess
import sys

from streamlit.testing.v1 import AppTest

GOOD = b"Date,Open,High,Low,Close,Volume\n" + b"\n".join(
    f"2024-01-{d:02d},{10 + d},{11 + d},{9 + d},{10.5 + d},{1000 * d}".encode() for d in range(1, 29)
)
OTHER = b"Date,Open,Close\n" + b"\n".join(f"2023-03-{d:02d},{50 + d},{51 + d}".encode() for d in range(1, 29))
ALL_TEXT = b"Date,Open,High,Low,Close,Volume,Adj Close\n" + b"\n".join(
    f"2024-01-{d:02d},n/a,n/a,n/a,n/a,{1000 * d},n/a".encode() for d in range(1, 29)
)


def page(root, name: str) -> AppTest:
    return AppTest.from_file(str(root / "pages" / name), default_timeout=120).run()


def upload(at: AppTest, page_key: str, name: str, content: bytes) -> AppTest:
    at.radio(key="data.data_source").set_value("upload").run()
    return at.file_uploader(key=f"{page_key}.upload").set_value((name, content, "text/csv")).run()


def test_bug1_out_of_range_field_answers_and_both_resets_reset_it(root, isolated_cache):
    at = page(root, "2_Stock_forecasting.py")
    at.number_input(key="forecast.window").set_value(99999)
    at.button(key="forecast.train").click().run()
    assert not at.exception and "forecast.result" not in at.session_state  # nothing trained, and it says why:
    assert [e.value for e in at.error] == [
        "**Window (days)** must be from 1 to 500 (it is 99999). Change it and press Train again."
    ]
    at.button(key="forecast.reset_default").click().run()
    assert at.number_input(key="forecast.window").value == 20
    at.number_input(key="forecast.epochs").set_value(0)
    at.button(key="forecast.reset_course").click().run()
    assert at.number_input(key="forecast.epochs").value == 50 and at.number_input(key="forecast.window").value == 60
    at.button(key="forecast.train").click()  # the reset values are what Train reads (no training needed to see it)
    assert not at.error


def test_bug2_target_stays_one_choice_across_series_changes(root):
    at = page(root, "1_Data.py")
    at.selectbox(key="data.target").set_value("close").run()
    upload(at, "data", "good.csv", GOOD)
    assert at.selectbox(key="data.target").value == "close"  # the new series has it: kept
    assert '"close"' in at.get("plotly_chart")[0].proto.spec  # and the chart draws that column
    at.file_uploader(key="data.upload").set_value(("other.csv", OTHER, "text/csv")).run()
    assert at.selectbox(key="data.target").value == "close"
    at.file_uploader(key="data.upload").set_value(("text.csv", ALL_TEXT, "text/csv")).run()
    assert at.error and not at.get("plotly_chart")  # refused, with a sentence
    at.file_uploader(key="data.upload").set_value(("good.csv", GOOD, "text/csv")).run()
    chosen = at.selectbox(key="data.target").value
    assert chosen in ("open", "close") and f'"{chosen}"' in at.get("plotly_chart")[0].proto.spec
    assert at.session_state["data.target"] == chosen  # what every page trains on


def test_bug6_the_series_chosen_on_the_data_page_is_the_forecast_pages(root):
    at = page(root, "1_Data.py")
    upload(at, "data", "good.csv", GOOD)
    at.switch_page("2_Stock_forecasting.py").run()
    assert not at.exception
    assert at.radio(key="data.data_source").value == "upload"
    assert any("upload: good.csv" in c.value.replace("\\", "") for c in at.caption)


def test_bug8_a_long_file_asks_a_question_not_an_error(root):
    long = b"symbol,date,close\nAAA,2024-01-02,1\nBBB,2024-01-02,2\nAAA,2024-01-03,3\nBBB,2024-01-03,4\n"
    at = upload(page(root, "1_Data.py"), "data", "long.csv", long)
    assert not at.error and "which one" in at.info[0].value


def test_bug8_letters_input_takes_exactly_what_the_task_reads(root, isolated_cache):
    at = page(root, "3_Letter_prediction.py")
    at.radio(key="letters.task").set_value("L3").run()
    at.session_state["letters.epochs"] = 5  # the box only needs a trained model, not a good one
    at.button(key="letters.train").click().run()
    assert not at.exception and at.text_input(key="letters.text").proto.max_chars == 4  # L3 reads 4 letters


def test_all_text_prices_cli_exits_2(root, tmp_path):
    path = tmp_path / "text.csv"
    path.write_bytes(ALL_TEXT)
    out = subprocess.run(
        [sys.executable, "-m", "core", "forecast", "--csv", str(path)], cwd=root, capture_output=True, text=True
    )
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
    assert "Open" in out.stderr or "open" in out.stderr  # it names the price columns without numbers
