"""Architecture comparison: SimpleRNN vs LSTM vs GRU (and the peephole LSTM, Conv1D for prices, a dense reference)
over several seeds, on prices, a course letter task, or long memory (the adding problem at a chosen T)."""

from __future__ import annotations

import streamlit as st

from core.compare import CELL_CHOICES, DEFAULT_CELLS, LETTER_TASKS, TASKS, CompareConfig, default_epochs, run_comparison
from core.i18n import text
from core.memory_tasks import SWEEP_STEPS
from core.models import CELL_LABELS, MODES
from ui.common import intro, lang, lesson, settings_box, setup_page
from ui.data_picker import data_picker, target_picker
from ui.training import training_area, warm_workers
from ui.views.compare import RESULT_FOR, show_comparison

t = setup_page("compare")
if lesson("compare") == "letters":  # opened from the home page's lesson path
    st.session_state["compare.task"] = "letters"

st.title(t("heading"))
intro(t("intro"))

task = st.radio(t("task_label"), TASKS, format_func=lambda k: t(f"task_{k}"), horizontal=True, key="compare.task")
data = column = None
if task == "price":
    warm_workers()  # models train in worker processes: start them while the user picks the data
    with settings_box(text("common", "series_settings", lang())):
        data = data_picker("compare", t)
        if data is None:
            st.info(t("no_data"))
            st.stop()
        column = target_picker("compare", data, t=t)

left, middle, right = st.columns([2, 1, 2])
cells = left.multiselect(
    t("cells_label"),
    CELL_CHOICES[task],
    default=list(DEFAULT_CELLS[task]),
    format_func=CELL_LABELS.get,
    key=f"compare.cells.{task}",
)
seeds = middle.number_input(t("seeds_label"), 1, 10, 3, help=t("seeds_help"), key="compare.seeds")
mode, letter_task, steps = "default", "L1", 50
if task == "price":
    mode = right.radio(t("mode_label"), MODES, format_func=lambda m: t(f"mode_{m}"), key="compare.mode")
elif task == "letters":
    letter_task = right.selectbox(
        t("letter_task_label"), LETTER_TASKS, format_func=lambda k: t(f"letter_task_{k}"), key="compare.letter_task"
    )
else:
    steps = right.selectbox("T", SWEEP_STEPS, index=SWEEP_STEPS.index(50), help=t("steps_help"), key="compare.steps")
    st.caption(t("memory_intro"))
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
    steps=int(steps),
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

show_comparison(result, settings, t)
