"""The translation model of core/translate.py replayed in NumPy: greedy decoding of one typed input.

A page translates what a student types, and draws where each output character looked, from the
stored weights alone (no TensorFlow in the server, no retraining). The arithmetic is Keras's:
- encoder: LSTM over the embedded input (or a Bi-LSTM: a forward LSTM and a backward one over the
  reversed input, outputs concatenated per time step; the decoder starts from [h_fwd; h_bwd], [c_fwd; c_bwd]);
- decoder step: LSTM on the embedding of the previous output character;
- attention (Luong, keras Attention(use_scale=True)): scores_i = g * (s_t . h_i);
  (Bahdanau's additive score, keras AdditiveAttention): scores_i = sum(v * tanh(s_t + h_i));
  weights = softmax(scores); context = sum_i weights_i h_i; then tanh(W [context; s_t] + b);
- output: softmax(W x + b); greedy takes the likeliest character (never pad, start or unknown).
One input is replayed at a time, so no padding (and no mask) is involved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.cell_models import one_blas_thread
from core.cells import CellWeights, lstm_step, run_cell, softmax

PAD, START, END, UNKNOWN = 0, 1, 2, 3  # the reserved ids of core.translate's vocabularies


@dataclass(frozen=True, eq=False)
class Seq2SeqWeights:
    """Every weight greedy decoding needs, as Keras stores them (`layer.get_weights()`)."""

    source_embedding: np.ndarray  # (source vocab, embed)
    encoder: tuple[CellWeights, ...]  # (forward,) or (forward, backward) for a Bi-LSTM
    target_embedding: np.ndarray  # (target vocab, embed)
    decoder: CellWeights  # LSTM(units)
    output_kernel: np.ndarray  # (units, target vocab)
    output_bias: np.ndarray  # (target vocab,)
    attention: str | None = None  # "luong" | "bahdanau" | None (no attention)
    scale: np.ndarray | None = None  # Luong: () the learned g; Bahdanau: (units,) the vector v
    attentional_kernel: np.ndarray | None = None  # (2 * units, units): tanh(W [context; s_t] + b)
    attentional_bias: np.ndarray | None = None  # (units,)


def weights_from_model(model, attention_kind: str | None) -> Seq2SeqWeights:
    """The weights of a model made by core.translate.build_translate_model (attention_kind None: none)."""
    names = {layer.name for layer in model.layers}
    encoder = model.get_layer("encoder").get_weights()  # 3 arrays per LSTM (forward, then backward)
    cells = tuple(CellWeights("lstm", *encoder[k : k + 3]) for k in range(0, len(encoder), 3))
    out_kernel, out_bias = model.get_layer("output").get_weights()
    head = {}
    if "attention" in names:
        (scale,) = model.get_layer("attention").get_weights()
        kernel, bias = model.get_layer("attentional").get_weights()
        head = {"attention": attention_kind, "scale": scale, "attentional_kernel": kernel, "attentional_bias": bias}
    return Seq2SeqWeights(
        model.get_layer("source_embedding").get_weights()[0],
        cells,
        model.get_layer("target_embedding").get_weights()[0],
        CellWeights("lstm", *model.get_layer("decoder").get_weights()),
        out_kernel,
        out_bias,
        **head,
    )


def weights_to_arrays(w: Seq2SeqWeights) -> tuple[dict[str, np.ndarray], dict]:
    """Named float32 arrays and a JSON-safe layout (how a trained model's result stores them)."""
    arrays = {"source_embedding": w.source_embedding, "target_embedding": w.target_embedding}
    for k, cell in enumerate((*w.encoder, w.decoder)):
        arrays |= {
            f"lstm_{k}_kernel": cell.kernel,
            f"lstm_{k}_recurrent": cell.recurrent_kernel,
            f"lstm_{k}_bias": cell.bias,
        }
    arrays |= {"output_kernel": w.output_kernel, "output_bias": w.output_bias}
    if w.attention is not None:
        arrays |= {"scale": w.scale, "attentional_kernel": w.attentional_kernel, "attentional_bias": w.attentional_bias}
    layout = {"encoder_lstms": len(w.encoder), "attention": w.attention}
    return {k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()}, layout


def weights_from_arrays(arrays: dict[str, np.ndarray], layout: dict) -> Seq2SeqWeights:
    """The weights `weights_to_arrays` stored."""

    def lstm(k: int) -> CellWeights:
        return CellWeights("lstm", arrays[f"lstm_{k}_kernel"], arrays[f"lstm_{k}_recurrent"], arrays[f"lstm_{k}_bias"])

    n = int(layout["encoder_lstms"])
    head = {}
    if layout["attention"] is not None:
        head = {name: arrays[name] for name in ("scale", "attentional_kernel", "attentional_bias")}
    return Seq2SeqWeights(
        arrays["source_embedding"],
        tuple(lstm(k) for k in range(n)),
        arrays["target_embedding"],
        lstm(n),
        arrays["output_kernel"],
        arrays["output_bias"],
        layout["attention"],
        **head,
    )


def encode(w: Seq2SeqWeights, source_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(memory (steps, units), h, c) of one input's ids (steps,)."""
    xs = w.source_embedding[np.asarray(source_ids)]  # (steps, embed)
    forward = run_cell(w.encoder[0], xs)
    if len(w.encoder) == 1:
        return forward.outputs, forward.outputs[-1], forward.values["c"][-1]
    backward = run_cell(w.encoder[1], xs[::-1])  # reads the input from its end; outputs aligned back
    memory = np.concatenate([forward.outputs, backward.outputs[::-1]], axis=-1)
    h = np.concatenate([forward.outputs[-1], backward.outputs[-1]])
    c = np.concatenate([forward.values["c"][-1], backward.values["c"][-1]])
    return memory, h, c


def attend(w: Seq2SeqWeights, state: np.ndarray, memory: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(context (units,), weights (steps,)) of a decoder state over the encoder outputs."""
    if w.attention == "luong":
        scores = w.scale * (memory @ state)  # (steps,)
    else:
        scores = np.sum(w.scale * np.tanh(state[None, :] + memory), axis=-1)
    weights = softmax(scores)
    return weights @ memory, weights


def decoder_step(w: Seq2SeqWeights, previous: int, h, c, memory) -> tuple[np.ndarray, np.ndarray, np.ndarray, object]:
    """(probabilities (target vocab,), h, c, attention weights (steps,) or None) after `previous`."""
    out = lstm_step(w.decoder, w.target_embedding[previous], h, c)
    h, c = out["h"], out["c"]
    if w.attention is None:
        return softmax(h @ w.output_kernel + w.output_bias), h, c, None
    context, weights = attend(w, h, memory)
    hidden = np.tanh(np.concatenate([context, h]) @ w.attentional_kernel + w.attentional_bias)
    return softmax(hidden @ w.output_kernel + w.output_bias), h, c, weights


def greedy(w: Seq2SeqWeights, source_ids, max_steps: int) -> tuple[list[int], np.ndarray | None]:
    """Output ids up to and including END (at most `max_steps`) and the attention map
    (output steps, input characters) or None: the decoder is fed its own previous output."""
    with one_blas_thread():  # one vector per step: BLAS threads only add hand-offs
        memory, h, c = encode(w, np.asarray(source_ids, dtype=np.int64))
        previous, out, rows = START, [], []
        for _ in range(max_steps):
            probs, h, c, weights = decoder_step(w, previous, h, c, memory)
            probs = probs.copy()
            probs[[PAD, START, UNKNOWN]] = -1  # it writes only characters or END
            previous = int(np.argmax(probs))
            out.append(previous)
            if weights is not None:
                rows.append(weights)
            if previous == END:
                break
    return out, (np.stack(rows) if rows else None)
