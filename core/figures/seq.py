"""Figures of the Sequence lab: lines on a shared axis (forecasts beside baselines, RMSE per horizon).

Inputs are plain arrays and already translated names, so the functions can be tested without a model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

# Line styles by role: the data, the model, baselines (dashed), statistical references (dotted).
STYLES: dict[str, dict] = {
    "actual": dict(color="#222222", width=2.5),
    "model": dict(color="#d62728", width=2.5),
    "baseline": dict(width=1.6, dash="dash"),
    "reference": dict(width=1.6, dash="dot"),
    "input": dict(color="#7f7f7f", width=1.6),
}


def lines_figure(
    x: Sequence,
    lines: Mapping[str, tuple[np.ndarray, str]],
    x_title: str,
    y_title: str,
    height: int = 360,
    markers: bool = False,
) -> go.Figure:
    """One trace per entry name -> (values (len(x),), role); role picks the line style (STYLES)."""
    fig = go.Figure()
    for name, (values, role) in lines.items():
        mode = "lines+markers" if markers and role in ("actual", "model") else "lines"
        fig.add_trace(go.Scatter(x=list(x), y=np.asarray(values, dtype=float), name=name, mode=mode, line=STYLES[role]))
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=20, b=10),
        template="plotly_white",
        font=dict(size=14),
        legend=dict(orientation="h", yanchor="top", y=-0.18, x=0),
        xaxis_title=x_title,
        yaxis_title=y_title,
    )
    return fig


def window_figure(
    input_x: Sequence,
    input_values: np.ndarray,
    output_x: Sequence,
    outputs: Mapping[str, tuple[np.ndarray, str]],
    names: Mapping[str, str],
    height: int = 300,
) -> go.Figure:
    """One example window: its input part, then the actual continuation beside each forecast of it.

    names: "input", "x_title", "y_title" (translated)."""
    lines = {names["input"]: (np.asarray(input_values, dtype=float), "input")}
    fig = lines_figure(input_x, lines, names["x_title"], names["y_title"], height)
    for name, (values, role) in outputs.items():
        fig.add_trace(go.Scatter(x=list(output_x), y=np.asarray(values, dtype=float), name=name, line=STYLES[role]))
    return fig
