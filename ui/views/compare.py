"""How the comparison page draws a finished comparison: sentences, the table, predictions (prices), curves
(loss; accuracy for letters), metric bars with the baseline line, parameter formulas, baselines, every run."""

from __future__ import annotations

import streamlit as st

from core.compare import baseline_frame, formula_frame, runs_frame, sentences, summary_frame
from core.figures.compare import loss_figure, metric_bars_figure, predictions_figure
from ui.common import lang


def chart_labels(result, t) -> dict[str, str]:
    """Axis, curve and metric names in the page's language."""
    labels = {k: t(f"axis_{k}") for k in ("date", "price", "epoch")} | {"loss_axis": t("axis_loss"), "real": t("real")}
    course = result.config.task == "price" and result.config.mode == "course"
    labels |= {"loss": t("curve_loss"), "val_loss": t("curve_test_loss" if course else "curve_val_loss")}
    return labels | {m: t(f"metric_{m}") for m in result.config.metrics}


def show_comparison(result, t) -> None:
    task = result.config.task
    st.subheader(t("sentences_heading"))
    st.markdown("\n".join(f"- {s}" for s in sentences(result, lang())))
    st.subheader(t("table_heading"))
    table = summary_frame(result, lang())
    st.dataframe(table, hide_index=True, width="stretch", key="compare.table")
    st.download_button(t("download"), table.to_csv(index=False).encode("utf-8"), "comparison.csv", "text/csv",
                       key="compare.download", on_click="ignore")  # fmt: skip
    labels = chart_labels(result, t)
    if task == "price":
        st.subheader(t("predictions_heading"))
        fig = predictions_figure(
            result.eval_dates, result.actual, result.predictions_by_cell(), result.baselines, labels
        )
        st.plotly_chart(fig, key="compare.predictions")
        st.caption(t("predictions_caption"))
    st.subheader(t("loss_heading"))
    st.plotly_chart(loss_figure(result.histories_by_cell(), labels=labels), key="compare.loss")
    st.caption(t("loss_caption"))
    if task == "letters":
        labels |= {"accuracy": t("col_accuracy"), "accuracy_axis": t("col_accuracy")}
        fig = loss_figure(result.histories_by_cell(), ("accuracy",), labels, log_y=False, y_title="accuracy_axis")
        st.plotly_chart(fig, key="compare.accuracy")
    st.subheader(t("bars_heading"))
    st.plotly_chart(metric_bars_figure(result.stats(), labels, result.references()), key="compare.bars")
    st.caption(t("memory_bars_caption" if task == "memory" else "bars_caption"))
    st.subheader(t("formula_heading"))
    st.dataframe(formula_frame(result, lang()), hide_index=True, width="stretch")
    st.caption(t("formula_caption"))
    if task == "price":
        st.subheader(t("baselines_heading"))
        st.dataframe(baseline_frame(result), width="stretch")
    with st.expander(t("runs_heading")):
        st.dataframe(runs_frame(result, lang()), hide_index=True, width="stretch")
