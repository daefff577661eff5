"""Benchmark: the four course letter tasks trained with plain `model.fit` and with our compiled loop.

    python3 benchmarks/bench_letters.py [--cell rnn|lstm|gru] [--seed 7]

Prints per task the train seconds and final accuracy of both, and the fit / loop time ratio.
TensorFlow is imported (and warmed up on a throw-away model) before any timing starts.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def train_with_fit(config) -> tuple[float, float, float]:
    """(seconds, final accuracy, last epoch loss) of the course's plain model.fit."""
    import keras
    import numpy as np

    from core.letters import build_letter_model, make_dataset

    start = time.perf_counter()
    keras.utils.set_random_seed(config.seed)
    model = build_letter_model(config)
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
    x, y, _ = make_dataset(config)
    history = model.fit(x, y, batch_size=config.batch_size, epochs=config.epochs, verbose=0)
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(np.argmax(model.predict(x, verbose=0), axis=-1) == y))
    return seconds, accuracy, history.history["loss"][-1]


def train_with_loop(config) -> tuple[float, float, float]:
    """(seconds, final accuracy, last epoch loss) of core.letters' compiled loop (cache bypassed)."""
    from core.letters import train_letters

    start = time.perf_counter()
    result = train_letters(config, use_cache=False)
    return time.perf_counter() - start, result.accuracy, result.history["loss"][-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", default="rnn", choices=["rnn", "lstm", "gru"])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import keras  # noqa: F401  (the import is excluded from every timing)

    from core.letters import TASKS, LetterConfig

    train_with_loop(LetterConfig.course("L1", epochs=2))  # warm TensorFlow's first-call paths once
    totals = {"fit": 0.0, "loop": 0.0}
    print(f"cell={args.cell} seed={args.seed}")
    print(
        f"{'task':4} {'fit s':>7} {'fit acc':>8} {'fit loss':>9} {'loop s':>7} {'loop acc':>9} {'loop loss':>10} {'ratio':>6}"
    )
    for task in TASKS:
        config = LetterConfig.course(task, cell=args.cell, seed=args.seed)
        fit_s, fit_acc, fit_loss = train_with_fit(config)
        loop_s, loop_acc, loop_loss = train_with_loop(config)
        totals["fit"] += fit_s
        totals["loop"] += loop_s
        print(
            f"{task:4} {fit_s:7.2f} {fit_acc:8.0%} {fit_loss:9.4f} {loop_s:7.2f} {loop_acc:9.0%} {loop_loss:10.4f}"
            f" {fit_s / loop_s:6.1f}"
        )
    ratio = totals["fit"] / totals["loop"]
    print(f"all  {totals['fit']:7.2f} {'':8} {'':9} {totals['loop']:7.2f} {'':9} {'':10} {ratio:6.1f}")
    print(f"target: all four with the loop in <= 10 s: {'met' if totals['loop'] <= 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
