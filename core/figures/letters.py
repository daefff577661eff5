"""Figures of the letter page: accuracy and loss curves, next-letter probability bars, and the
learned letter vectors (Embedding) as a scatter. Inputs are plain data; nothing here trains."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

ACCURACY_COLOR, LOSS_COLOR = "#2563eb", "#dc2626"
BAR_COLOR, TOP_COLOR = "#94a3b8", "#16a34a"
DEFAULT_LABELS: dict[str, str] = {
    "accuracy": "training accuracy",
    "loss": "training loss",
    "epoch": "epoch",
    "probability": "probability",
    "letter": "next letter",
    "continued": "continued",
}


def _label(labels: Mapping[str, str] | None, key: str) -> str:
    return (labels or {}).get(key, DEFAULT_LABELS[key])


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        template="plotly_white",
        font=dict(size=15),
        showlegend=False,
    )
    return fig


def curves_figure(
    history: Mapping[str, Sequence[float]], resumed_at: Sequence[int] = (), labels: Mapping[str, str] | None = None
) -> go.Figure:
    """Accuracy (left) and loss (right) per epoch, like the course's two subplots.

    `resumed_at` lists the epochs after which training was continued (drawn as dotted lines).
    """
    titles = (_label(labels, "accuracy"), _label(labels, "loss"))
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.08)
    for col, (key, color) in enumerate((("accuracy", ACCURACY_COLOR), ("loss", LOSS_COLOR)), start=1):
        values = list(history.get(key, []))
        epochs = list(range(1, len(values) + 1))
        fig.add_scatter(x=epochs, y=values, mode="lines", line=dict(color=color, width=3), name=titles[col - 1],
                        row=1, col=col)  # fmt: skip
        fig.update_xaxes(title_text=_label(labels, "epoch"), row=1, col=col)
        for epoch in resumed_at:
            fig.add_vline(x=epoch + 0.5, line=dict(color="#64748b", dash="dot"), row=1, col=col)
    fig.update_yaxes(range=[-0.02, 1.05], tickformat=".0%", row=1, col=1)
    fig.update_yaxes(rangemode="tozero", row=1, col=2)
    return _layout(fig, 340)


def probability_figure(probabilities: Mapping[str, float], labels: Mapping[str, str] | None = None) -> go.Figure:
    """One bar per letter of the alphabet; the most likely letter is green and labelled."""
    letters = list(probabilities)
    values = np.array([probabilities[ch] for ch in letters], dtype=float)
    top = int(np.argmax(values)) if len(values) else -1
    colors = [TOP_COLOR if i == top else BAR_COLOR for i in range(len(letters))]
    text = [f"{v:.0%}" if v >= 0.005 else "" for v in values]
    fig = go.Figure(go.Bar(x=letters, y=values, marker_color=colors, text=text, textposition="outside",
                           cliponaxis=False, hovertemplate="%{x}: %{y:.3f}<extra></extra>"))  # fmt: skip
    fig.update_xaxes(title_text=_label(labels, "letter"), type="category", tickmode="array", tickvals=letters,
                     ticktext=letters, tickfont=dict(size=17 if len(letters) <= 26 else 12))  # fmt: skip
    fig.update_yaxes(title_text=_label(labels, "probability"), range=[0, 1.12], tickformat=".0%")
    fig.update_layout(uniformtext_minsize=13, uniformtext_mode="show")  # no shrunken label on the top bar
    return _layout(fig, 340)


def embedding_figure(letters: str, coords: np.ndarray, axis_titles: tuple[str, str] = ("x", "y")) -> go.Figure:
    """Each letter at its learned 2-D vector (or its projection), labelled with the letter."""
    coords = np.asarray(coords, dtype=float).reshape(len(letters), 2)
    fig = go.Figure(go.Scatter(x=coords[:, 0], y=coords[:, 1], mode="markers+text", text=list(letters),
                               textposition="top center", textfont=dict(size=18),
                               marker=dict(size=11, color=np.arange(len(letters)), colorscale="Viridis"),
                               hovertemplate="%{text}: (%{x:.3f}, %{y:.3f})<extra></extra>"))  # fmt: skip
    fig.update_xaxes(title_text=axis_titles[0], zeroline=True)
    fig.update_yaxes(title_text=axis_titles[1], zeroline=True, scaleanchor="x", scaleratio=1)
    return _layout(fig, 460)
