"""Shipped cell models: load without TensorFlow, predict the course letters, stored differences hold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.cell_models import (
    CellModel,
    from_keras,
    load_cell_model,
    model_replay_difference,
    save_cell_model,
    shipped_models,
    trace_letters,
)
from core.errors import AppError, ErrorKind

ROOT = Path(__file__).resolve().parents[2]
COURSE_L3 = {"abcd": "e", "bcde": "a", "cdea": "b", "deab": "c", "eabc": "d"}


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "peephole"])
def test_shipped_model_predicts_every_course_window(cell):
    model = load_cell_model(cell)
    assert model.cell == cell and model.weights.units == 3 and model.alphabet == "abcde"
    assert model.meta["task"] == "L3" and model.meta["accuracy"] == 1.0
    for text, nxt in COURSE_L3.items():
        assert trace_letters(model, text).prediction == nxt


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "peephole"])
def test_stored_replay_difference_is_remeasured(cell):
    """Recompute the difference against Keras; it is below 1e-5 and agrees with the stored one."""
    model = load_cell_model(cell)
    stored = model.meta["replay_difference"]
    measured = model_replay_difference(model)
    assert stored <= 1e-5 and measured <= 1e-5
    assert abs(measured - stored) < 1e-6


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "peephole"])
def test_parameter_formula_matches_keras_count_stored_with_model(cell):
    model = load_cell_model(cell)
    assert model.parameter_count() == model.meta["count_params"]


def test_trace_has_every_step_and_a_distribution():
    trace = trace_letters(load_cell_model("lstm"), "bcde")
    assert trace.trace.steps == 4
    assert trace.trace.values["c"].shape == (4, 3) and trace.trace.values["f"].shape == (4, 3)
    assert abs(trace.probabilities.sum() - 1) < 1e-12


def test_from_keras_round_trip(tmp_path):
    """A Keras GRU letter model with an embedding: extract, save, load, replay within 1e-5."""
    import keras

    keras.utils.set_random_seed(3)
    inp = keras.Input((4,))
    emb = keras.layers.Embedding(5, 2, name="embedding")(inp)
    hidden = keras.layers.GRU(4, name="rnn", bias_initializer="random_normal")(emb)
    model = keras.Model(inp, keras.layers.Dense(5, activation="softmax", name="dense")(hidden))
    extracted = from_keras(model, "abcde", {"input_length": 4})
    assert extracted.embedding.shape == (5, 2) and extracted.weights.bias.shape == (2, 12)
    save_cell_model(extracted, tmp_path / "m.npz")
    loaded = load_cell_model(tmp_path / "m.npz")
    assert loaded.parameter_count() == model.count_params()
    ours = trace_letters(loaded, "cdea").probabilities
    theirs = model.predict(np.array([[2, 3, 4, 0]]), verbose=0)[0]
    assert np.max(np.abs(ours - theirs)) <= 1e-5
    assert model_replay_difference(loaded) <= 1e-5


def test_bad_input_and_bad_file(tmp_path):
    model = load_cell_model("rnn")
    with pytest.raises(AppError) as err:
        trace_letters(model, "bcxz")
    assert err.value.kind is ErrorKind.BAD_INPUT and "abcde" in err.value.sentence
    assert trace_letters(model, " B c ").text == "bc"
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    with pytest.raises(AppError) as err:
        load_cell_model(tmp_path / "broken.npz")
    assert err.value.kind is ErrorKind.BAD_MODEL_FILE


def test_loading_and_tracing_never_imports_tensorflow():
    code = (
        "import sys; from core.cell_models import shipped_models, trace_letters\n"
        "from core.figures import cells as f\n"
        "m = shipped_models(); t = trace_letters(m['gru'], 'bcde')\n"
        "f.cell_diagram(t, 1); f.state_heatmaps(t, 1); f.probability_bars(t)\n"
        "print(t.prediction, 'tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["a", "False", "False"]


def test_shipped_models_are_all_there():
    models = shipped_models()
    assert sorted(models) == ["gru", "lstm", "peephole", "rnn"]  # the peephole LSTM too (issue 15)
    assert all(isinstance(m, CellModel) for m in models.values())


def test_parameter_rows_write_out_the_formulas():
    rows = cell_models_rows("lstm")
    assert rows[0] == {"layer": "LSTM", "formula": "4 × (3·(5+3) + 3)", "count": 108}
    assert rows[-1]["count"] == 128 == load_cell_model("lstm").meta["count_params"]
    assert cell_models_rows("gru")[0]["formula"] == "3 × (3·(5+3) + 2·3)"


def cell_models_rows(cell):
    from core.cell_models import parameter_rows

    return parameter_rows(load_cell_model(cell))


def test_convention_numbers_are_consistent():
    from core.cell_models import convention_numbers

    models = shipped_models()
    traces = {cell: trace_letters(models[cell], "bcde") for cell in ("rnn", "gru")}
    n = convention_numbers(models, traces, 2)
    assert n["letter"] == "d" and n["index"] == 4
    assert n["w_row"] == pytest.approx(n["x_part"])  # one-hot x picks a row of W
    assert n["course_z"] == pytest.approx(1 - n["z"])
    assert n["z"] * n["h_prev"] + n["course_z"] * n["cand"] == pytest.approx(n["h"])
    assert abs(n["keras_term"] - n["single_bias_term"]) > 1e-3  # the two bias conventions differ


def test_worked_trace_feeds_the_page_figures():
    from core.cell_models import worked_trace
    from core.figures.cells import cell_diagram, step_formulas
    from core.worked_examples import FOUR_PRE_ONE, compute

    trace = worked_trace(compute(FOUR_PRE_ONE))
    assert trace.text == "bcde" and trace.prediction == "a"
    assert "0.60 & 0.46 & -0.98" in step_formulas(trace, 2)[0]
    assert "step 3 of 4" in cell_diagram(trace, 2).layout.title.text


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])  # the stock models the cell page steps through
def test_stacked_model_replay_matches_keras(cell):
    """Two recurrent layers with dropout between, named as core.forecast names them, 24 steps."""
    import keras

    from core.cell_models import recurrent_stack, stack_replay_difference, trace_stack
    from core.models import recurrent_layer

    keras.utils.set_random_seed(1)
    inp = keras.Input((24, 2))
    x = recurrent_layer(cell, 6, return_sequences=True, name=f"{cell}_1", bias_initializer="random_normal")(inp)
    x = keras.layers.Dropout(0.2)(x)
    x = recurrent_layer(cell, 5, name=f"{cell}_2", bias_initializer="random_normal")(x)
    model = keras.Model(inp, keras.layers.Dense(1, name="prediction")(x))
    window = np.random.default_rng(0).uniform(0, 1, (24, 2))
    assert stack_replay_difference(model, window) <= 1e-5
    stack = trace_stack(*recurrent_stack(model), window, range(24))
    assert [t.outputs.shape for t in stack.layers] == [(24, 6), (24, 5)]
    assert stack.layer(1).trace.cell == cell
