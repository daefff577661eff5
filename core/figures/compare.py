"""Figures of the architecture comparison: predictions together, loss curves together, metric bars.

Inputs are plain arrays and dicts keyed by cell ("rnn", "lstm", "gru", "dense"), one entry per
seed where seeds matter, so the functions can be tested on synthetic data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.models import CELL_LABELS

CELL_NAMES = CELL_LABELS  # one set of model names (core.models)
CELL_COLORS: dict[str, str] = {
    "rnn": "#1f77b4",
    "lstm": "#d62728",
    "gru": "#2ca02c",
    "dense": "#9467bd",
    "peephole": "#ff7f0e",
    "conv1d": "#8c564b",
}
BASELINE_DASHES: tuple[str, ...] = ("dash", "dot", "dashdot")
DEFAULT_LABELS: dict[str, str] = {
    "date": "date",
    "price": "price",
    "epoch": "epoch",
    "loss_axis": "loss (log scale)",
    "loss": "training",
    "val_loss": "validation",
    "real": "real",
}


def _label(labels: Mapping[str, str] | None, key: str) -> str:
    return (labels or {}).get(key, DEFAULT_LABELS.get(key, key))


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _layout(fig: go.Figure, height: int, top: int = 30) -> go.Figure:
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=top, b=10),
        template="plotly_white",
        font=dict(size=15),
        legend=dict(orientation="h", yanchor="top", y=-0.16, x=0),  # below: the tool bar sits on top
    )
    return fig


def predictions_figure(
    dates: Sequence,
    actual: np.ndarray,
    predictions: Mapping[str, np.ndarray],
    baselines: Mapping[str, np.ndarray],
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """One panel per model (shared dates): the real prices, the model's mean prediction over seeds with
    a min-max band, and the baselines. Models that land on the same line stay visible side by side.

    `predictions[cell]` is (seeds, days) or (days,); `baselines[name]` is (days,).
    """
    x, names = list(dates), list(predictions)
    fig = make_subplots(
        rows=len(names),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.04,
        subplot_titles=[CELL_NAMES.get(c, c) for c in names],
    )
    for row, cell in enumerate(names, start=1):
        first = row == 1  # one legend entry per kind of line
        for k, (name, values) in enumerate(baselines.items()):
            fig.add_scatter(
                x=x,
                y=np.asarray(values, float),
                name=(labels or {}).get(name, name.replace("_", " ")),
                mode="lines",
                line=dict(color="#8c8c8c", width=1.3, dash=BASELINE_DASHES[k % len(BASELINE_DASHES)]),
                legendgroup=name,
                showlegend=first,
                row=row,
                col=1,
            )
        seeds = np.atleast_2d(np.asarray(predictions[cell], float))  # (seeds, days)
        color = CELL_COLORS.get(cell, "#444444")
        if len(seeds) > 1:  # band from the lowest to the highest seed
            fig.add_scatter(
                x=x,
                y=seeds.max(axis=0),
                mode="lines",
                line=dict(width=0),
                showlegend=False,
                hoverinfo="skip",
                row=row,
                col=1,
            )
            fig.add_scatter(
                x=x,
                y=seeds.min(axis=0),
                mode="lines",
                line=dict(width=0),
                fill="tonexty",
                fillcolor=_rgba(color, 0.2),
                showlegend=False,
                hoverinfo="skip",
                row=row,
                col=1,
            )
        fig.add_scatter(
            x=x,
            y=seeds.mean(axis=0),
            name=CELL_NAMES.get(cell, cell),
            mode="lines",
            line=dict(color=color, width=2),
            row=row,
            col=1,
        )
        fig.add_scatter(
            x=x,
            y=np.asarray(actual, float),
            name=_label(labels, "real"),
            mode="lines",
            line=dict(color="black", width=2),
            legendgroup="real",
            showlegend=first,
            row=row,
            col=1,
        )
        fig.update_yaxes(title=_label(labels, "price"), row=row, col=1)
    fig.update_xaxes(title=_label(labels, "date"), row=len(names), col=1)
    return _layout(fig, 120 + 190 * len(names), top=40)


def loss_figure(
    histories: Mapping[str, Sequence[Mapping[str, Sequence[float]]]],
    keys: Sequence[str] = ("loss", "val_loss"),
    labels: Mapping[str, str] | None = None,
    log_y: bool = True,
    y_title: str = "loss_axis",
) -> go.Figure:
    """Every model's curves on one chart (loss: log scale): one colour per cell, one line per seed.

    `histories[cell]` is a list of per-seed histories ({"loss": [...], "val_loss": [...]}).
    """
    fig = go.Figure()
    dashes = {keys[0]: "solid", **{k: "dot" for k in keys[1:]}}
    for cell, runs in histories.items():
        color, name = CELL_COLORS.get(cell, "#444444"), CELL_NAMES.get(cell, cell)
        for k, history in enumerate(runs):
            for key in keys:
                values = list(history.get(key, []))
                if not values:
                    continue
                fig.add_scatter(
                    x=list(range(1, len(values) + 1)),
                    y=values,
                    mode="lines",
                    legendgroup=cell,
                    name=f"{name} · {_label(labels, key)}",
                    showlegend=k == 0,
                    line=dict(color=color, width=1.8, dash=dashes[key]),
                    opacity=0.85,
                )
    longest = max((len(h.get(k, [])) for runs in histories.values() for h in runs for k in keys), default=1)
    fig.update_xaxes(title=_label(labels, "epoch"), tick0=1, dtick=max(1, math.ceil(longest / 10)))
    fig.update_yaxes(title=_label(labels, y_title), type="log" if log_y else "linear")
    return _layout(fig, 420)


def metric_bars_figure(
    stats: Mapping[str, Mapping[str, tuple[float, float]]],
    labels: Mapping[str, str] | None = None,
    references: Mapping[str, tuple[float, str]] | None = None,
) -> go.Figure:
    """One panel per metric, one bar per cell at the mean, error bars of ± one standard deviation.

    `stats[metric][cell]` is (mean, std); `references[metric]` = (value, label) draws a dashed
    line, e.g. the best baseline's RMSE, so a bar can be read against "doing nothing".
    """
    metrics = list(stats)
    fig = make_subplots(rows=1, cols=max(1, len(metrics)), subplot_titles=[_label(labels, m) for m in metrics])
    for col, metric in enumerate(metrics, start=1):
        cells = list(stats[metric])
        means = [stats[metric][c][0] for c in cells]
        stds = [stats[metric][c][1] for c in cells]
        fig.add_bar(
            x=[CELL_NAMES.get(c, c) for c in cells],
            y=means,
            showlegend=False,
            marker_color=[CELL_COLORS.get(c, "#444444") for c in cells],
            error_y=dict(type="data", array=stds, visible=True, thickness=2, width=8, color="#222222"),
            text=[f"{m:.4g}" for m in means],
            textposition="inside",
            insidetextanchor="middle",
            textangle=0,
            textfont=dict(color="white", size=12),
            row=1,
            col=col,
        )
        if references and metric in references:
            value, name = references[metric]
            label = (labels or {}).get(name, name.replace("_", " "))
            note = (
                {
                    "annotation_text": label,
                    "annotation_position": "top right",
                    "annotation_bgcolor": "rgba(255,255,255,0.85)",
                }
                if col == 1
                else {}
            )
            fig.add_hline(y=value, line=dict(color="#444444", dash="dash", width=1.5), row=1, col=col, **note)
    return _layout(fig, 420, top=64)  # room for the panel titles under Plotly's tool bar
