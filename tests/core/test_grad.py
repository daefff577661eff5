"""The Memory and gradients lab on the one training path: the memory and clipping specs (tiny trainings), the
sweep's plain numbers, the power argument's figures, the peephole checks, per-step norms of the app's models,
the long-memory task of the comparison, and the model-building pieces the lab added (peephole, Conv1D)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from core import grad
from core.memory_tasks import ADDING_BASELINE_MSE, MemoryTaskConfig

TINY = dict(n_train=64, n_val=16, n_test=64, units=4, epochs=2, batch_size=16)


def tiny(**changes) -> MemoryTaskConfig:
    return MemoryTaskConfig(**{"steps": 6, "cell": "gru", **TINY, **changes})


@pytest.fixture(autouse=True)
def fresh_memory(isolated_cache):
    from core.training import RESULTS

    RESULTS.clear_memory()


# ---------------------------------------------------------------- the specs


def test_memory_spec_trains_scores_and_caches():
    config = tiny()
    prepared = grad.MEMORY.prepare(config)
    assert prepared.x.shape == (64, 6, 2) and prepared.val[0].shape == (16, 6, 2)
    assert prepared.plan.stop_on_divergence and not prepared.plan.record_updates
    assert (prepared.plan.epochs, prepared.plan.batch_size, prepared.plan.seed) == (2, 16, 0)
    assert grad.cached_memory(config) is None
    result = grad.run_memory(config)
    assert not result.cached and result.epochs_run == 2 and len(result.history["val_loss"]) == 2
    assert result.metric == "mse" and math.isfinite(result.score) and result.score > 0
    assert result.baseline == pytest.approx(ADDING_BASELINE_MSE, rel=0.5) and not result.diverged
    assert result.params == 3 * (4 * (2 + 4) + 2 * 4) + 5  # GRU(4) on 2 features + Dense(1)
    assert result.formula.startswith("GRU(4): 3·[4·(2+4)+2·4] = 96")
    assert result.updates == {} and result.trained.meta["fit"]["diverged"] is False
    again = grad.cached_memory(config)
    assert again.cached and again.score == result.score
    assert grad.run_memory(config).cached


def test_clipping_spec_records_every_update_and_a_diverging_run_is_kept_as_diverged():
    clipped = grad.run_memory(
        tiny(cell="rnn", optimizer="sgd", clip="global_clipnorm", clip_threshold=0.5), spec=grad.CLIPPING
    )
    u = clipped.updates
    assert len(u["loss"]) == 2 * 4 and np.all(u["clipped_norm"] <= 0.5 * (1 + 1e-6))
    assert np.all(np.isfinite(u["grad_norm"])) and not clipped.diverged
    # SimpleRNN with W_hh = 3 x orthogonal and a large plain SGD step: the loss overflows
    wild = grad.run_memory(
        tiny(cell="rnn", units=16, recurrent_gain=3.0, optimizer="sgd", learning_rate=5.0, epochs=20, steps=20),
        spec=grad.CLIPPING,
    )
    assert wild.diverged and math.isnan(wild.score) and not wild.solved
    assert wild.diverged_update == len(wild.updates["loss"]) and not np.isfinite(wild.updates["loss"][-1])
    assert wild.epochs_run < 20


# ---------------------------------------------------------------- the sweep


def test_sweep_configs_order_and_budget():
    configs = grad.sweep_configs("adding", (5, 50), ("rnn", "lstm"), 2)
    assert [(c.steps, c.seed, c.cell) for c in configs] == [
        (5, 0, "rnn"),
        (5, 0, "lstm"),
        (5, 1, "rnn"),
        (5, 1, "lstm"),
        (50, 0, "rnn"),
        (50, 0, "lstm"),
        (50, 1, "rnn"),
        (50, 1, "lstm"),
    ]
    assert all(dataclasses.replace(c, steps=50, seed=0, cell="lstm") == MemoryTaskConfig() for c in configs)
    assert grad.SWEEP_CELLS == ("rnn", "lstm", "gru", "dense") and grad.SWEEP_SEEDS == 3


def test_sweep_points_and_cell_summary_are_plain_numbers():
    configs = [tiny(cell=c, seed=s) for s in (0, 1) for c in ("rnn", "gru")]
    results = grad.run_sweep(configs, report=None)
    points = grad.collect_sweep(results)
    assert [(p.steps, p.cell, p.seeds) for p in points] == [(6, "rnn", (0, 1)), (6, "gru", (0, 1))]
    mean, std = points[0].mean_std
    assert mean == pytest.approx(np.mean(points[0].scores)) and std == pytest.approx(np.std(points[0].scores, ddof=1))
    assert points[0].baseline == results[0].baseline and points[0].mean_seconds > 0
    summary = grad.cell_summary(results[1::2])
    assert summary["cell"] == "gru" and summary["seeds"] == [0, 1] and len(summary["scores"]) == 2
    assert summary["score"] == pytest.approx(points[1].mean_std[0]) and summary["baseline"] == points[1].baseline
    one = grad.SweepPoint(5, "rnn", (0,), (0.1,), (1.0,), (False,), 1 / 6)
    assert one.mean_std == (0.1, 0.0)
    none = grad.SweepPoint(5, "rnn", (0,), (math.nan,), (1.0,), (False,), 1 / 6)
    assert all(math.isnan(v) for v in none.mean_std)
    cached = grad.cached_sweep("adding", (6,), ("rnn", "gru", "lstm"), 2, **TINY)  # lstm never trained
    assert [(p.cell, len(p.seeds)) for p in cached] == [("rnn", 2), ("gru", 2)]


def test_batch_progress_names_each_model():
    seen = []
    grad.run_sweep([tiny(epochs=1), tiny(epochs=1, cell="rnn")], report=seen.append)
    assert [info.stage for info in seen] == [
        "model 1 of 2 (GRU, T = 6, seed 0)",
        "model 2 of 2 (SimpleRNN, T = 6, seed 0)",
    ]


# ---------------------------------------------------------------- the power argument and the peephole


@pytest.mark.parametrize("w, expected", [(0.9, 0.0052), (1.1, 117.4)])
def test_power_check_closed_form_beside_autodiff(w, expected):
    check = grad.power_check(w, 50)
    assert round(check["power"], 4 if w < 1 else 1) == expected
    assert check["closed_form"] == pytest.approx(w**50, rel=1e-12)  # linear: dh_T/dh_0 = w^T
    assert abs(check["closed_form"] - check["autodiff"]) <= 1e-5 and check["relative_difference"] <= 1e-5
    assert check["dL_dw_closed_form"] == pytest.approx(check["dL_dw_autodiff"], rel=1e-9)
    with pytest.raises(ValueError, match="w must be"):
        grad.power_check(math.inf, 5)


def test_relative_difference_stays_small_where_values_explode():
    from core.gradients import ScalarRnn, power_argument

    arg = power_argument(ScalarRnn(1.5, activation="linear"), grad.power_inputs(100), target=1.0)
    assert abs(arg.closed_state[0]) > 1e17 and grad.relative_difference(arg) <= 1e-12


def test_zero_peepholes_equal_lstm_and_the_keras_checks():
    assert grad.zero_peephole_numpy_difference(3, 5) == 0.0
    found = grad.peephole_checks(2, 4)
    assert found["keras_params"] == 4 * 4 * (2 + 4 + 1) + 3 * 4 == 124
    assert found["zero_difference"] <= 1e-6 and found["replay_difference"] <= 1e-5


# ---------------------------------------------------------------- per-step norms of the app's models


def test_letter_model_step_norms():
    from core.letters import LetterConfig, train_letters

    result = train_letters(LetterConfig.course("L3", "lstm", epochs=3))
    loss, state = grad.letter_step_norms(result)
    assert loss.objective == "loss" and state.objective == "last_state" and len(loss.norms) == len(state.norms) == 4
    assert np.all(loss.norms > 0) and state.norms[-1] >= 1.0 - 1e-6  # dh_T/d(h_T, c_T) holds the identity


def test_forecast_model_step_norms():
    from core.datasets import DEFAULT_DATASET, load_dataset
    from core.forecast import ForecastConfig, run_forecast

    data = load_dataset(DEFAULT_DATASET)
    config = ForecastConfig.default("rnn", units=(4,), epochs=1, window=10, shrink=False)
    result = run_forecast(data, config)
    loss, state = grad.forecast_step_norms(result, data)
    assert len(loss.norms) == len(state.norms) == 10 and loss.layer == "rnn_1"


# ---------------------------------------------------------------- the comparison's long-memory task


def test_long_memory_comparison_reuses_the_labs_models():
    from core.compare import CompareConfig, run_comparison, sentences

    config = CompareConfig(task="memory", cells=("rnn", "peephole"), seeds=1, epochs=1, steps=5)
    lab = grad.run_memory(grad.memory_config("adding", 5, "rnn", 0, epochs=1))  # trained on the lab page
    c = run_comparison(config)
    assert [(r.cell, r.seed, r.cached) for r in c.runs] == [("rnn", 0, True), ("peephole", 0, False)]
    assert c.runs[0].metrics["mse"] == lab.score and c.memory_baseline == lab.baseline
    assert c.references() == {"mse": (lab.baseline, "1/6")} and c.headline == "mse"
    assert c.runs[1].params == 4 * 32 * (2 + 32 + 1) + 3 * 32 + 33  # peephole LSTM(32) on 2 features + Dense(1)
    assert "Ranked by test MSE" in " ".join(sentences(c))
    assert CompareConfig(task="memory").cells == ("rnn", "lstm", "gru", "peephole", "dense")
    with pytest.raises(ValueError, match="conv1d"):
        CompareConfig(task="memory", cells=("conv1d",))


def test_long_memory_sentences_name_the_solvers_the_stuck_and_the_diverged():
    from core.compare import CompareConfig, Comparison, ModelRun, sentences, summarize

    def run(cell, seed, mse):
        solved = float(mse < 0.01) if math.isfinite(mse) else 0.0
        return ModelRun(cell, seed, {"mse": mse, "solved": solved}, {"loss": [1.0]}, 10.0, 15, False, 100, "")

    runs = [
        run("rnn", 0, 0.165),
        run("rnn", 1, 0.17),
        run("lstm", 0, 0.001),
        run("lstm", 1, 0.002),
        run("gru", 0, 0.0005),
        run("gru", 1, math.nan),
    ]
    config = CompareConfig(task="memory", cells=("rnn", "lstm", "gru"), seeds=2, steps=50)
    c = Comparison(config, runs, summarize(runs, ["mse", "solved"]), 1.0, memory_baseline=0.168)
    words = sentences(c)
    assert "LSTM solved the task (test MSE < 0.01) with every seed at T = 50." in words
    assert any(w.startswith("SimpleRNN stayed within 10% of the no-memory baseline (MSE 0.168)") for w in words)
    assert "Training diverged (the loss became infinite) for GRU (seed 1); those runs have no score." in words
    assert c.summary("gru").mean("mse") == 0.0005  # the diverged seed is left out of the mean
    assert sentences(c, "zh")[0].startswith("按")


# ---------------------------------------------------------------- what the lab added to the shared builders


def test_peephole_and_conv1d_layers_and_their_formulas():
    import keras

    from core.models import layer_counts, load_model_bytes, recurrent_layer
    from core.training import model_bytes

    inputs = keras.Input((9, 4))
    x = keras.layers.Conv1D(2, 3, name="conv")(inputs)  # the lecture notes' Conv1D(2, 3) on 4 features: 26
    x = recurrent_layer("peephole", 5, name="peep")(x)
    model = keras.Model(inputs, keras.layers.Dense(1)(x))
    counts = layer_counts(model)
    assert [(c.layer, c.formula, c.count) for c in counts[:2]] == [
        ("Conv1D(2, 3)", "3·4·2+2", 26),
        ("Peephole LSTM(5)", "4·[5·(2+5)+5]+3·5", 4 * 5 * (2 + 5 + 1) + 15),
    ]
    assert sum(c.count for c in counts) == model.count_params()
    again = load_model_bytes(model_bytes(model))  # the one loader knows the peephole cell
    x = np.random.default_rng(0).normal(size=(2, 9, 4)).astype("float32")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    with pytest.raises(ValueError, match="peephole"):
        recurrent_layer("transformer", 3)


@pytest.mark.parametrize("cell", ["conv1d", "peephole"])
def test_forecast_builds_conv1d_and_peephole(cell):
    from core.forecast import ForecastConfig, build_model

    model = build_model(ForecastConfig.default(cell, units=(6,), window=10), 4)
    assert model.output_shape == (None, 1)
    hidden = 3 * 4 * 6 + 6 + 10 * 6 + 1 if cell == "conv1d" else 4 * 6 * (4 + 6 + 1) + 18 + 7
    assert model.count_params() == hidden


def test_letter_config_accepts_the_peephole_cell():
    from core.letters import LetterConfig

    assert LetterConfig.course("L3", "peephole").cell_label == "Peephole LSTM"
    with pytest.raises(ValueError, match="peephole"):
        LetterConfig(cell="conv1d")
