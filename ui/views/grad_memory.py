"""Section 3 of the Memory and gradients page: the adding problem swept over T for SimpleRNN, LSTM, GRU and the
dense reference (3 seeds, one budget). Cached results show at once; one T at a time trains on request."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from core import grad
from core.figures import grad as figures
from core.memory_tasks import SWEEP_STEPS, task_sentence
from core.models import CELL_LABELS
from ui.common import lang
from ui.training import training_area
from ui.views.grad_common import figure_labels, t

REFRESH_SECONDS = 30  # another session's trainings show up within this time


@st.cache_data(show_spinner=False, ttl=REFRESH_SECONDS)
def sweep_points() -> list[grad.SweepPoint]:
    return grad.cached_sweep()  # plain numbers: cheap to keep per server


def points_frame(points) -> pd.DataFrame:
    rows = []
    for p in sorted(points, key=lambda p: (p.steps, grad.SWEEP_CELLS.index(p.cell))):
        mean, std = p.mean_std
        rows.append(
            {
                "T": p.steps,
                t("col_model"): CELL_LABELS[p.cell],
                t("col_score"): "–" if math.isnan(mean) else f"{mean:.4f} ± {std:.4f}",
                t("col_relative"): "–" if math.isnan(mean) else f"{mean / p.baseline:.2f}",
                t("col_solved"): f"{sum(p.solved)} / {len(p.seeds)}",
                t("col_seconds"): f"{p.mean_seconds:.1f}",
            }
        )
    return pd.DataFrame(rows)


def train_controls() -> None:
    """T, cells and seeds to train now (models already cached are not trained again)."""
    left, middle, right = st.columns([1, 3, 1])
    steps = left.selectbox("T", SWEEP_STEPS, index=SWEEP_STEPS.index(50), key="grad.memory_T")
    cells = middle.multiselect(
        t("cells_label"),
        grad.SWEEP_CELLS,
        default=list(grad.SWEEP_CELLS),
        format_func=CELL_LABELS.get,
        key="grad.memory_cells",
    )
    seeds = right.number_input(t("seeds_label"), 1, grad.SWEEP_SEEDS, grad.SWEEP_SEEDS, key="grad.memory_seeds")
    configs = grad.sweep_configs("adding", (steps,), tuple(cells), int(seeds))
    missing = [c for c in configs if grad.cached_memory(c) is None]
    st.caption(t("memory_plan", n=len(configs), missing=len(missing), steps=steps))
    pressed = st.button(t("memory_train", steps=steps), type="primary", key="grad.memory_train", disabled=not cells)
    work = lambda report: grad.run_sweep(configs, report=report, lang=lang())  # noqa: E731
    done = lambda results: t("memory_done", n=len(results), trained=sum(not r.cached for r in results))  # noqa: E731
    if training_area("grad_memory", pressed, work, t("training"), done=done) is not None and pressed:
        sweep_points.clear()  # show what was just trained


def section() -> None:
    st.subheader(t("memory_heading"))
    st.markdown(task_sentence(grad.memory_config(), lang()))
    st.markdown(t("memory_intro"))
    train_controls()
    points = sweep_points()
    if not points:
        st.info(t("memory_empty"))
    else:
        baseline = points[0].baseline
        st.plotly_chart(figures.sweep_figure(points, baseline, figure_labels()), key="grad.memory_chart")
        st.caption(t("memory_caption"))
        st.dataframe(points_frame(points), hide_index=True, width="stretch", key="grad.memory_table")
    st.caption(t("memory_first_note"))
    st.caption(t("memory_cli"))
