"""Why gradients vanish or explode in a recurrent network, and what gradient clipping does about it.

Four pieces, each a pure function (NumPy closed forms; TensorFlow imported inside the functions
that differentiate, so importing this module stays TensorFlow-free):

1. The power argument on a scalar RNN h_t = act(w*h_{t-1} + u*x_t + b), act = tanh or identity.
   The course (3 steps, no activation, loss (1/2)(w_hy*h_3 - y)^2) says dL/dw is "proportional to
   the square of w". Precisely:
       dh_T/dh_k = prod_{j=k+1..T} w * act'(pre_j)          (= w^(T-k) when act is the identity)
       dh_T/dw   = sum_{k=1..T} dh_T/dh_k * act'(pre_k) * h_{k-1}
       3 linear steps: dh_3/dw = h_2 + w*h_1 + w^2*h_0,  dL/dw = (y_3 - y) * w_hy * (h_2 + w*h_1 + w^2*h_0)
   a polynomial in w (and every h_k depends on w too), not a multiple of w^2. What grows or shrinks
   like a power is each path: the term that reaches back k steps carries w^k, so over T steps the
   oldest input's share is scaled by |w|^T: 0.9^50 = 0.0052, 1.1^50 = 117.4.
2. For a matrix W_hh the factor per step is diag(act'(pre)) @ W_hh^T; with |act'| <= gamma
   (gamma = 1 for tanh), the largest singular value sigma_max of W_hh gives the rule of Pascanu,
   Mikolov and Bengio (2013): sigma_max * gamma < 1 is sufficient for the gradient to vanish;
   sigma_max * gamma > 1 is necessary (not sufficient) for it to explode. `state_jacobian_norms`
   measures ||dh_T/dh_k|| with GradientTape for a SimpleRNN whose W_hh is orthogonal x gain
   (sigma_max = gain exactly) and for LSTM and GRU of the same size.
3. `step_gradient_norms`: ||dL/dh_k|| (or ||dL/dx_k||, or Jacobians of h_T) per step k of any
   Keras model built as a chain of layers around one SimpleRNN / LSTM / GRU layer.
4. Clipping exactly as a Keras 3 optimizer applies it before its update (`clip_gradients`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from core.i18n import text

ACTIVATIONS: tuple[str, ...] = ("tanh", "linear")
# gamma: the largest value of act' (Pascanu et al. 2013 use it to bound the per-step factor)
ACTIVATION_BOUND: dict[str, float] = {"tanh": 1.0, "linear": 1.0, "sigmoid": 0.25}
JACOBIAN_CELLS: tuple[str, ...] = ("rnn", "lstm", "gru")
DEMO_GAINS: tuple[float, ...] = (0.5, 1.0, 1.5)  # the SimpleRNN gains the page compares
# Keras 3 optimizer arguments; "none" leaves the gradients alone.
CLIP_KINDS: tuple[str, ...] = ("none", "clipvalue", "clipnorm", "global_clipnorm")


def _check_choice(name: str, value: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(choices)}")
    return value


def _check_steps(steps: int, low: int = 1, high: int = 1000) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or not low <= steps <= high:
        raise ValueError(f"steps must be a whole number from {low} to {high} (got {steps!r})")
    return int(steps)


# ---------------------------------------------------------------- 1. the power argument (scalar RNN)


def power_curve(w: float, max_steps: int = 100) -> np.ndarray:
    """|w|^T for T = 0..max_steps: the factor a path T steps long puts on a linear RNN's gradient."""
    return np.abs(float(w)) ** np.arange(_check_steps(max_steps, 0) + 1, dtype=np.float64)


@dataclass(frozen=True)
class ScalarRnn:
    """h_t = act(w*h_{t-1} + u*x_t + b) for t = 1..T from a given h_0; act = tanh or the identity."""

    w: float  # recurrent weight (the course's w_hh)
    u: float = 1.0  # input weight (w_xh)
    b: float = 0.0  # bias (the course's example has none)
    h0: float = 0.0  # the given start state h_0
    activation: str = "tanh"  # "tanh" or "linear" (the course's simplification: no activation)

    def __post_init__(self):
        _check_choice("activation", self.activation, ACTIVATIONS)

    def forward(self, xs: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
        """States h_0..h_T (T+1,) and pre-activations pre_1..pre_T (T,) for inputs x_1..x_T."""
        hs, pres = [float(self.h0)], []
        for x in np.asarray(xs, dtype=np.float64):
            pres.append(self.w * hs[-1] + self.u * x + self.b)
            hs.append(np.tanh(pres[-1]) if self.activation == "tanh" else pres[-1])
        return np.array(hs), np.array(pres)

    def slopes(self, pres: np.ndarray) -> np.ndarray:
        """act'(pre_t) per step: 1 - tanh^2, or 1 for the identity."""
        return 1.0 - np.tanh(pres) ** 2 if self.activation == "tanh" else np.ones_like(pres)


def closed_form_state_derivatives(rnn: ScalarRnn, xs: Sequence[float]) -> np.ndarray:
    """dh_T/dh_k for k = 0..T (T+1,): prod_{j=k+1..T} w*act'(pre_j); w^(T-k) when linear; 1 at k = T."""
    _, pres = rnn.forward(xs)
    factors = rnn.w * rnn.slopes(pres)  # dh_j/dh_{j-1}, j = 1..T
    tail_products = np.cumprod(factors[::-1])[::-1]  # entry k-1: prod_{j=k..T}, i.e. dh_T/dh_{k-1}
    return np.append(tail_products, 1.0)


def closed_form_weight_terms(rnn: ScalarRnn, xs: Sequence[float]) -> np.ndarray:
    """The T terms of dh_T/dw, one per step k = 1..T: dh_T/dh_k * act'(pre_k) * h_{k-1}.

    Linear, 3 steps: [w^2*h_0, w*h_1, h_2], whose sum is the course's h_2 + w*h_1 + w^2*h_0."""
    hs, pres = rnn.forward(xs)
    return closed_form_state_derivatives(rnn, xs)[1:] * rnn.slopes(pres) * hs[:-1]


@dataclass(frozen=True)
class PowerArgument:
    """Closed forms beside GradientTape on one scalar RNN, inputs and course loss (1/2)(w_hy*h_T - y)^2."""

    rnn: ScalarRnn
    inputs: tuple[float, ...]  # x_1..x_T
    target: float  # y, the loss's target for w_hy*h_T
    w_hy: float  # output weight
    states: np.ndarray = field(repr=False)  # h_0..h_T
    closed_state: np.ndarray = field(repr=False)  # dh_T/dh_k, k = 0..T, closed form
    autodiff_state: np.ndarray = field(repr=False)  # the same by GradientTape
    weight_terms: np.ndarray = field(repr=False)  # the T terms of dh_T/dw (closed form)
    closed_loss_w: float  # dL/dw = (w_hy*h_T - y) * w_hy * sum(weight_terms)
    autodiff_loss_w: float  # the same by GradientTape

    @property
    def steps(self) -> int:
        return len(self.inputs)

    @property
    def max_difference(self) -> float:
        """Largest |closed form - autodiff| over every dh_T/dh_k and dL/dw."""
        state = float(np.max(np.abs(self.closed_state - self.autodiff_state)))
        return max(state, abs(self.closed_loss_w - self.autodiff_loss_w))


def autodiff_scalar(rnn: ScalarRnn, xs: Sequence[float], target: float, w_hy: float) -> tuple[np.ndarray, float]:
    """(dh_T/dh_k for k = 0..T, dL/dw) by tf.GradientTape in float64, L = (1/2)(w_hy*h_T - target)^2."""
    import tensorflow as tf

    w = tf.Variable(float(rnn.w), dtype=tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        hs = [tf.constant(float(rnn.h0), tf.float64)]
        tape.watch(hs[0])  # h_0 is a given constant; watch it so dh_T/dh_0 exists
        for x in np.asarray(xs, dtype=np.float64):
            pre = w * hs[-1] + rnn.u * x + rnn.b
            hs.append(tf.tanh(pre) if rnn.activation == "tanh" else pre)
        loss = 0.5 * (w_hy * hs[-1] - target) ** 2
    # one backward pass for every k: the gradient with respect to an intermediate h_k is dh_T/dh_k
    state = np.array([float(g) for g in tape.gradient(hs[-1], hs[:-1])] + [1.0])
    loss_w = float(tape.gradient(loss, w))
    del tape
    return state, loss_w


def power_argument(rnn: ScalarRnn, xs: Sequence[float], target: float = 0.0, w_hy: float = 1.0) -> PowerArgument:
    """The course's derivation for any inputs: closed forms and autodiff side by side."""
    xs = tuple(float(x) for x in xs)
    _check_steps(len(xs))
    hs, _ = rnn.forward(xs)
    terms = closed_form_weight_terms(rnn, xs)
    closed_loss_w = float((w_hy * hs[-1] - target) * w_hy * terms.sum())
    auto_state, auto_loss_w = autodiff_scalar(rnn, xs, target, w_hy)
    return PowerArgument(
        rnn,
        xs,
        float(target),
        float(w_hy),
        hs,
        closed_form_state_derivatives(rnn, xs),
        auto_state,
        terms,
        closed_loss_w,
        auto_loss_w,
    )


def power_statement(lang: str = "en") -> str:
    """The course's 'proportional to the square of w_hh', stated precisely."""
    return text("grad", "power_statement", lang)


def power_sentence(w: float, steps: int, lang: str = "en") -> str:
    """'|w|^T = 0.9^50 = 0.0052: ...' with the verdict (vanishes / stays / explodes)."""
    value = abs(float(w)) ** _check_steps(steps)
    kind = "vanish" if abs(w) < 1 else "explode" if abs(w) > 1 else "keep"
    return text("grad", f"power_{kind}", lang, w=f"{abs(w):g}", steps=steps, value=short_number(value))


def short_number(value: float) -> str:
    """Two significant digits below 1 (0.0052), one decimal up to 1000 (117.4), three digits beyond (4.07e+17)."""
    if value < 1:
        return f"{value:.2g}"
    return f"{value:.1f}" if value < 1000 else f"{value:.3g}"


# ---------------------------------------------------------------- 2. matrices: the singular value rule


@dataclass(frozen=True)
class SingularValueRule:
    """Pascanu et al. (2013) applied to one recurrent matrix and activation."""

    sigma_max: float  # largest singular value of W_hh
    gamma: float  # largest |act'| (1 for tanh and the identity)
    bound: float  # sigma_max * gamma: no per-step factor has a larger norm
    vanishing_guaranteed: bool  # bound < 1 (sufficient for vanishing)
    explosion_possible: bool  # bound > 1 (necessary, not sufficient, for exploding)

    def sentence(self, lang: str = "en") -> str:
        key = "rule_vanish" if self.vanishing_guaranteed else "rule_explode" if self.explosion_possible else "rule_edge"
        return text(
            "grad", key, lang, sigma=f"{self.sigma_max:.3g}", gamma=f"{self.gamma:g}", bound=f"{self.bound:.3g}"
        )


def singular_value_rule(recurrent_matrix: np.ndarray, activation: str = "tanh") -> SingularValueRule:
    """The rule for W_hh (units, units) and the activation (tanh, linear or sigmoid)."""
    gamma = ACTIVATION_BOUND[_check_choice("activation", activation, tuple(ACTIVATION_BOUND))]
    sigma = float(np.linalg.norm(np.asarray(recurrent_matrix, dtype=np.float64), 2))
    bound = sigma * gamma
    edge = abs(bound - 1.0) <= 1e-9  # an orthogonal matrix's sigma_max is 1 only up to rounding
    return SingularValueRule(sigma, gamma, bound, bound < 1.0 and not edge, bound > 1.0 and not edge)


def rule_sentences(lang: str = "en") -> dict[str, str]:
    """The rule stated once (title, the two conditions and the source), for the page."""
    return {key: text("grad", key, lang) for key in ("rule_title", "rule_sufficient", "rule_necessary", "rule_source")}


@dataclass(frozen=True)
class JacobianCurve:
    """||dh_T/dh_k||_2 for k = 0..T of one cell on one input sequence (batch of 1)."""

    cell: str  # "rnn" | "lstm" | "gru"
    gain: float  # SimpleRNN: W_hh = gain * orthogonal; LSTM / GRU: Keras's default initialisation (1.0)
    activation: str  # SimpleRNN activation ("tanh" or "linear"); LSTM / GRU always use tanh and sigmoid
    norms: np.ndarray = field(repr=False)  # (T+1,), entry k: ||dh_T/dh_k||_2 (LSTM: d(h_k, c_k)); entry T is 1
    recurrent_kernel: np.ndarray = field(repr=False)  # the cell's recurrent kernel, Keras layout

    @property
    def steps_back(self) -> np.ndarray:
        """T - k for each entry of `norms` (how far back the state is)."""
        return np.arange(len(self.norms))[::-1]

    def rule(self) -> SingularValueRule | None:
        """The singular value rule for a SimpleRNN (None for gated cells: their factor is not W_hh alone)."""
        return singular_value_rule(self.recurrent_kernel, self.activation) if self.cell == "rnn" else None


def _seeded_cell(cell: str, units: int, gain: float, activation: str, seed: int):
    """A float64 Keras cell with seeded initialisers; a SimpleRNN's W_hh is orthogonal x gain."""
    import keras

    kernel = keras.initializers.GlorotUniform(seed=seed)
    if cell == "rnn":
        recurrent = keras.initializers.Orthogonal(gain=gain, seed=seed + 1)
        act = None if activation == "linear" else "tanh"
        return keras.layers.SimpleRNNCell(
            units, activation=act, kernel_initializer=kernel, recurrent_initializer=recurrent, dtype="float64"
        )
    recurrent = keras.initializers.Orthogonal(seed=seed + 1)
    layer = keras.layers.LSTMCell if cell == "lstm" else keras.layers.GRUCell
    return layer(units, kernel_initializer=kernel, recurrent_initializer=recurrent, dtype="float64")


def _step_jacobians(keras_cell, xs: np.ndarray, n_states: int) -> list[np.ndarray]:
    """ds_t/ds_{t-1} for t = 1..T (each (S, S), S = n_states*units), the state s = [h, (c)] concatenated.

    One backward pass per step: the step runs on S copies of the state, and copy i is differentiated
    against the unit vector e_i, which gives row i of the Jacobian (much faster than tape.jacobian)."""
    import tensorflow as tf

    size = n_states * keras_cell.units
    eye = tf.eye(size, dtype=tf.float64)
    state = np.zeros(size)
    jacobians = []
    for x in xs:  # xs (T, features)
        copies = tf.constant(np.tile(state, (size, 1)))  # (S, S): every row the same state
        with tf.GradientTape() as tape:
            tape.watch(copies)
            parts = tf.split(copies, n_states, axis=1)
            _, new = keras_cell(tf.constant(np.tile(x, (size, 1))), parts if n_states > 1 else parts[0])
            new_state = tf.concat(tf.nest.flatten(new), axis=1)
        # d(e_i . s_t^(i))/ds_{t-1}^(i) = row i of ds_t/ds_{t-1}; jacobian[i, j] = d s_t[i] / d s_{t-1}[j]
        jacobians.append(tape.gradient(new_state, copies, output_gradients=eye).numpy())
        state = new_state.numpy()[0]
    return jacobians


def state_jacobian_norms(
    cell: str,
    *,
    units: int = 16,
    features: int = 1,
    steps: int = 50,
    gain: float = 1.0,
    activation: str = "tanh",
    seed: int = 0,
    inputs: np.ndarray | None = None,
) -> JacobianCurve:
    """||dh_T/dh_k||_2 for k = 0..T by GradientTape: one Jacobian per step, multiplied back from T (chain rule).

    For an LSTM the state at step k is (h_k, c_k) together, so entry k is ||dh_T/d(h_k, c_k)||: the
    memory that survives in c counts. Inputs default to N(0, 1) draws from `seed`, shape (T, features)."""
    _check_choice("cell", cell, JACOBIAN_CELLS)
    _check_choice("activation", activation, ACTIVATIONS)
    steps = _check_steps(steps)
    xs = np.random.default_rng(seed).normal(size=(steps, features)) if inputs is None else np.asarray(inputs)
    if xs.shape != (steps, features):
        raise ValueError(f"inputs must have shape ({steps}, {features}), got {xs.shape}")
    keras_cell = _seeded_cell(cell, units, float(gain) if cell == "rnn" else 1.0, activation, seed)
    keras_cell.build((None, features))
    n_states = 2 if cell == "lstm" else 1
    back = np.eye(n_states * units)[:units]  # dh_T/ds_T: selects h from s = [h, (c)]
    norms = [1.0]
    for jac in reversed(_step_jacobians(keras_cell, xs.astype(np.float64), n_states)):
        back = back @ jac  # dh_T/ds_{k-1} = dh_T/ds_k @ ds_k/ds_{k-1}
        norms.append(float(np.linalg.norm(back, 2)))
    recurrent = np.asarray(keras_cell.recurrent_kernel)
    act = activation if cell == "rnn" else "tanh"
    return JacobianCurve(cell, float(gain) if cell == "rnn" else 1.0, act, np.array(norms[::-1]), recurrent)


def demo_jacobian_curves(
    *, units: int = 16, steps: int = 50, seed: int = 0, activation: str = "tanh"
) -> list[JacobianCurve]:
    """The page's picture: SimpleRNN at gains 0.5, 1 and 1.5 (`activation`), then LSTM and GRU of the same size,
    all on the same inputs."""
    curves = [
        state_jacobian_norms("rnn", units=units, steps=steps, gain=g, activation=activation, seed=seed)
        for g in DEMO_GAINS
    ]
    return curves + [state_jacobian_norms(c, units=units, steps=steps, seed=seed) for c in ("lstm", "gru")]


# ---------------------------------------------------------------- 3. per-step gradient norms of a Keras model

_RECURRENT_LAYERS: tuple[str, ...] = ("SimpleRNN", "LSTM", "GRU", "RNN")  # RNN: e.g. RNN(PeepholeLSTMCell)
TARGETS: tuple[str, ...] = ("state", "input")


@dataclass(frozen=True)
class StepGradients:
    """One norm per time step k = 1..T of one recurrent layer of a model."""

    layer: str  # the recurrent layer's name
    wrt: str  # "state": d/dh_k (the layer's output at step k); "input": d/dx_k (its input at step k)
    objective: str  # "loss": the batch-mean loss; "last_state": h_T of the layer (mean Jacobian norm)
    norms: np.ndarray = field(repr=False)  # (T,)


def _chain_parts(model, layer_name: str | None):
    """(layers before, the recurrent layer, layers after) of a model that is one chain of layers."""
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    index = [i for i, layer in enumerate(layers) if type(layer).__name__ in _RECURRENT_LAYERS]
    if layer_name is not None:
        index = [i for i in index if layers[i].name == layer_name]
    if not index:
        from core.errors import AppError, ErrorKind

        raise AppError(ErrorKind.BAD_MODEL_FILE, "This model has no SimpleRNN, LSTM or GRU layer to measure.")
    i = index[0]
    if getattr(layers[i], "go_backwards", False):
        raise ValueError(f"layer {layers[i].name!r} reads the sequence backwards; step norms assume forwards")
    return layers[:i], layers[i], layers[i + 1 :]


def _apply(layers, x):
    for layer in layers:
        x = layer(x, training=False)
    return x


def _unrolled(recurrent, xs):
    """Run the layer's cell step by step on xs (batch, T, features) inside the caller's tape.

    Returns the inputs x_k and the states s_k = [h_k] or [h_k, c_k] that the next step reads (so a
    gradient with respect to them follows every path from step k onwards)."""
    import tensorflow as tf

    sizes = tf.nest.flatten(recurrent.cell.state_size)
    states = [tf.zeros((xs.shape[0], size), xs.dtype) for size in sizes]
    inputs, history = [], []
    for t in range(xs.shape[1]):
        inputs.append(xs[:, t])
        _, new = recurrent.cell(inputs[-1], states if len(states) > 1 else states[0], training=False)
        states = tf.nest.flatten(new)  # h first (the cell's output), then c for an LSTM
        history.append(states)
    return inputs, history


def _loss_objective(model, recurrent, after, history, y, loss):
    """The batch-mean loss of the model's remaining layers on the unrolled layer's outputs."""
    import keras
    import tensorflow as tf

    if loss is None and getattr(model, "loss", None) is None:
        raise ValueError("the model is not compiled: pass `loss` (e.g. 'mse') to measure dL/dh_k")
    hs = [states[0] for states in history]
    seq = tf.stack(hs, axis=1) if recurrent.return_sequences else hs[-1]
    loss_fn = keras.losses.get(loss if loss is not None else model.loss)
    return tf.reduce_mean(loss_fn(y, _apply(after, seq)))


def step_gradient_norms(
    model, x: np.ndarray, y: np.ndarray | None = None, *, wrt: str = "state", layer: str | None = None, loss=None
) -> StepGradients:
    """Per-step gradient norms of the (first, or named) recurrent layer of a chain model, on inputs x.

    With targets y: ||dL/ds_k|| (wrt "state"; s_k = h_k, or (h_k, c_k) for an LSTM) or ||dL/dx_k||
    (wrt "input") of the batch-mean loss (the model's compiled loss, or `loss`: a Keras loss or its
    name), each norm over the whole batch. Without y: the spectral norm of dh_T/ds_k or dh_T/dx_k per
    sample, averaged over the batch. The cell is unrolled in Python with the layer's own weights
    (dropout off; zero initial state; no masking or go_backwards), so every step's state is reachable;
    the norms are for k = 1..T."""
    import tensorflow as tf

    _check_choice("wrt", wrt, TARGETS)
    before, recurrent, after = _chain_parts(model, layer)
    with tf.GradientTape(persistent=True) as tape:
        xs = tf.convert_to_tensor(_apply(before, x))  # (batch, T, features) as the layer receives it
        tape.watch(xs)
        inputs, history = _unrolled(recurrent, xs)
        objective = None if y is None else _loss_objective(model, recurrent, after, history, y, loss)
    sources = history if wrt == "state" else [[x_t] for x_t in inputs]
    if objective is not None:
        norms = [float(tf.linalg.global_norm(tape.gradient(objective, parts))) for parts in sources]
    else:
        h_last = history[-1][0]
        norms = []
        for parts in sources:
            jac = np.concatenate([tape.batch_jacobian(h_last, p).numpy() for p in parts], axis=2)  # (batch, U, width)
            norms.append(float(np.mean(np.linalg.norm(jac, 2, axis=(1, 2)))))
    del tape
    return StepGradients(recurrent.name, wrt, "last_state" if y is None else "loss", np.array(norms))


# ---------------------------------------------------------------- 4. clipping as Keras 3 applies it


def loss_gradients(model, x: np.ndarray, y: np.ndarray, loss=None) -> dict[str, np.ndarray]:
    """The gradient of the batch-mean loss for every trainable variable (path -> array), no update made.

    `global_norm` and `clip_gradients` of these show a batch's gradient before and after clipping."""
    import keras
    import tensorflow as tf

    if loss is None and getattr(model, "loss", None) is None:
        raise ValueError("the model is not compiled: pass `loss` (e.g. 'mse')")
    loss_fn = keras.losses.get(loss if loss is not None else model.loss)
    with tf.GradientTape() as tape:
        value = tf.reduce_mean(loss_fn(y, model(x, training=False)))
    variables = model.trainable_variables
    grads = tape.gradient(value, variables)
    return {v.path: np.zeros(v.shape) if g is None else np.asarray(g) for v, g in zip(variables, grads, strict=True)}


def global_norm(grads: Sequence[np.ndarray]) -> float:
    """sqrt of the sum of every squared entry of every gradient (None entries skipped), as Keras computes it."""
    return float(np.sqrt(sum(np.sum(np.square(np.asarray(g, dtype=np.float64))) for g in grads if g is not None)))


def clip_gradients(grads: Sequence[np.ndarray], kind: str, threshold: float) -> list[np.ndarray]:
    """The gradients a Keras 3 optimizer uses after its clipping argument `kind`=threshold.

    - "clipvalue": every entry into [-threshold, threshold] (the direction may change);
    - "clipnorm": EACH variable's gradient separately scaled to norm <= threshold;
    - "global_clipnorm": ALL gradients scaled by one factor so that their global norm <= threshold
      (tf.clip_by_global_norm, the cookbook's call, is this one); a non-finite global norm makes every
      gradient NaN, as in Keras;
    - "none": unchanged. Results are float64 copies."""
    _check_choice("clip kind", kind, CLIP_KINDS)
    if kind != "none" and not threshold > 0:
        raise ValueError(f"the clipping threshold must be above 0 (got {threshold})")
    arrays = [None if g is None else np.array(g, dtype=np.float64) for g in grads]
    if kind == "clipvalue":
        return [None if g is None else np.clip(g, -threshold, threshold) for g in arrays]
    if kind == "clipnorm":
        return [None if g is None else g * threshold / max(np.sqrt(np.sum(g * g)), threshold) for g in arrays]
    if kind == "global_clipnorm":
        norm = global_norm(arrays)
        scale = threshold * min(1.0 / norm, 1.0 / threshold) if norm > 0 else 1.0
        scale = scale if np.isfinite(norm) else np.nan
        return [None if g is None else g * scale for g in arrays]
    return arrays


def optimizer_clip_arguments(kind: str, threshold: float) -> dict[str, float]:
    """Keyword arguments for a Keras optimizer: {"global_clipnorm": 1.0}, or {} for "none"."""
    _check_choice("clip kind", kind, CLIP_KINDS)
    if kind == "none":
        return {}
    if not threshold > 0:
        raise ValueError(f"the clipping threshold must be above 0 (got {threshold})")
    return {kind: float(threshold)}


def clip_sentence(kind: str, lang: str = "en") -> str:
    """What one clipping kind does, in a sentence (clipnorm per variable; global_clipnorm all together)."""
    return text("grad", f"clip_{_check_choice('clip kind', kind, CLIP_KINDS)}", lang)
