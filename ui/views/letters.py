"""How the letter page draws a trained letter model: numbers, the mapping table with curves, typed
predictions, continued training, the learned vectors and the files. Predictions replay the model in
NumPy (core.letters), so nothing here needs TensorFlow except loading an uploaded .keras file."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import letters as core
from core.figures.letters import curves_figure, embedding_figure, probability_figure
from core.scripts import letters_script
from ui.common import user_errors
from ui.training import run_training
from ui.views.model_files import model_files

P = "letters."


def set_result(result: core.LetterResult) -> None:
    st.session_state[P + "result"] = result


def figure_labels(t) -> dict[str, str]:
    return {k: t(f"fig_{k}") for k in ("accuracy", "loss", "epoch", "probability", "letter")}


def show_summary(result: core.LetterResult, config: core.LetterConfig | None, t) -> None:
    cfg = result.config
    task = t(f"task_{cfg.task}") if cfg.task in core.TASKS else t("task_custom")
    st.subheader(t("result_heading", task=task, cell=cfg.cell_label), anchor="result")
    if config is not None and config != cfg:
        st.caption(t("other_settings"))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("metric_accuracy"), f"{result.accuracy:.0%}")
    c2.metric(t("epochs_run"), result.epochs_run)
    c3.metric(t("train_seconds"), f"{result.train_seconds:.1f} s")
    c4.metric(t("source"), t("source_cached") if result.cached else t("source_trained"))


def show_mapping(result: core.LetterResult, t) -> None:
    rows = core.mapping_rows(result, result.config)
    wrong = [r for r in rows if not r.correct]
    if wrong and result.epochs_run:
        st.warning(not_perfect_text(result, wrong, len(rows), t))
    elif result.accuracy == 1.0:
        st.success(t("perfect", n=len(rows)))
    cells = [(r.text, r.expected, r.predicted, f"{r.probability:.0%}", "✓" if r.correct else "✗") for r in rows]
    table = pd.DataFrame(cells, columns=t("mapping_columns").split(","))
    left, right = st.columns([2, 3])
    left.dataframe(table, hide_index=True, width="stretch", height=min(36 * (len(rows) + 1) + 4, 420))
    if result.history:
        fig = curves_figure(result.history, result.resumed_at, labels=figure_labels(t))
        right.plotly_chart(fig, key=P + "curves")
    else:
        right.info(t("no_curves"))


def not_perfect_text(result: core.LetterResult, wrong: list, n: int, t) -> str:
    """What went wrong, why that happens with some seeds, and what to do (all from the TOML text)."""
    cfg = result.config
    examples = ", ".join(f"{r.text} → {r.predicted} ({r.probability:.0%}) / {r.runner_up}" for r in wrong[:4])
    why = t(
        f"why_{cfg.encoding}",
        seed=cfg.seed,
        dim=cfg.embed_dim,
        units=cfg.units,
        epochs=result.epochs_run,
        lr=cfg.learning_rate,
    )
    advice = t("loss_falling") if core.loss_still_falling(result.history) else t("loss_flat")
    parts = [t("not_perfect", wrong=len(wrong), n=n, examples=examples), why, advice]
    if cfg.matches_course() and cfg.seed != 7:
        parts.append(t("seed7_note"))
    return " ".join(parts)


def show_continue(result: core.LetterResult, t) -> None:
    st.markdown(f"**{t('continue_heading')}** — {t('continue_help')}")
    c1, c2 = st.columns([1, 3])
    extra = c1.number_input(t("extra_epochs"), min_value=1, max_value=5000, value=100, step=50, key=P + "extra")
    if c2.button(t("continue_button"), key=P + "continue"):
        names = {"loss": t("loss"), "accuracy": t("accuracy")}
        more = run_training(
            "letters",
            lambda report: core.continue_training(result, int(extra), report=report),
            t("progress_label"),
            curves=("loss", "accuracy"),
            names=names,
        )
        if more is not None:
            set_result(more)
            st.rerun()


def show_prediction(result: core.LetterResult, t) -> None:
    cfg = result.config
    st.subheader(t("predict_heading"))
    st.caption(t("predict_help", n=cfg.input_len, alphabet=cfg.alphabet))
    if st.session_state.get(P + "text_for") != result.key:  # a new model: start from its first input
        st.session_state[P + "text_for"] = result.key
        st.session_state[P + "text"] = core.training_windows(cfg)[0][0]
        st.session_state.pop(P + "generated", None)
    left, right = st.columns([1, 2])
    text = left.text_input(t("predict_label", n=cfg.input_len), key=P + "text", max_chars=cfg.input_len)
    with user_errors():
        probs = core.predict_next(result, cfg, text)
        best = max(probs, key=probs.get)
        sure = t("probability_delta", p=f"{probs[best]:.0%}")
        shown = f"{core.check_text(cfg, text)} → {best}"
        left.metric(t("next_letter"), shown, sure, delta_color="off", delta_arrow="off")
        right.plotly_chart(probability_figure(probs, labels=figure_labels(t)), key=P + "probs")
        steps = left.number_input(t("steps_label"), min_value=1, max_value=200, value=10, key=P + "steps")
        if left.button(t("keep_going_button"), key=P + "keep_going"):
            st.session_state[P + "generated"] = (text, core.keep_going(result, cfg, text, int(steps)))
    generated = st.session_state.get(P + "generated")
    if generated:
        start, full = generated
        st.markdown(t("generated", start=start, more=full[len(core.check_text(cfg, start)) :]))


def show_embedding(result: core.LetterResult, t) -> None:
    if result.config.encoding != "embedding":
        return
    view = core.embedding_view(result, result.config)
    st.subheader(t("embedding_heading"))
    if view.explained is None:
        st.caption(t("embedding_caption", n=len(view.letters), dim=view.embed_dim))
        second = t("embedding_axis", i=2) if view.embed_dim == 2 else t("embedding_axis_none")
        axes = (t("embedding_axis", i=1), second)
    else:
        st.caption(t("embedding_pca_caption", n=len(view.letters), dim=view.embed_dim, share=f"{view.explained:.0%}"))
        axes = (t("embedding_pc", i=1), t("embedding_pc", i=2))
    st.plotly_chart(embedding_figure(view.letters, view.coords, axes), key=P + "embedding")


def upload_box(container, config: core.LetterConfig, t) -> None:
    """A .keras file saved from this page (checked, loaded in safe mode) becomes the shown model."""
    upload = container.file_uploader(t("upload_label"), type=["keras"], key=P + "upload", help=t("upload_help"))
    if upload is None or st.session_state.get(P + "upload_seen") == upload.file_id:
        return
    st.session_state[P + "upload_seen"] = upload.file_id
    with user_errors():
        set_result(core.load_uploaded_model(upload.getvalue(), config))
        st.rerun()


def report_html(result: core.LetterResult, t) -> str:
    """The trained letter model as one HTML report: numbers, the mapping, the curves, the settings."""
    import dataclasses

    from core.report import Section, html_report
    from ui.common import lang

    cfg = result.config
    task = t(f"task_{cfg.task}") if cfg.task in core.TASKS else t("task_custom")
    rows = core.mapping_rows(result, cfg)
    table = pd.DataFrame(
        [(r.text, r.expected, r.predicted, f"{r.probability:.0%}") for r in rows],
        columns=t("mapping_columns").split(",")[:4],
    )
    numbers = [f"{t('metric_accuracy')}: {result.accuracy:.0%} · {t('epochs_run')}: {result.epochs_run}"]
    figures = [curves_figure(result.history, result.resumed_at, labels=figure_labels(t))] if result.history else []
    sections = [Section(t("result_heading", task=task, cell=cfg.cell_label), numbers, [table], figures)]
    return html_report(t("heading"), sections, dataclasses.asdict(cfg), t("report_provenance"), lang())


def show_result(result: core.LetterResult, config: core.LetterConfig | None, t) -> None:
    show_summary(result, config, t)
    st.download_button(
        t("download_report"),
        lambda: report_html(result, t),
        file_name="letters_report.html",
        mime="text/html",
        on_click="ignore",
        key=P + "dl_report",
        icon=":material/description:",
    )
    show_mapping(result, t)
    show_continue(result, t)
    show_prediction(result, t)
    show_embedding(result, t)
    cfg = result.config
    model_files(P, result.trained, f"letters_{cfg.task}_{cfg.cell}", letters_script(cfg), [], t)
    upload_box(st, config or cfg, t)
