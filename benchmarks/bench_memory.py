"""Memory of training many forecasts in ONE process, without Streamlit (a diagnosis for bench_load).

Trains T tiny forecasts (distinct seeds, cache on, as the server does) and prints the process RSS
after 1, 8, 16, ... T trainings. The results cache keeps 16 results in memory, so after the 16th
training the RSS should stay flat; growth after that is memory kept per training somewhere else.
`--clear-session` calls keras.backend.clear_session() after each training (unsafe in the threaded
server; here only to see whether Keras' global state is what grows). `--pure-keras` builds and fits
a plain Sequential LSTM of the same size each time instead (none of our code, 16 kept alive like
the cache): if it grows alike, the growth is Keras/TensorFlow's, not ours.
`--mixed` is the app's own path: letters and forecasts alternate through core.training with the
training workers on (as the server runs them), and the RSS is this process plus its workers.

    python3 benchmarks/bench_memory.py [--trainings 48] [--epochs 2] [--clear-session] [--pure-keras] [--mixed]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def plain_keras_training(seed: int, epochs: int):
    """A Sequential LSTM(32) fitted on random windows shaped like the default pipeline's."""
    import keras
    import numpy as np

    rng = np.random.default_rng(seed)
    x, y = rng.random((500, 20, 4), dtype=np.float32), rng.random((500, 1), dtype=np.float32)
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((20, 4)), keras.layers.LSTM(32), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse", jit_compile=False)
    model.fit(x, y, batch_size=256, epochs=epochs, verbose=0, validation_split=0.2)
    model.predict(x[:60], verbose=0)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainings", type=int, default=48, help="16-96")
    parser.add_argument("--epochs", type=int, default=2, help="1-20")
    parser.add_argument("--clear-session", action="store_true")
    parser.add_argument("--pure-keras", action="store_true", help="plain Keras models, none of our code")
    parser.add_argument("--mixed", action="store_true", help="letters + forecasts in the training workers")
    args = parser.parse_args()
    if not (16 <= args.trainings <= 96 and 1 <= args.epochs <= 20):
        parser.error("bounds: 16 <= trainings <= 96, 1 <= epochs <= 20")
    os.environ["RNNLAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="rnnlab-memory-")

    if not args.mixed:
        os.environ["RNNLAB_TRAIN_WORKERS"] = "0"  # the diagnosis: everything in this one process
    from benchmarks.bench_load import rss_mib, server_memory, synthetic_csv
    from core.forecast import ForecastConfig, run_forecast
    from core.letters import TASKS, LetterConfig, train_letters
    from core.prices import read_prices

    data = read_prices(synthetic_csv(Path(tempfile.mkdtemp()), 2).read_bytes())
    marks, kept = {}, []
    for i in range(1, args.trainings + 1):
        if args.pure_keras:
            kept = [*kept[-15:], plain_keras_training(i, args.epochs)]
        elif args.mixed and i % 2:
            task = list(TASKS)[i // 2 % len(TASKS)]
            train_letters(LetterConfig.course(task, seed=i, epochs=args.epochs * 5))
        else:
            run_forecast(data, ForecastConfig.default("lstm", epochs=args.epochs, seed=i))
        if args.clear_session:
            import keras

            keras.backend.clear_session()
        if i == 1 or i % 8 == 0:
            gc.collect()
            marks[i] = server_memory(os.getpid())["total"] if args.mixed else rss_mib(os.getpid())
            print(f"{i} trainings: RSS {marks[i]} MiB", file=sys.stderr, flush=True)
    ratio = marks[args.trainings] / marks[16] if args.trainings in marks and 16 in marks else None
    result = {"benchmark": "memory", "clear_session": args.clear_session, "pure_keras": args.pure_keras,
              "mixed": args.mixed, "epochs": args.epochs,
              "rss_mib": marks, "ratio_last_vs_16": round(ratio, 3) if ratio else None}  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
