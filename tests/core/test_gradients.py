"""The power argument (closed forms = GradientTape), the singular value rule, per-step norms and clipping."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.errors import AppError
from core.gradients import (
    CLIP_KINDS,
    ScalarRnn,
    clip_gradients,
    clip_sentence,
    closed_form_state_derivatives,
    closed_form_weight_terms,
    global_norm,
    optimizer_clip_arguments,
    power_argument,
    power_curve,
    power_sentence,
    power_statement,
    rule_sentences,
    singular_value_rule,
    state_jacobian_norms,
    step_gradient_norms,
)

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- the power argument


def test_power_of_w_over_fifty_steps():
    assert round(float(power_curve(0.9, 50)[50]), 4) == 0.0052
    assert round(float(power_curve(1.1, 50)[50]), 1) == 117.4
    assert power_curve(1.0, 100).tolist() == [1.0] * 101
    assert power_curve(-1.1, 3)[3] == pytest.approx(1.331)  # |w|^T: the sign of w does not matter


@pytest.mark.parametrize("w", np.linspace(0.5, 1.5, 11))
def test_power_curve_shrinks_below_one_and_grows_above(w):
    curve = power_curve(w, 100)
    assert curve.shape == (101,) and curve[0] == 1.0 and curve[100] == pytest.approx(w**100)
    steps = np.diff(curve)
    assert np.all(steps < 0) if w < 1 else np.all(steps > 0) if w > 1 else np.all(steps == 0)


def test_power_sentences_name_the_numbers():
    assert "= 0.0052:" in power_sentence(0.9, 50) and "vanishes" in power_sentence(0.9, 50)
    assert "= 4.07e+17:" in power_sentence(1.5, 100) and "= 0.0078:" in power_sentence(0.5, 7)
    assert "117.4" in power_sentence(1.1, 50) and "explodes" in power_sentence(1.1, 50)
    assert "消失" in power_sentence(0.9, 50, "zh") and "爆炸" in power_sentence(1.1, 50, "zh")
    assert "h2 + w·h1 + w²·h0" in power_statement() and "h2 + w·h1 + w²·h0" in power_statement("zh")
    with pytest.raises(ValueError, match="steps"):
        power_sentence(0.9, 0)


def test_course_three_steps_linear_closed_form_is_h2_plus_w_h1_plus_w2_h0():
    """The course's example: no activation, no bias, h_0 given, loss (1/2)(w_hy*h_3 - y)^2."""
    w, u, h0, w_hy, y = 0.8, 0.5, 0.7, 1.3, 0.2
    rnn = ScalarRnn(w=w, u=u, h0=h0, activation="linear")
    xs = [1.0, -2.0, 0.5]
    hs, _ = rnn.forward(xs)
    assert hs[1] == pytest.approx(u * 1.0 + w * h0) and hs[3] == pytest.approx(u * 0.5 + w * hs[2])
    terms = closed_form_weight_terms(rnn, xs)
    assert terms == pytest.approx([w**2 * hs[0], w * hs[1], hs[2]])  # one term per path back in time
    arg = power_argument(rnn, xs, target=y, w_hy=w_hy)
    expected = (w_hy * hs[3] - y) * w_hy * (hs[2] + w * hs[1] + w**2 * hs[0])
    assert arg.closed_loss_w == pytest.approx(expected, abs=1e-12)
    assert abs(arg.autodiff_loss_w - expected) < 1e-5
    assert arg.closed_state == pytest.approx([w**3, w**2, w, 1.0])  # dh_3/dh_k = w^(3-k)
    assert arg.max_difference < 1e-5


def test_gradient_is_not_proportional_to_w_squared():
    """With the same inputs, dL/dw divided by w^2 changes with w: the course's 'proportional' is loose."""
    xs, ratios = [1.0, -2.0, 0.5], []
    for w in (0.5, 1.0, 1.5):
        arg = power_argument(ScalarRnn(w=w, h0=0.7, activation="linear"), xs, target=0.2)
        ratios.append(arg.closed_loss_w / w**2)
    assert max(ratios) - min(ratios) > 0.5


@pytest.mark.parametrize("w", [0.9, 1.1])
def test_linear_fifty_steps_back_is_w_to_the_fifty_by_autodiff(w):
    xs = np.random.default_rng(0).uniform(-0.1, 0.1, 50)
    arg = power_argument(ScalarRnn(w=w, activation="linear"), xs)
    assert arg.closed_state[0] == pytest.approx(w**50, rel=1e-12)
    assert abs(arg.autodiff_state[0] - w**50) <= 1e-5 * max(1.0, w**50)
    assert np.allclose(arg.autodiff_state, w ** np.arange(50, -1, -1), rtol=1e-9)


@pytest.mark.parametrize("w, b", [(0.9, 0.0), (1.5, 0.1), (-1.2, -0.3), (3.0, 0.0)])
def test_tanh_closed_forms_agree_with_gradient_tape(w, b):
    xs = np.random.default_rng(1).normal(size=30)
    rnn = ScalarRnn(w=w, u=0.8, b=b, h0=0.3)
    arg = power_argument(rnn, xs, target=0.5, w_hy=2.0)
    assert arg.max_difference < 1e-5
    _, pres = rnn.forward(xs)
    factors = w * (1 - np.tanh(pres) ** 2)
    assert arg.closed_state[27] == pytest.approx(np.prod(factors[27:]))  # dh_30/dh_27: three factors
    assert np.all(np.abs(arg.closed_state[:-1]) <= np.abs(w) ** np.arange(30, 0, -1) + 1e-15)  # tanh' <= 1


def test_closed_form_state_derivative_ends_at_one():
    d = closed_form_state_derivatives(ScalarRnn(w=0.5), [0.1, 0.2])
    assert d.shape == (3,) and d[-1] == 1.0
    with pytest.raises(ValueError, match="activation"):
        ScalarRnn(w=0.5, activation="relu")


# ---------------------------------------------------------------- matrices


def orthogonal(n: int, gain: float, seed: int = 0) -> np.ndarray:
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    return gain * q


def test_singular_value_rule():
    low, high, edge = (singular_value_rule(orthogonal(8, g)) for g in (0.5, 1.5, 1.0))
    assert low.sigma_max == pytest.approx(0.5) and low.vanishing_guaranteed and not low.explosion_possible
    assert high.sigma_max == pytest.approx(1.5) and high.explosion_possible and not high.vanishing_guaranteed
    assert not edge.vanishing_guaranteed and not edge.explosion_possible
    assert "0.5" in low.sentence() and "< 1" in low.sentence() and "消失" in low.sentence("zh")
    assert "may explode" in high.sentence()
    sig = singular_value_rule(orthogonal(4, 3.0), "sigmoid")  # gamma = 1/4: 3 * 1/4 < 1
    assert sig.gamma == 0.25 and sig.vanishing_guaranteed
    rule = rule_sentences()
    assert "Pascanu" in rule["rule_source"] and "sufficient" in rule["rule_sufficient"]
    assert "necessary" in rule["rule_necessary"] and set(rule_sentences("zh")) == set(rule)


def test_linear_rnn_jacobian_norm_is_gain_to_the_power():
    """W_hh = gain x orthogonal and no activation: dh_T/dh_k = (W_hh^T)^(T-k), norm gain^(T-k) exactly."""
    for gain in (0.5, 1.0, 1.5):
        curve = state_jacobian_norms("rnn", units=8, steps=20, gain=gain, activation="linear", seed=3)
        assert curve.norms.shape == (21,) and curve.norms[-1] == 1.0
        assert np.allclose(curve.norms, gain ** np.arange(20, -1, -1), rtol=1e-8)
        assert curve.rule().sigma_max == pytest.approx(gain)
    assert curve.norms[0] == pytest.approx(1.5**20)  # the gain 1.5 curve grows: 3325 times after 20 steps


def test_tanh_gain_half_decays_at_least_as_fast_as_the_bound():
    curve = state_jacobian_norms("rnn", units=8, steps=30, gain=0.5, seed=1)
    assert np.all(np.diff(curve.norms) > 0)  # further back (smaller k) is always smaller
    assert np.all(curve.norms <= 0.5 ** np.arange(30, -1, -1) * (1 + 1e-9))
    assert curve.rule().vanishing_guaranteed and curve.norms[0] < 1e-9


def test_chained_jacobian_equals_one_tape_over_the_whole_sequence():
    """The per-step Jacobians multiplied back from T give what one tape over all steps gives."""
    import tensorflow as tf

    from core.gradients import _seeded_cell

    xs = np.random.default_rng(2).normal(size=(6, 1))
    curve = state_jacobian_norms("rnn", units=4, steps=6, gain=1.5, seed=2, inputs=xs)
    cell = _seeded_cell("rnn", 4, 1.5, "tanh", 2)  # the same seeded cell
    cell.build((None, 1))
    with tf.GradientTape(persistent=True) as tape:
        hs = [tf.zeros((1, 4), tf.float64)]
        tape.watch(hs[0])
        for t in range(6):
            hs.append(cell(tf.constant(xs[t : t + 1]), hs[-1])[0])
    direct = [np.linalg.norm(tape.jacobian(hs[-1], h).numpy().reshape(4, 4), 2) for h in hs]
    assert np.allclose(curve.norms, direct, rtol=1e-10)
    assert np.allclose(np.asarray(cell.recurrent_kernel), curve.recurrent_kernel)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_cells_give_a_curve_of_the_same_length(cell):
    curve = state_jacobian_norms(cell, units=6, steps=12, seed=0)
    assert curve.norms.shape == (13,) and curve.norms[-1] == 1.0 and np.all(np.isfinite(curve.norms))
    assert curve.rule() is None and curve.gain == 1.0
    assert np.all(curve.norms > 0)


def test_jacobian_bad_settings():
    with pytest.raises(ValueError, match="cell"):
        state_jacobian_norms("transformer")
    with pytest.raises(ValueError, match="steps"):
        state_jacobian_norms("rnn", steps=0)
    with pytest.raises(ValueError, match="shape"):
        state_jacobian_norms("rnn", steps=5, inputs=np.zeros((4, 1)))


# ---------------------------------------------------------------- per-step norms on a Keras model


def tiny_model(cell="lstm", steps=6, features=2, gain: float | None = None, linear=False, compiled=True):
    import keras

    keras.utils.set_random_seed(4)
    inp = keras.Input((steps, features))
    kwargs = {}
    if gain is not None:
        kwargs["recurrent_initializer"] = keras.initializers.Orthogonal(gain=gain, seed=1)
    if linear:
        kwargs["activation"] = None
    from core.peephole import peephole_layer

    layer = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}.get(cell)
    if cell == "peephole":
        layer, kwargs = peephole_layer, {"peephole_initializer": "random_normal"}
    hidden = layer(3, name="memory", **kwargs)(inp)
    model = keras.Model(inp, keras.layers.Dense(1)(keras.layers.Dropout(0.2)(hidden)))
    if compiled:
        model.compile("adam", "mse")
    return model


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "peephole"])
def test_input_gradient_norms_match_one_tape_through_the_keras_model(cell):
    """Unrolling the layer's cell by hand gives the gradients of the Keras model itself."""
    import tensorflow as tf

    model = tiny_model(cell)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(5, 6, 2)).astype("float32"), rng.normal(size=(5, 1)).astype("float32")
    ours = step_gradient_norms(model, x, y, wrt="input")
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        loss = tf.reduce_mean(tf.square(y - model(xt, training=False)))
    direct = np.linalg.norm(tape.gradient(loss, xt).numpy(), axis=(0, 2))  # (T,)
    assert ours.norms.shape == (6,) and ours.objective == "loss" and ours.layer == "memory"
    assert np.allclose(ours.norms, direct, rtol=1e-4, atol=1e-7)


def test_state_jacobians_of_a_linear_rnn_are_gain_powers():
    model = tiny_model("rnn", gain=1.5, linear=True)
    x = np.random.default_rng(1).normal(size=(3, 6, 2)).astype("float32")
    norms = step_gradient_norms(model, x, wrt="state").norms  # no y: ||dh_T/dh_k||, k = 1..T
    assert np.allclose(norms, 1.5 ** np.arange(5, -1, -1), rtol=1e-4)


def test_state_loss_gradients_and_an_embedding_model():
    import keras

    model = tiny_model("lstm")
    x = np.random.default_rng(2).normal(size=(4, 6, 2)).astype("float32")
    norms = step_gradient_norms(model, x, np.zeros((4, 1), "float32"), wrt="state").norms
    assert norms.shape == (6,) and np.all(np.isfinite(norms)) and np.all(norms > 0)
    inp = keras.Input((4,), dtype="int32")
    hidden = keras.layers.SimpleRNN(3, name="rnn")(keras.layers.Embedding(5, 2)(inp))
    letters = keras.Model(inp, keras.layers.Dense(5, activation="softmax")(hidden))
    letters.compile("adam", "sparse_categorical_crossentropy")
    out = step_gradient_norms(letters, np.array([[0, 1, 2, 3], [1, 2, 3, 4]]), np.array([4, 0]))
    assert out.norms.shape == (4,) and out.layer == "rnn" and np.all(out.norms > 0)


def test_step_norms_refuse_what_they_cannot_measure():
    import keras

    inp = keras.Input((3,))
    dense = keras.Model(inp, keras.layers.Dense(1)(inp))
    with pytest.raises(AppError, match="no SimpleRNN"):
        step_gradient_norms(dense, np.zeros((1, 3)))
    uncompiled = tiny_model(compiled=False)
    with pytest.raises(ValueError, match="loss"):
        step_gradient_norms(uncompiled, np.zeros((1, 6, 2)), np.zeros((1, 1)))
    with pytest.raises(ValueError, match="wrt"):
        step_gradient_norms(tiny_model(), np.zeros((1, 6, 2)), wrt="weights")


# ---------------------------------------------------------------- clipping


def crafted() -> list[np.ndarray]:
    """Two variables: one gradient of norm 5, one of norm 0.1 (global norm sqrt(25.01))."""
    return [np.array([[3.0, 4.0]]), np.array([0.0, 0.1])]


def test_global_norm():
    assert global_norm(crafted()) == pytest.approx(np.sqrt(25.01))
    assert global_norm([np.zeros(3), None]) == 0.0


def test_per_variable_and_global_clipping_differ_on_a_crafted_case():
    per_variable = clip_gradients(crafted(), "clipnorm", 1.0)
    together = clip_gradients(crafted(), "global_clipnorm", 1.0)
    assert np.allclose(per_variable[0], [[0.6, 0.8]]) and np.allclose(per_variable[1], [0.0, 0.1])
    scale = 1.0 / np.sqrt(25.01)
    assert np.allclose(together[0], [[3 * scale, 4 * scale]]) and np.allclose(together[1], [0.0, 0.1 * scale])
    assert global_norm(per_variable) == pytest.approx(np.sqrt(1.01))  # above the threshold: not a global bound
    assert global_norm(together) == pytest.approx(1.0)
    assert np.allclose(clip_gradients(crafted(), "clipvalue", 3.5)[0], [[3.0, 3.5]])  # the direction changes
    assert np.array_equal(clip_gradients(crafted(), "none", 0.0)[0], [[3.0, 4.0]])


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("threshold", [0.1, 1.0, 5.0])
def test_after_global_clipping_the_global_norm_is_at_most_the_threshold(seed, threshold):
    rng = np.random.default_rng(seed)
    grads = [rng.normal(scale=s, size=shape) for s, shape in [(3, (4, 5)), (0.01, (5,)), (1, (2, 3, 2))]]
    clipped = clip_gradients(grads, "global_clipnorm", threshold)
    assert global_norm(clipped) <= threshold * (1 + 1e-12)
    if global_norm(grads) <= threshold:
        assert all(np.array_equal(a, b) for a, b in zip(clipped, grads, strict=True))
    ratios = {round(float(np.sum(c) / np.sum(g)), 10) for c, g in zip(clipped, grads, strict=True)}
    assert len(ratios) == 1  # one common factor: the direction is kept
    assert all(np.linalg.norm(c) <= threshold * (1 + 1e-12) for c in clip_gradients(grads, "clipnorm", threshold))
    assert all(np.max(np.abs(c)) <= threshold for c in clip_gradients(grads, "clipvalue", threshold))


def test_non_finite_global_norm_gives_nan_like_keras():
    clipped = clip_gradients([np.array([np.inf, 1.0]), np.array([2.0])], "global_clipnorm", 1.0)
    assert all(np.all(np.isnan(c)) for c in clipped)


@pytest.mark.parametrize("kind", CLIP_KINDS)
def test_clipping_is_what_a_keras_optimizer_applies(kind):
    """One SGD update with learning rate 1 from zero: the new values are minus the clipped gradients."""
    import keras

    rng = np.random.default_rng(7)
    grads = [rng.normal(scale=4, size=(3, 4)).astype("float32"), rng.normal(scale=0.5, size=(4,)).astype("float32")]
    variables = [keras.Variable(np.zeros_like(g)) for g in grads]
    optimizer = keras.optimizers.SGD(learning_rate=1.0, **optimizer_clip_arguments(kind, 1.5))
    optimizer.apply([keras.ops.convert_to_tensor(g) for g in grads], variables)
    applied = [-np.asarray(v) for v in variables]
    ours = clip_gradients(grads, kind, 1.5)
    for a, b in zip(applied, ours, strict=True):
        assert np.allclose(a, b, rtol=1e-6, atol=1e-7)
    if kind != "none":
        assert not np.allclose(applied[0], grads[0])  # the crafted gradients really were clipped


def test_clipping_bad_input_and_sentences():
    with pytest.raises(ValueError, match="clip kind"):
        clip_gradients(crafted(), "clip_by_global_norm", 1.0)
    with pytest.raises(ValueError, match="threshold"):
        clip_gradients(crafted(), "clipnorm", 0.0)
    with pytest.raises(ValueError, match="threshold"):
        optimizer_clip_arguments("global_clipnorm", -1.0)
    assert optimizer_clip_arguments("none", 0.0) == {} and optimizer_clip_arguments("clipnorm", 2) == {"clipnorm": 2.0}
    assert "clip_by_global_norm" in clip_sentence("global_clipnorm") and "separately" in clip_sentence("clipnorm")
    assert "clip_by_global_norm" in clip_sentence("global_clipnorm", "zh")


def test_loss_gradients_before_and_after_clipping_match_one_keras_update():
    """A batch's gradients by variable; SGD(1, global_clipnorm) moves each weight by minus the clipped gradient."""
    import keras

    from core.gradients import loss_gradients

    model = tiny_model("rnn", gain=2.0)
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(8, 6, 2)).astype("float32"), (10 * rng.normal(size=(8, 1))).astype("float32")
    grads = loss_gradients(model, x, y)
    assert list(grads) == [v.path for v in model.trainable_variables]
    assert global_norm(list(grads.values())) > 1.0  # large enough to be clipped
    before = [np.asarray(v) for v in model.trainable_variables]
    optimizer = keras.optimizers.SGD(learning_rate=1.0, global_clipnorm=1.0)
    optimizer.apply([keras.ops.convert_to_tensor(g) for g in grads.values()], model.trainable_variables)
    moved = [b - np.asarray(v) for b, v in zip(before, model.trainable_variables, strict=True)]
    clipped = clip_gradients(list(grads.values()), "global_clipnorm", 1.0)
    assert all(np.allclose(m, c, atol=1e-6) for m, c in zip(moved, clipped, strict=True))
    assert global_norm(moved) == pytest.approx(1.0, rel=1e-5)


def test_importing_the_modules_does_not_import_tensorflow():
    code = (
        "import sys, core.gradients, core.memory_tasks, core.peephole;"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["False", "False"]
