"""Sequence shapes: panel models and their shape tables, task data and scores, formulas, Conv1D."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from core.shapes import (
    PANELS,
    SLIP_KEYS,
    TASK_PANEL,
    TASKS,
    ShapeDims,
    ShapeTaskConfig,
    ShapeTaskData,
    build_task_model,
    conv1d_output_length,
    conv1d_parameter_count,
    conv1d_table,
    document_slips,
    format_shape,
    lstm_output_bound,
    make_task_data,
    panel_code,
    parameter_formula,
    repeat_vector_error,
    score_shape_task,
    shape_panels,
    shape_table,
    task_sentence,
)


def rows(model) -> list[tuple]:
    return [(r.kind, r.input_shape, r.output_shape, r.params) for r in shape_table(model)]


def test_five_panels_with_shapes_read_from_the_built_models():
    panels = {p.key: p for p in shape_panels()}  # T=6, F=1, U=8, T_out=4, LSTM
    assert tuple(panels) == PANELS
    lstm, dense = 4 * 8 * (1 + 8 + 1), 8 + 1
    assert rows(panels["many_to_one"].build()) == [
        ("InputLayer", (), (None, 6, 1), 0),
        ("LSTM", (None, 6, 1), (None, 8), lstm),
        ("Dense", (None, 8), (None, 1), dense),
    ]
    assert rows(panels["many_to_many_aligned"].build()) == [
        ("InputLayer", (), (None, 6, 1), 0),
        ("LSTM", (None, 6, 1), (None, 6, 8), lstm),
        ("TimeDistributed", (None, 6, 8), (None, 6, 1), dense),
    ]
    assert rows(panels["one_to_many"].build()) == [
        ("InputLayer", (), (None, 1), 0),
        ("RepeatVector", (None, 1), (None, 6, 1), 0),
        ("LSTM", (None, 6, 1), (None, 6, 8), lstm),
        ("TimeDistributed", (None, 6, 8), (None, 6, 1), dense),
    ]
    decoder = 4 * 8 * (8 + 8 + 1)
    assert rows(panels["many_to_many_unaligned"].build()) == [
        ("InputLayer", (), (None, 6, 1), 0),
        ("LSTM", (None, 6, 1), ((None, 8), (None, 8), (None, 8)), lstm),
        ("RepeatVector", (None, 8), (None, 4, 8), 0),
        ("LSTM", ((None, 4, 8), (None, 8), (None, 8)), (None, 4, 8), decoder),
        ("TimeDistributed", (None, 4, 8), (None, 4, 1), dense),
    ]
    assert rows(panels["return_state"].build())[1] == ("LSTM", (None, 6, 1), ((None, 6, 8), (None, 8), (None, 8)), lstm)
    assert {p.task for p in panels.values()} == {*TASKS, None} and panels["return_state"].task is None


def test_panel_models_are_compiled_and_follow_the_sizes():
    dims = ShapeDims(cell="gru", steps=3, steps_out=5, features=2, units=5)
    panels = {p.key: p for p in shape_panels(dims)}
    for panel in panels.values():
        model = panel.build()
        assert model.optimizer is not None and model.loss == "mse", panel.key
    assert rows(panels["return_state"].build())[1][2] == ((None, 3, 5), (None, 5))  # a GRU has no cell state
    assert panels["many_to_many_unaligned"].build().output_shape == (None, 5, 1)
    assert panels["one_to_many"].build().input_shape == (None, 2)


@pytest.mark.parametrize("dims", [ShapeDims(), ShapeDims(cell="gru", steps=3, steps_out=5, features=2, units=5)])
def test_code_shown_builds_the_same_model_as_the_builder(dims):
    import keras

    for panel in shape_panels(dims):
        namespace = {"keras": keras}
        exec(panel.code, namespace)  # the page's code, run as written
        assert rows(namespace["model"]) == rows(panel.build()), panel.key


def test_panel_code_fills_in_the_sizes():
    dims = ShapeDims(cell="gru", steps=3, steps_out=5, features=2, units=5)
    code = panel_code("many_to_many_aligned", dims)
    assert "keras.Input((3, 2))" in code and "keras.layers.GRU(5, return_sequences=True)" in code
    assert "RepeatVector(5)" in panel_code("many_to_many_unaligned", dims)
    with pytest.raises(ValueError, match="unknown panel"):
        panel_code("one_to_one", dims)


def test_format_shape():
    assert format_shape((None, 6, 1)) == "(batch, 6, 1)"
    assert format_shape(((None, 8), (None, 8))) == "(batch, 8) + (batch, 8)"


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize(("features", "units"), [(1, 1), (1, 8), (3, 5), (2, 64), (10, 32)])
def test_parameter_formulas_match_keras(cell, features, units):
    import keras

    layer = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell](units)
    layer(keras.Input((4, features)))
    assert parameter_formula(cell, features, units).count == layer.count_params()


def test_parameter_formula_text():
    assert parameter_formula("rnn", 3, 5).formula == "U(F+U+1)"
    lstm = parameter_formula("lstm", 1, 8)
    assert (lstm.layer, lstm.formula, lstm.filled, lstm.count) == ("LSTM(8)", "4U(F+U+1)", "4·8·(1+8+1)", 320)
    gru = parameter_formula("gru", 2, 4)
    assert (gru.filled, gru.count) == ("3·4·(2+4+2)", 96)
    with pytest.raises(ValueError):
        parameter_formula("transformer", 1, 1)


def test_conv1d_from_the_lecture_notes():
    t = conv1d_table()  # Keras Conv1D(2, 3, strides=2) on (1, 9, 4)
    assert (t.input_shape, t.output_shape, t.kernel_shape) == ((1, 9, 4), (1, 4, 2), (3, 4, 2))
    assert (t.params, t.formula_params, t.formula_length) == (26, 26, 4)
    assert (t.torch_input_shape, t.torch_output_shape) == ((1, 4, 9), (1, 2, 4))  # the notes' channels-first view


@pytest.mark.parametrize(
    ("length", "kernel", "strides", "features", "filters"),
    [(10, 3, 1, 1, 4), (10, 3, 3, 2, 1), (3, 3, 1, 5, 2), (50, 7, 4, 3, 8)],
)
def test_conv1d_formulas_match_keras(length, kernel, strides, features, filters):
    t = conv1d_table(batch=2, length=length, features=features, filters=filters, kernel=kernel, strides=strides)
    assert t.output_shape == (2, conv1d_output_length(length, kernel, strides), filters)
    assert t.params == conv1d_parameter_count(kernel, features, filters)


def test_conv1d_output_length_rules():
    assert (conv1d_output_length(9, 3, 2), conv1d_output_length(10, 3), conv1d_output_length(3, 3)) == (4, 8, 1)
    for bad in ((2, 3, 1), (9, 3, 0), (0, 1, 1)):
        with pytest.raises(ValueError):
            conv1d_output_length(*bad)


def test_task_configs():
    assert ShapeTaskConfig.for_task("reverse").steps == 6 and ShapeTaskConfig.for_task("echo").steps == 8
    assert ShapeTaskConfig.for_task("echo", steps=4).steps == 4
    assert hash(ShapeTaskConfig()) == hash(ShapeTaskConfig())
    assert ShapeTaskConfig(task="count_up", steps=5, units=7).dims == ShapeDims("lstm", 5, 5, 1, 7, 0.01)
    with pytest.raises(ValueError, match="Unknown task 'sort'"):
        ShapeTaskConfig(task="sort")
    with pytest.raises(ValueError, match="Unknown task"):
        ShapeTaskConfig.for_task("sort")
    with pytest.raises(ValueError, match="delay"):
        ShapeTaskConfig(task="echo", steps=4, delay=4)
    with pytest.raises(ValueError, match="Unknown cell"):
        ShapeTaskConfig(cell="transformer")


def test_generators_are_seeded_and_right():
    total = make_task_data(ShapeTaskConfig(task="running_sum", train_samples=50, test_samples=20))
    assert total.x_train.shape == (50, 8, 1) and total.y_train.shape == (50, 1)
    np.testing.assert_allclose(total.y_test[:, 0], total.x_test[:, :, 0].sum(axis=1), rtol=1e-6)
    again = make_task_data(ShapeTaskConfig(task="running_sum", train_samples=50, test_samples=20))
    np.testing.assert_array_equal(total.x_test, again.x_test)  # same seed, same samples
    assert not np.array_equal(total.x_train[:20], total.x_test)  # held-out samples are new ones

    count = make_task_data(ShapeTaskConfig(task="count_up", steps=4, train_samples=30, test_samples=5))
    assert count.x_train.shape == (30, 1) and count.y_train.shape == (30, 4, 1)
    assert set(np.unique(count.x_train)) <= set(range(10))
    np.testing.assert_array_equal(count.y_test[:, :, 0], count.x_test + np.arange(1, 5))

    echo = make_task_data(ShapeTaskConfig(task="echo", steps=5, delay=2, train_samples=3, test_samples=3))
    np.testing.assert_array_equal(echo.y_train[:, :2], 0)
    np.testing.assert_array_equal(echo.y_train[:, 2:], echo.x_train[:, :3])

    rev = make_task_data(ShapeTaskConfig(task="reverse", train_samples=3, test_samples=3))
    np.testing.assert_array_equal(rev.y_test[:, :, 0], rev.x_test[:, ::-1, 0])


@pytest.mark.parametrize("task", TASKS)
def test_task_models_fit_their_data_shapes(task):
    config = ShapeTaskConfig.for_task(task, units=4, train_samples=8, test_samples=4)
    data = make_task_data(config)
    model = build_task_model(config)
    assert model.name == TASK_PANEL[task]
    assert model.output_shape[1:] == data.y_test.shape[1:]
    assert model.input_shape[1:] == data.x_test.shape[1:]


def test_score_against_predicting_the_mean():
    data = make_task_data(ShapeTaskConfig(task="echo", train_samples=400, test_samples=100))
    perfect = score_shape_task(data.y_test, data)
    assert (perfect.mse, perfect.ratio, perfect.beats_mean_clearly, perfect.n_test) == (0.0, 0.0, True, 100)
    mean = np.broadcast_to(data.y_train.mean(axis=0), data.y_test.shape)
    as_mean = score_shape_task(mean, data)
    assert as_mean.ratio == pytest.approx(1.0) and not as_mean.beats_mean_clearly
    # echo of uniform(-1, 1) with delay 2 of 8 steps: the mean's MSE is about 6/8 of 1/3
    assert as_mean.mean_mse == pytest.approx(0.25, abs=0.03)
    with pytest.raises(ValueError, match="shaped"):
        score_shape_task(data.y_test[:, :, 0], data)
    assert task_sentence(perfect).endswith("the model has learned the task.")
    assert "没有明显胜过均值" in task_sentence(as_mean, "zh")


def test_score_needs_no_keras_and_handles_constant_targets():
    y = np.ones((4, 1), dtype=np.float32)
    flat = ShapeTaskData(y, y, y, y)
    assert score_shape_task(y, flat).ratio == float("inf")  # nothing to beat: never "clearly better"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_document_slips_as_data(lang):
    slips = document_slips(lang)
    assert tuple(s.key for s in slips) == SLIP_KEYS
    assert [s.document for s in slips] == ["cookbook", "cookbook", "cookbook", "notes", "notes"]
    assert all(s.shows and s.fact and not s.fact.startswith("slip_") for s in slips)


def test_the_slips_hold_in_keras():
    assert "expected ndim=2, found ndim=3" in repeat_vector_error()
    assert lstm_output_bound() <= 1.0  # an LSTM's own units cannot output a sum of 8 or a count of 17


def test_importing_the_module_stays_free_of_tensorflow():
    code = "import sys, core.shapes; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]
