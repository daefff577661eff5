"""Letter prediction: the course's four letter models with one click, then free settings, curves,
weights, files, the six-step script, typed predictions and "keep going" generation."""

from __future__ import annotations

import dataclasses

import streamlit as st

from core import letters as core
from core.models import CELL_LABELS, CELLS
from ui.common import intro, lesson, resend_on_language_change, setup_page
from ui.forms import make_config, number_field, set_defaults
from ui.training import training_area, warm_workers
from ui.views.letters import set_result, show_result, upload_box

P = "letters."  # session state prefix of this page
ALPHABETS = {"abcde": core.ALPHABET_5, "az": core.ALPHABET_26, "typed": None}
NUMBERS = {"input_len": (1, 8), "embed_dim": core.LIMITS["embed_dim"], "units": core.LIMITS["units"]}
NUMBERS |= {"epochs": core.LIMITS["epochs"], "learning_rate": core.LIMITS["learning_rate"], "seed": core.LIMITS["seed"]}

t = setup_page("letters")


def course_values(task: str | None = None) -> dict:
    """The course task's settings as widget values (the cell stays as chosen)."""
    config = core.LetterConfig.course(task or st.session_state.get(P + "task", "L1"))
    alphabet = "abcde" if config.alphabet == core.ALPHABET_5 else "az"
    values = {P + name: getattr(config, name) for name in (*NUMBERS, "cyclic", "encoding")}
    return values | {P + "alphabet_mode": alphabet}


def radio(container, name: str, options, **kwargs) -> str:
    """A choice whose labels follow the language (kept when the language changes)."""
    resend_on_language_change(P + name)
    return container.radio(
        t(f"{name}_label"),
        options,
        format_func=lambda k: t(f"{name}_{k}"),
        key=P + name,
        persist_state="session",
        **kwargs,
    )


def settings_widgets() -> None:
    """The free configuration, initialised from the chosen course task."""
    c1, c2, c3, c4 = st.columns(4)
    radio(c1, "alphabet_mode", list(ALPHABETS))
    if st.session_state[P + "alphabet_mode"] == "typed":
        c1.text_input(
            t("alphabet_typed_label"),
            key=P + "alphabet_typed",
            help=t("alphabet_typed_help"),
            max_chars=64,
            persist_state="session",
        )
    number_field(c2, t("input_len_label"), P + "input_len", NUMBERS["input_len"], step=1)
    c2.checkbox(t("cyclic_label"), key=P + "cyclic", help=t("cyclic_help"), persist_state="session")
    radio(c3, "encoding", list(core.ENCODINGS))
    if st.session_state[P + "encoding"] == "embedding":
        number_field(c3, t("embed_dim_label"), P + "embed_dim", NUMBERS["embed_dim"], step=1)
    for name, step, fmt in (
        ("units", 1, None),
        ("epochs", 10, None),
        ("learning_rate", None, "%.4f"),
        ("seed", 1, None),
    ):
        number_field(
            c4,
            t(f"{name}_label"),
            P + name,
            NUMBERS[name],
            step=step,
            format=fmt,
            help=t("seed_help") if name == "seed" else "",
        )
    st.button(t("reset_button"), on_click=lambda: set_defaults(course_values(), overwrite=True), key=P + "reset")


def config_from_widgets() -> core.LetterConfig | None:
    """The configuration the widgets describe; None (with a message naming the field) if invalid."""
    s = st.session_state
    mode = s[P + "alphabet_mode"]

    def build() -> core.LetterConfig:
        values = {name: s[P + name] for name in (*NUMBERS, "cyclic", "encoding", "cell", "task")}
        alphabet = ALPHABETS[mode] or s[P + "alphabet_typed"].strip()
        config = core.LetterConfig(alphabet=alphabet, **values)
        return config if config.matches_course() else dataclasses.replace(config, task="custom")

    return make_config(build, {name: t(f"{name}_label") for name in NUMBERS})


set_defaults({P + "task": "L1", P + "cell": "rnn", P + "alphabet_typed": "abcdefgh"})
set_defaults(course_values())
if (step := lesson("letters")) in core.TASKS:  # opened from the home page's lesson path
    set_defaults({P + "task": step, P + "cell": "rnn"} | course_values(step), overwrite=True)
warm_workers()
st.title(t("heading"))
intro(t("intro"))
col_task, col_cell = st.columns([3, 2])
task = radio(
    col_task, "task", list(core.TASKS), horizontal=True, on_change=lambda: set_defaults(course_values(), overwrite=True)
)
col_cell.radio(
    t("cell_label"), list(CELLS), format_func=CELL_LABELS.get, horizontal=True, key=P + "cell", persist_state="session"
)
st.caption(t(f"task_{task}_detail"))
with st.expander(t("settings_heading")):
    settings_widgets()
config = config_from_widgets()
if config is not None and config.task == "custom":
    st.caption(t("custom_note"))
pressed = st.button(t("train_button"), type="primary", key=P + "train") and config is not None
names = {"loss": t("loss"), "accuracy": t("accuracy")}
work = lambda report: core.train_letters(config, report=report)  # noqa: E731
result = training_area("letters", pressed, work, t("progress_label"), curves=("loss", "accuracy"), names=names)
if not pressed and config is not None and (result is None or result.config != config):
    twin = core.cached_letters(config)  # switching cell or task shows an already trained model at once
    if twin is not None:
        set_result(twin)
        result = twin
if result is None:
    st.info(t("no_result"))
    upload_box(st, config or core.LetterConfig.course(task), t)
    st.stop()
show_result(result, config, t)
