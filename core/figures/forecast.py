"""Figures of the forecasting page: predicted against real prices with the baselines, and the losses.

Functions take plain arrays and labels, so they can be tested without training anything.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

REAL, MODEL, FUTURE = "#111827", "#dc2626", "#7c3aed"
BASELINE_STYLE: dict[str, tuple[str, str]] = {
    "persistence": ("#2563eb", "dot"),
    "drift": ("#059669", "dashdot"),
    "previous_close": ("#d97706", "dash"),
}
DEFAULT_LABELS: dict[str, str] = {
    "date": "date",
    "price": "price",
    "real": "real",
    "model": "model",
    "future": "forecast (not scored)",
    "epoch": "epoch",
    "loss": "loss (MSE, log scale)",
    "train_loss": "training loss",
    "val_loss": "validation loss",
    "title": "",
    "series": "target",
    "validation": "validation",
    "test": "test",
    "scored": "scored days",
}
SPLIT_SHADES = {"validation": "#f59e0b", "test": "#6b7280", "scored": "#dc2626"}


def prediction_figure(
    dates: pd.DatetimeIndex,
    actual: np.ndarray,
    predicted: np.ndarray,
    baselines: Mapping[str, np.ndarray],
    *,
    future: pd.Series | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Real prices, the model and every baseline on the scored days; an optional shaded forecast."""
    lab = DEFAULT_LABELS | dict(labels or {})
    fig = go.Figure()
    fig.add_scatter(x=dates, y=actual, name=lab["real"], line=dict(color=REAL, width=2.5))
    for name, values in baselines.items():
        color, dash = BASELINE_STYLE.get(name, ("#6b7280", "dot"))
        fig.add_scatter(x=dates, y=values, name=lab.get(name, name), line=dict(color=color, dash=dash, width=1.4),
                        opacity=0.85)  # fmt: skip
    fig.add_scatter(x=dates, y=predicted, name=lab["model"], line=dict(color=MODEL, width=2.2))
    if future is not None and len(future):
        _add_future(fig, dates[-1], float(actual[-1]), future, lab["future"])
    fig.update_layout(
        title=lab["title"] or None, xaxis_title=lab["date"], yaxis_title=lab["price"], hovermode="x unified",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0), margin=dict(l=10, r=10, t=60, b=10),
        height=460, font=dict(size=15),
    )  # fmt: skip
    return fig


def _add_future(fig: go.Figure, last_date, last_value: float, future: pd.Series, label: str) -> None:
    """The forecast past the data: a shaded band behind it and a dashed line from the last real day."""
    fig.add_vrect(x0=last_date, x1=future.index[-1], fillcolor=FUTURE, opacity=0.08, line_width=0,
                  annotation_text=label, annotation_position="top left")  # fmt: skip
    xs = [last_date, *future.index]
    ys = [last_value, *future.to_numpy()]
    fig.add_scatter(x=xs, y=ys, name=label, mode="lines+markers", line=dict(color=FUTURE, dash="dash", width=2))


def loss_figure(history: Mapping[str, list[float]], *, labels: Mapping[str, str] | None = None) -> go.Figure:
    """Training loss and the second curve (validation loss, or the course's test loss), log scale."""
    lab = DEFAULT_LABELS | dict(labels or {})
    fig = go.Figure()
    for key, color, label in (("loss", "#2563eb", lab["train_loss"]), ("val_loss", "#dc2626", lab["val_loss"])):
        values = history.get(key)
        if values:
            fig.add_scatter(x=np.arange(1, len(values) + 1), y=values, name=label, mode="lines+markers",
                            line=dict(color=color, width=2))  # fmt: skip
    epochs = max((len(v) for v in history.values()), default=1)
    fig.update_xaxes(dtick=max(1, -(-epochs // 10)), tick0=1)  # whole epochs only
    fig.update_layout(
        xaxis_title=lab["epoch"], yaxis_title=lab["loss"], yaxis_type="log", height=360, hovermode="x unified",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0), margin=dict(l=10, r=10, t=40, b=10),
        font=dict(size=15),
    )  # fmt: skip
    return fig


def split_figure(view, *, labels: Mapping[str, str] | None = None) -> go.Figure:
    """The chosen series with the rows each part of the pipeline uses shaded (a core.forecast.SplitView).

    The shaded parts are filled traces, so the legend names them (narrow parts keep readable labels).
    """
    lab = DEFAULT_LABELS | dict(labels or {})
    fig = go.Figure()
    low, high = float(np.nanmin(view.values)), float(np.nanmax(view.values))
    pad = (high - low) * 0.04 or 1.0
    low, high = low - pad, high + pad
    spans = [("test", view.test_start, view.eval_start), ("scored", view.eval_start, view.dates[-1])]
    if view.val_start is not None:
        spans.insert(0, ("validation", view.val_start, view.test_start))
    for part, x0, x1 in spans:
        if x1 > x0:
            fig.add_scatter(x=[x0, x0, x1, x1, x0], y=[low, high, high, low, low], fill="toself", mode="none",
                            fillcolor=SPLIT_SHADES[part], opacity=0.18, name=lab[part], hoverinfo="skip")  # fmt: skip
    fig.add_scatter(x=view.dates, y=view.values, name=lab["series"], mode="lines", line=dict(color=REAL, width=1.3),
                    hovertemplate="%{x|%Y-%m-%d}: %{y:,.2f}<extra></extra>")  # fmt: skip
    fig.update_layout(
        xaxis_title=lab["date"], yaxis_title=lab["price"], height=320, hovermode="closest",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0), margin=dict(l=10, r=10, t=40, b=10),
        font=dict(size=14), xaxis_range=[view.dates[0], view.dates[-1]], yaxis_range=[low, high],
    )  # fmt: skip
    return fig
