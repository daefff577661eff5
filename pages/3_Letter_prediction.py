"""Letter prediction: the course's four letter models with one click, then free settings, curves,
weights, files, the six-step script, typed predictions and "keep going" generation."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from core import letters as core
from core.figures.letters import curves_figure, embedding_figure, probability_figure
from core.models import CELL_LABELS, CELLS
from ui.common import TrainingProgress, lang, setup_page, user_errors

P = "letters."  # session state prefix of this page
ALPHABETS = {"abcde": core.ALPHABET_5, "az": core.ALPHABET_26, "typed": None}

t = setup_page("letters")


def apply_course(keep_cell: bool = True) -> None:
    """Put the chosen course task's settings into the setting widgets."""
    config = core.LetterConfig.course(st.session_state[P + "task"])
    values = {
        "alphabet_mode": "abcde" if config.alphabet == core.ALPHABET_5 else "az",
        "input_len": config.input_len,
        "cyclic": config.cyclic,
        "encoding": config.encoding,
        "embed_dim": config.embed_dim,
        "units": config.units,
        "epochs": config.epochs,
        "learning_rate": config.learning_rate,
        "seed": config.seed,
    }
    if not keep_cell:
        values["cell"] = config.cell
    st.session_state.update({P + k: v for k, v in values.items()})


def init_state() -> None:
    if P + "task" not in st.session_state:
        st.session_state[P + "task"] = "L1"
        st.session_state[P + "cell"] = "rnn"
        st.session_state[P + "alphabet_typed"] = "abcdefgh"
        apply_course()


def text_radio(container, name: str, options: list[str], label: str, on_change=None, **kwargs) -> str:
    """A radio whose labels follow the language. One widget per language (a widget whose labels change
    under it comes back with a stale label as its value); the value itself lives in P + name."""
    key = f"{P}{name}.{lang()}"
    st.session_state[key] = st.session_state[P + name]

    def sync() -> None:
        st.session_state[P + name] = st.session_state[key]
        if on_change is not None:
            on_change()

    return container.radio(label, options, format_func=lambda k: t(f"{name}_{k}"), key=key, on_change=sync, **kwargs)


def settings_widgets() -> None:
    """The free configuration, initialised from the chosen course task."""
    c1, c2, c3, c4 = st.columns(4)
    text_radio(c1, "alphabet_mode", list(ALPHABETS), t("alphabet_label"))
    if st.session_state[P + "alphabet_mode"] == "typed":
        c1.text_input(t("alphabet_typed_label"), key=P + "alphabet_typed", help=t("alphabet_typed_help"), max_chars=64)
    c2.number_input(t("input_len_label"), min_value=1, max_value=8, step=1, key=P + "input_len")
    c2.checkbox(t("cyclic_label"), key=P + "cyclic", help=t("cyclic_help"))
    text_radio(c3, "encoding", list(core.ENCODINGS), t("encoding_label"))
    if st.session_state[P + "encoding"] == "embedding":
        c3.number_input(t("embed_dim_label"), min_value=1, max_value=64, step=1, key=P + "embed_dim")
    c4.number_input(t("units_label"), min_value=1, max_value=256, step=1, key=P + "units")
    c4.number_input(t("epochs_label"), min_value=1, max_value=5000, step=10, key=P + "epochs")
    c4.number_input(t("learning_rate_label"), min_value=0.0001, max_value=1.0, format="%.4f", key=P + "learning_rate")
    c4.number_input(t("seed_label"), min_value=0, max_value=2**31 - 1, step=1, key=P + "seed", help=t("seed_help"))
    st.button(t("reset_button"), on_click=apply_course, kwargs={"keep_cell": False}, key=P + "reset")


def config_from_widgets() -> core.LetterConfig | None:
    """The configuration the widgets describe; None (with a message naming the problem) if invalid."""
    s = st.session_state
    mode = s[P + "alphabet_mode"]
    alphabet = ALPHABETS[mode] if ALPHABETS[mode] else s[P + "alphabet_typed"].strip()
    try:
        config = core.LetterConfig(
            task=s[P + "task"], alphabet=alphabet, input_len=int(s[P + "input_len"]), cyclic=bool(s[P + "cyclic"]),
            encoding=s[P + "encoding"], embed_dim=int(s[P + "embed_dim"]), cell=s[P + "cell"],
            units=int(s[P + "units"]), epochs=int(s[P + "epochs"]), learning_rate=float(s[P + "learning_rate"]),
            seed=int(s[P + "seed"]),
        )  # fmt: skip
    except ValueError as err:
        st.error(str(err), icon="⚠️")
        return None
    return config if config.matches_course() else dataclasses.replace(config, task="custom")


def train(config: core.LetterConfig) -> None:
    holder = st.empty()  # live progress while training; one line once done (the curves follow below)
    with holder.container():
        names = {"loss": t("loss"), "accuracy": t("accuracy")}
        progress = TrainingProgress(t("progress_label"), curves=("loss", "accuracy"), names=names)
        result = core.train_letters(config, report=progress)
    holder.caption(t("done_cached") if result.cached else t("done", seconds=f"{result.train_seconds:.1f}"))
    set_result(result)


def set_result(result: core.LetterResult) -> None:
    st.session_state[P + "result"] = result
    st.session_state.pop(P + "generated", None)
    first = core.training_windows(result.config)[0][0]
    if len(st.session_state.get(P + "text", "")) != result.config.input_len:
        st.session_state[P + "text"] = first


def show_cached_twin(config: core.LetterConfig | None) -> None:
    """Switching cell or task shows an already trained model at once (nothing trains without a click)."""
    current = st.session_state.get(P + "result")
    if config is None or (current is not None and current.config == config):
        return
    found = core.LETTERS_CACHE.peek(core.result_key(config))
    if found is not None:
        set_result(dataclasses.replace(found, cached=True))


def show_summary(result: core.LetterResult, config: core.LetterConfig | None) -> None:
    cfg = result.config
    task = t(f"task_{cfg.task}") if cfg.task in core.TASKS else t("task_custom")
    st.subheader(t("result_heading", task=task, cell=cfg.cell_label))
    if config is not None and config != cfg:
        st.caption(t("other_settings"))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("metric_accuracy"), f"{result.accuracy:.0%}")
    c2.metric(t("epochs_run"), result.epochs_run)
    c3.metric(t("train_seconds"), f"{result.train_seconds:.1f} s")
    c4.metric(t("source"), t("source_cached") if result.cached else t("source_trained"))


def show_mapping(result: core.LetterResult) -> None:
    rows = core.mapping_rows(result, result.config)
    wrong = [r for r in rows if not r.correct]
    if wrong and result.epochs_run:
        st.warning(not_perfect_text(result, rows, wrong))
    elif result.accuracy == 1.0:
        st.success(t("perfect", n=len(rows)))
    table = pd.DataFrame(
        [(r.text, r.expected, r.predicted, f"{r.probability:.0%}", "✓" if r.correct else "✗") for r in rows],
        columns=t("mapping_columns").split(","),
    )
    left, right = st.columns([2, 3])
    left.dataframe(table, hide_index=True, width="stretch", height=min(36 * (len(rows) + 1) + 4, 420))
    if result.history:
        right.plotly_chart(curves_figure(result.history, result.resumed_at, labels=figure_labels()), key=P + "curves")
    else:
        right.info(t("no_curves"))


def not_perfect_text(result: core.LetterResult, rows: list, wrong: list) -> str:
    """What went wrong, why that happens with some seeds, and what to do (all from the TOML text)."""
    cfg = result.config
    examples = ", ".join(f"{r.text} → {r.predicted} ({r.probability:.0%}) / {r.runner_up}" for r in wrong[:4])
    why = t(f"why_{cfg.encoding}", seed=cfg.seed, dim=cfg.embed_dim, units=cfg.units, epochs=result.epochs_run,
            lr=cfg.learning_rate)  # fmt: skip
    advice = t("loss_falling") if core.loss_still_falling(result.history) else t("loss_flat")
    parts = [t("not_perfect", wrong=len(wrong), n=len(rows), examples=examples), why, advice]
    if cfg.matches_course() and cfg.seed != 7:
        parts.append(t("seed7_note"))
    return " ".join(parts)


def figure_labels() -> dict[str, str]:
    keys = ("accuracy", "loss", "epoch", "probability", "letter")
    return {k: t(f"fig_{k}") for k in keys}


def show_continue(result: core.LetterResult) -> None:
    st.markdown(f"**{t('continue_heading')}** — {t('continue_help')}")
    c1, c2 = st.columns([1, 3])
    extra = c1.number_input(t("extra_epochs"), min_value=1, max_value=5000, value=100, step=50, key=P + "extra")
    if c2.button(t("continue_button"), key=P + "continue"):
        names = {"loss": t("loss"), "accuracy": t("accuracy")}
        progress = TrainingProgress(t("progress_label"), curves=("loss", "accuracy"), names=names)
        with user_errors():
            set_result(core.continue_training(result, int(extra), report=progress))
            progress.done()
            st.rerun()


def show_prediction(result: core.LetterResult) -> None:
    cfg = result.config
    st.subheader(t("predict_heading"))
    st.caption(t("predict_help", n=cfg.input_len, alphabet=cfg.alphabet))
    left, right = st.columns([1, 2])
    text = left.text_input(t("predict_label", n=cfg.input_len), key=P + "text", max_chars=16)
    with user_errors():
        probs = core.predict_next(result, cfg, text)
        best = max(probs, key=probs.get)
        sure = t("probability_delta", p=f"{probs[best]:.0%}")
        left.metric(
            t("next_letter"), f"{core.check_text(cfg, text)} → {best}", sure, delta_color="off", delta_arrow="off"
        )
        right.plotly_chart(probability_figure(probs, labels=figure_labels()), key=P + "probs")
        steps = left.number_input(t("steps_label"), min_value=1, max_value=200, value=10, key=P + "steps")
        if left.button(t("keep_going_button"), key=P + "keep_going"):
            st.session_state[P + "generated"] = (text, core.keep_going(result, cfg, text, int(steps)))
    generated = st.session_state.get(P + "generated")
    if generated:
        start, full = generated
        st.markdown(t("generated", start=start, more=full[len(core.check_text(cfg, start)) :]))


def show_embedding(result: core.LetterResult) -> None:
    if result.config.encoding != "embedding":
        return
    view = core.embedding_view(result.model, result.config)
    st.subheader(t("embedding_heading"))
    if view.explained is None:
        st.caption(t("embedding_caption", n=len(view.letters), dim=view.embed_dim))
        second = t("embedding_axis", i=2) if view.embed_dim == 2 else t("embedding_axis_none")
        axes = (t("embedding_axis", i=1), second)
    else:
        st.caption(t("embedding_pca_caption", n=len(view.letters), dim=view.embed_dim, share=f"{view.explained:.0%}"))
        axes = (t("embedding_pc", i=1), t("embedding_pc", i=2))
    st.plotly_chart(embedding_figure(view.letters, view.coords, axes), key=P + "embedding")


def keras_bytes(result: core.LetterResult) -> bytes:
    cached = st.session_state.get(P + "keras_bytes")
    if cached is None or cached[0] != result.key:
        cached = (result.key, core.model_bytes(result.model))
        st.session_state[P + "keras_bytes"] = cached
    return cached[1]


def show_files(result: core.LetterResult, config: core.LetterConfig | None) -> None:
    cfg = result.config
    name = f"letters_{cfg.task}_{cfg.cell}"
    labels = [t("tab_summary"), t("tab_weights"), t("tab_script"), t("tab_files")]
    summary, weights, script, files = st.tabs(labels, key=P + "tabs")  # keyed: the open tab survives reruns
    summary.code(core.model_summary(result.model), language=None)
    variables = core.trainable_variables_text(result.model)
    weights.download_button(t("download_weights"), variables, file_name=f"{name}_weights.txt", mime="text/plain",
                            on_click="ignore", key=P + "dl_weights")  # fmt: skip
    weights.code(variables, language=None)
    code = core.standalone_script(cfg)
    script.caption(t("script_caption"))
    script.download_button(t("download_script"), code, file_name=core.script_file_name(cfg), mime="text/x-python",
                           on_click="ignore", key=P + "dl_script")  # fmt: skip
    script.code(code, language="python")
    files.download_button(t("download_keras"), keras_bytes(result), file_name=f"{name}.keras",
                          mime="application/octet-stream", on_click="ignore", key=P + "dl_keras")  # fmt: skip
    upload_box(files, config or cfg)


def upload_box(container, config: core.LetterConfig) -> None:
    upload = container.file_uploader(t("upload_label"), type=["keras"], key=P + "upload", help=t("upload_help"))
    if upload is None or st.session_state.get(P + "upload_seen") == upload.file_id:
        return
    st.session_state[P + "upload_seen"] = upload.file_id
    with user_errors():
        set_result(core.load_uploaded_model(upload.getvalue(), config))
        st.rerun()


# ---------------------------------------------------------------- the page

init_state()
st.title(t("heading"))
st.markdown(t("intro"))
col_task, col_cell = st.columns([3, 2])
task = text_radio(col_task, "task", list(core.TASKS), t("task_label"), on_change=apply_course, horizontal=True)
col_cell.radio(t("cell_label"), list(CELLS), format_func=CELL_LABELS.get, horizontal=True, key=P + "cell")
st.caption(t(f"task_{task}_detail"))
with st.expander(t("settings_heading")):
    settings_widgets()
config = config_from_widgets()
if config is not None and config.task == "custom":
    st.caption(t("custom_note"))
if st.button(t("train_button"), type="primary", disabled=config is None, key=P + "train"):
    train(config)
else:
    show_cached_twin(config)

result = st.session_state.get(P + "result")
if result is None:
    st.info(t("no_result"))
    upload_box(st, config or core.LetterConfig.course(task))
    st.stop()
show_summary(result, config)
show_mapping(result)
show_continue(result)
show_prediction(result)
show_embedding(result)
show_files(result, config)
