"""Sequence lab: seasonal series, multi-step encoder-decoder, up/down classification, sequence shapes."""

from __future__ import annotations

import streamlit as st

from ui.common import intro, lang, lesson, setup_page
from ui.forms import set_defaults
from ui.training import training_area, warm_workers
from ui.views import seq as view
from ui.views.seq_forms import TASKS, mode_values, settings

t = setup_page("seq")
TAB = "seq.tab"  # the open tab's task (kept across languages: the tab widget keeps a label)

warm_workers()  # training runs in worker processes: start them while the user reads the page
if lesson("seq") == "course":  # opened from the home page's lesson path: the notes' airline model
    set_defaults(mode_values("seasonal", "course") | {"seq.seasonal.source": "airline"}, overwrite=True)
    st.session_state[TAB] = "seasonal"
    st.session_state[f"seq.tabs.{lang()}"] = t("tab_seasonal")
st.title(t("heading"))
intro(t("intro"))
labels = [t(f"tab_{task}") for task in TASKS]
current = st.session_state.get(TAB, TASKS[0])
# The tab widget's default must not change between runs (that would make it a new widget): it is the
# task open when this language's tabs were first drawn; a switch of language opens the same task.
for other in (k for k in list(st.session_state) if k.startswith("seq.tab_first.") and not k.endswith(f".{lang()}")):
    del st.session_state[other]  # the next visit of that language starts at the task open then
first = st.session_state.setdefault(f"seq.tab_first.{lang()}", current)
tabs = st.tabs(labels, default=labels[TASKS.index(first)], key=f"seq.tabs.{lang()}", on_change="rerun")
task = next((task for task, tab in zip(TASKS, tabs, strict=True) if tab.open), current)
st.session_state[TAB] = task

with tabs[TASKS.index(task)]:
    st.markdown(t(f"about_{task}"))
    if task == "shapes":
        view.show_shapes_reference(t, int(st.session_state.get("seq.shapes.units", 32)))
    pressed, request = settings(t, task)
    work = request.work if request else None
    label = request.label if request else ""
    page = f"seq.{task}"
    result = training_area(page, pressed and request is not None, work, label)
    if result is None:
        st.info(t("press_train"))
    elif task == "seasonal":
        view.show_seasonal(result, t)
    elif task == "multistep":
        view.show_multistep(result, t)
    elif task == "updown":
        view.show_updown(result, t)
    else:
        view.show_shapes(result, t)
