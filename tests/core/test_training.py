"""The one training path's loop, its result and its disk format (core/training.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core import training
from core.errors import ErrorKind
from core.training import Cancelled, FitPlan, Prepared, Scored, TrainedModel, fit


def dense_model(zero_output: bool = False):
    import keras

    keras.utils.set_random_seed(3)
    zero = {"kernel_initializer": "zeros", "bias_initializer": "zeros"} if zero_output else {}
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1, **zero)]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"], jit_compile=False)
    return model


def data(n: int = 48, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.normal(size=n)).astype("float32")


def test_loop_losses_equal_model_fit():
    """Same seed, same batches (no shuffle): our loop and model.fit give the same curves."""
    x, y = data()
    xv, yv = data(16, seed=1)
    fitted = dense_model().fit(x, y, batch_size=8, epochs=5, shuffle=False, validation_data=(xv, yv), verbose=0)
    plan = FitPlan(epochs=5, batch_size=8, seed=3, shuffle=False)
    ours = fit(dense_model(), Prepared(x, y, plan, val=(xv, yv)))
    for key in ("loss", "mae", "val_loss", "val_mae"):
        np.testing.assert_allclose(ours.history[key], fitted.history[key], rtol=1e-5, atol=1e-7)
    assert (ours.epochs_run, ours.chosen_epoch) == (5, 5)


def test_early_stopping_keeps_the_best_epoch():
    x, y = data()
    xv, yv = data(16, seed=1)
    yv = -yv  # a validation set the model can only get worse on: it stops early
    model = dense_model()
    outcome = fit(model, Prepared(x, y, FitPlan(epochs=40, batch_size=8, seed=3, patience=2), val=(xv, yv)))
    best = int(np.argmin(outcome.history["val_loss"])) + 1
    assert outcome.chosen_epoch == best and outcome.epochs_run == best + 2 < 40
    kept = float(model.evaluate(xv, yv, verbose=0)[0])
    assert kept == pytest.approx(min(outcome.history["val_loss"]), rel=1e-5)


def test_the_untrained_start_is_kept_when_no_epoch_beats_it():
    x, y = data()
    xv = data(16, seed=1)[0]
    model = dense_model(zero_output=True)  # predicts 0 everywhere: exactly right on an all-zero target
    plan = FitPlan(epochs=3, batch_size=8, seed=3, patience=3, keep_start_if_better=True)
    outcome = fit(model, Prepared(x, y, plan, val=(xv, np.zeros(16, "float32"))))
    assert outcome.chosen_epoch == 0
    assert not np.any(model.layers[-1].get_weights()[0])


def test_cancel_stops_within_an_epoch():
    x, y = data()
    calls = []

    def should_stop() -> bool:
        calls.append(1)
        return len(calls) > 8  # 6 batches per epoch: stops during the second epoch

    with pytest.raises(Cancelled) as err:
        fit(dense_model(), Prepared(x, y, FitPlan(epochs=50, batch_size=8, seed=3)), should_stop=should_stop)
    assert (err.value.kind, err.value.epoch, err.value.epochs) == (ErrorKind.CANCELLED, 1, 50)
    assert "after epoch 1 of 50" in err.value.sentence


def test_steps_per_epoch_draws_on_through_fresh_passes():
    """Short epochs take the next batches of a stream of shuffled passes: every sample once per pass."""
    plan = FitPlan(epochs=3, batch_size=8, seed=3, steps_per_epoch=4)
    epochs = training._epoch_batches(48, plan, np.random.default_rng(0))
    first, second, third = next(epochs), next(epochs), next(epochs)
    assert [len(e) for e in (first, second, third)] == [4, 4, 4]
    passes = np.concatenate(first + second + third)  # 12 batches of 8 = two passes of 48
    assert sorted(passes[:48]) == list(range(48)) and sorted(passes[48:]) == list(range(48))
    assert not np.array_equal(passes[:48], passes[48:])  # each pass shuffled afresh
    whole = next(training._epoch_batches(48, FitPlan(epochs=1, batch_size=8, seed=3), np.random.default_rng(0)))
    assert len(whole) == 6  # no steps_per_epoch: one pass per epoch, as before


def test_fit_runs_steps_per_epoch_batches_per_epoch():
    x, y = data()
    polls = []
    plan = FitPlan(epochs=3, batch_size=8, seed=3, steps_per_epoch=2)
    outcome = fit(dense_model(), Prepared(x, y, plan), should_stop=lambda: polls.append(1) and False)
    assert len(polls) == 6 and len(outcome.history["loss"]) == 3 and outcome.epochs_run == 3


def trained(config=None) -> TrainedModel:
    from core.forecast import ForecastConfig
    from core.training import model_bytes

    config = config or ForecastConfig.default("gru", units=(4,), layers=1)
    outputs = {"predictions": np.arange(3.0), "when": np.array([1, 2], dtype="int64")}
    return TrainedModel(
        "forecast",
        "k1",
        config,
        {"loss": [1.0, 0.5]},
        1.5,
        2,
        2,
        model_bytes(dense_model()),
        outputs,
        {"metrics": {"rmse": 1.0}, "text": "中文"},
        (1,),
    )


def test_disk_format_round_trip(tmp_path):
    first = trained()
    training.save_trained(first, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras", "outputs.npz", "result.json"]
    again = training.load_trained(tmp_path)
    assert again.config == first.config and again.meta == first.meta and again.history == first.history
    assert (again.seconds, again.epochs, again.chosen_epoch, again.resumed_at) == (1.5, 2, 2, (1,))
    assert again.keras_bytes == first.keras_bytes and again.outputs.keys() == first.outputs.keys()
    np.testing.assert_array_equal(again.outputs["when"], first.outputs["when"])


def test_disk_format_trusts_no_pickle_and_no_foreign_class(tmp_path):
    training.save_trained(trained(), tmp_path)
    record = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    record["config"]["class"] = "os:system"
    (tmp_path / "result.json").write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(ValueError, match="not a configuration of this app"):
        training.load_trained(tmp_path)
    np.savez(tmp_path / "outputs.npz", bad=np.array([object()], dtype=object))
    with pytest.raises(ValueError), np.load(tmp_path / "outputs.npz", allow_pickle=False) as arrays:
        arrays["bad"]  # an object array needs pickle: refused


def test_a_loaded_model_never_travels():
    import pickle

    result = trained()
    assert result.model.count_params() == 4 * 8 + 8 + 9
    again = pickle.loads(pickle.dumps(result))
    assert "model" not in again.__dict__ and again.keras_bytes == result.keras_bytes


def test_request_keys_tell_requests_apart():
    from core.forecast import FORECAST, ForecastConfig

    a, b = ForecastConfig.default("gru"), ForecastConfig.default("gru", seed=8)
    keys = {
        training.request_key(FORECAST, a, "data 1"),
        training.request_key(FORECAST, b, "data 1"),
        training.request_key(FORECAST, a, "data 2"),
        training.request_key(FORECAST, a, "data 1", start=trained()),
    }
    assert len(keys) == 4 and training.request_key(FORECAST, a, "data 1") in keys


def test_scored_is_plain_data():
    scored = Scored({"x": np.zeros(2)}, {"n": 2})
    assert json.dumps(scored.meta) == '{"n": 2}'
