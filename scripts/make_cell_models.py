"""Train the small course letter models the cell page ships with, and write assets/cells/<cell>.npz.

Task L3 of the course (abcde, four letters -> the next, one-hot input, 3 units) for SimpleRNN,
LSTM and GRU. Each file stores the weights, Keras's own parameter count, the training figures and
the measured NumPy-vs-Keras replay difference. Anyone can re-run it:

    python3 scripts/make_cell_models.py            # all three cells
    python3 scripts/make_cell_models.py --cell gru
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import cell_models  # noqa: E402

TASK, ALPHABET, INPUT_LENGTH, UNITS, SEED, EPOCHS = "L3", "abcde", 4, 3, 7, 100


def train_with_letters_module(cell: str):
    """Train through core.letters (the letter page's own code path), when it is there."""
    from core import letters

    config = letters.LetterConfig.course(TASK, cell)
    result = letters.train_letters(config, use_cache=False)
    return result.model, {"seed": getattr(config, "seed", SEED), "epochs": getattr(config, "epochs", EPOCHS)}


def train_directly(cell: str):
    """The same course settings built here (Adam 0.01, sparse CE, batch 32, 100 epochs, seed 7)."""
    import keras
    import numpy as np

    from core.models import recurrent_layer

    keras.utils.set_random_seed(SEED)
    windows = [(ALPHABET * 2)[i : i + INPUT_LENGTH + 1] for i in range(len(ALPHABET))]
    x = np.stack([np.eye(len(ALPHABET))[[ALPHABET.index(c) for c in w[:-1]]] for w in windows])
    y = np.array([ALPHABET.index(w[-1]) for w in windows])
    inp = keras.Input((INPUT_LENGTH, len(ALPHABET)))
    hidden = recurrent_layer(cell, UNITS, name="rnn")(inp)
    model = keras.Model(inp, keras.layers.Dense(len(ALPHABET), activation="softmax", name="dense")(hidden))
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy", ["sparse_categorical_accuracy"],
                  jit_compile=False)  # fmt: skip
    history = model.fit(x, y, batch_size=32, epochs=EPOCHS, verbose=0)
    return model, {"seed": SEED, "epochs": EPOCHS, "final_loss": float(history.history["loss"][-1])}


def accuracy(model) -> float:
    import numpy as np

    windows = [(ALPHABET * 2)[i : i + INPUT_LENGTH + 1] for i in range(len(ALPHABET))]
    x = np.stack([np.eye(len(ALPHABET))[[ALPHABET.index(c) for c in w[:-1]]] for w in windows])
    predicted = np.argmax(model.predict(x, verbose=0), axis=-1)
    return float(np.mean(predicted == np.array([ALPHABET.index(w[-1]) for w in windows])))


def make(cell: str, use_letters: bool) -> dict:
    start = time.perf_counter()
    model, info = train_with_letters_module(cell) if use_letters else train_directly(cell)
    meta = {**info, "task": TASK, "input_length": INPUT_LENGTH, "encoding": "onehot",
            "accuracy": accuracy(model), "trained_with": "core.letters" if use_letters else "script",
            "train_seconds": round(time.perf_counter() - start, 1)}  # fmt: skip
    import keras

    meta["keras_version"] = keras.__version__
    extracted = cell_models.from_keras(model, ALPHABET, meta)
    extracted.meta["replay_difference"] = cell_models.model_replay_difference(extracted)
    cell_models.save_cell_model(extracted, cell_models.model_path(cell))
    return extracted.meta


def letters_available() -> bool:
    try:
        from core import letters
    except ImportError:
        return False
    return all(hasattr(letters, n) for n in ("LetterConfig", "train_letters"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", choices=("rnn", "lstm", "gru"), action="append")
    parser.add_argument("--direct", action="store_true", help="build the models here, not through core.letters")
    args = parser.parse_args()
    use_letters = not args.direct and letters_available()
    for cell in args.cell or ["rnn", "lstm", "gru"]:
        meta = make(cell, use_letters)
        print(f"{cell}: accuracy {meta['accuracy']:.0%}, {meta['count_params']} parameters, "
              f"replay difference {meta['replay_difference']:.2e}, {meta['train_seconds']} s -> "
              f"{cell_models.model_path(cell).relative_to(ROOT)}")  # fmt: skip


if __name__ == "__main__":
    main()
