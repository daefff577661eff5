"""Model building blocks: parameter counts with formulas, the summary as a table, model files."""

from __future__ import annotations

import pytest

from core.errors import AppError, ErrorKind
from core.models import (
    dense_formula,
    formula_text,
    layer_counts,
    load_model_bytes,
    model_summary,
    recurrent_formula,
    summary_rows,
)
from core.training import model_bytes


def test_course_layer_formulas_by_hand():
    # the course's stock model: LSTM(80) on 1 feature, LSTM(100) on 80, Dense(1) on 100
    first, second = recurrent_formula("lstm", 1, 80), recurrent_formula("lstm", 80, 100)
    assert first.count == 4 * (80 * (1 + 80) + 80) == 26_240
    assert second.count == 4 * (100 * (80 + 100) + 100) == 72_400
    assert recurrent_formula("rnn", 5, 3).count == 3 * (5 + 3) + 3 == 27  # L1: SimpleRNN(3) on one-hot 5
    assert recurrent_formula("gru", 1, 80).count == 3 * (80 * (1 + 80) + 2 * 80) == 19_920
    assert recurrent_formula("gru", 1, 80, reset_after=False).count == 3 * (80 * 81 + 80)
    whole = formula_text([first, second, dense_formula(100, 1)])
    assert whole.endswith("Dense(1): 100·1+1 = 101 · total 98,741")  # the course's LSTM model
    assert first.formula == "4·[80·(1+80)+80]"
    assert recurrent_formula("gru", 2, 4).formula == "3·[4·(2+4)+2·4]"
    # the article in seeds/ claims 41,792 for LSTM(64) on 2 features; the formula gives 17,152
    assert recurrent_formula("lstm", 2, 64).count == 17_152


def test_formulas_read_from_keras_models_match_count_params():
    import keras

    inputs = keras.Input((4, 2))
    x = keras.layers.LSTM(5, return_sequences=True)(inputs)
    x = keras.layers.GRU(3)(x)
    outputs = keras.layers.Dense(2)(x)
    model = keras.Model(inputs, outputs)
    counts = layer_counts(model)
    assert [c.layer for c in counts] == ["LSTM(5)", "GRU(3)", "Dense(2)"]
    assert sum(c.count for c in counts) == model.count_params() == 4 * (5 * 7 + 5) + 3 * (3 * 8 + 6) + 8
    assert formula_text(counts).endswith(f"total {model.count_params():,}")

    emb = keras.Sequential([keras.Input((1,)), keras.layers.Embedding(5, 2), keras.layers.SimpleRNN(3),
                            keras.layers.Dense(5)])  # fmt: skip
    counts = layer_counts(emb)
    assert [c.count for c in counts] == [10, 3 * (2 + 3) + 3, 3 * 5 + 5]
    assert sum(c.count for c in counts) == emb.count_params()


def test_summary_keeps_every_column_at_any_width():
    """The course's LSTM model: the text table has its Param # column and the rows hold the counts."""
    import keras

    model = keras.Sequential(
        [
            keras.Input((60, 1)),
            keras.layers.LSTM(80, return_sequences=True),
            keras.layers.LSTM(100),
            keras.layers.Dense(1),
        ]
    )
    rows = summary_rows(model)
    assert [(r["type"], r["output_shape"], r["params"]) for r in rows] == [
        ("LSTM", "(None, 60, 80)", 26_240),
        ("LSTM", "(None, 100)", 72_400),
        ("Dense", "(None, 1)", 101),
    ]
    text = model_summary(model)
    assert "Param #" in text and "72,400" in text and "Total params: 98,741" in text
    assert max(len(line) for line in text.splitlines()) < 120


def test_model_bytes_round_trip_and_refusals():
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    again = load_model_bytes(model_bytes(model))
    assert [w.shape for w in again.get_weights()] == [(3, 2), (2,)]
    for bad in (b"", b"not a zip", b"PK\x05\x06" + bytes(18)):
        with pytest.raises(AppError) as err:
            load_model_bytes(bad)
        assert err.value.kind is ErrorKind.BAD_MODEL_FILE
