"""The peephole LSTM cell: LSTM at zero peepholes, parameter formula, NumPy replay, .keras round trip."""

from __future__ import annotations

import numpy as np
import pytest

from core.cell_models import keras_weight_list, random_weights, replay_difference
from core.cells import CellWeights, cell_parameter_breakdown, cell_parameter_count, peephole_step, run_cell, sigmoid
from core.peephole import CLASS_NAME, PACKAGE, peephole_layer, peephole_note, peephole_parameter_count


@pytest.fixture(scope="module")
def inputs():
    return np.random.default_rng(3).normal(size=(4, 20, 3)).astype("float32")


def two_models(units: int, xs):
    """The same input through keras.layers.LSTM and through RNN(PeepholeLSTMCell)."""
    import keras

    inp = keras.Input(shape=xs.shape[1:])
    lstm, peep = keras.layers.LSTM(units, return_sequences=True), peephole_layer(units, return_sequences=True)
    return keras.Model(inp, lstm(inp)), keras.Model(inp, peep(inp)), lstm, peep


@pytest.mark.parametrize("features, units", [(1, 1), (3, 5), (2, 64), (5, 3)])
def test_parameter_count_is_4u_f_u_1_plus_3u(features, units):
    import keras

    expected = 4 * units * (features + units + 1) + 3 * units
    assert peephole_parameter_count(features, units) == expected == cell_parameter_count("peephole", features, units)
    assert (
        cell_parameter_count("peephole", features, units) == cell_parameter_count("lstm", features, units) + 3 * units
    )
    assert cell_parameter_breakdown("peephole", features, units)["peephole"] == 3 * units
    layer = peephole_layer(units)
    inp = keras.Input((4, features))
    keras.Model(inp, layer(inp))
    assert layer.count_params() == expected


def test_weights_are_laid_out_like_keras_lstm():
    import keras

    layer = peephole_layer(5)
    inp = keras.Input((4, 3))
    keras.Model(inp, layer(inp))
    shapes = {v.path.split("/")[-1]: tuple(v.shape) for v in layer.weights}
    assert shapes == {"kernel": (3, 20), "recurrent_kernel": (5, 20), "bias": (20,), "peephole": (15,)}
    bias, peephole = np.asarray(layer.cell.bias), np.asarray(layer.cell.peephole)
    assert np.all(bias[5:10] == 1) and np.all(bias[:5] == 0) and np.all(bias[10:] == 0)  # unit forget bias, as LSTM
    assert np.all(peephole == 0)  # a fresh cell starts as a plain LSTM


def test_zero_peepholes_equal_keras_lstm(inputs):
    lstm_model, peep_model, lstm, peep = two_models(5, inputs)
    w = random_weights("lstm", 3, 5, seed=1)  # non-zero kernel, recurrent kernel and bias
    lstm.set_weights([w.kernel, w.recurrent_kernel, w.bias])
    peep.set_weights([w.kernel, w.recurrent_kernel, w.bias, np.zeros(15, "float32")])
    difference = np.max(np.abs(lstm_model.predict(inputs, verbose=0) - peep_model.predict(inputs, verbose=0)))
    assert difference <= 1e-6
    peep.set_weights([w.kernel, w.recurrent_kernel, w.bias, np.full(15, 0.5, "float32")])
    assert np.max(np.abs(lstm_model.predict(inputs, verbose=0) - peep_model.predict(inputs, verbose=0))) > 1e-3


def test_numpy_replay_matches_the_keras_cell(inputs):
    w = random_weights("peephole", 3, 5, seed=11)
    assert np.all(w.peephole != 0) and w.peephole.shape == (15,)
    assert replay_difference(w, inputs) <= 1e-5
    assert len(keras_weight_list(w)) == 4
    trace = run_cell(w.as_float64(), inputs.astype(np.float64))
    assert len(trace.final_states) == 2 and trace.values["peep_o"].shape == (20, 4, 5)


def test_one_step_by_hand():
    """One unit, one feature: the output gate reads the NEW cell state, the other two the old one."""
    p = np.array([0.3, -0.4, 0.7])  # p_i, p_f, p_o
    kernel, recurrent = np.array([[0.5, -0.2, 0.8, 0.1]]), np.array([[0.2, 0.3, -0.5, 0.4]])
    w = CellWeights("peephole", kernel, recurrent, np.array([0.1, 1.0, 0.0, -0.1]), peephole=p)
    x, h, c = np.array([1.0]), np.array([0.5]), np.array([2.0])
    step = peephole_step(w, x, h, c)
    i = sigmoid(0.5 + 0.1 + 0.1 + 0.3 * 2.0)
    f = sigmoid(-0.2 + 0.15 + 1.0 - 0.4 * 2.0)
    c_new = f * 2.0 + i * np.tanh(0.8 - 0.25)
    o = sigmoid(0.1 + 0.2 - 0.1 + 0.7 * c_new)
    assert step["i"] == pytest.approx(i) and step["f"] == pytest.approx(f) and step["c"] == pytest.approx(c_new)
    assert step["o"] == pytest.approx(o) and step["h"] == pytest.approx(o * np.tanh(c_new))
    assert step["peep_o"] == pytest.approx(0.7 * c_new) and step["peep_i"] == pytest.approx(0.6)


def test_peephole_weights_are_checked():
    k, r, b = np.zeros((2, 8)), np.zeros((2, 8)), np.zeros(8)
    with pytest.raises(ValueError, match=r"peephole weights must be \(6,\)"):
        CellWeights("peephole", k, r, b)
    with pytest.raises(ValueError, match="only a peephole LSTM"):
        CellWeights("lstm", k, r, b, peephole=np.zeros(6))
    with pytest.raises(ValueError, match="units"):
        peephole_layer(0)


def test_keras_file_round_trip_in_safe_mode(tmp_path, inputs):
    import keras

    assert keras.saving.get_registered_object(f"{PACKAGE}>{CLASS_NAME}") is not None  # registered on first use
    keras.utils.set_random_seed(2)
    inp = keras.Input(shape=inputs.shape[1:])
    model = keras.Model(inp, keras.layers.Dense(2)(peephole_layer(4, peephole_initializer="random_normal")(inp)))
    path = tmp_path / "peephole.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert type(loaded.layers[1].cell).__name__ == CLASS_NAME
    assert np.array_equal(loaded.predict(inputs, verbose=0), model.predict(inputs, verbose=0))
    assert np.any(np.asarray(loaded.layers[1].cell.peephole) != 0)


def test_note_for_the_page():
    assert "Greff" in peephole_note() and "no significant gain" in peephole_note()
    assert "Greff" in peephole_note("zh")
