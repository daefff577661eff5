"""Headless AppTest of the forecasting page: nothing trains on arrival; Train gives a table with baselines."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

TINY = {"window": 5, "test_size": 100, "layers": 1, "epochs": 2, "batch_size": 256, "seed": 3}


@pytest.fixture
def app(root, isolated_cache) -> AppTest:
    at = AppTest.from_file(str(root / "pages" / "2_Stock_forecasting.py"), default_timeout=180)
    at.run()
    return at


def set_tiny(at: AppTest, mode: str = "default", cell: str = "gru") -> None:
    at.radio(key="forecast.mode").set_value(mode)
    at.radio(key="forecast.cell").set_value(cell)
    for key, value in TINY.items():
        at.number_input(key=f"forecast.{key}").set_value(value)
    at.text_input(key="forecast.units").input("8")


def test_first_visit_trains_nothing(app):
    assert not app.exception
    assert "forecast.result" not in app.session_state
    assert app.radio(key="forecast.mode").value == "default"
    assert any("Train" in i.value for i in app.info)


def test_the_split_is_drawn_before_training_and_follows_the_settings(app):
    charts = app.get("plotly_chart")
    assert len(charts) == 1 and '"validation"' in charts[0].proto.spec  # default mode: its validation rows
    assert any("as the current settings split it" in c.value for c in app.caption)
    app.button(key="forecast.reset_course").click().run()
    spec = app.get("plotly_chart")[0].proto.spec
    assert '"validation"' not in spec and '"scored days"' in spec  # the course validates on the test windows
    app.number_input(key="forecast.test_size").set_value(5000)  # more test rows than the series has
    app.button(key="forecast.train").click().run()  # form values count once the form is submitted
    assert not app.exception and not app.get("plotly_chart")  # no split to draw, and Train says why:
    assert len(app.error) == 1 and "too few" in app.error[0].value


def test_reset_to_course_settings(app):
    app.button(key="forecast.reset_course").click().run()
    assert app.radio(key="forecast.mode").value == "course"
    assert app.number_input(key="forecast.window").value == 60
    assert app.number_input(key="forecast.epochs").value == 50
    assert app.text_input(key="forecast.units").value == "80, 100"
    assert app.number_input(key="forecast.dropout").value == pytest.approx(0.2)


def test_train_tiny_model_shows_baseline_rows_and_verdicts(app):
    set_tiny(app)
    app.button(key="forecast.train").click().run()
    assert not app.exception
    result = app.session_state["forecast.result"]
    assert result.epochs_run <= 2 and len(result.eval_dates) == 40  # test 100, scoring after the first 60
    table = app.table[0].value
    rows = list(table.index)
    assert rows == ["GRU (default)", "persistence (tomorrow = today)", "drift (today + average step)", "previous close"]
    assert table.iloc[0]["RMSE"] == pytest.approx(result.metrics.loc["model", "rmse"])
    verdicts = (app.success or app.warning)[0].value
    assert verdicts.count("- The model") == 3 and "previous close" in verdicts
    assert any("Scored on **40 days" in m.value for m in app.markdown)
    again = app.session_state["forecast.result"]
    app.button(key="forecast.train").click().run()  # same settings: from the cache, no retraining
    assert app.session_state["forecast.result"].cached and again.metrics.equals(
        app.session_state["forecast.result"].metrics
    )


def test_bad_units_give_a_sentence(app):
    app.text_input(key="forecast.units").input("8, x")
    app.button(key="forecast.train").click().run()
    assert any("Units per layer must be whole numbers" in e.value for e in app.error)
    assert "forecast.result" not in app.session_state  # nothing trained


def test_default_form_asks_for_what_warm_trains(app):
    """Train on arrival's defaults hits the key `python -m core warm` fills (no retraining in class)."""
    from core import jobs
    from core.datasets import DEFAULT_DATASET, load_dataset
    from core.forecast import FORECAST, ForecastConfig, run_forecast
    from core.training import RESULTS, request_key

    data = load_dataset(DEFAULT_DATASET)
    tiny = run_forecast(data, ForecastConfig.default("lstm", window=5, epochs=1, units=4), use_cache=False)
    warmed = ForecastConfig.default("lstm", target="open")  # what core.forecast.warm() trains first
    RESULTS.put(request_key(FORECAST, warmed, data), tiny.trained)
    started = jobs.trainings_started
    app.button(key="forecast.train").click().run()
    assert not app.exception
    shown = app.session_state["forecast.result"]
    assert shown.cached and jobs.trainings_started == started
    assert shown.metrics.equals(tiny.metrics)


def test_the_result_downloads_as_a_report(app):
    """The report button's content: the page's numbers, charts and settings in one HTML file."""
    import functools

    from core.datasets import DEFAULT_DATASET, load_dataset
    from core.i18n import text
    from ui.views.forecast import report_html

    set_tiny(app)
    app.button(key="forecast.train").click().run()
    assert [b for b in app.get("download_button") if "report" in b.proto.label]
    result = app.session_state["forecast.result"]
    page = report_html(result, load_dataset(DEFAULT_DATASET), functools.partial(text, "forecast", lang="en"))
    assert "GRU (default)" in page and "previous close" in page and page.count("Plotly.newPlot") == 2
    assert f"{result.metrics.loc['model', 'rmse']:.4g}" in page and "embedded: IBM" in page


def test_course_mode_says_how_long_and_then_offers_the_trained_result(app):
    app.button(key="forecast.reset_course").click().run()
    notice = [w.value for w in app.warning]
    assert any("not yet measured on this machine" in w for w in notice), notice  # nothing trained here yet
    set_tiny(app, mode="course")
    app.button(key="forecast.train").click().run()
    first = app.session_state["forecast.result"]
    assert not app.exception and not first.cached
    assert not any("already trained" in s.value for s in app.success)  # that result is on the page
    app.session_state["forecast.result"] = None  # a new visit: the same settings are offered at once
    app.run()
    assert any("already trained on this machine" in s.value for s in app.success)
    app.button(key="forecast.show_cached").click().run()
    assert app.session_state["forecast.result"].cached
    assert app.session_state["forecast.result"].metrics.equals(first.metrics)
    app.session_state["forecast.seed"] = 4  # another model of the same shape: the time the first one took
    app.run()
    assert any("took about" in w.value for w in app.warning)
