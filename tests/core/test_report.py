"""The HTML report: self-contained, escaped, printable."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.report import Section, html_report


def test_report_holds_everything_once_and_escapes_file_text():
    figure = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="<b>model</b>"))
    table = pd.DataFrame({"RMSE": [1.5]}, index=["<script>x</script>"])
    page = html_report(
        "<em>evil.csv</em> · LSTM",
        [Section("Results", ["A <i>sentence</i>."], [table], [figure, figure])],
        {"window": 20, "target": "<img src=x>"},
        "Data: upload: <em>evil.csv</em>",
        lang="zh",
    )
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh">' in page
    assert "<em>evil" not in page and "&lt;em&gt;evil.csv&lt;/em&gt;" in page
    assert "<script>x</script>" not in page and "<img src=x>" not in page
    assert page.count("Plotly.newPlot") == 2 and page.count("plotly.js v") == 1  # the library once, inline
    assert "@media print" in page and "设置" in page  # printable; the settings heading in the page's language
    assert "http" not in page.split("<body>", 1)[1].split("Plotly.newPlot")[0][:200]
