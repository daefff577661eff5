"""Every page in 中文: no sentence without Chinese characters, also after training and on every user error.

A text passes when it holds a CJK character, or when nothing is left of it after removing names that
stay as they are in Chinese teaching material (LSTM, RMSE, Keras ...), numbers and punctuation.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.errors import AppError, ErrorKind

CJK = re.compile(r"[\u4e00-\u9fff]")
# Names kept in Latin letters in Chinese text: models, metrics, libraries, tickers, course alphabets.
ALLOWED = re.compile(
    r"\b(SimpleRNN|LSTM|Peephole|GRU|Dense|Embedding|Conv1D|Keras|TensorFlow|English|RMSE|MSE|MAE|MAPE|Theil|CSV|Adam|"
    r"[a-e]{2,12}|1pre1|4pre1|softmax|tanh|sigmoid|IBM|GOOG|MSFT|AAPL|AAA|BBB|SP500|NASDAQ|abcde|abcdefgh|bcde|keras|python|sha256|"
    r"streamlit|tensorflow|cpu|plotly|pandas|numpy|scikit|learn|yfinance|statsmodels|open|high|low|close|adj_close|"
    r"volume|epoch|units|loss|val_loss|accuracy|Dropout|BSD|NCSA|arch|bokeh_sampledata|csv|gz)\b"
)
WIDGETS = ("button", "radio", "selectbox", "number_input", "text_input", "checkbox", "multiselect", "slider", "tabs")


def texts(at: AppTest) -> list[tuple[str, str]]:
    """(element kind, text) of everything a user reads on the page."""
    found = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        found += [(kind, str(e.value)) for e in getattr(at, kind)]
    found += [("metric", m.label) for m in at.metric] + [("metric value", str(m.value)) for m in at.metric]
    for kind in WIDGETS:
        for widget in getattr(at, kind, []):
            found += [(kind, widget.label)] if getattr(widget, "label", None) else []
            found += [(f"{kind} option", str(o)) for o in getattr(widget, "options", None) or []]
    found += [("table column", str(c)) for d in at.dataframe for c in d.value.columns]
    found += [("table row", str(r)) for d in at.table for r in d.value.index]
    found += [("table column", str(c)) for d in at.table for c in d.value.columns]
    return found + [("chart", value) for value in chart_texts(at)]


def chart_texts(at: AppTest) -> list[str]:
    """Titles, axis titles, legend names, annotations and tick labels of every Plotly chart."""
    found = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("text", "name", "ticktext", "hovertemplate") and v:
                    found.extend([str(x) for x in v] if isinstance(v, list) else [str(v)])
                elif k not in ("data", "x", "y", "z", "customdata"):
                    walk(v, k)
        elif isinstance(node, list) and key in ("annotations", "shapes", "traces", ""):
            for item in node:
                walk(item, key)

    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        walk(spec.get("layout", {}), "")
        for trace in spec.get("data", []):
            walk({k: v for k, v in trace.items() if k in ("name", "text", "hovertemplate") and isinstance(v, str)})
    return [re.sub(r"<[^>]+>|%\{[^}]*\}", " ", value) for value in found]


def english_left(value: str) -> bool:
    if CJK.search(value):
        return False
    rest = ALLOWED.sub(" ", re.sub(r"`[^`]*`|\$[^$]*\$|https?://\S+|[\w.-]+\.(csv|keras|py|txt|npz)", " ", value))
    return re.search(r"[A-Za-z]{3,}", rest) is not None


def assert_chinese(at: AppTest, where: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    english = [(kind, value[:120]) for kind, value in texts(at) if english_left(value)]
    assert english == [], f"{where}: {english}"


def page(root, name: str) -> AppTest:
    at = AppTest.from_file(str(root / "pages" / name) if name != "app.py" else str(root / name), default_timeout=300)
    at.session_state["ui.lang"] = "zh"
    return at.run()


def test_the_checker_bites():
    assert english_left("Training cancelled after epoch 3 of 40.")
    assert not english_left("训练已在第 3 / 40 轮后取消。")
    assert not english_left("LSTM · RMSE 12.3")


@pytest.mark.parametrize(
    "name",
    [
        "app.py",
        "1_Data.py",
        "2_Stock_forecasting.py",
        "3_Letter_prediction.py",
        "4_Cell_step_through.py",
        "5_Architecture_comparison.py",
        "7_Text_lab.py",
        "8_Memory_and_gradients.py",
    ],
)
def test_every_page_on_arrival(root, isolated_cache, name):
    assert_chinese(page(root, name), name)


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.radio(key="data.data_source").set_value("upload").run()
    at.file_uploader(key="data.upload").upload(name, content, "text/csv")
    return at.run()


ALL_TEXT = b"Date,Open,High,Low,Close,Volume,Adj Close\n" + b"".join(
    f"2024-01-{d:02d},n/a,n/a,n/a,n/a,{1000 + d},n/a\n".encode() for d in range(1, 20)
)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"", "empty"),
        (b"PK\x03\x04 binary", "binary"),
        (ALL_TEXT, "all text"),
        (b"a,b\nx,1\ny,2\n", "no dates"),
        (b"Date,Close\nsoon,1\nlater,2\n", "bad dates"),
        (b"<html><body>hi</body></html>", "html"),
    ],
)
def test_upload_errors(root, isolated_cache, content, kind):
    at = upload(page(root, "1_Data.py"), "file.csv", content)
    assert at.error, kind
    assert_chinese(at, kind)


@pytest.mark.parametrize(
    "kind", [ErrorKind.OFFLINE, ErrorKind.RATE_LIMITED, ErrorKind.UNKNOWN_TICKER, ErrorKind.EMPTY_RESULT]
)
def test_ticker_errors(root, isolated_cache, monkeypatch, kind):
    import core.yahoo

    keys = {ErrorKind.UNKNOWN_TICKER: "unknown_ticker", ErrorKind.EMPTY_RESULT: "no_rows_for_ticker"}

    def fail(*args, **kwargs):
        raise AppError(kind, key=keys.get(kind), ticker="MSFT") if kind in keys else AppError(kind)

    monkeypatch.setattr(core.yahoo, "fetch_prices", fail)
    at = page(root, "1_Data.py")
    at.radio(key="data.data_source").set_value("ticker").run()
    at.text_input(key="data.yf_ticker").input("MSFT").run()
    at.button(key="data.yf_go").click().run()
    assert at.error
    assert_chinese(at, kind)


def test_forecasting_trained_and_refused(root, isolated_cache):
    at = page(root, "2_Stock_forecasting.py")
    for key, value in {"window": 5, "epochs": 1, "test_size": 100}.items():
        at.number_input(key=f"forecast.{key}").set_value(value)
    at.button(key="forecast.train").click().run()
    assert "forecast.result" in at.session_state
    assert_chinese(at, "trained")
    at.number_input(key="forecast.window").set_value(99999)
    at.button(key="forecast.train").click().run()
    assert at.error
    assert_chinese(at, "bad setting")
    at.number_input(key="forecast.window").set_value(5)
    at.number_input(key="forecast.test_size").set_value(5000)
    at.button(key="forecast.train").click().run()
    assert at.error
    assert_chinese(at, "too few rows")


def test_letters_trained_and_bad_input(root, isolated_cache):
    at = page(root, "3_Letter_prediction.py")
    at.button(key="letters.train").click().run()
    assert_chinese(at, "trained")
    at.text_input(key="letters.text").input("z").run()
    assert at.error
    assert_chinese(at, "letter outside the alphabet")
    at.text_input(key="letters.text").input("").run()
    assert_chinese(at, "no letter")


def test_comparison_of_letters(root, isolated_cache):
    at = page(root, "5_Architecture_comparison.py")
    at.radio(key="compare.task").set_value("letters").run()
    at.number_input(key="compare.seeds").set_value(1)
    at.number_input(key="compare.epochs.letters.default").set_value(5)
    at.button(key="compare.run").click().run()
    assert "compare.result" in at.session_state
    assert_chinese(at, "compared")


def test_comparison_of_prices(root, isolated_cache):
    at = page(root, "5_Architecture_comparison.py")
    at.number_input(key="compare.seeds").set_value(1)
    at.number_input(key="compare.epochs.price.default").set_value(1)
    at.button(key="compare.run").click().run()
    assert "compare.result" in at.session_state
    assert_chinese(at, "compared prices")


def test_cell_views(root, isolated_cache):
    at = page(root, "4_Cell_step_through.py")
    for source in ("worked", "stock", "letters"):
        at.radio(key="cells.source").set_value(source).run()
        assert_chinese(at, source)
    at.text_input(key="cells.text").input("xyz").run()
    assert at.error
    assert_chinese(at, "bad letters")


def test_one_chinese_term_for_a_cell():
    """The course calls a recurrent cell 循环核 and its units 记忆体; the app once mixed 单元, 循环核 and 循环核."""
    folder = Path(__file__).resolve().parents[2] / "assets" / "text" / "zh"
    mixed = {
        p.name: line for p in folder.glob("*.toml") for line in p.read_text("utf-8").splitlines() if "单元" in line
    }
    assert not mixed, mixed
    assert tomllib.loads((folder / "forecast.toml").read_text("utf-8"))["cell_label"] == "循环核"
