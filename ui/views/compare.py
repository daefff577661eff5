"""How the comparison page draws a comparison: sentences, tables, charts and the report."""

from __future__ import annotations

import streamlit as st

from core.compare import Comparison, baseline_frame, formula_frame, runs_frame, sentences, summary_frame
from core.figures.compare import loss_figure, metric_bars_figure, predictions_figure
from core.i18n import text
from ui.common import lang

RESULT_FOR = "compare.result_for"


def figure_labels(result: Comparison, t) -> dict[str, str]:
    labels = {k: t(f"axis_{k}") for k in ("date", "price", "epoch")} | {"loss_axis": t("axis_loss"), "real": t("real")}
    course = result.config.task == "price" and result.config.mode == "course"
    labels |= {"loss": t("curve_loss"), "val_loss": t("curve_test_loss" if course else "curve_val_loss")}
    labels |= {m: t(f"metric_{m}") for m in result.config.metrics}
    labels |= {name: text("forecast", f"short_{name}", lang()) for name in ("persistence", "drift", "previous_close")}
    return labels | {"accuracy": t("col_accuracy"), "accuracy_axis": t("col_accuracy")}


def figures(result: Comparison, t) -> list[tuple[str, object, str]]:
    """(heading, figure, caption) of every chart the comparison shows, in order."""
    labels, out = figure_labels(result, t), []
    if result.config.task == "price":
        fig = predictions_figure(
            result.eval_dates, result.actual, result.predictions_by_cell(), result.baselines, labels
        )
        out.append((t("predictions_heading"), fig, t("predictions_caption")))
    out.append((t("loss_heading"), loss_figure(result.histories_by_cell(), labels=labels), t("loss_caption")))
    if result.config.task == "letters":
        fig = loss_figure(result.histories_by_cell(), ("accuracy",), labels, log_y=False, y_title="accuracy_axis")
        out.append(("", fig, ""))
    bars_caption = t("memory_bars_caption" if result.config.task == "memory" else "bars_caption")
    out.append((t("bars_heading"), metric_bars_figure(result.stats(), labels, result.references()), bars_caption))
    return out


def report_html(result: Comparison, t) -> str:
    import dataclasses

    from core.report import Section, html_report

    tables = [summary_frame(result, lang()), formula_frame(result, lang())]
    tables += [baseline_frame(result, lang())] if result.config.task == "price" else []
    charts = [fig for _, fig, _ in figures(result, t)]
    sections = [Section(t("results_heading"), sentences(result, lang()), tables, charts)]
    return html_report(t("heading"), sections, dataclasses.asdict(result.config), t("report_provenance"), lang())


def show_comparison(result: Comparison, settings, t) -> None:
    st.header(t("results_heading"), anchor="result")
    if st.session_state.get(RESULT_FOR) != settings:
        st.info(t("stale"))
    st.download_button(
        t("download_report"),
        lambda: report_html(result, t),
        file_name="comparison_report.html",
        mime="text/html",
        on_click="ignore",
        key="compare.dl_report",
        icon=":material/description:",
    )
    st.subheader(t("sentences_heading"))
    st.markdown("\n".join(f"- {s}" for s in sentences(result, lang())))
    st.subheader(t("table_heading"))
    table = summary_frame(result, lang())
    st.dataframe(table, hide_index=True, width="stretch", key="compare.table")
    st.download_button(
        t("download"),
        table.to_csv(index=False).encode("utf-8"),
        "comparison.csv",
        "text/csv",
        key="compare.download",
        on_click="ignore",
    )
    for k, (heading, fig, caption) in enumerate(figures(result, t)):
        if heading:
            st.subheader(heading)
        st.plotly_chart(fig, key=f"compare.figure{k}")
        if caption:
            st.caption(caption)
    st.subheader(t("formula_heading"))
    st.dataframe(formula_frame(result, lang()), hide_index=True, width="stretch")
    st.caption(t("formula_caption"))
    if result.config.task == "price":
        st.subheader(t("baselines_heading"))
        st.dataframe(baseline_frame(result, lang()), width="stretch")
    with st.expander(t("runs_heading")):
        st.dataframe(runs_frame(result, lang()), hide_index=True, width="stretch")
