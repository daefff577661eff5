"""Training progress as plain data, so any front end (a Streamlit bar, the CLI) can show it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class EpochInfo:
    """What is known after one epoch of training."""

    epoch: int  # 1-based epoch just finished
    epochs: int  # epochs planned (early stopping may end sooner)
    elapsed: float  # seconds since training started
    logs: dict[str, float]  # this epoch's metrics, e.g. {"loss": .., "val_loss": ..}
    history: dict[str, list[float]] = field(default_factory=dict)  # every epoch so far
    stage: str = ""  # optional label of a batch job, e.g. "model 2 of 9"

    @property
    def fraction(self) -> float:
        return min(1.0, self.epoch / max(1, self.epochs))

    @property
    def seconds_left(self) -> float:
        """Estimated seconds left at the mean pace so far."""
        return self.elapsed / max(1, self.epoch) * max(0, self.epochs - self.epoch)


Reporter = Callable[[EpochInfo], None]


class EpochTracker:
    """Builds EpochInfo objects for a reporter; used by Keras callbacks and custom loops alike."""

    def __init__(self, epochs: int, report: Reporter | None, stage: str = "") -> None:
        self.epochs = epochs
        self.report = report
        self.stage = stage
        self.history: dict[str, list[float]] = {}
        self.start = time.perf_counter()

    def epoch_done(self, epoch: int, logs: dict[str, float]) -> None:
        clean = {k: float(v) for k, v in (logs or {}).items() if k != "learning_rate"}
        for k, v in clean.items():
            self.history.setdefault(k, []).append(v)
        if self.report is not None:
            history = {k: list(v) for k, v in self.history.items()}  # a snapshot: later epochs do not change it
            info = EpochInfo(epoch, self.epochs, time.perf_counter() - self.start, clean, history, self.stage)
            self.report(info)


def keras_progress_callback(epochs: int, report: Reporter | None, stage: str = ""):
    """A Keras callback that forwards each epoch's logs to `report` as EpochInfo."""
    import keras

    tracker = EpochTracker(epochs, report, stage)

    class _ProgressCallback(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            tracker.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            tracker.epoch_done(epoch + 1, logs or {})

    return _ProgressCallback()
