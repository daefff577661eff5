"""Figures of the Memory and gradients page: |w|^T, Jacobian norms over the steps back, per-step gradient
norms of a trained model, the clipping runs per update, and the long-memory sweep with error bars.

Each function takes plain numbers (or the lab's read-only results) and returns a Plotly figure; labels come
in a dict so the page can pass them in its language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.compare import CELL_COLORS, CELL_NAMES

GAIN_COLORS: dict[float, str] = {0.5: "#9ecae1", 1.0: "#3182bd", 1.5: "#08306b"}  # SimpleRNN gains: light to dark
CLIP_COLORS: tuple[str, ...] = ("#d62728", "#ff7f0e", "#2ca02c", "#1f77b4", "#9467bd")
DEFAULT_LABELS: dict[str, str] = {
    "steps": "T (steps)",
    "power": "|w|^T (log scale)",
    "steps_back": "steps back T − k",
    "jacobian": "‖∂h_T/∂h_k‖ (log scale)",
    "step": "step k",
    "norm": "norm (log scale)",
    "loss_norm": "‖∂L/∂h_k‖",
    "state_norm": "‖∂h_T/∂h_k‖",
    "update": "update",
    "seeds": "seeds",
    "loss": "loss (log scale)",
    "before": "before clipping",
    "after": "after clipping",
    "diverged": "diverged",
    "score": "test MSE (log scale)",
    "baseline": "constant guess 1/6",
    "gain": "SimpleRNN, gain {gain:g}",
}


def _label(labels: Mapping[str, str] | None, key: str) -> str:
    return (labels or {}).get(key, DEFAULT_LABELS.get(key, key))


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        template="plotly_white",
        font=dict(size=15),
        legend=dict(orientation="h", yanchor="top", y=-0.18, x=0),
    )
    return fig


def power_figure(w: float, steps: int, labels: Mapping[str, str] | None = None) -> go.Figure:
    """|w|^k for k = 0..steps (log scale), with 0.9^k and 1.1^k for reference and the end value marked."""
    k = np.arange(steps + 1)
    fig = go.Figure()
    for ref, dash in ((0.9, "dot"), (1.1, "dash")):
        if not math.isclose(abs(w), ref):
            fig.add_scatter(x=k, y=ref**k, name=f"{ref:g}^T", mode="lines", line=dict(color="#9e9e9e", dash=dash))
    fig.add_scatter(x=k, y=abs(w) ** k, name=f"{abs(w):g}^T", mode="lines", line=dict(color="#d62728", width=3))
    end = abs(w) ** steps
    fig.add_scatter(
        x=[steps],
        y=[end],
        mode="markers+text",
        text=[f"{end:.3g}"],
        textposition="top left",
        marker=dict(color="#d62728", size=10),
        showlegend=False,
        textfont=dict(size=16),
    )
    fig.update_xaxes(title=_label(labels, "steps"))
    fig.update_yaxes(title=_label(labels, "power"), type="log", exponentformat="power")
    return _layout(fig, 380)


def _curve_style(curve) -> tuple[str, str, str]:
    """(name, colour, dash) of a Jacobian curve."""
    if curve.cell == "rnn":
        return DEFAULT_LABELS["gain"].format(gain=curve.gain), GAIN_COLORS.get(curve.gain, "#1f77b4"), "solid"
    return CELL_NAMES[curve.cell], CELL_COLORS[curve.cell], "dash"


def jacobian_figure(curves: Sequence, labels: Mapping[str, str] | None = None) -> go.Figure:
    """||dh_T/dh_k|| against T − k (log scale): one line per core.gradients.JacobianCurve."""
    fig = go.Figure()
    for curve in curves:
        name, color, dash = _curve_style(curve)
        if curve.cell == "rnn":
            name = _label(labels, "gain").format(gain=curve.gain)
        norms = np.where(np.asarray(curve.norms) > 0, curve.norms, np.nan)  # log axis: no zeros
        fig.add_scatter(
            x=curve.steps_back, y=norms, name=name, mode="lines", line=dict(color=color, dash=dash, width=2.5)
        )
    fig.update_xaxes(title=_label(labels, "steps_back"))
    fig.update_yaxes(title=_label(labels, "jacobian"), type="log", exponentformat="power")
    return _layout(fig, 420)


def step_norms_figure(loss_norms, state_norms, labels: Mapping[str, str] | None = None) -> go.Figure:
    """Per-step norms of a trained model's first recurrent layer: ||dL/dh_k|| and ||dh_T/dh_k|| for k = 1..T."""
    fig = go.Figure()
    for norms, key, color in ((loss_norms, "loss_norm", "#d62728"), (state_norms, "state_norm", "#1f77b4")):
        values = np.asarray(norms.norms, dtype=float)
        values = np.where(values > 0, values, np.nan)
        fig.add_scatter(
            x=np.arange(1, len(values) + 1),
            y=values,
            name=_label(labels, key),
            mode="lines+markers",
            line=dict(color=color, width=2.5),
        )
    fig.update_xaxes(title=_label(labels, "step"))
    fig.update_yaxes(title=_label(labels, "norm"), type="log", exponentformat="power")
    return _layout(fig, 380)


def clipping_figure(runs: Sequence, names: Sequence[str], labels: Mapping[str, str] | None = None) -> go.Figure:
    """Loss per update (top) and the global gradient norm before (solid) and after (dotted) clipping (bottom),
    both on log scales; a diverged run ends with an x where its loss stopped being finite."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    for k, (run, name) in enumerate(zip(runs, names, strict=True)):
        color, u = CLIP_COLORS[k % len(CLIP_COLORS)], run.updates
        x = np.arange(1, len(u["loss"]) + 1)
        fig.add_scatter(
            x=x,
            y=_finite(u["loss"]),
            name=name,
            legendgroup=name,
            mode="lines",
            line=dict(color=color, width=1.5),
            row=1,
            col=1,
        )
        fig.add_scatter(
            x=x,
            y=_finite(u["grad_norm"]),
            name=f"{name} · {_label(labels, 'before')}",
            legendgroup=name,
            mode="lines",
            line=dict(color=color, width=1.5),
            showlegend=False,
            row=2,
            col=1,
        )
        if run.config.clip != "none":
            fig.add_scatter(
                x=x,
                y=_finite(u["clipped_norm"]),
                name=f"{name} · {_label(labels, 'after')}",
                legendgroup=name,
                mode="lines",
                line=dict(color=color, width=2.5, dash="dot"),
                showlegend=False,
                row=2,
                col=1,
            )
        if run.diverged:
            last = _last_finite(u["grad_norm"])
            fig.add_scatter(
                x=[run.diverged_update],
                y=[last],
                mode="markers+text",
                text=[_label(labels, "diverged")],
                textposition="top center",
                marker=dict(symbol="x", size=14, color=color),
                legendgroup=name,
                showlegend=False,
                row=2,
                col=1,
            )
    fig.update_yaxes(title=_label(labels, "loss"), type="log", exponentformat="power", row=1, col=1)
    fig.update_yaxes(title=_label(labels, "norm"), type="log", exponentformat="power", row=2, col=1)
    fig.update_xaxes(title=_label(labels, "update"), row=2, col=1)
    return _layout(fig, 640)


def _finite(values) -> np.ndarray:
    """NaN where a value is not finite or not positive (a log axis shows neither)."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def _last_finite(values) -> float:
    finite = _finite(values)
    finite = finite[np.isfinite(finite)]
    return float(finite[-1]) if finite.size else 1.0


def sweep_figure(points: Sequence, baseline: float | None, labels: Mapping[str, str] | None = None) -> go.Figure:
    """Test MSE against T per cell (mean over seeds, error bars ± one std; log scale) and the 1/6 line."""
    fig = go.Figure()
    cells = list(dict.fromkeys(p.cell for p in points))
    for cell in cells:
        mine = sorted((p for p in points if p.cell == cell), key=lambda p: p.steps)
        stats = [p.mean_std for p in mine]
        fig.add_scatter(
            x=[p.steps for p in mine],
            y=[m for m, _ in stats],
            name=CELL_NAMES.get(cell, cell),
            mode="lines+markers",
            error_y=dict(type="data", array=[s for _, s in stats], visible=True, thickness=1.5, width=6),
            line=dict(color=CELL_COLORS.get(cell, "#444444"), width=2.5),
            marker=dict(size=9),
            customdata=[[len(p.seeds)] for p in mine],
            hovertemplate="T = %{x}: %{y:.4f} (%{customdata[0]} " + _label(labels, "seeds") + ")",
        )
    if baseline is not None:
        fig.add_hline(
            y=baseline,
            line=dict(color="#444444", dash="dash", width=1.5),
            annotation_text=f"{_label(labels, 'baseline')} ≈ {baseline:.3f}",
            annotation_position="top left",
        )
    fig.update_xaxes(title=_label(labels, "steps"), type="log", tickvals=[5, 10, 20, 50, 100])
    fig.update_yaxes(
        title=_label(labels, "score"), type="log", exponentformat="power", range=_log_range(points, baseline)
    )
    return _layout(fig, 440)


def _log_range(points: Sequence, baseline: float | None) -> list[float] | None:
    """log10 y range holding every mean and the baseline line (Plotly's autorange ignores the line)."""
    values = [m for p in points for m in [p.mean_std[0]] if math.isfinite(m) and m > 0]
    values += [baseline] if baseline else []
    if not values:
        return None
    return [math.log10(min(values)) - 0.3, math.log10(max(values)) + 0.3]
