"""Trainings on a Ray cluster (core/ray_runner.py behind core/worker.py): a local head started here.

The tests without a cluster run everywhere. The others need Ray (requirements-cluster.txt) and skip
with that reason without it; they start one head on 127.0.0.1 (2 CPUs, token authentication on)
for the whole module and stop it, and only it, at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from core import jobs, training, worker
from core.errors import AppError, ErrorKind
from core.i18n import text
from core.progress import EpochInfo
from core.ray_runner import RETRY_SECONDS, configured_cpus, split_address
from tests.ray_head import dead_address, ray_installed, start_head

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NO_RAY = "Ray is not installed (pip install -r requirements-cluster.txt to run the cluster tests)"


def on_a_head(test):
    """A test on the local head: marked `cluster` (`pytest -m "not cluster"` leaves them out; CI runs
    them, scripts/test.sh installs Ray) and skipped without Ray."""
    return pytest.mark.cluster(pytest.mark.skipif(not ray_installed(), reason=NO_RAY)(test))


def count_epochs(n: int, report=None, should_stop=None) -> int:
    """A task: report n epochs, return this process's pid."""
    for epoch in range(1, n + 1 if report is not None else 1):
        report(EpochInfo(epoch, n, 0.0, {"loss": 1.0 / epoch}))
    return os.getpid()


@pytest.fixture
def fresh_runner(monkeypatch):
    """worker.cluster() starts from nothing in this test and is stopped after it."""
    monkeypatch.setattr(worker, "_CLUSTER", None)
    yield
    if worker._CLUSTER is not None:
        worker._CLUSTER.stop()


# ---------------------------------------------------------------------------------------------
# Without a cluster


def test_without_the_variable_nothing_imports_ray():
    code = (
        "import os, sys; from core import training, worker;"
        "assert worker.run(worker.ready) == os.getpid();"
        "print(sorted(m for m in sys.modules if m == 'ray' or m.startswith(('ray.', 'core.ray_runner'))))"
    )
    env = {k: v for k, v in os.environ.items() if k != "RNNLAB_RAY_ADDRESS"} | {"RNNLAB_TRAIN_WORKERS": "0"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_addresses_and_cpus(monkeypatch):
    assert split_address("ray://head.example:10001") == ("head.example", 10001)
    assert split_address("127.0.0.1:6379") == ("127.0.0.1", 6379)
    assert split_address("auto") is None
    assert split_address("no-port") is None
    monkeypatch.setenv("RNNLAB_RAY_CPUS", "2")
    assert configured_cpus() == 2.0
    monkeypatch.setenv("RNNLAB_RAY_CPUS", "lots")
    assert configured_cpus() == 1.0
    monkeypatch.setenv("RNNLAB_RAY_CPUS", "0")
    assert configured_cpus() == 0.25


class Heard:
    """A reporter that keeps what it hears: epoch numbers and notices (keys of common.toml)."""

    def __init__(self) -> None:
        self.epochs: list[int] = []
        self.notices: list[str] = []

    def __call__(self, info: EpochInfo) -> None:
        self.epochs.append(info.epoch)

    def notice(self, key: str) -> None:
        self.notices.append(key)


def test_an_unreachable_cluster_falls_back_to_local_training_with_a_sentence(monkeypatch, fresh_runner):
    address = dead_address()
    monkeypatch.setenv("RNNLAB_RAY_ADDRESS", address)
    heard = Heard()
    assert worker.run(count_epochs, 2, report=heard) == os.getpid()  # trained here (RNNLAB_TRAIN_WORKERS=0)
    assert (heard.epochs, heard.notices) == ([1, 2], ["cluster_unreachable"])
    sentence = text("common", "cluster_unreachable", "en", address=address)
    assert address in sentence and "cannot be reached" in sentence and "on this server" in sentence
    assert "无法连接训练集群" in text("common", "cluster_unreachable", "zh", address=address)
    began, again = time.monotonic(), Heard()  # for RETRY_SECONDS the cluster is skipped at once
    assert worker.run(count_epochs, 1, report=again) == os.getpid()
    assert again.notices == ["cluster_unreachable"]
    assert time.monotonic() - began < min(1.0, RETRY_SECONDS)
    assert worker.cluster_unreachable()  # what Home asks


def test_home_says_the_cluster_cannot_be_reached(root, monkeypatch, fresh_runner):
    from streamlit.testing.v1 import AppTest

    address = dead_address()
    monkeypatch.setenv("RNNLAB_RAY_ADDRESS", address)
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert [w.value for w in at.warning] == [text("common", "cluster_unreachable", "en", address=address)]
    monkeypatch.delenv("RNNLAB_RAY_ADDRESS")
    at.run()
    assert not at.warning


# ---------------------------------------------------------------------------------------------
# On a local head


@pytest.fixture(scope="module")
def head():
    if not ray_installed():
        pytest.skip(NO_RAY)
    started = start_head(cpus=2)
    yield started
    if worker._CLUSTER is not None:
        worker._CLUSTER.stop()
    started.stop()


@pytest.fixture
def on_cluster(head, monkeypatch, isolated_cache):
    """Trainings in this test go to the local head (one runner for the module: connecting costs seconds)."""
    for name, value in head.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RNNLAB_RAY_ADDRESS", head.address)
    return head


def tiny_forecast(epochs: int = 3, seed: int = 7, mode: str = "course"):
    """A forecaster that trains in about a second (course mode: no early stopping, every epoch runs)."""
    from core.datasets import DEFAULT_DATASET, load_dataset
    from core.forecast import FORECAST, ForecastConfig

    small = dict(window=10, test_size=100, epochs=epochs, units=(8,), layers=1, batch_size=64, seed=seed)
    return FORECAST, ForecastConfig.for_mode(mode, "gru", **small), load_dataset(DEFAULT_DATASET)


@on_a_head
@pytest.mark.parametrize("mode", ["course", "default"])
def test_a_training_on_the_cluster_equals_the_local_one_with_progress_in_order(on_cluster, monkeypatch, mode):
    spec, config, data = tiny_forecast(mode=mode)
    seen: list[int] = []
    remote = training.train(spec, config, data, report=lambda info: seen.append(info.epoch), use_cache=False)
    assert seen == list(range(1, remote.epochs + 1))  # in order (default mode may stop early)
    assert worker.cluster().pids and os.getpid() not in worker.cluster().pids  # it ran in a Ray worker
    monkeypatch.delenv("RNNLAB_RAY_ADDRESS")
    local = training.train(spec, config, data, use_cache=False)  # here (RNNLAB_TRAIN_WORKERS=0)
    assert isinstance(remote, training.TrainedModel) and remote.key == local.key
    assert remote.epochs == local.epochs and (mode == "default" or remote.epochs == 3)
    np.testing.assert_allclose(remote.history["loss"], local.history["loss"], rtol=1e-5)
    for name, array in local.outputs.items():
        np.testing.assert_allclose(remote.outputs[name], array, rtol=1e-4, atol=1e-6)


def tiny_letters():
    from core.letters import LETTERS, LetterConfig

    return LETTERS, LetterConfig(alphabet="abcdefgh", input_len=2, epochs=3, batch_size=3, units=4), None


def tiny_text_lab():
    from core.charmodel import CharConfig
    from core.textgen import CHAR, load_corpus

    config = CharConfig(corpus="upload", units=8, embed_dim=4, seq_len=16, window_step=16, epochs=2, steps_per_epoch=3)
    return CHAR, config, load_corpus("shakespeare")[:6000]


@on_a_head
@pytest.mark.parametrize("request_of", [tiny_letters, tiny_text_lab], ids=["letters", "text-lab"])
def test_letters_and_a_lab_train_on_the_cluster_as_they_do_here(on_cluster, monkeypatch, request_of):
    spec, config, data = request_of()
    fallbacks = worker.cluster_fallbacks
    remote = training.train(spec, config, data, use_cache=False)
    assert worker.cluster_fallbacks == fallbacks  # it ran on the cluster
    monkeypatch.delenv("RNNLAB_RAY_ADDRESS")
    local = training.train(spec, config, data, use_cache=False)
    assert remote.key == local.key and remote.epochs == local.epochs == config.epochs
    np.testing.assert_allclose(remote.history["loss"], local.history["loss"], rtol=1e-5)
    assert remote.outputs.keys() == local.outputs.keys()
    for name, array in local.outputs.items():
        np.testing.assert_allclose(remote.outputs[name], array, rtol=1e-4, atol=1e-6)


@on_a_head
def test_identical_requests_train_once_and_land_in_the_cache(on_cluster):
    spec, config, data = tiny_forecast(seed=8, mode="default")
    before = jobs.trainings_started
    first, twin = training.submit(spec, config, data), training.submit(spec, config, data)
    assert first is twin  # a second session attaches to the running job
    result = first.wait()
    again = training.train(spec, config, data)
    assert jobs.trainings_started - before == 1
    assert again.cached and again.key == result.key
    assert again.history == result.history


@on_a_head
def test_cancel_stops_a_running_task(on_cluster):
    spec, config, data = tiny_forecast(epochs=2000, seed=9)
    job = training.submit(spec, config, data, use_cache=False)
    asked: list[float] = []

    def cancel() -> bool:  # the page's Cancel, pressed once the first epoch has arrived
        if job.events and not asked:
            asked.append(time.monotonic())
        return bool(asked)

    with pytest.raises(AppError) as raised:
        job.wait(report=lambda info: None, cancel=cancel)
    assert asked, "no epoch arrived from the cluster"
    assert time.monotonic() - asked[0] < 10
    assert raised.value.kind is ErrorKind.CANCELLED
    assert isinstance(job.error, AppError) and job.error.kind is ErrorKind.CANCELLED
    assert 1 <= job.last_epoch < 2000
    assert worker.run(count_epochs, 2) in worker.cluster().pids  # the cluster still takes trainings


def slow_epochs(n: int, report=None, should_stop=None) -> int:
    """A task that takes its time: n epochs of 0.4 s (time to kill its worker after the first); its pid."""
    for epoch in range(1, n + 1):
        time.sleep(0.4)
        report(EpochInfo(epoch, n, 0.0, {"loss": 1.0 / epoch}))
    return os.getpid()


@on_a_head
def test_a_killed_ray_worker_gives_the_sentence_and_a_local_retry(on_cluster):
    job = jobs.submit("killed-worker", lambda job: worker.run(slow_epochs, 4, report=job, cancel=job.cancel_event))
    killed, heard = [], Heard()

    def kill_once_started() -> bool:  # never cancels: kills the worker process that runs the training
        running = list(worker.cluster().running.values())
        if job.events and running and not killed:
            killed.append(running[0])
            os.kill(running[0], signal.SIGKILL)
        return False

    assert job.wait(report=heard, cancel=kill_once_started) == os.getpid()  # retried here (no workers in tests)
    assert killed, "the training never started on the cluster"
    assert heard.notices == ["cluster_lost"]
    assert "was lost during this training" in text("common", "cluster_lost", "en", address=on_cluster.address)
    assert heard.epochs[0] == 1 and heard.epochs[-4:] == [1, 2, 3, 4]  # the local retry, from its first epoch
    assert worker.cluster().state == "up"  # one worker died, not the cluster: the next training runs there
    assert worker.run(count_epochs, 1) in worker.cluster().pids


# ---------------------------------------------------------------------------------------------
# Through the forecasting page (AppTest)


def forecast_page(root):
    from streamlit.testing.v1 import AppTest

    from tests.app.test_page_forecast import set_tiny

    at = AppTest.from_file(str(root / "pages" / "2_Stock_forecasting.py"), default_timeout=240)
    at.run()
    set_tiny(at)
    return at


def test_the_page_says_the_cluster_cannot_be_reached_and_trains_here(root, isolated_cache, monkeypatch, fresh_runner):
    address = dead_address()
    monkeypatch.setenv("RNNLAB_RAY_ADDRESS", address)
    at = forecast_page(root)
    at.button(key="forecast.train").click().run()
    assert not at.exception and not at.error
    assert at.session_state["forecast.result"] is not None  # trained on this machine
    shown = [w.value for w in at.warning]
    assert text("common", "cluster_unreachable", "en", address=address) in shown, shown


@on_a_head
def test_the_page_trains_on_the_cluster(root, on_cluster, monkeypatch):
    training.RESULTS.clear_memory()  # the fallback test trained the same request here
    runner, sent = worker.cluster(), []
    original = runner.run
    monkeypatch.setattr(runner, "run", lambda *args, **kwargs: sent.append(args[0]) or original(*args, **kwargs))
    at = forecast_page(root)
    at.button(key="forecast.train").click().run()
    assert not at.exception and not at.error
    result = at.session_state["forecast.result"]
    assert result.epochs_run <= 2 and not result.cached
    assert sent == [training.run_spec]  # the page's one training went to the cluster
