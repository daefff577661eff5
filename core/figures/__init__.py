"""Plotly figures, one module per page. A figure function takes data and returns a figure."""
