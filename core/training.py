"""One Keras fit wrapper shared by the pages: callbacks, progress, fit time and model choice."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from core.progress import Reporter, keras_progress_callback


@dataclass
class FitOutcome:
    """What a fit produced besides the trained model."""

    history: dict[str, list[float]]  # per-epoch logs, e.g. {"loss": [...], "val_loss": [...]}
    seconds: float  # wall time of model.fit only
    epochs_run: int  # epochs actually run (early stopping may end sooner)
    chosen_epoch: int  # epoch whose weights the model keeps (0 = the untrained start)
    notes: list[str] = field(default_factory=list)


def fit_model(
    model,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    patience: int | None = None,
    keep_start_if_better: bool = False,
    report: Reporter | None = None,
    stage: str = "",
    callbacks: list | None = None,
) -> FitOutcome:
    """Fit `model`; with `patience`, stop early on val_loss and restore the best weights.

    `keep_start_if_better` also scores the untrained start on the validation data and keeps it
    when no epoch beat it (a zero-initialised residual model then equals its baseline).
    """
    import keras

    cbs = list(callbacks or [])
    cbs.append(keras_progress_callback(epochs, report, stage))
    if patience is not None and validation_data is not None:
        cbs.append(keras.callbacks.EarlyStopping("val_loss", patience=patience, restore_best_weights=True))
    start_weights = start_loss = None
    if keep_start_if_better and validation_data is not None:
        start_weights = model.get_weights()
        start_loss = _loss_of(model, validation_data, batch_size)
    began = time.perf_counter()
    fitted = model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        shuffle=True,
        verbose=0,
        callbacks=cbs,
    )
    seconds = time.perf_counter() - began
    history = {k: [float(v) for v in vals] for k, vals in fitted.history.items() if k != "learning_rate"}
    epochs_run = len(history.get("loss", []))
    chosen = epochs_run
    if patience is not None and "val_loss" in history:
        chosen = int(np.argmin(history["val_loss"])) + 1
    outcome = FitOutcome(history, seconds, epochs_run, chosen)
    if start_weights is not None and start_loss <= min(history.get("val_loss", [np.inf])):
        model.set_weights(start_weights)
        outcome.chosen_epoch = 0
        outcome.notes.append("no epoch beat the untrained start on validation: the start was kept")
    return outcome


def _loss_of(model, data: tuple[np.ndarray, np.ndarray], batch_size: int) -> float:
    value = model.evaluate(data[0], data[1], batch_size=batch_size, verbose=0)
    return float(value[0] if isinstance(value, list) else value)
