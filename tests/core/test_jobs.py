"""Running trainings shared by callers: attach, outlive the caller, cancel (core/jobs.py)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import pytest

from core import jobs, training
from core.errors import ErrorKind
from core.training import RESULTS, Cancelled, FitPlan, Prepared, Scored


@dataclass(frozen=True)
class SlowConfig:
    """A few epochs of a GRU on random sequences: about a second per epoch here."""

    epochs: int = 6
    seed: int = 7


class SlowSpec:
    name = "test-slow"
    version = 1

    def prepare(self, config: SlowConfig, data=None) -> Prepared:
        rng = np.random.default_rng(config.seed)
        x = rng.normal(size=(1500, 40, 4)).astype("float32")
        return Prepared(x, x[:, -1, :1].copy(), FitPlan(config.epochs, 32, config.seed))

    def build(self, config, prepared):
        import keras

        model = keras.Sequential([keras.Input((40, 4)), keras.layers.GRU(32), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse", jit_compile=False)
        return model

    def score(self, model, prepared, config) -> Scored:
        return Scored({"w": model.get_weights()[-1]}, {"epochs": config.epochs})


SLOW = SlowSpec()


def wait_for(condition, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_an_identical_request_attaches_to_the_running_training(isolated_cache):
    config = SlowConfig(seed=11)
    started = jobs.trainings_started
    job = training.submit(SLOW, config)
    first_seen, late_seen, results = [], [], []
    first = threading.Thread(target=lambda: results.append(job.wait(first_seen.append, follower="a")))
    first.start()
    wait_for(lambda: len(first_seen) >= 2)
    late = training.submit(SLOW, config)  # e.g. the same settings from a reloaded page
    assert late is job
    results.append(late.wait(late_seen.append, follower="b"))
    first.join(60)
    assert jobs.trainings_started == started + 1  # trained once
    assert results[0] is results[1]
    assert [i.epoch for i in first_seen] == list(range(1, 7))
    assert late_seen[0].epoch >= 2 and [i.epoch for i in late_seen] == list(range(late_seen[0].epoch, 7))
    assert len(late_seen[0].history["loss"]) == late_seen[0].epoch  # its curves hold the epochs it missed
    assert training.submit(SLOW, config).result.cached  # finished: from the cache now


def test_a_training_outlives_the_caller_that_started_it(isolated_cache):
    config = SlowConfig(seed=12, epochs=3)

    def reload(info) -> None:  # the page is gone: drawing raises
        raise RuntimeError("the browser tab was closed")

    job = training.submit(SLOW, config)
    with pytest.raises(RuntimeError):
        job.wait(reload, follower="tab")
    assert job.wait_done(120) and job.error is None
    assert training.submit(SLOW, config).result.cached  # it landed in the cache with nobody waiting


def test_cancel_stops_a_lone_training_and_detaches_a_shared_one(isolated_cache):
    lone = training.submit(SLOW, SlowConfig(seed=13, epochs=30))
    waiter = threading.Thread(target=lambda: pytest.raises(Cancelled, lone.wait, follower="me"))
    waiter.start()
    wait_for(lambda: lone.events)
    found = jobs.cancel_for("me")
    assert found == (lone, True) and lone.wait_done(60)
    assert lone.error.kind is ErrorKind.CANCELLED and lone.last_epoch < 30
    waiter.join(10)

    shared = training.submit(SLOW, SlowConfig(seed=14, epochs=4))
    threads = [threading.Thread(target=shared.wait, kwargs={"follower": f}) for f in ("me", "other")]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(shared.followers) == 2)
    assert jobs.cancel_for("me") == (shared, False)  # another session needs it: it goes on
    assert shared.wait_done(120) and shared.error is None and shared.result.epochs == 4
    for thread in threads:
        thread.join(10)
    assert jobs.cancel_for("me") is None  # nothing of mine runs any more


def test_without_the_cache_nothing_is_shared_or_kept(isolated_cache):
    config = SlowConfig(seed=15, epochs=1)
    a, b = training.submit(SLOW, config, use_cache=False), training.submit(SLOW, config, use_cache=False)
    assert a is not b
    a.wait(), b.wait()
    assert RESULTS.peek(a.key) is None
