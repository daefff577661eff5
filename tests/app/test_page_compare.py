"""Headless AppTest of the comparison page: three cells, one seed, few epochs; reuse of models."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.compare import default_epochs
from tests.app.fresh_process import imported_while_rendering

PAGE = ("pages", "5_Architecture_comparison.py")


@pytest.fixture(autouse=True)
def empty_memory_caches():
    """Each test starts with empty in-memory caches (the disk cache is isolated per test already)."""
    from core.training import RESULTS

    RESULTS.clear_memory()


@pytest.fixture
def app(root, isolated_cache) -> AppTest:
    at = AppTest.from_file(str(root.joinpath(*PAGE)), default_timeout=300)
    at.run()
    return at


def test_first_visit_trains_nothing(app):
    assert not app.exception
    assert "compare.result" not in app.session_state
    assert app.multiselect(key="compare.cells.price").value == ["rnn", "lstm", "gru", "dense"]
    assert app.number_input(key="compare.seeds").value == 3
    assert app.number_input(key="compare.epochs.price.default").value == default_epochs("price", "default")
    assert any("12 models: 4 × 3 seed(s)." in c.value for c in app.caption)
    assert not app.get("plotly_chart")


def test_three_cells_one_seed_few_epochs(app):
    app.multiselect(key="compare.cells.price").set_value(["rnn", "lstm", "gru"])
    app.number_input(key="compare.seeds").set_value(1)
    app.number_input(key="compare.epochs.price.default").set_value(2)
    app.button(key="compare.run").click().run()
    assert not app.exception and not app.error
    result = app.session_state["compare.result"]
    assert [s.cell for s in result.summaries] == ["rnn", "lstm", "gru"]
    assert (result.trained, result.cached) == (3, 0)
    assert any(c.value.endswith("s: 3 trained, 0 from the cache.") for c in app.caption)
    assert all(r.epochs_run <= 2 and r.seed == 7 for r in result.runs)
    table = app.dataframe[0].value
    assert list(table["model"]) == ["SimpleRNN", "LSTM", "GRU"]
    assert list(table["parameters"]) == ["1,217", "4,769", "3,681"]  # 32 units on 4 price columns + Dense(1)
    assert all(" ± 0.00" in v for v in table["RMSE"])  # one seed: no spread
    words = " ".join(m.value for m in app.markdown)
    assert "Ranked by RMSE" in words and "seed luck" in words and "best baseline" in words
    assert len(app.get("plotly_chart")) == 3  # predictions, loss curves, metric bars
    formulas = app.dataframe[1].value
    assert formulas["formula"].iloc[1].startswith("LSTM(32): 4·[32·(4+32)+32] = 4,736")

    app.button(key="compare.run").click().run()  # same settings again: every model from the cache
    again = app.session_state["compare.result"]
    assert (again.trained, again.cached) == (0, 3)
    assert any(c.value.endswith("s: 0 trained, 3 from the cache.") for c in app.caption)
    assert not any("settings of the last comparison" in i.value for i in app.info)
    app.number_input(key="compare.seeds").set_value(2).run()  # changed settings: the old result says so
    assert any("settings of the last comparison" in i.value for i in app.info)
    assert app.session_state["compare.result"] is again  # nothing trained on a widget change
    assert list(app.dataframe[0].value["from cache"]) == ["1 / 1"] * 3


def test_letters_reuse_the_letter_pages_model(root, isolated_cache):
    letters = AppTest.from_file(str(root / "pages" / "3_Letter_prediction.py"), default_timeout=120).run()
    letters.button(key="letters.train").click().run()  # L1, SimpleRNN, seed 7, 100 epochs
    assert letters.session_state["letters.result"].accuracy == 1.0

    at = AppTest.from_file(str(root.joinpath(*PAGE)), default_timeout=300).run()
    at.radio(key="compare.task").set_value("letters").run()
    at.multiselect(key="compare.cells.letters").set_value(["rnn", "gru"])
    at.number_input(key="compare.seeds").set_value(1)
    assert at.number_input(key="compare.epochs.letters.default").value == 100
    at.button(key="compare.run").click().run()
    assert not at.exception
    result = at.session_state["compare.result"]
    assert [(r.cell, r.cached) for r in result.runs] == [("rnn", True), ("gru", False)]
    assert result.summary("rnn").mean("accuracy") == 1.0
    table = at.dataframe[0].value
    assert list(table["model"]) == ["SimpleRNN", "GRU"] and "epochs to 100%" in table.columns
    assert len(at.get("plotly_chart")) == 3  # loss and accuracy curves, metric bars (no price chart)


def test_price_comparison_reuses_the_forecast_pages_model(root, isolated_cache):
    forecast = AppTest.from_file(str(root / "pages" / "2_Stock_forecasting.py"), default_timeout=300).run()
    forecast.radio(key="forecast.cell").set_value("gru")
    forecast.number_input(key="forecast.epochs").set_value(2)
    forecast.button(key="forecast.train").click().run()  # the default pipeline's GRU, seed 7, 2 epochs
    trained = forecast.session_state["forecast.result"]
    assert not trained.cached and trained.config.cell == "gru"

    at = AppTest.from_file(str(root.joinpath(*PAGE)), default_timeout=300).run()
    at.multiselect(key="compare.cells.price").set_value(["gru"])
    at.number_input(key="compare.seeds").set_value(1)
    at.number_input(key="compare.epochs.price.default").set_value(2)
    at.button(key="compare.run").click().run()
    assert not at.exception
    result = at.session_state["compare.result"]
    assert [(r.cell, r.seed, r.cached) for r in result.runs] == [("gru", 7, True)]
    assert result.summary("gru").mean("rmse") == float(trained.metrics.loc["model", "rmse"])


def test_page_in_chinese(app):
    app.sidebar.selectbox[0].select("zh").run()
    assert not app.exception
    assert app.title[0].value == "哪种循环核更好？代价是多少？"
    assert app.button(key="compare.run").label == "开始对比"
    assert any("12 个模型" in c.value for c in app.caption)


def test_page_renders_without_tensorflow(root):
    imported = imported_while_rendering(root, root.joinpath(*PAGE), ("tensorflow", "keras"))
    assert imported == "False False"  # nothing trains, TensorFlow waits for the button
