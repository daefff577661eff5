"""The NumPy cells replay Keras exactly; mutations of the layout are caught; counts match Keras."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from core.cell_models import VARIANTS, keras_run, random_weights, replay_difference
from core.cells import (
    CellWeights,
    cell_parameter_breakdown,
    cell_parameter_count,
    dense_parameter_count,
    embedding_parameter_count,
    gru_step,
    lstm_step,
    rnn_step,
    run_cell,
    softmax,
)
from core.worked_examples import FOUR_PRE_ONE, ONE_PRE_ONE, compute, worked_examples_json

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def inputs():
    """Four sequences of 24 steps with 3 features."""
    return np.random.default_rng(1).normal(size=(4, 24, 3)).astype("float32")


def mismatch(numpy_weights: CellWeights, keras_weights: CellWeights, xs) -> float:
    """Max |NumPy replay with numpy_weights - Keras with keras_weights| over every step."""
    seq, _ = keras_run(keras_weights, xs)
    ours = run_cell(numpy_weights.as_float64(), xs.astype(np.float64)).outputs
    return float(np.max(np.abs(np.moveaxis(ours, 0, 1) - seq)))


@pytest.mark.parametrize("variant", VARIANTS)
def test_replay_matches_keras_on_random_weights(variant, inputs):
    w = random_weights(variant, features=3, units=5, seed=11)
    assert np.all(w.bias != 0) and np.all(w.kernel != 0)
    if variant == "gru":
        assert w.bias.shape == (2, 15)  # both GRU bias rows are present and non-zero
    assert replay_difference(w, inputs) <= 1e-5


def test_replay_matches_keras_with_nonzero_initial_state(inputs):
    """Final LSTM states (h and c) agree too; run_cell accepts a batch axis."""
    w = random_weights("lstm", 3, 4, seed=3)
    seq, (h_last, c_last) = keras_run(w, inputs)
    trace = run_cell(w.as_float64(), inputs.astype(np.float64))
    assert trace.outputs.shape == (24, 4, 4)
    assert np.max(np.abs(trace.final_states[0] - h_last)) <= 1e-5
    assert np.max(np.abs(trace.final_states[1] - c_last)) <= 1e-5


def test_swapping_two_lstm_gates_is_caught(inputs):
    w = random_weights("lstm", 3, 5, seed=5)
    u = w.units

    def swap(a):  # exchange the input gate (block 0) and the forget gate (block 1)
        a = a.copy()
        a[..., :u], a[..., u : 2 * u] = w_block(a, 1), w_block(a, 0)
        return a

    def w_block(a, k):
        return a[..., k * u : (k + 1) * u].copy()

    mutated = CellWeights("lstm", swap(w.kernel), swap(w.recurrent_kernel), swap(w.bias))
    assert mismatch(w, w, inputs) <= 1e-5
    assert mismatch(mutated, w, inputs) > 1e-2


def test_dropping_the_second_gru_bias_row_is_caught(inputs):
    w = random_weights("gru", 3, 5, seed=6)
    dropped = CellWeights("gru", w.kernel, w.recurrent_kernel, np.stack([w.bias[0], np.zeros_like(w.bias[1])]))
    assert mismatch(dropped, w, inputs) > 1e-2
    # folding both rows into one reset-before bias is also wrong (the reset gate scales b_rh)
    folded = CellWeights("gru", w.kernel, w.recurrent_kernel, w.bias[0] + w.bias[1], reset_after=False)
    assert mismatch(folded, w, inputs) > 1e-2


def test_gru_mixes_with_keras_convention():
    """h = z*h_prev + (1-z)*cand: z=1 keeps the old state (the course writes the opposite)."""
    w = random_weights("gru", 2, 3, seed=2)
    big = w.bias.copy()
    big[0, :3] = 50.0  # z saturates at 1
    step = gru_step(CellWeights("gru", w.kernel, w.recurrent_kernel, big), np.ones(2), np.array([0.3, -0.2, 0.9]))
    assert np.allclose(step["z"], 1.0)
    assert np.allclose(step["h"], [0.3, -0.2, 0.9])


def test_steps_return_every_intermediate():
    x, h = np.array([1.0, 0.0, 0.5]), np.array([0.1, -0.2])
    rnn = rnn_step(random_weights("rnn", 3, 2), x, h)
    assert np.allclose(rnn["h"], np.tanh(rnn["x_part"] + rnn["h_part"] + rnn["bias"]))
    lstm = lstm_step(random_weights("lstm", 3, 2), x, h, np.array([0.5, 0.5]))
    assert np.allclose(lstm["c"], lstm["f"] * 0.5 + lstm["i"] * lstm["cand"])
    assert np.allclose(lstm["h"], lstm["o"] * np.tanh(lstm["c"]))
    gru = gru_step(random_weights("gru", 3, 2), x, h)
    assert np.allclose(gru["reset_h"], gru["r"] * gru["h_cand"])
    assert set(gru) >= {"z", "r", "cand", "pre_z", "pre_r", "pre_cand", "h"}


def test_bad_weight_shapes_are_rejected():
    w = random_weights("lstm", 3, 2)
    with pytest.raises(ValueError, match="bias"):
        CellWeights("gru", w.kernel[:, :6], w.recurrent_kernel[:, :6], np.zeros(6))  # GRU default needs 2 rows
    with pytest.raises(ValueError, match="unknown cell"):
        CellWeights("transformer", w.kernel, w.recurrent_kernel, w.bias)
    with pytest.raises(ValueError, match="peephole weights"):  # a peephole LSTM needs its (3*units,) vector
        CellWeights("peephole", w.kernel, w.recurrent_kernel, w.bias)


@pytest.mark.parametrize(
    ("variant", "features", "units"),
    [("rnn", 5, 3), ("lstm", 5, 3), ("gru", 5, 3), ("gru_reset_before", 5, 3),
     ("lstm", 1, 80), ("gru", 80, 100), ("rnn", 80, 100), ("lstm", 2, 64)],
)  # fmt: skip
def test_parameter_count_formulas_match_keras(variant, features, units):
    import keras

    from core.cell_models import keras_layer

    w = random_weights(variant, features, units)
    model = keras.Sequential([keras.Input((None, features)), keras_layer(w, return_state=False)])
    reset_after = variant != "gru_reset_before"
    cell = "gru" if variant.startswith("gru") else variant
    assert cell_parameter_count(cell, features, units, reset_after) == model.count_params()
    parts = cell_parameter_breakdown(cell, features, units, reset_after)
    assert parts["kernel"] + parts["recurrent_kernel"] + parts["bias"] == parts["total"]


def test_known_parameter_counts():
    assert cell_parameter_count("lstm", 2, 64) == 17_152  # the figure a seed article misprints
    assert cell_parameter_count("rnn", 5, 3) + dense_parameter_count(3, 5) == 47
    assert embedding_parameter_count(26, 2) == 52


def test_worked_example_1pre1():
    result = compute(ONE_PRE_ONE)
    assert np.allclose(result.records[0]["pre"], [-1.8, 1.1, 0.9])
    assert np.allclose(result.h[-1], [-0.95, 0.80, 0.72], atol=0.005)
    assert np.allclose(result.y, [0.02, 0.02, 0.91, 0.03, 0.02], atol=0.005)
    assert result.prediction == "c"


def test_worked_example_4pre1_with_the_course_slip():
    result = compute(FOUR_PRE_ONE)
    sums = [r["pre"] for r in result.records]
    assert np.allclose(sums, [[-1.3, 0.2, 0.2], [1.0, 2.8, 1.1], [0.7, 0.5, -2.4], [-2.3, -1.9, 1.0]])
    expected_h = [[-0.86, 0.20, 0.20], [0.76, 0.99, 0.80], [0.60, 0.46, -0.98], [-0.98, -0.96, 0.76]]
    assert np.allclose(result.h, expected_h, atol=0.005)
    # the course's printed h at step 3 is a slip: it differs from the correct value
    assert np.max(np.abs(np.array(FOUR_PRE_ONE.course_h[2]) - result.h[2])) > 1.0
    assert np.allclose(result.y, [0.71, 0.14, 0.10, 0.05, 0.00], atol=0.005)
    assert result.prediction == "a"


def test_worked_examples_json_shape():
    out = worked_examples_json()
    assert out["prediction"] == "c" and out["bcde"]["prediction"] == "a"
    assert len(out["h"]) == 3 and len(out["bcde"]["h"]) == 4 and len(out["bcde"]["y"]) == 5
    assert abs(sum(out["y"]) - 1) < 1e-3


def test_softmax_is_stable():
    assert np.allclose(softmax(np.array([1000.0, 1000.0])), [0.5, 0.5])


def test_cell_math_imports_numpy_only():
    for name in ("cells.py", "worked_examples.py", "cell_models.py"):
        tree = ast.parse((ROOT / "core" / name).read_text())
        top_level = {a.name.split(".")[0] for n in tree.body if isinstance(n, ast.Import) for a in n.names}
        top_level |= {n.module.split(".")[0] for n in tree.body if isinstance(n, ast.ImportFrom) and n.module}
        allowed = {"numpy", "core", "__future__", "contextlib", "dataclasses", "json", "pathlib"}
        assert top_level <= allowed, (name, top_level)
