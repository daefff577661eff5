"""Several seeds on the one training path (core/seed_runs.py), and FitPlan.jit_compile (core/training.py)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from core.progress import EpochInfo
from core.seed_runs import MAX_SEEDS, SeedProgress, mean_std, seed_configs, train_seeds
from core.settings import SettingError
from core.training import FitPlan, Prepared, Scored, fit


@dataclasses.dataclass(frozen=True)
class TinyConfig:
    seed: int = 7
    epochs: int = 2
    jit: bool = False


def tiny_model():
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    return model


class TinySpec:
    name, version = "tiny_seed_runs", 1

    def prepare(self, config, data):
        rng = np.random.default_rng(0)
        x = rng.normal(size=(32, 3)).astype("float32")
        plan = FitPlan(config.epochs, 8, config.seed, jit_compile=config.jit)
        return Prepared(x, x.sum(axis=1), plan)

    def build(self, config, prepared):
        import keras

        keras.utils.set_random_seed(config.seed)
        return tiny_model()

    def score(self, model, prepared, config):
        return Scored({"w": np.asarray(model.layers[-1].get_weights()[0], dtype=float)}, {"seed": config.seed})


def test_seed_configs_count_up_from_the_first_seed():
    assert [c.seed for c in seed_configs(TinyConfig(seed=7), 3)] == [7, 8, 9]
    with pytest.raises(SettingError, match="Seeds must be from 1 to 10") as err:
        seed_configs(TinyConfig(), MAX_SEEDS + 1)
    assert err.value.field == "seeds"
    with pytest.raises(SettingError):
        seed_configs(TinyConfig(), 0)


def test_mean_and_sample_spread_skip_missing_values():
    assert mean_std([1.0, 3.0]) == (2.0, pytest.approx(math.sqrt(2.0)))
    assert mean_std([5.0, math.nan]) == (5.0, 0.0)
    assert all(math.isnan(v) for v in mean_std([]))


def test_progress_names_the_seed_and_the_time_left_in_all():
    seen = []
    progress = SeedProgress(seen.append, (7, 8, 9))
    forward = progress.model_reporter(1)
    forward(EpochInfo(epoch=1, epochs=4, elapsed=2.0, logs={}))  # this model: 8 s in all, 6 s left
    assert seen[0].stage == "seed 2 of 3 (seed 8) · about 14 s left in all"  # 6 s + one more model of 8 s
    assert SeedProgress(None, (7,)).model_reporter(0) is None


def test_train_seeds_trains_each_seed_once_and_caches_it(isolated_cache):
    stages = []
    runs = train_seeds(TinySpec(), seed_configs(TinyConfig(), 2), report=lambda i: stages.append(i.stage))
    assert [r.meta["seed"] for r in runs] == [7, 8] and not any(r.cached for r in runs)
    assert not np.allclose(runs[0].outputs["w"], runs[1].outputs["w"])  # two seeds, two models
    assert len(stages) == 4 and stages[0].startswith("seed 1 of 2") and stages[-1].startswith("seed 2 of 2")
    again = train_seeds(TinySpec(), seed_configs(TinyConfig(), 2))
    assert all(r.cached for r in again)
    np.testing.assert_array_equal(again[1].outputs["w"], runs[1].outputs["w"])


def test_jit_compile_gives_the_same_training_as_without():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = x.sum(axis=1)
    curves = []
    for jit in (False, True):
        import keras

        keras.utils.set_random_seed(3)
        outcome = fit(tiny_model(), Prepared(x, y, FitPlan(3, 8, 3, shuffle=False, jit_compile=jit)))
        curves.append(outcome.history["loss"])
    np.testing.assert_allclose(curves[1], curves[0], rtol=1e-4)
    assert FitPlan(1, 1, 1).jit_compile is False  # the loop's behaviour is unchanged unless a spec asks
