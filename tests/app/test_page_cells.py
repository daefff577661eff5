"""Cell step-through page, headless: toggles the cell, steps, plays, caches, and stays TensorFlow-free."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import cell_models
from core.figures import cells as figures

PAGE = "pages/4_Cell_step_through.py"


@pytest.fixture
def app(root):
    st.cache_data.clear()
    return AppTest.from_file(str(root / PAGE), default_timeout=90)


def latex(at) -> str:
    return " ".join(x.value for x in at.latex)


def test_first_view_toggle_cell_and_step_forward(app):
    at = app.run()
    assert not at.exception
    assert at.radio(key="cells.cell").value == "lstm" and at.slider(key="cells.step").value == 1
    assert "c_t &= f_t" in latex(at) and "i_t" in latex(at)
    assert len(at.get("plotly_chart")) >= 5  # diagram, heatmaps, bars, what-if change and bars
    at.radio(key="cells.cell").set_value("gru").run()
    assert "z_t &=" in latex(at) and "c_t" not in latex(at)
    at.button(key="cells.next").click().run()
    assert at.slider(key="cells.step").value == 2
    gru_step2 = cell_models.trace_letters(cell_models.load_cell_model("gru"), "bcde").trace.at(1)
    assert f"{gru_step2['z'][0]:.2f}" in latex(at)  # the formulas carry this step's numbers
    at.radio(key="cells.cell").set_value("rnn").run()
    assert at.slider(key="cells.step").value == 2 and "h_t &= \\tanh" in latex(at)
    at.button(key="cells.prev").click().run()
    assert at.slider(key="cells.step").value == 1
    assert "\\text{a}" in latex(at)  # bcde -> a


def test_play_runs_to_the_last_step_and_stops(app):
    at = app.run()
    at.slider(key="cells.step").set_value(3).run()
    at.button(key="cells.play").click().run()
    assert not at.exception
    assert at.slider(key="cells.step").value == 4
    assert at.button(key="cells.play").label == "▶ Play"
    assert at.session_state["cells.playing"] is False


def test_moving_and_toggling_recompute_nothing_cached(app, monkeypatch):
    traces, diagrams = Counter(), Counter()
    real_trace, real_diagram = cell_models.trace_letters, figures.cell_diagram

    def counting_trace(model, text):
        traces[(model.cell, text)] += 1
        return real_trace(model, text)

    def counting_diagram(trace, step, *args, **kwargs):
        diagrams[(trace.trace.cell, trace.text, step)] += 1
        return real_diagram(trace, step, *args, **kwargs)

    monkeypatch.setattr(cell_models, "trace_letters", counting_trace)
    monkeypatch.setattr(figures, "cell_diagram", counting_diagram)
    at = app.run()
    for cell in ("gru", "lstm", "gru", "lstm"):
        at.radio(key="cells.cell").set_value(cell).run()
    for step in (3, 1, 3, 2, 1):
        at.slider(key="cells.step").set_value(step).run()
    assert not at.exception
    assert traces[("lstm", "bcde")] == 1 and traces[("gru", "bcde")] == 1
    assert max(traces.values()) == 1  # every (cell, input) replayed once, whatever the clicks
    assert max(diagrams.values()) == 1  # every (cell, input, step) drawn once
    assert diagrams[("lstm", "bcde", 2)] == 1


def test_what_if_changes_the_prediction(app):
    at = app.run()
    at.radio(key="cells.cell").set_value("rnn").run()
    at.selectbox(key="cells.whatif_pos").set_value(3).run()
    at.selectbox(key="cells.whatif_letter").set_value("a").run()
    text = " ".join(m.value for m in at.markdown)
    changed = cell_models.trace_letters(cell_models.load_cell_model("rnn"), "bcda").prediction
    assert "bcde → bcd:red[**a**]" in text
    if changed == "a":
        assert "prediction stays **a**" in text
    else:
        assert f"moves from **a** to **{changed}**" in text


def test_worked_examples_with_the_course_slip(app):
    at = app.run()
    at.radio(key="cells.source").set_value("worked").run()
    assert not at.exception
    assert at.radio(key="cells.example").value == "4pre1"
    assert "The course slips at step 3" in at.warning[0].value
    table = at.dataframe[0].value
    assert len(table) == 4 and [round(v, 2) for v in table["h_t"][2]] == [0.6, 0.46, -0.98]
    assert "\\text{a}" in latex(at)
    at.radio(key="cells.example").set_value("1pre1").run()
    assert "\\text{c}" in latex(at) and len(at.warning) == 0


def test_bad_letters_give_a_sentence(app):
    at = app.run()
    at.text_input(key="cells.text").input("bxq").run()
    assert not at.exception
    assert "abcde" in at.error[0].value


def test_verify_against_keras_button(app):
    at = app.run()
    at.radio(key="cells.cell").set_value("gru").run()
    at.button(key="cells.verify").click().run()
    assert not at.exception
    assert at.session_state["cells.verified.gru"] <= 1e-5
    assert "Measured just now" in at.success[-1].value


def test_chinese_text(app):
    at = app.run()
    at.sidebar.selectbox[0].select("zh").run()
    assert at.title[0].value == "循环核逐步演示"
    assert at.button(key="cells.next").label == "下一步 ▶"


def test_first_view_does_not_import_tensorflow(root):
    code = (
        "import sys; from streamlit.testing.v1 import AppTest;"
        f"at = AppTest.from_file({str(root / PAGE)!r}, default_timeout=90).run();"
        "assert not at.exception; at.radio(key='cells.cell').set_value('gru').run();"
        "at.button(key='cells.next').click().run(); assert not at.exception;"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False False"


def test_stock_model_of_the_chosen_series_through_the_training_path(app, isolated_cache):
    """The stock view asks the one training path for a forecaster of the session's series: from the
    cache at once when it was trained before, else with its own Train button; replayed in NumPy."""
    from core.datasets import load_dataset
    from core.forecast import ForecastConfig, run_forecast
    from ui.views.cells import stock_trace

    at = app.run()
    at.radio(key="cells.source").set_value("stock").run()
    assert not at.exception and at.button(key="cells.stock_train")  # nothing trained yet: a button
    assert any("IBM" in c.value and "open" in c.value for c in at.caption)
    at.radio(key="cells.stock_cell").set_value("rnn").run()
    at.button(key="cells.stock_train").click().run()
    assert not at.exception and at.radio(key="cells.stock_layer").options == ["1: SimpleRNN(32)"]
    at.button(key="cells.next").click().run()
    assert not at.exception and at.slider(key="cells.step").value == 2

    trained = run_forecast(load_dataset("IBM"), ForecastConfig.default("gru", target="open", units=(6, 5), layers=2))
    assert not trained.cached
    at.radio(key="cells.stock_cell").set_value("gru").run()  # the page's own config differs: a button again
    assert at.button(key="cells.stock_train")
    stack = stock_trace(trained)  # what the page draws for a two-layer model, from the stored weights
    window = trained.codec.features(trained.tail)[-trained.config.window :]
    assert cell_models.stack_replay_difference(trained.model, window) <= 1e-5
    keras_out = float(trained.model.predict(window[None].astype("float32"), verbose=0).ravel()[0])
    assert abs(stack.output["y"][0] - keras_out) <= 1e-5
    assert [layer.cell for layer in stack.layers] == ["gru", "gru"]
