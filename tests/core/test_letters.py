"""Letter prediction core: the four course datasets, encodings, settings, training, files, cache."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from core import letters as L
from core.errors import AppError, ErrorKind
from core.scripts import letters_script
from core.training import RESULTS, model_bytes

# ---------------------------------------------------------------- datasets and encodings


def test_l1_one_hot_pairs():
    x, y, inputs = L.make_dataset(L.LetterConfig.course("L1"))
    assert inputs == ["a", "b", "c", "d", "e"]
    assert x.shape == (5, 1, 5) and x.dtype == np.float32
    np.testing.assert_array_equal(x[:, 0, :], np.eye(5))  # a = [1,0,0,0,0] ...
    assert y.tolist() == [1, 2, 3, 4, 0]  # a->b, b->c, c->d, d->e, e->a


def test_l2_embedding_ids():
    x, y, inputs = L.make_dataset(L.LetterConfig.course("L2"))
    assert x.shape == (5, 1) and x.dtype == np.int32
    assert x[:, 0].tolist() == [0, 1, 2, 3, 4]
    assert y.tolist() == [1, 2, 3, 4, 0]


def test_l3_cyclic_four_letters():
    config = L.LetterConfig.course("L3")
    x, y, inputs = L.make_dataset(config)
    assert inputs == ["abcd", "bcde", "cdea", "deab", "eabc"]
    assert ["abcde"[i] for i in y] == ["e", "a", "b", "c", "d"]
    assert x.shape == (5, 4, 5)
    assert np.argmax(x[2], axis=-1).tolist() == [2, 3, 4, 0]  # c d e a, one-hot per step
    assert x.sum(axis=-1).tolist() == [[1.0] * 4] * 5


def test_l4_a_to_z_22_samples():
    config = L.LetterConfig.course("L4")
    x, y, inputs = L.make_dataset(config)
    assert len(inputs) == 22 and inputs[0] == "abcd" and inputs[-1] == "vwxy"
    assert x.shape == (22, 4) and x[0].tolist() == [0, 1, 2, 3] and x[-1].tolist() == [21, 22, 23, 24]
    assert y.tolist() == list(range(4, 26))  # abcd->e ... vwxy->z
    assert (config.embed_dim, config.units, config.cyclic) == (2, 10, False)


def test_custom_non_cyclic_and_typed_alphabet():
    config = L.LetterConfig(alphabet="xyzw", input_len=2, cyclic=False, encoding="embedding")
    _, y, inputs = L.make_dataset(config)
    assert inputs == ["xy", "yz"] and y.tolist() == [2, 3]


def test_course_settings_are_the_spec():
    for task in L.TASKS:
        c = L.LetterConfig.course(task)
        assert (c.learning_rate, c.batch_size, c.epochs, c.seed, c.cell) == (0.01, 32, 100, 7, "rnn")
        assert c.matches_course()
    assert not L.LetterConfig.course("L1", units=4).matches_course()
    assert L.LetterConfig.course("L1", cell="gru", seed=3).matches_course()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"alphabet": ""}, "alphabet is empty"),
        ({"alphabet": "abca"}, "repeats 'a'"),
        ({"alphabet": "ab cd"}, "contains a space"),
        ({"alphabet": "ab*c_"}, "only letters and digits; '\\*', '_' is neither"),
        ({"alphabet": "x" * 65}, "at most 64"),
        ({"alphabet": "abc", "input_len": 3}, "needs at least 4 distinct letters, but the alphabet 'abc' has only 3"),
        ({"input_len": 0}, "Input length must be from 1 to 8"),
        ({"input_len": 9, "alphabet": L.ALPHABET_26}, "Input length must be from 1 to 8"),
        ({"encoding": "binary"}, "Unknown encoding"),
        ({"cell": "transformer"}, "Unknown cell"),
        ({"units": 0}, "Units must be"),
        ({"learning_rate": 0.0}, "Learning rate must be from 0.0001 to 1.0"),
        ({"task": "L9"}, "Unknown task"),
    ],
)
def test_invalid_settings_name_the_problem(changes, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        L.LetterConfig(**changes)


# ---------------------------------------------------------------- model and training


def test_builder_layers_and_parameter_counts():
    l1 = L.build_letter_model(L.LetterConfig.course("L1"))
    assert [layer.name for layer in l1.layers] == ["letters", "rnn", "dense"]
    assert l1.count_params() == (5 * 3 + 3 * 3 + 3) + (3 * 5 + 5)  # 27 + 20
    l4 = L.build_letter_model(L.LetterConfig.course("L4"))
    assert [layer.name for layer in l4.layers] == ["letters", "embedding", "rnn", "dense"]
    assert l4.count_params() == 26 * 2 + (2 * 10 + 10 * 10 + 10) + (10 * 26 + 26)  # 52 + 130 + 286
    gru = L.build_letter_model(L.LetterConfig.course("L3", cell="lstm"))
    assert gru.get_layer("rnn").__class__.__name__ == "LSTM"
    assert tuple(l4.input_shape) == (None, 4) and tuple(l4.output_shape) == (None, 26)


def test_all_four_course_tasks_reach_100_percent_with_seed_7(isolated_cache):
    RESULTS.clear_memory()  # the in-memory part is shared by the whole test run
    warmed = [run(None, None) for _, run in L.warm_items()]  # what "prepare for class" runs for this page
    assert [(r.cached, r.accuracy) for r in warmed] == [(False, 1.0)] * 4
    for task in L.TASKS:
        result = L.train_letters(L.LetterConfig.course(task))
        assert result.cached and result.accuracy == 1.0, task
        assert result.epochs_run == 100 and len(result.history["loss"]) == 100
        assert result.history["accuracy"][-1] == 1.0
        assert result.history["loss"][-1] < result.history["loss"][0]
    assert result.predictions["mnop"] == "q" and result.predictions["vwxy"] == "z"
    assert all(run(None, None).cached for _, run in L.warm_items())


def test_compiled_loop_matches_model_fit():
    """Same seed, same data, one batch per epoch: fit and our loop give the same losses."""
    import keras

    config = L.LetterConfig.course("L3", epochs=8)
    keras.utils.set_random_seed(config.seed)
    model = L.build_letter_model(config)
    model.compile(keras.optimizers.Adam(0.01), keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    x, y, _ = L.make_dataset(config)
    fitted = model.fit(x, y, batch_size=32, epochs=8, verbose=0).history
    ours = L.train_letters(config, use_cache=False).history
    np.testing.assert_allclose(ours["loss"], fitted["loss"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ours["accuracy"], fitted["accuracy"], atol=1e-6)


def test_reporter_called_every_epoch_and_small_batches():
    seen = []
    config = L.LetterConfig(alphabet="abcdefgh", input_len=2, epochs=5, batch_size=3, units=4)
    result = L.train_letters(config, report=seen.append, use_cache=False)
    assert [info.epoch for info in seen] == [1, 2, 3, 4, 5]
    assert seen[-1].history["loss"] == result.history["loss"] and seen[-1].epochs == 5
    assert all(0.0 <= a <= 1.0 for a in result.history["accuracy"])


def test_cache_memory_then_disk(isolated_cache):
    RESULTS.clear_memory()
    config = L.LetterConfig.course("L1", epochs=5)
    first = L.train_letters(config)
    again = L.train_letters(config)
    assert (first.cached, again.cached) == (False, True)
    RESULTS.clear_memory()
    from_disk = L.train_letters(config)
    assert from_disk.cached and from_disk.predictions == first.predictions
    assert from_disk.history == first.history and from_disk.config == config
    for a, b in zip(from_disk.model.get_weights(), first.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_continue_training_extends_curves_and_has_its_own_key(isolated_cache):
    RESULTS.clear_memory()
    base = L.train_letters(L.LetterConfig.course("L2", seed=1))  # a seed that stops at 80%
    assert base.accuracy == pytest.approx(0.8)
    before = [w.copy() for w in base.model.get_weights()]
    seen = []
    more = L.continue_training(base, 100, report=lambda i: seen.append((i.epoch, i.epochs, len(i.history["loss"]))))
    assert seen[0] == (1, 100, 101) and seen[-1] == (100, 100, 200)  # this run's progress; the curves go on
    assert more.accuracy == 1.0 and more.epochs_run == 200 and more.resumed_at == (100,)
    assert more.history["loss"][:100] == base.history["loss"] and len(more.history["loss"]) == 200
    assert more.history["loss"][-1] < base.history["loss"][-1]
    assert more.key != base.key
    for a, b in zip(base.model.get_weights(), before, strict=True):  # the cached model is untouched
        np.testing.assert_array_equal(a, b)
    assert L.continue_training(base, 100).cached


# ---------------------------------------------------------------- prediction


@pytest.fixture(scope="module")
def l1():
    return L.train_letters(L.LetterConfig.course("L1"), use_cache=False)


def test_loss_still_falling():
    assert L.loss_still_falling({"loss": [1.0] * 10 + [0.9] * 5 + [0.8]})
    assert not L.loss_still_falling({"loss": [0.5] * 30})
    assert L.loss_still_falling({"loss": [0.5]})


def test_predict_next_gives_every_letter(l1):
    probs = L.predict_next(l1, l1.config, "a")
    assert list(probs) == list("abcde") and sum(probs.values()) == pytest.approx(1.0, abs=1e-5)
    assert max(probs, key=probs.get) == "b"
    assert max(L.predict_next(l1, l1.config, "E").items(), key=lambda kv: kv[1])[0] == "a"
    keras_probs = np.asarray(l1.model(L.encode(l1.config, ["a"]), training=False))[0]
    np.testing.assert_allclose(list(probs.values()), keras_probs, atol=1e-5)  # the NumPy replay is the Keras model


def test_predict_next_names_bad_input(l1):
    with pytest.raises(AppError, match="'z' is not in the alphabet 'abcde'") as err:
        L.predict_next(l1, l1.config, "z")
    assert err.value.kind is ErrorKind.BAD_INPUT
    with pytest.raises(AppError, match="Type exactly 1 letter"):
        L.predict_next(l1, l1.config, "ab")
    with pytest.raises(AppError, match="has 0"):
        L.predict_next(l1, l1.config, "")


def test_keep_going_feeds_predictions_back(l1):
    assert L.keep_going(l1, l1.config, "c", 7) == "cdeabcde"


def test_mapping_rows(l1):
    rows = L.mapping_rows(l1, l1.config)
    assert [(r.text, r.expected, r.predicted) for r in rows][0] == ("a", "b", "b")
    assert all(r.correct and 0.2 < r.probability <= 1 and r.runner_up != r.predicted for r in rows)


def test_trainable_variables_text_lists_names_shapes_values(l1):
    text = L.trainable_variables_text(l1.model)
    assert "rnn/simple_rnn_cell/kernel\n(5, 3)\n" in text
    assert "rnn/simple_rnn_cell/recurrent_kernel\n(3, 3)\n" in text
    assert "dense/bias\n(5,)\n" in text
    kernel = np.asarray(l1.model.get_layer("dense").kernel)
    assert f"{kernel[0, 0]:.4f}"[:5] in text
    assert "Total params: 47" in L.model_summary(l1.model)


# ---------------------------------------------------------------- files


def test_keras_round_trip_and_shape_check(l1):
    data = model_bytes(l1.model)
    restored = L.load_uploaded_model(data, l1.config)
    assert restored.predictions == l1.predictions and restored.accuracy == 1.0 and restored.epochs_run == 0
    with pytest.raises(
        AppError, match=r"reads inputs of shape \(batch, 1, 5\).*needs inputs of shape \(batch, 4\)"
    ) as e:
        L.load_uploaded_model(data, L.LetterConfig.course("L4"))
    assert e.value.kind is ErrorKind.BAD_MODEL_FILE


@pytest.mark.parametrize("data", [b"", b"not a zip file at all", b"PK\x03\x04 broken", b"PK\x05\x06" + bytes(18)])
def test_garbage_uploads_are_refused_with_a_sentence(data, l1):
    with pytest.raises(AppError) as err:
        L.load_uploaded_model(data, l1.config)
    assert err.value.kind is ErrorKind.BAD_MODEL_FILE and err.value.sentence.endswith(".")
    assert "/tmp" not in err.value.sentence


def test_safe_mode_refuses_lambda_layers(tmp_path, l1):
    import keras

    inputs = keras.Input((1, 5))
    outputs = keras.layers.Dense(5, activation="softmax")(keras.layers.Lambda(lambda v: v[:, 0, :] * 2)(inputs))
    path = tmp_path / "lambda.keras"
    keras.Model(inputs, outputs).save(path)
    with pytest.raises(AppError, match="contains Python code") as err:
        L.load_uploaded_model(path.read_bytes(), l1.config)
    assert err.value.kind is ErrorKind.BAD_MODEL_FILE


def test_upload_without_softmax_is_refused(l1):
    import keras

    inputs = keras.Input((1, 5))
    model = keras.Model(inputs, keras.layers.Dense(5, name="dense")(keras.layers.SimpleRNN(3, name="rnn")(inputs)))
    with pytest.raises(AppError, match="not probabilities"):
        L.load_uploaded_model(model_bytes(model), l1.config)


def test_embedding_view_as_is_and_projected():
    l4 = L.train_letters(L.LetterConfig.course("L4", epochs=3), use_cache=False)
    view = L.embedding_view(l4, l4.config)
    np.testing.assert_array_equal(view.coords, l4.model.get_layer("embedding").get_weights()[0])
    assert view.explained is None and view.letters == L.ALPHABET_26
    wide = L.LetterConfig(alphabet="abcdefg", input_len=2, encoding="embedding", embed_dim=5, epochs=3)
    big = L.train_letters(wide, use_cache=False)
    projected = L.embedding_view(big, wide)
    assert projected.coords.shape == (7, 2) and 0 < projected.explained <= 1
    np.testing.assert_allclose(projected.coords.mean(axis=0), 0, atol=1e-9)
    with pytest.raises(AppError):
        L.embedding_view(big, L.LetterConfig.course("L1"))


def test_standalone_script_runs_and_matches_the_loop():
    config = L.LetterConfig.course("L4", cell="gru", epochs=4)
    code = letters_script(config)
    for step in ("# 1. import", "# 2. training data", "# 3. the model", "# 4. compile", "# 5. fit", "# 6. summary"):
        assert step in code
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(compile(code, "letters_script.py", "exec"), namespace)
    assert "vwxy ->" in out.getvalue()
    ours = L.train_letters(config, use_cache=False).history["loss"]
    np.testing.assert_allclose(namespace["history"].history["loss"], ours, rtol=1e-4)
