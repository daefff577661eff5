"""Several seeds of one request: one `core.training.train` call per seed, each cached on its own.

The Sequence lab reports every model as a mean and spread over seeds. `train_seeds` trains the same
configuration with seeds s, s+1, ... one after the other and reports each epoch with a stage label
("seed 2 of 3 · about 40 s left in all"), so one progress bar covers the whole batch.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence

import numpy as np

from core.i18n import text
from core.progress import EpochInfo, Reporter
from core.training import TrainedModel, train

MAX_SEEDS = 10  # seeds one request may ask for (each is a full training)


def seed_configs(config, seeds: int) -> tuple:
    """`config` with seeds config.seed, config.seed + 1, ... (`seeds` of them)."""
    if not 1 <= int(seeds) <= MAX_SEEDS:
        from core.settings import SettingError

        raise SettingError("seeds", f"Seeds must be from 1 to {MAX_SEEDS} (got {seeds!r}).", 1, MAX_SEEDS, value=seeds)
    return tuple(dataclasses.replace(config, seed=config.seed + k) for k in range(int(seeds)))


class SeedProgress:
    """Per-model epoch reports turned into batch reports with the seed and the time left in all."""

    def __init__(self, report: Reporter | None, seeds: Sequence[int], lang: str = "en") -> None:
        self.report = report
        self.seeds = tuple(seeds)
        self.lang = lang
        self.index = 0  # the model being trained
        self.seconds: list[float] = []  # wall times of the models trained so far (not cached ones)

    def seconds_left(self, info: EpochInfo) -> float:
        own = info.elapsed / max(info.fraction, 1e-9)  # the current model's projected full time
        per_model = float(np.mean(self.seconds)) if self.seconds else own
        return info.seconds_left + per_model * (len(self.seeds) - self.index - 1)

    def model_reporter(self, index: int) -> Reporter | None:
        self.index = index
        if self.report is None:
            return None

        def forward(info: EpochInfo) -> None:
            left = f"{self.seconds_left(info):.0f}"
            i, n, seed = index + 1, len(self.seeds), self.seeds[index]
            stage = text("seq", "stage_seed", self.lang, i=i, n=n, seed=seed, left=left)
            self.report(dataclasses.replace(info, stage=stage))

        return forward

    def finished(self, trained: TrainedModel, began: float) -> None:
        if not trained.cached:
            self.seconds.append(time.perf_counter() - began)


def train_seeds(
    spec,
    configs: Sequence,
    data=None,
    *,
    report: Reporter | None = None,
    cancel=None,
    use_cache: bool = True,
    lang: str = "en",
) -> tuple[TrainedModel, ...]:
    """Train (or take from the cache) each config in turn on the one training path."""
    progress = SeedProgress(report, [c.seed for c in configs], lang)
    done = []
    for index, config in enumerate(configs):
        began = time.perf_counter()
        trained = train(spec, config, data, report=progress.model_reporter(index), cancel=cancel, use_cache=use_cache)
        progress.finished(trained, began)
        done.append(trained)
    return tuple(done)


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1; 0 for one value) of the finite values; NaN if none."""
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return math.nan, math.nan
    return float(arr.mean()), float(arr.std(ddof=1)) if arr.size > 1 else 0.0
