"""Section 2 of the Memory and gradients page: the pinned exploding SimpleRNN trained without clipping and with
clipvalue, clipnorm and global_clipnorm 1 and 5; loss and gradient norm before / after clipping per update."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core import grad
from core.figures import grad as figures
from core.gradients import clip_sentence
from core.memory_tasks import CLIPPING_DEMO
from ui.common import lang
from ui.training import training_area
from ui.views.grad_common import figure_labels, t


def clip_name(run) -> str:
    """'none', 'clipvalue 1', 'global_clipnorm 5' ... in this language (the Keras argument names stay)."""
    return t(f"clip_name_{run.config.clip}", threshold=f"{run.config.clip_threshold:g}")


def runs_frame(runs) -> pd.DataFrame:
    """One row per run: clipping, test MSE (or where it diverged), largest norm before clipping, share clipped."""
    rows = []
    for run in runs:
        u = run.updates
        before = u["grad_norm"][np.isfinite(u["grad_norm"])]
        clipped = np.mean(u["clipped_norm"] < u["grad_norm"] * (1 - 1e-6)) if len(before) else 0.0
        outcome = t("diverged_at", update=run.diverged_update, epoch=run.trained.meta["fit"]["diverged_epoch"])
        rows.append(
            {
                t("col_clip"): clip_name(run),
                t("col_mse"): outcome if run.diverged else f"{run.score:.4f}",
                t("col_updates"): len(u["loss"]),
                t("col_max_norm"): f"{before.max():.3g}" if len(before) else "–",
                t("col_clipped"): f"{clipped:.0%}" if run.config.clip != "none" else "–",
                t("col_seconds"): f"{run.train_seconds:.1f}",
            }
        )
    return pd.DataFrame(rows)


def section() -> None:
    st.subheader(t("clip_heading"))
    demo = CLIPPING_DEMO
    st.markdown(
        t(
            "clip_intro",
            steps=demo.steps,
            gain=f"{demo.recurrent_gain:g}",
            lr=f"{demo.learning_rate:g}",
            batch=demo.batch_size,
            epochs=demo.epochs,
            seed=demo.seed,
        )
    )
    st.markdown("\n".join(f"- {clip_sentence(kind, lang())}" for kind in ("clipvalue", "clipnorm", "global_clipnorm")))
    st.info(t("clip_cookbook"))
    runs = grad.cached_clipping_runs()
    if runs is None:
        pressed = st.button(t("clip_train"), type="primary", key="grad.clip_train")
        work = lambda report: grad.clipping_runs(report=report, lang=lang())  # noqa: E731
        runs = training_area("grad_clip", pressed, work, t("training"))
    if runs is None:
        st.caption(t("clip_waiting"))
        return
    names = [clip_name(r) for r in runs]
    st.plotly_chart(figures.clipping_figure(runs, names, figure_labels()), key="grad.clip_chart")
    st.caption(t("clip_caption"))
    st.dataframe(runs_frame(runs), hide_index=True, width="stretch", key="grad.clip_table")
    diverged = [r for r in runs if r.diverged]
    for run in diverged:
        st.warning(
            t(
                "clip_diverged",
                name=clip_name(run),
                update=run.diverged_update,
            ),
            icon="💥",
        )
    st.caption(t("clip_bound"))
