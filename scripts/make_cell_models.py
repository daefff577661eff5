"""Train the small course letter models the cell page ships with, and write assets/cells/<cell>.npz.

Task L3 of the course (abcde, four letters -> the next, one-hot input, 3 units) for SimpleRNN,
LSTM, GRU and the peephole LSTM (core/peephole.py). Each file stores the weights, Keras's own parameter count, the training figures and
the measured NumPy-vs-Keras replay difference. Anyone can re-run it:

    python3 scripts/make_cell_models.py            # all four cells
    python3 scripts/make_cell_models.py --cell gru
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import cell_models  # noqa: E402

TASK, CELLS = "L3", ("rnn", "lstm", "gru", "peephole")


def make(cell: str) -> dict:
    """Train the course L3 model of `cell` through the letter page's own code, extract it, measure it, save it."""
    import keras

    from core import letters

    config = letters.LetterConfig.course(TASK, cell)
    result = letters.train_letters(config, use_cache=False)
    meta = {"task": TASK, "input_length": config.input_len, "encoding": config.encoding, "seed": config.seed,
            "epochs": config.epochs, "learning_rate": config.learning_rate, "accuracy": result.accuracy,
            "final_loss": float(result.history["loss"][-1]), "train_seconds": round(result.train_seconds, 1),
            "keras_version": keras.__version__}  # fmt: skip
    extracted = cell_models.from_keras(result.model, config.alphabet, meta)
    extracted.meta["replay_difference"] = cell_models.model_replay_difference(extracted)
    cell_models.save_cell_model(extracted, cell_models.model_path(cell))
    return extracted.meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", choices=CELLS, action="append", help="only this cell (repeatable)")
    args = parser.parse_args()
    for cell in args.cell or CELLS:
        meta = make(cell)
        print(f"{cell}: accuracy {meta['accuracy']:.0%}, {meta['count_params']} parameters, "
              f"replay difference {meta['replay_difference']:.2e}, {meta['train_seconds']} s -> "
              f"{cell_models.model_path(cell).relative_to(ROOT)}")  # fmt: skip


if __name__ == "__main__":
    main()
