"""The live training chart drawn under every progress bar: one line per curve, per epoch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

# Distinct colours (training red, validation blue, then others) that also differ in lightness.
CURVE_COLORS: tuple[str, ...] = ("#dc2626", "#1d4ed8", "#059669", "#d97706", "#7c3aed")
CURVE_DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash")


def live_curves_figure(
    history: Mapping[str, Sequence[float]],
    curves: Sequence[str],
    names: Mapping[str, str],
    axes: tuple[str, str] = ("epoch", "value"),
    log_y: bool = False,
) -> go.Figure:
    """Each of `curves` present in `history` against its epoch, with axis titles and a legend."""
    fig = go.Figure()
    for k, key in enumerate(c for c in curves if history.get(c)):
        values = list(history[key])
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(values) + 1)),
                y=values,
                name=names.get(key, key),
                mode="lines+markers" if len(values) < 30 else "lines",
                line=dict(color=CURVE_COLORS[k % len(CURVE_COLORS)], dash=CURVE_DASHES[k % len(CURVE_DASHES)], width=3),
            )
        )
    fig.update_layout(
        height=240,
        margin=dict(l=10, r=10, t=10, b=10),
        template="plotly_white",
        font=dict(size=14),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        xaxis_title=axes[0],
        yaxis_title=axes[1],
    )
    if log_y:
        fig.update_yaxes(type="log")
    return fig
