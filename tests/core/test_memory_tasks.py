"""Long-memory tasks: seeded data, the 1/6 and 1/k baselines, compiled models, scores. Nothing trains."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.cells import cell_parameter_count, dense_parameter_count
from core.memory_tasks import (
    ADDING_BASELINE_MSE,
    CLIPPING_CHOICES,
    CLIPPING_DEMO,
    MEMORY_CELLS,
    SWEEP_STEPS,
    MemoryTaskConfig,
    adding_problem,
    baseline_score,
    build_memory_model,
    clipping_demo_configs,
    first_symbol,
    make_split,
    prepare_memory,
    score_memory,
    task_sentence,
    within_baseline,
)

SMALL = {"n_train": 40, "n_val": 10, "n_test": 200}


# ---------------------------------------------------------------- config


def test_config_is_frozen_hashable_and_normalised():
    config = MemoryTaskConfig(cell="lstm", recurrent_gain=2.0, clip="none", clip_threshold=5.0)
    assert config.recurrent_gain == 1.0 and config.clip_threshold == 0.0  # no effect on an LSTM / without clipping
    assert hash(config) == hash(MemoryTaskConfig(cell="lstm"))
    assert MemoryTaskConfig(cell="rnn", recurrent_gain=2).recurrent_gain == 2.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.steps = 5
    assert (config.features, config.metric) == (2, "mse")
    first = MemoryTaskConfig(task="first", symbols=6)
    assert (first.features, first.metric) == (6, "accuracy")
    assert SWEEP_STEPS == (5, 10, 20, 50, 100) and MEMORY_CELLS == ("rnn", "lstm", "gru", "peephole", "dense")


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"task": "copy"}, "task", "adding, first"),
        ({"cell": "transformer"}, "cell", "rnn, lstm, gru, peephole, dense"),
        ({"clip": "clip_by_global_norm"}, "clip", "global_clipnorm"),
        ({"optimizer": "rmsprop"}, "optimizer", "adam, sgd"),
        ({"steps": 1}, "steps", "Steps must be from 2 to 1000"),
        ({"steps": 50.0}, "steps", "Steps must be a whole number"),
        ({"units": True}, "units", "Units must be a whole number"),
        ({"learning_rate": 0.0}, "learning_rate", "Learning rate must be from"),
        ({"clip": "global_clipnorm", "clip_threshold": 0.0}, "clip_threshold", "Clip threshold must be from"),
        ({"recurrent_gain": -1.0}, "recurrent_gain", "Recurrent gain must be from 0.01 to 10.0"),
        ({"symbols": 1}, "symbols", "Symbols must be from 2 to 64"),
        ({"seed": np.int64(-1)}, "seed", "Seed must be from 0"),
    ],
)
def test_config_rejects_bad_settings_naming_the_field(changes, field, message):
    from core.settings import SettingError

    with pytest.raises(SettingError, match=message) as err:
        MemoryTaskConfig(**changes)
    assert err.value.field == field
    assert type(MemoryTaskConfig(seed=np.int64(3)).seed) is int and MemoryTaskConfig(seed=np.int64(3)).seed == 3


# ---------------------------------------------------------------- data


def test_adding_problem_has_two_markers_one_per_half_and_their_sum():
    x, y = adding_problem(500, 10, np.random.default_rng(0))
    assert x.shape == (500, 10, 2) and y.shape == (500, 1) and x.dtype == np.float32
    values, markers = x[..., 0], x[..., 1]
    assert np.all((values >= 0) & (values < 1)) and set(np.unique(markers)) == {0.0, 1.0}
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :5].sum(axis=1) == 1) and np.all(markers[:, 5:].sum(axis=1) == 1)
    assert np.allclose(y[:, 0], (values * markers).sum(axis=1), atol=1e-6)
    odd, _ = adding_problem(200, 5, np.random.default_rng(1))  # T = 5: first marker in 0..1, second in 2..4
    assert np.all(odd[:, :2, 1].sum(axis=1) == 1) and np.all(odd[:, 2:, 1].sum(axis=1) == 1)


def test_constant_guess_scores_one_sixth():
    """E[(a + b - 1)^2] = Var(a) + Var(b) = 2/12 for a, b ~ U[0, 1): checked on 400,000 sums."""
    assert abs(ADDING_BASELINE_MSE - 1 / 6) < 1e-15 and round(ADDING_BASELINE_MSE, 3) == 0.167
    _, y = adding_problem(400_000, 2, np.random.default_rng(5))
    assert float(np.mean(y)) == pytest.approx(1.0, abs=0.005)  # 1 is the best constant
    assert float(np.mean((y - 1.0) ** 2)) == pytest.approx(1 / 6, abs=0.002)
    assert float(np.mean((y - 0.9) ** 2)) > float(np.mean((y - 1.0) ** 2))  # any other constant is worse


def test_first_symbol_targets_the_first_step():
    x, y = first_symbol(300, 7, 5, np.random.default_rng(2))
    assert x.shape == (300, 7, 5) and y.shape == (300,) and y.dtype == np.int32
    assert np.all(x.sum(axis=-1) == 1) and np.array_equal(np.argmax(x[:, 0], axis=-1), y)
    assert set(np.unique(y)) == set(range(5))


def test_splits_are_seeded_and_independent_of_the_other_sizes():
    config = MemoryTaskConfig(**SMALL)
    a, b = prepare_memory(config), prepare_memory(config)
    assert all(np.array_equal(a[k], b[k]) for k in a) and sorted(a) == sorted(
        ["x_train", "y_train", "x_val", "y_val", "x_test", "y_test"]
    )
    assert a["x_train"].shape == (40, 50, 2) and a["x_test"].shape == (200, 50, 2)
    bigger = prepare_memory(dataclasses.replace(config, n_train=80, seed=3))  # model seed: same data
    assert np.array_equal(bigger["x_test"], a["x_test"]) and bigger["x_train"].shape == (80, 50, 2)
    other = make_split(dataclasses.replace(config, data_seed=1), "test")[0]
    assert not np.array_equal(other, a["x_test"])
    with pytest.raises(ValueError, match="split"):
        make_split(config, "holdout")


def test_baselines_on_the_test_samples():
    adding = prepare_memory(MemoryTaskConfig(n_train=10, n_val=10, n_test=4000))
    base = baseline_score(adding)
    assert base["baseline_theory"] == pytest.approx(1 / 6) and base["baseline"] == pytest.approx(1 / 6, abs=0.01)
    first = prepare_memory(MemoryTaskConfig(task="first", symbols=4, n_train=400, n_val=10, n_test=4000))
    base = baseline_score(first)
    assert base["baseline_theory"] == 0.25 and base["baseline"] == pytest.approx(0.25, abs=0.03)


def test_task_sentences():
    assert "0.167" in task_sentence(MemoryTaskConfig()) and "0.167" in task_sentence(MemoryTaskConfig(), "zh")
    assert "1/4 = 0.25" in task_sentence(MemoryTaskConfig(task="first", symbols=4))


# ---------------------------------------------------------------- models


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "peephole", "dense"])
def test_models_are_compiled_with_the_right_head_and_size(cell):
    import keras

    config = MemoryTaskConfig(steps=8, cell=cell, units=5, **SMALL)
    keras.utils.set_random_seed(0)
    model = build_memory_model(config, (8, 2))
    assert model.optimizer is not None and model.loss == "mse" and model.output_shape == (None, 1)
    hidden = 8 * 2 * 5 + 5 if cell == "dense" else cell_parameter_count(cell, 2, 5)
    assert model.count_params() == hidden + dense_parameter_count(5, 1)
    first = build_memory_model(dataclasses.replace(config, task="first", symbols=3), (8, 3))
    assert first.output_shape == (None, 3) and first.loss == "sparse_categorical_crossentropy"
    assert ("flatten" in [layer.name for layer in first.layers]) == (cell == "dense")
    with pytest.raises(ValueError, match="input_shape"):
        build_memory_model(config, (9, 2))


def test_simple_rnn_recurrent_matrix_is_orthogonal_times_the_gain():
    import keras

    keras.utils.set_random_seed(1)
    config = MemoryTaskConfig(steps=5, cell="rnn", units=6, recurrent_gain=2.0, **SMALL)
    model = build_memory_model(config, (5, 2))
    w_hh = np.asarray(model.get_layer("memory").cell.recurrent_kernel)
    assert np.allclose(np.linalg.svd(w_hh, compute_uv=False), 2.0, atol=1e-5)


def test_optimizer_carries_the_clipping():
    base = MemoryTaskConfig(steps=5, cell="rnn", units=2, optimizer="sgd", learning_rate=0.1, **SMALL)
    for kind in ("clipvalue", "clipnorm", "global_clipnorm"):
        model = build_memory_model(dataclasses.replace(base, clip=kind, clip_threshold=5.0), (5, 2))
        assert getattr(model.optimizer, kind) == 5.0
        assert type(model.optimizer).__name__ == "SGD"
        assert float(model.optimizer.learning_rate) == pytest.approx(0.1)
    plain = build_memory_model(base, (5, 2)).optimizer
    assert plain.clipnorm is None and plain.global_clipnorm is None and plain.clipvalue is None


# ---------------------------------------------------------------- scores


class FixedModel:
    """Stands in for a trained model: predict returns what it was given."""

    def __init__(self, predictions):
        self.predictions = predictions

    def predict(self, x, verbose=0):
        return self.predictions


def test_scores_beside_the_baseline():
    arrays = prepare_memory(MemoryTaskConfig(**SMALL))
    constant = score_memory(FixedModel(np.ones((200, 1))), arrays)
    assert constant["metric"] == "mse" and constant["score"] == pytest.approx(constant["baseline"])
    assert constant["relative"] == pytest.approx(1.0) and not constant["solved"]
    assert within_baseline(constant["score"], constant["baseline"], "mse")
    perfect = score_memory(FixedModel(arrays["y_test"] + 0.05), arrays)
    assert perfect["score"] == pytest.approx(0.0025, rel=1e-4) and perfect["solved"]
    assert not within_baseline(perfect["score"], perfect["baseline"], "mse")
    first = prepare_memory(MemoryTaskConfig(task="first", **SMALL))
    right = score_memory(FixedModel(np.eye(4)[first["y_test"]]), first)
    assert right["metric"] == "accuracy" and right["score"] == 1.0 and right["solved"]
    guess = score_memory(FixedModel(np.eye(4)[np.zeros(200, int)]), first)
    assert guess["score"] == pytest.approx(np.mean(first["y_test"] == 0))
    assert within_baseline(0.27, 0.25, "accuracy") and not within_baseline(0.3, 0.25, "accuracy")


# ---------------------------------------------------------------- the measured settings


def test_defaults_are_the_measured_budget():
    config = MemoryTaskConfig()
    assert (config.task, config.steps, config.units, config.optimizer, config.learning_rate) == (
        "adding",
        50,
        32,
        "adam",
        0.01,
    )
    assert (config.batch_size, config.epochs, config.n_train, config.n_val, config.n_test) == (32, 15, 2000, 500, 1000)


def test_clipping_demo_differs_only_in_clipping_and_starts_with_a_huge_gradient():
    import keras

    from core.gradients import global_norm, loss_gradients

    configs = clipping_demo_configs()
    assert [(c.clip, c.clip_threshold) for c in configs] == list(CLIPPING_CHOICES)
    assert {dataclasses.replace(c, clip="none", clip_threshold=0.0) for c in configs} == {CLIPPING_DEMO}
    demo = CLIPPING_DEMO
    assert (demo.cell, demo.recurrent_gain, demo.optimizer, demo.steps, demo.seed) == ("rnn", 2.0, "sgd", 20, 0)
    arrays = prepare_memory(demo)
    keras.utils.set_random_seed(demo.seed)
    model = build_memory_model(demo, (20, 2))
    batch = slice(0, demo.batch_size)
    norm = global_norm(list(loss_gradients(model, arrays["x_train"][batch], arrays["y_train"][batch]).values()))
    assert norm > 10  # one plain SGD step of 0.05 x this would move the weights by more than 0.5
