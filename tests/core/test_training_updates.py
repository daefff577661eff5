"""The loop's per-update records (FitPlan.record_updates) and its clean stop on divergence (stop_on_divergence)."""

from __future__ import annotations

import numpy as np
import pytest

from core import training
from core.gradients import clip_gradients, global_norm, loss_gradients
from core.training import Cancelled, FitPlan, Prepared, Scored, fit


def model(clip: dict | None = None, lr: float = 0.01, seed: int = 1):
    import keras

    keras.utils.set_random_seed(seed)
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(lr, **(clip or {})), loss="mse", jit_compile=False)
    return m


def data(n: int = 32, scale: float = 3.0):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (scale * x.sum(axis=1, keepdims=True)).astype("float32")


def gradients(m, x, y) -> list[np.ndarray]:
    return list(loss_gradients(m, x, y).values())


@pytest.mark.parametrize(
    "kind, threshold", [("none", 0.0), ("clipvalue", 0.1), ("clipnorm", 0.5), ("global_clipnorm", 1.0)]
)
def test_recorded_norms_are_the_batch_gradient_before_and_after_the_optimizers_clipping(kind, threshold):
    x, y = data()
    clip = {} if kind == "none" else {kind: threshold}
    first, second = (slice(0, 16), slice(16, 32))
    outcome = fit(model(clip), Prepared(x, y, FitPlan(1, 16, 0, shuffle=False, record_updates=True)))
    u = outcome.updates
    assert list(u) == ["loss", "grad_norm", "clipped_norm", "epoch"] and len(u["loss"]) == 2
    fresh = model(clip)  # the same start: the first update's gradient
    grads = gradients(fresh, x[first], y[first])
    assert u["grad_norm"][0] == pytest.approx(global_norm(grads), rel=1e-5)
    assert u["clipped_norm"][0] == pytest.approx(global_norm(clip_gradients(grads, kind, threshold)), rel=1e-5)
    assert u["loss"][0] == pytest.approx(float(np.mean((fresh.predict(x[first], verbose=0) - y[first]) ** 2)), rel=1e-5)
    after_one = model(clip)  # the weights after the first update: the second update's gradient
    fit(after_one, Prepared(x[first], y[first], FitPlan(1, 16, 0, shuffle=False)))
    assert u["grad_norm"][1] == pytest.approx(global_norm(gradients(after_one, x[second], y[second])), rel=1e-5)
    if kind == "global_clipnorm":
        assert np.all(u["clipped_norm"] <= threshold * (1 + 1e-6)) and np.all(u["grad_norm"] > threshold)
    if kind == "clipnorm":  # each of the 4 variables to norm <= 0.5: together at most 0.5 * sqrt(4)
        assert np.all(u["clipped_norm"] <= threshold * 2 * (1 + 1e-6))
    np.testing.assert_array_equal(u["epoch"], [1, 1])


def test_recording_changes_nothing_in_the_training():
    x, y = data()
    plain = fit(model(), Prepared(x, y, FitPlan(3, 8, 0)))
    recorded_model = model()
    recorded = fit(recorded_model, Prepared(x, y, FitPlan(3, 8, 0, record_updates=True)))
    np.testing.assert_allclose(recorded.history["loss"], plain.history["loss"], rtol=1e-6)
    assert len(recorded.updates["loss"]) == 12 and plain.updates == {}
    assert "scale_loss" not in vars(recorded_model.optimizer)  # the optimizer has its own methods back
    assert "_clip_gradients" not in vars(recorded_model.optimizer)
    # the mean of an epoch's per-update losses (equal batches) is the epoch's logged loss
    assert np.mean(recorded.updates["loss"][:4]) == pytest.approx(recorded.history["loss"][0], rel=1e-5)


def test_a_cancelled_recording_gives_the_optimizer_back():
    x, y = data()
    m = model()
    with pytest.raises(Cancelled):
        fit(m, Prepared(x, y, FitPlan(5, 8, 0, record_updates=True)), should_stop=lambda: True)
    assert "scale_loss" not in vars(m.optimizer)


def diverging():
    """Plain SGD with a huge step on large targets: the loss overflows within a few updates."""
    x, y = data(scale=1e3)
    return model(lr=10.0), x, y


def test_divergence_ends_the_loop_cleanly_and_says_where():
    m, x, y = diverging()
    outcome = fit(m, Prepared(x, y, FitPlan(20, 8, 0, stop_on_divergence=True, record_updates=True)))
    epoch, update = outcome.diverged_at
    assert 1 <= epoch < 20 and outcome.epochs_run == epoch and len(outcome.history["loss"]) == epoch
    assert len(outcome.updates["loss"]) == update and not np.isfinite(outcome.updates["loss"][-1])
    assert np.all(np.isfinite(outcome.updates["loss"][:-1]))
    assert not np.isfinite(outcome.history["loss"][-1])  # the epoch it happened in is logged
    arrays, facts = outcome.records()
    assert facts == {"diverged": True, "diverged_epoch": epoch, "diverged_update": update}
    assert sorted(arrays) == ["fit:clipped_norm", "fit:epoch", "fit:grad_norm", "fit:loss"]


def test_without_the_option_the_loop_keeps_going_as_before():
    m, x, y = diverging()
    outcome = fit(m, Prepared(x, y, FitPlan(3, 8, 0)))
    assert outcome.epochs_run == 3 and outcome.diverged_at is None
    m, x, y = diverging()
    without_records = fit(m, Prepared(x, y, FitPlan(20, 8, 0, stop_on_divergence=True)))
    assert without_records.diverged_at is not None and without_records.updates == {}


class DivergingSpec:
    """A spec whose training diverges; its score copes with non-finite weights."""

    name, version = "test_diverging", 1

    def prepare(self, config, data=None):
        x, y = data_arrays()
        return Prepared(x, y, FitPlan(20, 8, 0, record_updates=True, stop_on_divergence=True))

    def build(self, config, prepared):
        return model(lr=10.0)

    def score(self, m, prepared, config):
        finite = bool(np.all(np.isfinite(m.predict(prepared.x, verbose=0))))
        return Scored({"x": np.zeros(1)}, {"finite": finite})


def data_arrays():
    return data(scale=1e3)


def test_a_diverged_training_is_a_result_with_its_records(tmp_path):
    from core.letters import LetterConfig  # any frozen core config will do as the cache key

    result = training.train(DivergingSpec(), LetterConfig(), use_cache=False)
    assert result.meta["fit"]["diverged"] and result.meta["fit"]["diverged_update"] >= 1
    assert "finite" in result.meta and set(result.outputs) >= {"x", "fit:loss", "fit:grad_norm"}
    training.save_trained(result, tmp_path)
    again = training.load_trained(tmp_path)
    assert again.meta["fit"] == result.meta["fit"]
    np.testing.assert_array_equal(again.outputs["fit:loss"], result.outputs["fit:loss"])
