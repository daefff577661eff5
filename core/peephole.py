"""A peephole LSTM cell for keras.layers.RNN (Keras 3 ships none).

The gates of a peephole LSTM also look at the cell state (Gers and Schmidhuber, 2000):
    i_t = sigmoid(x·W_i + h_{t-1}·U_i + b_i + p_i * c_{t-1})
    f_t = sigmoid(x·W_f + h_{t-1}·U_f + b_f + p_f * c_{t-1})
    c_t = f_t * c_{t-1} + i_t * tanh(x·W_c + h_{t-1}·U_c + b_c)
    o_t = sigmoid(x·W_o + h_{t-1}·U_o + b_o + p_o * c_t)        (the new state, not the old one)
    h_t = o_t * tanh(c_t)
Weights are laid out as keras.layers.LSTM's (kernel (F, 4U), recurrent_kernel (U, 4U), bias (4U,),
gate order i, f, c, o) plus one vector `peephole` (3U,) = [p_i, p_f, p_o] (diagonal peephole weights,
one per unit). Parameters: 4U(F + U + 1) + 3U. With the peephole at zero the cell is keras.layers.LSTM.
Large studies found no significant gain from peepholes (Greff et al., 2017, "LSTM: A Search Space Odyssey").

Importing this module does not import Keras: the class is made on first use (`peephole_cell_class()`,
or `from core.peephole import PeepholeLSTMCell`), which also registers it, so a .keras file holding
it loads with `keras.models.load_model(path, safe_mode=True)` once `register_peephole()` has run.
"""

from __future__ import annotations

import functools

from core.i18n import text

PACKAGE = "rnnlab"  # the registered name is "rnnlab>PeepholeLSTMCell"
CLASS_NAME = "PeepholeLSTMCell"
PEEPHOLE_GATES: tuple[str, ...] = ("i", "f", "o")  # order of the three blocks of the peephole vector


def peephole_note(lang: str = "en") -> str:
    """The page's note: large studies found no significant gain from peepholes (Greff et al., 2017)."""
    return text("grad", "peephole_note", lang)


def peephole_parameter_count(features: int, units: int) -> int:
    """4U(F + U + 1) + 3U: an LSTM's kernel, recurrent kernel and bias, plus one peephole weight per gate and unit."""
    return 4 * units * (features + units + 1) + 3 * units


@functools.cache
def peephole_cell_class():
    """The Keras cell class (made and registered once per process)."""
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package=PACKAGE, name=CLASS_NAME)
    class PeepholeLSTMCell(keras.layers.Layer):
        """One peephole LSTM step; use inside keras.layers.RNN. States: [h, c]."""

        def __init__(
            self,
            units: int,
            kernel_initializer="glorot_uniform",
            recurrent_initializer="orthogonal",
            bias_initializer="zeros",
            peephole_initializer="zeros",
            unit_forget_bias: bool = True,
            **kwargs,
        ):
            super().__init__(**kwargs)
            if isinstance(units, bool) or not isinstance(units, int) or units < 1:
                raise ValueError(f"units must be a positive whole number (got {units!r})")
            self.units = units
            self.state_size = [units, units]  # h, c
            self.output_size = units
            self.kernel_initializer = keras.initializers.get(kernel_initializer)
            self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
            self.bias_initializer = keras.initializers.get(bias_initializer)
            self.peephole_initializer = keras.initializers.get(peephole_initializer)
            self.unit_forget_bias = unit_forget_bias

        def build(self, input_shape):
            u = self.units
            self.kernel = self.add_weight(
                shape=(input_shape[-1], 4 * u), name="kernel", initializer=self.kernel_initializer
            )
            self.recurrent_kernel = self.add_weight(
                shape=(u, 4 * u), name="recurrent_kernel", initializer=self.recurrent_initializer
            )
            self.bias = self.add_weight(shape=(4 * u,), name="bias", initializer=self._bias_start)
            self.peephole = self.add_weight(shape=(3 * u,), name="peephole", initializer=self.peephole_initializer)

        def _bias_start(self, shape, dtype=None):
            """As keras.layers.LSTM: the forget block starts at 1 when unit_forget_bias."""
            if not self.unit_forget_bias:
                return self.bias_initializer(shape, dtype=dtype)
            u = self.units
            blocks = [
                self.bias_initializer((u,), dtype=dtype),
                keras.initializers.Ones()((u,), dtype=dtype),
                self.bias_initializer((2 * u,), dtype=dtype),
            ]
            return ops.concatenate(blocks)

        def call(self, inputs, states, training=False):
            h_prev, c_prev = states[0], states[1]  # (batch, units) each
            z = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel) + self.bias
            z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)  # gate order i, f, c, o as keras.layers.LSTM
            p_i, p_f, p_o = ops.split(self.peephole, 3)
            i = ops.sigmoid(z_i + p_i * c_prev)  # input gate peeks at the old cell state
            f = ops.sigmoid(z_f + p_f * c_prev)  # forget gate peeks at the old cell state
            c = f * c_prev + i * ops.tanh(z_c)
            o = ops.sigmoid(z_o + p_o * c)  # output gate peeks at the NEW cell state
            h = o * ops.tanh(c)
            return h, [h, c]

        def get_initial_state(self, batch_size=None):
            return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype) for _ in range(2)]

        def get_config(self):
            init = keras.initializers.serialize
            return {
                **super().get_config(),
                "units": self.units,
                "kernel_initializer": init(self.kernel_initializer),
                "recurrent_initializer": init(self.recurrent_initializer),
                "bias_initializer": init(self.bias_initializer),
                "peephole_initializer": init(self.peephole_initializer),
                "unit_forget_bias": self.unit_forget_bias,
            }

    return PeepholeLSTMCell


def register_peephole():
    """Make (and register) the cell class; call before loading a .keras file that holds one."""
    return peephole_cell_class()


def peephole_layer(
    units: int, *, return_sequences: bool = False, return_state: bool = False, name: str | None = None, **cell_kwargs
):
    """keras.layers.RNN(PeepholeLSTMCell(units)), the peephole counterpart of keras.layers.LSTM(units)."""
    import keras

    cell = peephole_cell_class()(units, **cell_kwargs)
    return keras.layers.RNN(cell, return_sequences=return_sequences, return_state=return_state, name=name)


def __getattr__(name: str):
    """`from core.peephole import PeepholeLSTMCell` makes the class on first use (and imports Keras then)."""
    if name == CLASS_NAME:
        return peephole_cell_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
