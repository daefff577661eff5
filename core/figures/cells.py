"""Figures of the cell page: the cell diagram with numbers on its wires, gate/state heatmaps over the
time steps with the current step marked, probability bars, and the what-if comparison."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

INK, WIRE, GATE, MATH, STATE = "#1f2937", "#64748b", "#fde68a", "#bfdbfe", "#bbf7d0"
HIGHLIGHT = "#dc2626"

# Heatmap rows per cell: (trace key, title)
HEATMAP_SERIES: dict[str, tuple[tuple[str, str], ...]] = {
    "rnn": (("pre", "pre-activation  x·W + h·U + b"), ("h", "state h")),
    "lstm": (
        ("i", "input gate i"),
        ("f", "forget gate f"),
        ("cand", "candidate c~"),
        ("o", "output gate o"),
        ("c", "cell state c"),
        ("h", "state h"),
    ),  # fmt: skip
    "gru": (("z", "update gate z"), ("r", "reset gate r"), ("cand", "candidate h~"), ("h", "state h")),
}
HEATMAP_SERIES["peephole"] = HEATMAP_SERIES["lstm"]  # the same gates and states; the peepholes show in the diagram


def vec(values, digits: int = 2, limit: int = 4) -> str:
    """[+0.12, -0.50, …] for a wire label; long vectors show their first entries."""
    flat = np.ravel(values)
    limit = limit if flat.size <= limit else limit - 1  # long vectors: a few entries, then an ellipsis
    shown = ", ".join(f"{v:.{digits}f}" for v in flat[:limit])
    return f"[{shown}{', …' if flat.size > limit else ''}]"


# ---------------------------------------------------------------- the cell diagram

# Node: name -> (x, y, label, fill). Edge: (from, to, value key or None, prefix, label x, label y, anchor).
_LAYOUTS = {
    "rnn": (
        {
            "hp": (0.6, 4.0, "h<sub>t-1</sub>", STATE),
            "x": (4.5, 1.0, "x<sub>t</sub>", STATE),
            "sum": (4.5, 4.0, "x·W + h·U + b", MATH),
            "tanh": (8.0, 4.0, "tanh", GATE),
            "h": (11.3, 4.0, "h<sub>t</sub>", STATE),
            "hn": (11.3, 1.0, "to step t+1", "#f1f5f9"),
        },
        [
            ("hp", "sum", "h_part", "h·U", 2.2, 4.4, "center"),
            ("x", "sum", "x_part", "x·W", 4.65, 2.5, "left"),
            ("sum", "tanh", "pre", "", 6.45, 4.4, "center"),
            ("tanh", "h", "h", "h", 9.65, 4.4, "center"),
            ("h", "hn", None, "", 0, 0, ""),
        ],
    ),
    "lstm": (
        {
            "cp": (0.6, 6.5, "c<sub>t-1</sub>", STATE),
            "mf": (2.4, 6.5, "×", MATH),
            "add": (6.2, 6.5, "+", MATH),
            "c": (11.8, 6.5, "c<sub>t</sub>", STATE),
            "f": (2.4, 2.6, "σ  f", GATE),
            "i": (4.6, 2.6, "σ  i", GATE),
            "g": (6.6, 2.6, "tanh  c~", GATE),
            "o": (8.4, 2.6, "σ  o", GATE),
            "mi": (5.6, 4.5, "×", MATH),
            "tc": (10.3, 4.6, "tanh", GATE),
            "mo": (10.3, 2.6, "×", MATH),
            "h": (11.8, 2.6, "h<sub>t</sub>", STATE),
            "hp": (0.6, 1.5, "h<sub>t-1</sub>", STATE),
            "x": (0.6, 0.4, "x<sub>t</sub>", STATE),
            "bus": (2.4, 0.95, "x·W + h·U + b", "#f1f5f9"),
        },
        [
            ("cp", "mf", "c_prev", "", 1.5, 6.85, "center"),
            ("f", "mf", "f", "f", 2.4, 4.5, "center"),
            ("mf", "add", "fc", "f·c", 2.75, 6.85, "left"),
            ("i", "mi", "i", "i", 4.95, 3.25, "right"),
            ("g", "mi", "cand", "c~", 6.25, 3.25, "left"),
            ("mi", "add", "ic", "i·c~", 5.7, 5.5, "right"),
            ("add", "c", "c", "c", 9.0, 6.85, "center"),
            ("add", "tc", None, "", 0, 0, ""),
            ("tc", "mo", "tanh_c", "tanh c", 10.15, 4.0, "right"),
            ("o", "mo", "o", "o", 9.35, 1.95, "center"),
            ("mo", "h", "h", "h", 10.5, 3.0, "left"),
            ("hp", "bus", None, "", 0, 0, ""),
            ("x", "bus", None, "", 0, 0, ""),
            ("bus", "f", None, "", 0, 0, ""),
            ("bus", "i", None, "", 0, 0, ""),
            ("bus", "g", None, "", 0, 0, ""),
            ("bus", "o", None, "", 0, 0, ""),
        ],
    ),
    "gru": (
        {
            "hp": (0.6, 6.5, "h<sub>t-1</sub>", STATE),
            "mz": (3.0, 6.5, "×", MATH),
            "add": (9.0, 6.5, "+", MATH),
            "h": (11.3, 6.5, "h<sub>t</sub>", STATE),
            "z": (3.0, 2.6, "σ  z", GATE),
            "r": (4.7, 2.6, "σ  r", GATE),
            "rh": (6.6, 2.6, "RESET", MATH),
            "cand": (9.0, 2.6, "tanh  h~", GATE),
            "m1z": (9.0, 4.6, "×", MATH),
            "hb": (0.6, 1.5, "h<sub>t-1</sub>", STATE),
            "x": (0.6, 0.4, "x<sub>t</sub>", STATE),
            "bus": (2.4, 0.95, "x·W + h·U + b", "#f1f5f9"),
            "hu": (6.6, 0.95, "RECURRENT", "#f1f5f9"),
        },
        [
            ("hp", "mz", "h_prev", "", 1.8, 6.85, "center"),
            ("z", "mz", "z", "z", 3.0, 4.5, "center"),
            ("mz", "add", "zh", "z·h", 6.0, 6.85, "center"),
            ("r", "rh", "r", "r", 6.45, 2.05, "right"),
            ("rh", "cand", "reset_h", "", 7.8, 3.0, "center"),
            ("cand", "m1z", "cand", "h~", 9.15, 3.6, "left"),
            ("z", "m1z", "one_minus_z", "1−z", 5.4, 4.1, "center"),
            ("m1z", "add", "zc", "(1−z)·h~", 9.15, 5.55, "left"),
            ("add", "h", "h", "h", 10.3, 6.85, "center"),
            ("hb", "bus", None, "", 0, 0, ""),
            ("x", "bus", None, "", 0, 0, ""),
            ("bus", "z", None, "", 0, 0, ""),
            ("bus", "r", None, "", 0, 0, ""),
            ("hu", "rh", "recurrent_in", "", 6.75, 1.75, "left"),
        ],
    ),
}
# The peephole LSTM: the LSTM's wires plus the cell state reaching the gates (p_i·c_{t-1}, p_f·c_{t-1}, p_o·c_t)
_LAYOUTS["peephole"] = (
    _LAYOUTS["lstm"][0],
    [
        *_LAYOUTS["lstm"][1],
        ("cp", "f", "peep_f", "p_f·c", 0.75, 5.3, "left"),
        ("cp", "i", "peep_i", "p_i·c", 3.2, 5.6, "left"),
        ("c", "o", "peep_o", "p_o·c", 10.0, 5.6, "right"),
    ],
)
# The GRU candidate's recurrent part (node label) and its input, for reset_after True / False
RESET_LABELS = {True: "r ⊙ (h·U<sub>h</sub> + b<sub>rh</sub>)", False: "(r ⊙ h)·U<sub>h</sub>"}
RECURRENT_LABELS = {True: "h<sub>t-1</sub>·U<sub>h</sub> + b<sub>rh</sub>", False: "h<sub>t-1</sub>"}


def _half_size(label: str) -> tuple[float, float]:
    """Approximate half width / height of a node box in data units (for clipping the arrows)."""
    visible = label.replace("<sub>", "").replace("</sub>", "")
    return 0.06 * len(visible) + 0.15, 0.24


def _clip(start, end, half):
    """Move `end` back along the line start->end to the border of a box of `half` size around it."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    s = min(half[0] / abs(dx) if dx else np.inf, half[1] / abs(dy) if dy else np.inf)
    return end[0] - s * dx, end[1] - s * dy


def _wire_values(cell: str, step: dict, reset_after: bool = True) -> dict[str, np.ndarray]:
    """The step's intermediates plus the products the diagram shows on its wires."""
    values = dict(step)
    if cell in ("lstm", "peephole"):
        values["fc"] = step["f"] * step["c_prev"]
        values["ic"] = step["i"] * step["cand"]
    if cell == "gru":
        values["zh"] = step["z"] * step["h_prev"]
        values["one_minus_z"] = 1 - step["z"]
        values["zc"] = (1 - step["z"]) * step["cand"]
        values["recurrent_in"] = step["h_cand"] if "h_cand" in step and reset_after else step["h_prev"]
    return values


WORDS: dict[str, str] = {"next_step": "to step t+1", "unit": "unit {u}", "step": "step"}  # a page passes its own


def cell_diagram(
    trace, step: int, title: str = "", height: int | None = None, words: dict[str, str] | None = None
) -> go.Figure:
    """The cell of `trace.trace.cell` at time step `step` (0-based), every wire labelled with its values."""
    cell = trace.trace.cell
    nodes, edges = _LAYOUTS[cell]
    special = {"RESET": RESET_LABELS[trace.trace.reset_after], "RECURRENT": RECURRENT_LABELS[trace.trace.reset_after]}
    special["to step t+1"] = (words or WORDS)["next_step"]
    labels = {name: special.get(lab, lab) for name, (*_, lab, _f) in nodes.items()}
    values = _wire_values(cell, trace.trace.at(step), trace.trace.reset_after)
    fig = go.Figure()
    for a, b, key, prefix, lx, ly, anchor in edges:
        start, end = nodes[a][:2], nodes[b][:2]
        x1, y1 = _clip(start, end, _half_size(labels[b]))
        x0, y0 = _clip(end, start, _half_size(labels[a]))
        fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", showarrow=True,
                           arrowhead=2, arrowsize=1.1, arrowwidth=1.6, arrowcolor=WIRE, text="")  # fmt: skip
        if key is not None:
            text = f"{prefix} = {vec(values[key])}" if prefix else vec(values[key])
            fig.add_annotation(x=lx, y=ly, text=text, showarrow=False, xanchor=anchor, bgcolor="rgba(255,255,255,0.85)",
                               font={"size": 13, "color": INK, "family": "monospace"})  # fmt: skip
    for name, (x, y, _label, fill) in nodes.items():
        fig.add_annotation(x=x, y=y, text=f"<b>{labels[name]}</b>", showarrow=False, bgcolor=fill, bordercolor=INK,
                           borderwidth=1, borderpad=6, font={"size": 15, "color": INK})  # fmt: skip
    ys = [y for _x, y, *_ in nodes.values()]
    heading = title or f"step {step + 1} of {trace.trace.steps}: input “{trace.text[step]}”"
    fig.update_layout(title={"text": heading, "font": {"size": 18}}, height=height or int(70 * (max(ys) - min(ys)) + 150), margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      plot_bgcolor="white", paper_bgcolor="white", showlegend=False)  # fmt: skip
    fig.update_xaxes(range=[-0.1, 13.5], visible=False, fixedrange=True)
    fig.update_yaxes(range=[min(ys) - 0.5, max(ys) + 0.7], visible=False, fixedrange=True)
    return fig


# ---------------------------------------------------------------- heatmaps over the steps


def state_heatmaps(
    trace,
    step: int,
    height: int | None = None,
    titles: dict[str, str] | None = None,
    words: dict[str, str] | None = None,
) -> go.Figure:
    """One heatmap per gate / state (units × steps), values written in, the current step boxed."""
    words = words or WORDS
    series = HEATMAP_SERIES[trace.trace.cell]
    cols = 1 if len(series) <= 2 else 2
    rows = -(-len(series) // cols)
    labels = [f"{t + 1}: {ch}" for t, ch in enumerate(trace.text)]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[(titles or {}).get(key, title) for key, title in series], vertical_spacing=0.42 / rows,
                        horizontal_spacing=0.06)  # fmt: skip
    for n, (key, _) in enumerate(series):
        row, col = n // cols + 1, n % cols + 1
        z = np.asarray(trace.trace.values[key]).T  # (units, steps)
        gate = key in ("i", "f", "o", "z", "r")
        span = 1.0 if gate else max(1.0, float(np.max(np.abs(z))))
        fig.add_trace(go.Heatmap(z=z, x=labels, y=[words["unit"].format(u=u + 1) for u in range(z.shape[0])],
                                 colorscale="Viridis" if gate else "RdBu", zmin=0 if gate else -span, zmax=span,
                                 text=np.round(z, 2), texttemplate="%{text}" if z.size <= 240 else "", showscale=False,
                                 hovertemplate="%{y}, " + words["step"] + " %{x}: %{z:.4f}<extra></extra>"),
                      row=row, col=col)  # fmt: skip
        fig.add_shape(type="rect", x0=step - 0.5, x1=step + 0.5, y0=-0.5, y1=z.shape[0] - 0.5,
                      line={"color": HIGHLIGHT, "width": 3}, row=row, col=col)  # fmt: skip
    fig.update_layout(height=height or 190 * rows + 40, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    fig.update_xaxes(type="category", range=[-0.5, trace.trace.steps - 0.5])
    fig.update_yaxes(autorange="reversed")
    return fig


def probability_bars(trace, title: str = "", compare=None, axis: str = "probability") -> go.Figure:
    """The softmax output as bars, the predicted letter highlighted; `compare` adds a second set."""
    letters = list(trace.alphabet)
    probs = np.asarray(trace.probabilities)
    colors = [HIGHLIGHT if i == int(np.argmax(probs)) else "#94a3b8" for i in range(len(letters))]
    fig = go.Figure()
    if compare is not None:
        fig.add_bar(x=letters, y=np.asarray(compare.probabilities), name=compare.text, marker_color="#cbd5e1",
                    text=[f"{p:.2f}" for p in compare.probabilities], textposition="outside")  # fmt: skip
    fig.add_bar(x=letters, y=probs, name=trace.text, marker_color=colors, text=[f"{p:.2f}" for p in probs],
                textposition="outside")  # fmt: skip
    fig.update_layout(title=title or f"next letter after “{trace.text}”: {trace.prediction}", height=300,
                      yaxis={"range": [0, 1.15], "title": axis}, barmode="group",
                      margin={"l": 10, "r": 10, "t": 50, "b": 10}, showlegend=compare is not None)  # fmt: skip
    return fig


def change_heatmap(base, changed, position: int, title: str = "", words: dict[str, str] | None = None) -> go.Figure:
    """What-if: the change of h at every step (changed − base); the edited step is boxed."""
    words = words or WORDS
    delta = (np.asarray(changed.trace.outputs) - np.asarray(base.trace.outputs)).T  # (units, steps)
    labels = [
        f"{t + 1}: {a}→{b}" if a != b else f"{t + 1}: {a}"
        for t, (a, b) in enumerate(zip(base.text, changed.text, strict=True))
    ]
    fig = go.Figure(go.Heatmap(z=delta, x=labels, y=[words["unit"].format(u=u + 1) for u in range(delta.shape[0])], colorscale="RdBu",
                               zmid=0, text=np.round(delta, 2), texttemplate="%{text}",
                               colorbar={"title": "Δh"}))  # fmt: skip
    fig.add_shape(type="rect", x0=position - 0.5, x1=position + 0.5, y0=-0.5, y1=delta.shape[0] - 0.5,
                  line={"color": HIGHLIGHT, "width": 3})  # fmt: skip
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(title=title or "change of h at each step (edited step boxed; earlier steps stay 0)", height=260,
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})  # fmt: skip
    fig.update_xaxes(type="category")
    return fig


# ---------------------------------------------------------------- formulas with the numbers substituted


def latex_vec(values, digits: int = 2, limit: int = 4) -> str:
    """A row vector as LaTeX: \\begin{bmatrix} 0.12 & -0.50 \\end{bmatrix} (long ones end in \\cdots)."""
    flat = np.ravel(values)
    cells = [f"{v:.{digits}f}" for v in flat[:limit]] + (["\\cdots"] if flat.size > limit else [])
    return "\\begin{bmatrix}" + " & ".join(cells) + "\\end{bmatrix}"


def _aligned(lhs: str, *rhs: str) -> str:
    """lhs = rhs[0] = rhs[1] ..., one equals sign per line (projector-width formulas)."""
    return "\\begin{aligned}" + lhs + " &= " + " \\\\ &= ".join(rhs) + "\\end{aligned}"


def _gate(symbol: str, act: str, pre, out, idx: str) -> str:
    return _aligned(symbol, f"{act}(x_t W_{idx} + h_{{t-1}} U_{idx} + b_{idx})",
                    f"{act}\\left({latex_vec(pre)}\\right) = {latex_vec(out)}")  # fmt: skip


def step_formulas(trace, step: int) -> list[str]:
    """The cell's equations at `step` (0-based), each with the step's numbers substituted."""
    s, v = trace.trace.at(step), latex_vec
    cell = trace.trace.cell
    if cell == "rnn":
        return [_aligned("h_t", "\\tanh(x_t W + h_{t-1} U + b)",
                         f"\\tanh\\left({v(s['x_part'])} + {v(s['h_part'])} + {v(s['bias'])}\\right)",
                         f"\\tanh\\left({v(s['pre'])}\\right) = {v(s['h'])}")]  # fmt: skip
    if cell == "peephole":
        return _peephole_formulas(s)
    if cell == "lstm":
        return [_gate("i_t", "\\sigma", s["pre_i"], s["i"], "i"), _gate("f_t", "\\sigma", s["pre_f"], s["f"], "f"),
                _gate("\\tilde c_t", "\\tanh", s["pre_c"], s["cand"], "c"), _gate("o_t", "\\sigma", s["pre_o"], s["o"], "o"),
                _aligned("c_t", "f_t \\odot c_{t-1} + i_t \\odot \\tilde c_t",
                         f"{v(s['f'])} \\odot {v(s['c_prev'])} + {v(s['i'])} \\odot {v(s['cand'])}", v(s["c"])),
                _aligned("h_t", "o_t \\odot \\tanh(c_t)", f"{v(s['o'])} \\odot {v(s['tanh_c'])} = {v(s['h'])}")]  # fmt: skip
    if trace.trace.reset_after:
        cand = _aligned("\\tilde h_t", "\\tanh(x_t W_h + b_{xh} + r_t \\odot (h_{t-1} U_h + b_{rh}))",
                        f"\\tanh\\left({v(s['x_cand'])} + {v(s['r'])} \\odot {v(s['h_cand'])}\\right) = {v(s['cand'])}")  # fmt: skip
    else:
        cand = _aligned("\\tilde h_t", "\\tanh(x_t W_h + b_h + (r_t \\odot h_{t-1}) U_h)",
                        f"\\tanh\\left({v(s['x_cand'])} + {v(s['h_cand'])}\\right) = {v(s['cand'])}")  # fmt: skip
    return [_gate("z_t", "\\sigma", s["pre_z"], s["z"], "z"), _gate("r_t", "\\sigma", s["pre_r"], s["r"], "r"), cand,
            _aligned("h_t", "z_t \\odot h_{t-1} + (1 - z_t) \\odot \\tilde h_t",
                     f"{v(s['z'])} \\odot {v(s['h_prev'])} + {v(1 - s['z'])} \\odot {v(s['cand'])}", v(s["h"]))]  # fmt: skip


def _peep_gate(symbol: str, pre, peep, out, idx: str, state: str) -> str:
    return _aligned(
        symbol,
        f"\\sigma(x_t W_{idx} + h_{{t-1}} U_{idx} + b_{idx} + p_{idx} \\odot {state})",
        f"\\sigma\\left({latex_vec(pre)} + {latex_vec(peep)}\\right) = {latex_vec(out)}",
    )


def _peephole_formulas(s: dict) -> list[str]:
    """The LSTM's equations with the peephole terms: i and f see c_{t-1}, o sees the new c_t."""
    v = latex_vec
    return [
        _peep_gate("i_t", s["pre_i"], s["peep_i"], s["i"], "i", "c_{t-1}"),
        _peep_gate("f_t", s["pre_f"], s["peep_f"], s["f"], "f", "c_{t-1}"),
        _gate("\\tilde c_t", "\\tanh", s["pre_c"], s["cand"], "c"),
        _aligned(
            "c_t",
            "f_t \\odot c_{t-1} + i_t \\odot \\tilde c_t",
            f"{v(s['f'])} \\odot {v(s['c_prev'])} + {v(s['i'])} \\odot {v(s['cand'])}",
            v(s["c"]),
        ),
        _peep_gate("o_t", s["pre_o"], s["peep_o"], s["o"], "o", "c_t"),
        _aligned("h_t", "o_t \\odot \\tanh(c_t)", f"{v(s['o'])} \\odot {v(s['tanh_c'])} = {v(s['h'])}"),
    ]


def output_formula(trace) -> str:
    """y = softmax(h_T V + c) with the numbers, and the predicted letter."""
    out, v = trace.output, latex_vec
    return _aligned("y", "\\mathrm{softmax}(h_T V + c)", f"\\mathrm{{softmax}}\\left({v(out['logits'], limit=6)}\\right)",
                    f"{v(out['y'], limit=6)} \\;\\Rightarrow\\; \\text{{{trace.prediction}}}")  # fmt: skip
