"""Figures of the text lab: the model beside the n-gram baselines, loss against optimizer steps (with
the cookbook's reported points), the top next characters, and the attention heat map. Inputs are
plain data; labels come from the page (its language)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

MODEL_COLOR, BASELINE_COLOR, HELD_COLOR, REPORTED_COLOR = "#dc2626", "#94a3b8", "#1d4ed8", "#059669"
DEFAULT_LABELS = {
    "nats": "nats per character (held-out)",
    "model": "this model",
    "steps": "optimizer steps",
    "loss": "training loss",
    "val_loss": "held-out loss",
    "reported": "cookbook (reported validation loss)",
    "probability": "probability",
    "character": "next character",
    "input": "input character",
    "output": "output character",
}


def _label(labels: Mapping[str, str] | None, key: str) -> str:
    return (labels or {}).get(key, DEFAULT_LABELS[key])


def _layout(fig: go.Figure, height: int, legend: bool = False) -> go.Figure:
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        template="plotly_white",
        font=dict(size=15),
        showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return fig


def baselines_figure(
    baselines: Mapping[str, float], model: float | None, names: Mapping[str, str], labels=None
) -> go.Figure:
    """Horizontal bars: every baseline's held-out nats/char and the model's (red), lower is better."""
    rows = sorted(baselines.items(), key=lambda kv: -kv[1])
    if model is not None:
        rows = sorted([*rows, ("__model__", model)], key=lambda kv: -kv[1])
    shown = [_label(labels, "model") if k == "__model__" else names.get(k, k) for k, _ in rows]
    colors = [MODEL_COLOR if k == "__model__" else BASELINE_COLOR for k, _ in rows]
    fig = go.Figure(
        go.Bar(
            x=[v for _, v in rows],
            y=shown,
            orientation="h",
            marker_color=colors,
            text=[f"{v:.3f}" for _, v in rows],
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_xaxes(title_text=_label(labels, "nats"), range=[0, max(v for _, v in rows) * 1.15])
    return _layout(fig, 60 + 38 * len(rows))


def steps_curve_figure(
    history: Mapping[str, Sequence[float]],
    steps_per_epoch: int,
    reference: Mapping[str, float] | None = None,
    reported: Sequence[tuple[int, float]] = (),
    labels=None,
) -> go.Figure:
    """Training and held-out loss against optimizer steps; dotted lines for `reference` baselines
    (name -> nats/char) and the cookbook's reported points (step, validation loss) on a log axis."""
    fig = go.Figure()
    for key, color, dash in (("loss", MODEL_COLOR, "solid"), ("val_loss", HELD_COLOR, "dash")):
        values = list(history.get(key, []))
        if values:
            x = [steps_per_epoch * (k + 1) for k in range(len(values))]
            mode = "lines+markers" if len(values) < 40 else "lines"
            line = dict(color=color, dash=dash, width=3)
            fig.add_trace(go.Scatter(x=x, y=values, name=_label(labels, key), mode=mode, line=line))
    if reported:
        steps, losses = zip(*reported, strict=True)
        marker = dict(color=REPORTED_COLOR, size=12, symbol="diamond")
        fig.add_trace(
            go.Scatter(x=steps, y=losses, name=_label(labels, "reported"), mode="markers+lines", marker=marker)
        )
        fig.update_xaxes(type="log")
    for name, value in (reference or {}).items():
        fig.add_hline(y=value, line_dash="dot", line_color=BASELINE_COLOR, annotation_text=f"{name} {value:.2f}")
    fig.update_xaxes(title_text=_label(labels, "steps"))
    fig.update_yaxes(title_text=_label(labels, "nats"))
    return _layout(fig, 300, legend=True)


def top_figure(top: Sequence[tuple[str, float]], chosen: str, labels=None) -> go.Figure:
    """Bars of the likeliest next characters; the one written there in green."""
    visible = {" ": "␣", "\n": "⏎"}  # a space or a line break would draw an empty label
    shown = [visible.get(ch, repr(ch)[1:-1] if ch.isspace() else ch) for ch, _ in top]
    colors = ["#16a34a" if ch == chosen else BASELINE_COLOR for ch, _ in top]
    fig = go.Figure(go.Bar(x=shown, y=[p for _, p in top], marker_color=colors, text=[f"{p:.0%}" for _, p in top]))
    fig.update_xaxes(title_text=_label(labels, "character"), type="category")
    fig.update_yaxes(title_text=_label(labels, "probability"), range=[0, 1.05])
    return _layout(fig, 260)


def attention_figure(weights: np.ndarray, source: str, steps: Sequence[str], labels=None) -> go.Figure:
    """Heat map: row t = where output character t looked (each row sums to 1) over the input characters."""
    columns = [f"{i}:{ch}" for i, ch in enumerate(source)]  # distinct labels even when characters repeat
    rows = [f"{i}:{ch}" for i, ch in enumerate(steps)]
    fig = go.Figure(
        go.Heatmap(
            z=np.asarray(weights, dtype=float),
            x=columns,
            y=rows,
            colorscale="Blues",
            zmin=0,
            zmax=1,
            hovertemplate="%{y} ← %{x}: %{z:.2f}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=_label(labels, "input"), type="category", tickangle=0)
    fig.update_yaxes(title_text=_label(labels, "output"), type="category", autorange="reversed")
    return _layout(fig, 120 + 22 * len(rows))
