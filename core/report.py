"""One self-contained HTML report of a result: headings, sentences, tables, interactive charts.

The report carries Plotly's JavaScript once, inline (it opens offline, years later), escapes every
text it is given (file names and column names are data, never markup), and prints cleanly: a print
style sheet keeps charts and tables whole on a page. Pages pass what they show; nothing here trains.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

PRINT_CSS = """
body { font-family: system-ui, "Noto Sans CJK SC", "Noto Sans", sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #111827; line-height: 1.5; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; } h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .92rem; }
th, td { border: 1px solid #d1d5db; padding: .25rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.meta { color: #4b5563; font-size: .9rem; } .chart { margin: 1rem 0; }
@media print { body { margin: 0; max-width: none; } .chart, table, h2 { break-inside: avoid; } }
"""


@dataclass
class Section:
    """One part of the report: a heading, sentences, tables and charts, in that order."""

    heading: str
    sentences: list[str] = field(default_factory=list)  # plain text (escaped)
    tables: list[pd.DataFrame] = field(default_factory=list)
    figures: list = field(default_factory=list)  # plotly figures


def html_report(title: str, sections: list[Section], settings: dict, provenance: str, lang: str = "en") -> str:
    """The whole report as one HTML page (about 4 MB: Plotly's script is inside it)."""
    import plotly.io as pio

    parts = [f"<h1>{html.escape(title)}</h1>", f'<p class="meta">{html.escape(provenance)}</p>']
    first_chart = True
    for section in sections:
        parts.append(f"<h2>{html.escape(section.heading)}</h2>")
        parts += [f"<p>{html.escape(sentence)}</p>" for sentence in section.sentences]
        parts += [table.to_html(float_format=lambda v: f"{v:,.4g}", border=0) for table in section.tables]
        for fig in section.figures:
            script = "inline" if first_chart else False  # the library once, then only the charts
            first_chart = False
            chart = pio.to_html(fig, include_plotlyjs=script, full_html=False, config={"displaylogo": False})
            parts.append(f'<div class="chart">{chart}</div>')
    rows = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>" for k, v in settings.items()
    )
    parts.append(f"<h2>{html.escape(_settings_heading(lang))}</h2><table>{rows}</table>")
    made = datetime.now().strftime("%Y-%m-%d %H:%M")
    parts.append(f'<p class="meta">RNN Lab · {made}</p>')
    head = f'<meta charset="utf-8"><title>{html.escape(title)}</title><style>{PRINT_CSS}</style>'
    return f'<!DOCTYPE html><html lang="{"zh" if lang == "zh" else "en"}"><head>{head}</head><body>{"".join(parts)}</body></html>'


def _settings_heading(lang: str) -> str:
    from core.i18n import text

    return text("common", "report_settings", lang)
