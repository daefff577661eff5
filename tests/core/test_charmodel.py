"""Character models: config and modes, the split by position, shapes, the held-out score, the step function.

Nothing here trains: models are built untrained (tiny) to check shapes, scores and the NumPy replay.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from core.charmodel import (
    COURSE_CURVE,
    COURSE_DATA,
    COURSE_SETTINGS,
    CharConfig,
    build_char_model,
    char_stepper,
    course_notes,
    course_slips,
    fit_arguments,
    model_text,
    parameter_count,
    prepare_char,
    score_char,
)
from core.corpora import PLACEHOLDER, Vocab, cap_vocabulary, load_corpus, split_index
from core.sampling import generate_text

SMALL_TEXT = ("It is the east, and Juliet is the sun.\nArise, fair sun, and kill the envious moon.\n" * 40)[:3000]


# ---------------------------------------------------------------- configuration


def test_default_mode_is_the_issue_setting():
    c = CharConfig()
    assert (c.mode, c.cell, c.embed_dim, c.units, c.layers, c.many_to_one) == ("default", "gru", 64, 128, 1, False)
    assert (c.seq_len, c.window_step, c.learning_rate, c.global_clipnorm, c.dropout) == (64, 64, 3e-3, 1.0, 0.0)
    tang = CharConfig.for_mode("default", "tang")
    assert (tang.max_vocab, tang.batch_size, tang.learning_rate, tang.cell, tang.units) == (3000, 16, 1e-2, "gru", 128)
    assert CharConfig.for_mode("default", "tang", batch_size=32).batch_size == 32
    assert CharConfig.for_mode("default", "upload") == CharConfig(corpus="upload")
    assert not c.matches_course()


def test_course_mode_is_the_cookbook_network():
    c = CharConfig.for_mode("course")
    assert (c.mode, c.cell, c.units, c.layers, c.dropout) == ("course", "lstm", 512, 3, 0.5)
    assert (c.embed_dim, c.many_to_one) == (0, True)  # one-hot input; the third LSTM returns no sequence
    assert (c.seq_len, c.window_step, c.batch_size) == (25, 3, 128)
    assert (c.learning_rate, c.global_clipnorm) == (1e-3, 5.0)
    assert c.matches_course() and c.cell_label == "LSTM"
    assert dataclasses.replace(c, seed=3, steps_per_epoch=50, corpus="tang").matches_course()
    assert not dataclasses.replace(c, units=256).matches_course()
    assert CharConfig.for_mode("course", cell="gru").cell == "gru"


def test_configs_are_hashable_cache_keys():
    assert hash(CharConfig()) == hash(CharConfig()) and CharConfig() != CharConfig(seed=8)
    assert len({CharConfig(), CharConfig.for_mode("course"), COURSE_SETTINGS}) == 2


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"cell": "transformer"}, "rnn, lstm, gru"),
        ({"mode": "fast"}, "default, course"),
        ({"corpus": "poe"}, "shakespeare, tang, upload"),
        ({"units": 0}, "Units"),
        ({"layers": 5}, "Layers"),
        ({"seq_len": 1}, "Sequence length"),
        ({"batch_size": 2.5}, "Batch size"),
        ({"learning_rate": 0}, "Learning rate"),
        ({"global_clipnorm": -1}, "Gradient clipping norm"),
        ({"dropout": 1.0}, "Dropout rate"),
        ({"max_vocab": 1}, "vocabulary cap"),
        ({"many_to_one": 1}, "many_to_one"),
        ({"epochs": True}, "Epochs"),
    ],
)
def test_bad_settings_raise_value_error_naming_them(changes, words):
    with pytest.raises(ValueError, match=words):
        CharConfig(**changes)
    with pytest.raises(ValueError, match="default, course"):
        CharConfig.for_mode("fast")


def test_course_curve_data_and_slips():
    assert [(e.epoch, e.step, e.val_loss) for e in COURSE_CURVE] == [(1, 10_719, 2.12443), (6, 64_314, 1.40140)]
    assert COURSE_CURVE[0].seconds == pytest.approx(22_082.057)
    assert COURSE_DATA["train"] + COURSE_DATA["val"] == 1_524_438
    assert COURSE_DATA["train"] // 128 + 1 == COURSE_CURVE[0].step  # batches of 128 per epoch
    english, chinese = course_slips("en"), course_slips("zh")
    assert len(english) == len(chinese) == 3
    assert "third LSTM" in english[0] and "random" in english[1] and "repeats" in english[2]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in s) for s in chinese)
    notes = course_notes("en")
    assert "4,573,338" in notes[0] and "22,082" in notes[1]
    assert len(course_notes("zh")) == 2


def test_fit_arguments_follow_the_config():
    assert fit_arguments(CharConfig()) == {"batch_size": 64, "epochs": 8, "steps_per_epoch": 60, "shuffle": True}
    assert fit_arguments(CharConfig(steps_per_epoch=0))["steps_per_epoch"] is None
    course = fit_arguments(COURSE_SETTINGS)
    assert (course["batch_size"], course["steps_per_epoch"]) == (128, COURSE_SETTINGS.steps_per_epoch)


# ---------------------------------------------------------------- data


@pytest.fixture(scope="module")
def shakespeare() -> str:
    return load_corpus("shakespeare")


def test_prepare_default_splits_by_position(shakespeare):
    arrays = prepare_char(CharConfig(), shakespeare)
    ids = arrays.vocab.encode(shakespeare)
    assert arrays.split == 1_003_854 and arrays.vocab.size == 65
    assert arrays.x_train.shape == arrays.y_train.shape == (15_685, 64)
    assert arrays.x_train.dtype == np.int32
    assert np.array_equal(arrays.x_train[1], ids[64:128]) and np.array_equal(arrays.y_train[1], ids[65:129])
    last = 15_684 * 64  # start of the last training sequence; its last target lies before the split
    assert np.array_equal(arrays.y_train[-1], ids[last + 1 : last + 65]) and arrays.split > last + 64
    assert arrays.x_held.shape == (1_742, 64) and arrays.held_out_scored == 111_488
    assert np.array_equal(arrays.y_held.ravel(), ids[arrays.split : arrays.split + 111_488])
    assert np.array_equal(arrays.x_held.ravel()[1:], arrays.y_held.ravel()[:-1])  # inputs lag targets by one


def test_prepare_course_windows_every_three_characters(shakespeare):
    arrays = prepare_char(CharConfig.for_mode("course"), shakespeare)
    ids = arrays.vocab.encode(shakespeare)
    assert arrays.x_train.shape == (334_610, 25) and arrays.y_train.shape == (334_610,)
    k = 1000
    assert np.array_equal(arrays.x_train[k], ids[3 * k : 3 * k + 25]) and arrays.y_train[k] == ids[3 * k + 25]
    last = 3 * (334_610 - 1)
    assert arrays.y_train[-1] == ids[last + 25] and arrays.split > last + 25
    assert arrays.x_held.shape == (4_462, 25)  # one target every 25 held-out characters
    assert np.array_equal(arrays.y_held, ids[arrays.split :: 25])
    assert np.array_equal(arrays.x_held[2], ids[arrays.split + 25 : arrays.split + 50])


def test_prepare_refuses_a_text_too_short_for_the_sequences():
    with pytest.raises(ValueError, match="too short"):
        prepare_char(CharConfig(seq_len=400), SMALL_TEXT)


def test_vocabulary_cap_replaces_rare_characters():
    tang = load_corpus("tang")
    capped = cap_vocabulary(tang, 3000)
    assert len(capped) == len(tang) and len(set(capped)) == 3000
    assert capped.count(PLACEHOLDER) / len(capped) == pytest.approx(0.0135, abs=0.0005)  # 98.7% kept
    config = CharConfig(corpus="tang", max_vocab=3000, seq_len=48, window_step=48)
    assert model_text(config, tang) == capped
    assert prepare_char(config, tang).vocab.size == 3000
    assert model_text(CharConfig(), SMALL_TEXT) is SMALL_TEXT
    assert cap_vocabulary("abcabc" * 10, 5) == "abcabc" * 10


# ---------------------------------------------------------------- model


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


def _tiny(**changes) -> CharConfig:
    return dataclasses.replace(CharConfig(units=8, embed_dim=4, seq_len=16, window_step=16), **changes)


def test_default_model_shapes_and_compilation(keras):
    config = _tiny(layers=2, cell="lstm")
    keras.utils.set_random_seed(1)
    model = build_char_model(config, 30)
    assert [layer.name for layer in model.layers] == ["chars", "embedding", "lstm_1", "lstm_2", "logits"]
    assert model.output_shape == (None, None, 30)  # a prediction at every step, any length
    assert model.count_params() == parameter_count(config, 30)
    assert model.optimizer.learning_rate.numpy() == pytest.approx(3e-3)
    assert model.optimizer.global_clipnorm == 1.0
    assert model.loss.get_config()["from_logits"] is True
    out = model(np.zeros((2, 7), np.int32))
    assert tuple(out.shape) == (2, 7, 30)


def test_course_model_is_many_to_one_with_dropout(keras):
    config = dataclasses.replace(COURSE_SETTINGS, units=8)
    model = build_char_model(config, 65)
    names = [layer.name for layer in model.layers]
    assert names == ["chars", "one_hot", "lstm_1", "dropout_1", "lstm_2", "dropout_2", "lstm_3", "dropout_3", "logits"]
    assert [model.get_layer(f"lstm_{k}").return_sequences for k in (1, 2, 3)] == [True, True, False]
    assert model.get_layer("dropout_1").rate == 0.5
    assert model.output_shape == (None, 65)
    assert model.optimizer.global_clipnorm == 5.0


def test_course_parameter_count_from_the_formulas():
    # 4(512(65+512)+512) + 2 * 4(512(512+512)+512) + (512*65+65): the cookbook's network on 65 characters
    assert parameter_count(COURSE_SETTINGS, 65) == 1_183_744 + 2 * 2_099_200 + 33_345 == 5_415_489
    assert parameter_count(CharConfig(), 65) == 65 * 64 + 3 * (128 * (64 + 128) + 2 * 128) + 128 * 65 + 65 == 87_041
    assert parameter_count(CharConfig(), 6054) == 1_242_918


def test_score_is_the_mean_held_out_cross_entropy(keras):
    config = _tiny()
    arrays = prepare_char(config, SMALL_TEXT)
    keras.utils.set_random_seed(2)
    model = build_char_model(config, arrays.vocab.size)
    logits = np.asarray(model.predict(arrays.x_held, verbose=0), np.float64)
    log_probs = logits - np.log(np.sum(np.exp(logits), axis=-1, keepdims=True))
    expected = -np.mean(np.take_along_axis(log_probs, arrays.y_held[..., None], axis=-1))
    assert score_char(model, arrays) == pytest.approx(expected, rel=1e-5)
    assert abs(score_char(model, arrays) - math.log(arrays.vocab.size)) < 0.1  # untrained: about uniform


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_stepper_replays_the_keras_model(keras, cell):
    config = _tiny(cell=cell, layers=2)
    keras.utils.set_random_seed(3)
    model = build_char_model(config, 12)
    stepper = char_stepper(model, config)
    assert stepper.window == 0 and stepper.embedding.shape == (12, 4)
    ids = np.random.default_rng(0).integers(0, 12, 30)
    expected = np.asarray(model(ids[None]))[0]  # (30, 12) logits at every step
    state, steps = None, []
    for char_id in ids:
        logits, state = stepper(state, int(char_id))
        steps.append(logits)
    assert np.max(np.abs(np.array(steps) - expected)) < 1e-5


def test_windowed_stepper_replays_the_course_model(keras):
    config = dataclasses.replace(COURSE_SETTINGS, units=6)
    keras.utils.set_random_seed(4)
    model = build_char_model(config, 9)
    stepper = char_stepper(model, config)
    assert stepper.window == 25 and stepper.embedding is None
    ids = np.random.default_rng(1).integers(0, 9, 40)
    state = None
    for char_id in ids:
        logits, state = stepper(state, int(char_id))
    assert len(state) == 25
    expected = np.asarray(model(ids[None, -25:]))[0]  # the last 25 characters from a zero state
    assert np.max(np.abs(logits - expected)) < 1e-5
    with pytest.raises(ValueError, match="outside"):
        stepper(state, 9)


def test_generation_from_an_untrained_model_is_seeded(keras):
    config = _tiny()
    vocab = Vocab.from_text(SMALL_TEXT)
    keras.utils.set_random_seed(5)
    stepper = char_stepper(build_char_model(config, vocab.size), config)
    first = generate_text(stepper, vocab, "Juliet", 40, 1.0, rng=11)
    assert len(first) == 40 and set(first) <= set(vocab.chars)
    assert generate_text(stepper, vocab, "Juliet", 40, 1.0, rng=11) == first
    assert split_index(len(SMALL_TEXT)) == 2700
