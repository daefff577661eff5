"""Data page, headless (AppTest): embedded default, good and bad uploads, long files, target, ticker."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import core.prices
import core.yahoo
from core.datasets import DEFAULT_DATASET, dataset_info

GOOD = b"Date,Open,High,Low,Close,Volume\n" + b"\n".join(
    f"2024-01-{d:02d},{10 + d},{11 + d},{9 + d},{10.5 + d},{1000 * d}".encode() for d in range(1, 21)
)
LONG = b"symbol,date,close\nAAA,2024-01-02,1\nBBB,2024-01-02,2\nAAA,2024-01-03,3\nBBB,2024-01-03,4\n"


@pytest.fixture
def at(root) -> AppTest:
    app = AppTest.from_file(str(root / "pages" / "1_Data.py"), default_timeout=60)
    return app.run()


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.radio(key="data.data_source").set_value("upload").run()
    return at.file_uploader(key="data.upload").set_value((name, content, "text/csv")).run()


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption).replace("\\", "")  # markdown escapes removed


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_embedded_default_shows_rows_dates_and_chart(at):
    info = dataset_info(DEFAULT_DATASET)
    assert not at.exception and not at.error
    assert metrics(at) == {"Rows": f"{info.rows:,}", "First date": info.start, "Last date": info.end}
    assert f"embedded: {info.name} · {info.rows:,} rows" in captions(at)
    assert "Cleaning: Read" in captions(at)
    assert at.selectbox(key="data.target").value == "open"
    assert len(at.get("plotly_chart")) == 1
    assert f"licence: {info.licence}" in captions(at)


def test_other_embedded_series(at):
    at.selectbox(key="data.dataset").set_value("SP500").run()
    assert metrics(at)["Rows"] == "5,031" and metrics(at)["Last date"] == "2018-12-31"


def test_good_upload(at):
    upload(at, "prices.csv", GOOD)
    assert not at.exception and not at.error
    assert metrics(at) == {"Rows": "20", "First date": "2024-01-01", "Last date": "2024-01-20"}
    assert "upload: prices.csv · 20 rows" in captions(at)
    assert "Read 20 rows, kept 20: nothing needed cleaning." in captions(at)
    assert at.selectbox(key="data.target").options == ["open", "high", "low", "close", "volume"]


def test_bad_upload_shows_the_sentence_not_a_traceback(at):
    upload(at, "page.csv", b"<!DOCTYPE html><html><body>404</body></html>")
    assert not at.exception
    assert [e.value.replace("\\", "") for e in at.error] == ["This looks like a web page or JSON, not a CSV file."]
    assert not at.metric and not at.get("plotly_chart")


def test_bad_then_good_upload(at):
    upload(at, "empty.csv", b"")
    assert "The file is empty" in at.error[0].value
    at.file_uploader(key="data.upload").set_value(("good.csv", GOOD, "text/csv")).run()
    assert not at.error and metrics(at)["Rows"] == "20"


def test_long_file_asks_for_a_ticker_then_reads_it(at):
    upload(at, "long.csv", LONG)
    assert not at.error  # a question, not an error
    assert at.info[0].value.replace("\\", "") == "This file holds 2 tickers (AAA, BBB): which one should the pages use?"
    at.selectbox(key="data.file_ticker").set_value("BBB").run()
    assert not at.error
    assert metrics(at)["Rows"] == "2"
    assert at.selectbox(key="data.target").value == "close"  # no open in this file


def test_messy_upload_report(at):
    messy = b"Date,Open,Close\n2024-01-03,3,3\n2024-01-01,1,1\n2024-01-02,,2\n2024-01-01,1,1\n"
    upload(at, "messy.csv", messy)
    assert "Read 4 rows, kept 3: sorted the rows by date; removed 1 duplicate date; " in captions(at)
    assert "filled 1 missing value from the previous day." in captions(at)


def test_text_columns_are_named(at):
    upload(at, "notes.csv", b"Date,Close,Comment\n2024-01-01,1,*up*\n2024-01-02,2,down\n")
    assert at.selectbox(key="data.target").options == ["close"]
    assert "Columns holding text (they cannot be a target): Comment" in captions(at)


def test_ticker_download_on_button_only(at, monkeypatch, isolated_cache):
    calls = []

    def fake_fetch(ticker, start, end):
        calls.append(ticker)
        frame = pd.DataFrame({"Close": [1.0, 2.0, 3.0]}, index=pd.bdate_range("2024-01-02", periods=3, name="Date"))
        return core.prices.read_prices(frame.to_csv().encode(), name=f"yfinance: {ticker}")

    monkeypatch.setattr(core.yahoo, "fetch_prices", fake_fetch)
    at.radio(key="data.data_source").set_value("ticker").run()
    at.text_input(key="data.yf_ticker").set_value("msft").run()
    assert calls == [] and not at.metric  # typing does not download
    at.button(key="data.yf_go").click().run()
    assert calls == ["MSFT"] and metrics(at)["Rows"] == "3"
    at.selectbox(key="data.target").set_value("close").run()
    assert calls == ["MSFT"]  # reruns reuse the stored download


def test_ticker_offline_is_an_error_sentence(at, monkeypatch):
    from core.errors import AppError, ErrorKind

    def offline(*args):
        raise AppError(ErrorKind.OFFLINE)

    monkeypatch.setattr(core.yahoo, "fetch_prices", offline)
    at.radio(key="data.data_source").set_value("ticker").run()
    at.text_input(key="data.yf_ticker").set_value("AAPL").run()
    at.button(key="data.yf_go").click().run()
    assert not at.exception
    assert "cannot be reached" in at.error[0].value


def test_chinese_labels(at):
    at.sidebar.selectbox[0].select("zh").run()
    assert at.title[0].value == "选择、上传或下载一段价格序列"
    assert "行数" in metrics(at)


def test_cleaning_report_in_chinese(at):
    at.sidebar.selectbox[0].select("zh").run()
    upload(at, "messy.csv", b"Date,Open,Close\n2024-01-03,3,3\n2024-01-01,1,1\n2024-01-02,2,2\n2024-01-01,1,1\n")
    assert "清洗：读入 4 行，保留 3 行：已按日期排序；删除 1 个重复日期。" in captions(at)
