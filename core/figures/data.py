"""Figures of the data page: a price history as candlesticks (or a line) with a range slider."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

OHLC = ("open", "high", "low", "close")


def plain(text: str) -> str:
    """File text (column names, tickers, file names) for Plotly, which renders some HTML tags."""
    return html.escape(str(text), quote=False)


def price_figure(frame: pd.DataFrame, target: str, title: str = "", labels: dict[str, str] | None = None) -> go.Figure:
    """Candlesticks when open/high/low/close are all there, plus the target as a line; else the target alone.

    `labels` maps names to display names ("ohlc", "target", "date", "price"); missing ones show as is.
    """
    labels = labels or {}
    fig = go.Figure()
    if all(c in frame.columns for c in OHLC):
        fig.add_trace(
            go.Candlestick(
                x=frame.index, open=frame["open"], high=frame["high"], low=frame["low"], close=frame["close"],
                name=labels.get("ohlc", "open / high / low / close"),
                increasing_line_color="#2e7d32", decreasing_line_color="#c62828",
            )
        )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=frame.index, y=frame[target], mode="lines", name=plain(labels.get("target", target)),
            line={"color": "#1565c0", "width": 1.2},
            hovertemplate="%{x|%Y-%m-%d}: %{y:,.2f}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_layout(
        title={"text": plain(title), "x": 0.01},
        height=560,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
        xaxis={
            "rangeslider": {"visible": True, "thickness": 0.08},
            "type": "date",
            "title": labels.get("date", "date"),
        },
        yaxis={"title": labels.get("price", "price"), "fixedrange": False},
        hovermode="x unified",
    )
    return fig
