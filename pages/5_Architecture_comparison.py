"""Architecture comparison: SimpleRNN vs LSTM vs GRU (and a dense reference) over several seeds."""

from __future__ import annotations

import streamlit as st

from core.compare import (
    LETTER_CELLS,
    LETTER_TASKS,
    PRICE_CELLS,
    CompareConfig,
    baseline_frame,
    default_epochs,
    formula_frame,
    run_comparison,
    runs_frame,
    sentences,
    summary_frame,
)
from core.figures.compare import loss_figure, metric_bars_figure, predictions_figure
from core.i18n import text
from core.models import CELL_LABELS, MODES
from ui.common import lang, setup_page
from ui.data_picker import data_picker, target_picker
from ui.training import training_area, warm_workers

t = setup_page("compare")
RESULT_FOR = "compare.result_for"

st.title(t("heading"))
st.write(t("intro"))

task = st.radio(
    t("task_label"), ["price", "letters"], format_func=lambda k: t(f"task_{k}"), horizontal=True, key="compare.task"
)
data = column = None
if task == "price":
    warm_workers()  # models train in worker processes: start them while the user picks the data
    data = data_picker("compare", t)
    if data is None:
        st.info(t("no_data"))
        st.stop()
    column = target_picker("compare", data, t=t)

left, middle, right = st.columns([2, 1, 2])
available = PRICE_CELLS if task == "price" else LETTER_CELLS
cells = left.multiselect(
    t("cells_label"), available, default=list(available), format_func=CELL_LABELS.get, key=f"compare.cells.{task}"
)
seeds = middle.number_input(t("seeds_label"), 1, 10, 3, help=t("seeds_help"), key="compare.seeds")
if task == "price":
    mode = right.radio(t("mode_label"), MODES, format_func=lambda m: t(f"mode_{m}"), key="compare.mode")
    letter_task = "L1"
else:
    mode = "default"
    letter_task = right.selectbox(
        t("letter_task_label"), LETTER_TASKS, format_func=lambda k: t(f"letter_task_{k}"), key="compare.letter_task"
    )
epochs = middle.number_input(
    t("epochs_label"), 1, 1000, default_epochs(task, mode), help=t("epochs_help"), key=f"compare.epochs.{task}.{mode}"
)
if not cells:
    st.stop()
config = CompareConfig(
    task=task,
    cells=tuple(cells),
    seeds=int(seeds),
    mode=mode,
    epochs=int(epochs),
    letter_task=letter_task,
    column=column,
)
st.caption(t("plan", n=config.n_models, cells=len(cells), seeds=config.seeds))
if task == "price" and mode == "course":
    st.warning(t("course_slow"), icon="⏱️")

settings = (config, data.fingerprint() if data is not None else None)  # what a result was computed for
pressed = st.button(t("run_button"), type="primary", key="compare.run")
work = lambda report: run_comparison(config, data, report=report, lang=lang())  # noqa: E731
done = lambda r: t("done", n=len(r.runs), seconds=f"{r.wall_seconds:.1f}", trained=r.trained, cached=r.cached)  # noqa: E731
result = training_area("compare", pressed, work, t("progress_label"), done=done)
if pressed and result is not None and result.config == config:
    st.session_state[RESULT_FOR] = settings
if result is None:
    st.stop()

st.header(t("results_heading"))
if st.session_state.get(RESULT_FOR) != settings:
    st.info(t("stale"))
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
labels = {k: t(f"axis_{k}") for k in ("date", "price", "epoch")} | {"loss_axis": t("axis_loss"), "real": t("real")}
val_key = "curve_test_loss" if result.config.task == "price" and result.config.mode == "course" else "curve_val_loss"
labels |= {"loss": t("curve_loss"), "val_loss": t(val_key)}
labels |= {m: t(f"metric_{m}") for m in result.config.metrics}
labels |= {name: text("forecast", f"short_{name}", lang()) for name in ("persistence", "drift", "previous_close")}
if result.config.task == "price":
    st.subheader(t("predictions_heading"))
    fig = predictions_figure(result.eval_dates, result.actual, result.predictions_by_cell(), result.baselines, labels)
    st.plotly_chart(fig, key="compare.predictions")
    st.caption(t("predictions_caption"))
st.subheader(t("loss_heading"))
st.plotly_chart(loss_figure(result.histories_by_cell(), labels=labels), key="compare.loss")
st.caption(t("loss_caption"))
if result.config.task == "letters":
    labels |= {"accuracy": t("col_accuracy"), "accuracy_axis": t("col_accuracy")}
    fig = loss_figure(result.histories_by_cell(), ("accuracy",), labels, log_y=False, y_title="accuracy_axis")
    st.plotly_chart(fig, key="compare.accuracy")
st.subheader(t("bars_heading"))
st.plotly_chart(metric_bars_figure(result.stats(), labels, result.references()), key="compare.bars")
st.caption(t("bars_caption"))
st.subheader(t("formula_heading"))
st.dataframe(formula_frame(result, lang()), hide_index=True, width="stretch")
st.caption(t("formula_caption"))
if result.config.task == "price":
    st.subheader(t("baselines_heading"))
    st.dataframe(baseline_frame(result, lang()), width="stretch")
with st.expander(t("runs_heading")):
    st.dataframe(runs_frame(result, lang()), hide_index=True, width="stretch")
