"""The Sequence lab's four settings forms: each gives (pressed, Request | None) for its task.

A Request holds everything one training needs (the work to run, its progress label); the page makes
the one `training_area` call with it. Widget keys are "seq.<task>.<field>" (kept for the session).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from core import multistep as ms
from core import seasonal as sea
from core import shapes as sh
from core import updown as ud
from core.datasets import load_dataset
from core.i18n import text
from core.models import CELL_LABELS, CELLS
from core.seed_runs import MAX_SEEDS
from core.settings import check_range
from ui.common import lang, resend_on_language_change, settings_box
from ui.data_picker import data_picker, target_picker
from ui.forms import make_config, number_field, set_defaults

TASKS: tuple[str, ...] = ("seasonal", "multistep", "updown", "shapes")
SEEDS_LIMITS = (1, MAX_SEEDS)
CELL_NAMES = CELL_LABELS  # conv1d included
# Data sources per task: embedded series first, "picker" = the session's series (Data page, upload).
SOURCES: dict[str, tuple[str, ...]] = {
    "seasonal": ("airline", "picker"),
    "multistep": ("pair", "airline", "picker"),
    "updown": ("SP500", "NASDAQ", "picker"),
}
# Number fields: task -> name -> (limits, step, format). Seeds are not a config field (one config per seed).
NUMBERS: dict[str, dict[str, tuple]] = {
    "seasonal": {n: (sea.LIMITS[n], s, f) for n, s, f in [("units", 1, None), ("layers", 1, None),
                 ("epochs", 50, None), ("learning_rate", 0.005, "%.4f"), ("seed", 1, None), ("season", 1, None)]},
    "multistep": {n: (ms.LIMITS[n], s, f) for n, s, f in [("n_in", 1, None), ("n_out", 1, None), ("units", 1, None),
                  ("iterations", 50, None), ("batch_size", 1, None), ("learning_rate", 0.001, "%.4f"),
                  ("seed", 1, None)]},
    "updown": {n: (ud.LIMITS[n], s, f) for n, s, f in [("window", 1, None), ("units", 4, None), ("epochs", 5, None),
               ("seed", 1, None)]},
    "shapes": {n: (sh.TASK_LIMITS[n], s, f) for n, s, f in [("units", 4, None), ("epochs", 1, None),
               ("seed", 1, None)]},
}  # fmt: skip


@dataclass
class Request:
    """One training the page may run: work(report) -> result, and the progress label."""

    work: Callable
    label: str


def _p(task: str) -> str:
    return f"seq.{task}."


def mode_values(task: str, mode: str) -> dict:
    """Widget values of a task's course or default settings."""
    p = _p(task)
    if task == "seasonal":
        c = sea.SeasonalConfig.course() if mode == "course" else sea.SeasonalConfig.default()
        return {p + n: getattr(c, n) for n in NUMBERS[task]} | {p + "mode": mode, p + "cell": c.cell,
                                                                 p + "seeds": 1 if mode == "course" else 3}  # fmt: skip
    if task == "multistep":
        c = ms.MultistepConfig.course() if mode == "course" else ms.MultistepConfig.airline()
        values = {p + n: getattr(c, n) for n in NUMBERS[task]} | {p + "cell": c.cell, p + "seeds": 3}
        return values | {p + "source": "pair" if mode == "course" else "airline"}
    c = {"updown": ud.UpDownConfig, "shapes": sh.ShapeTaskConfig}[task]()
    values = {p + n: getattr(c, n) for n in NUMBERS[task]} | {p + "cell": c.cell}
    return values | {p + "seeds": 1 if task == "shapes" else 3}


def _radio(container, t, task: str, name: str, options, fmt=None, on_change=None):
    resend_on_language_change(_p(task) + name)  # else the browser shows (and a form submits) the first option
    return container.radio(
        t(f"{name}_label"), options, format_func=fmt or (lambda o: t(f"{name}_{o}")), horizontal=True,
        key=_p(task) + name, persist_state="session", on_change=on_change,
    )  # fmt: skip


def _source_changed(task: str) -> None:
    """The encoder-decoder's sizes follow its series: the cookbook's 40/40 days, or 24/12 months of airline."""
    if task == "multistep" and st.session_state[_p(task) + "source"] in ("pair", "airline"):
        mode = "course" if st.session_state[_p(task) + "source"] == "pair" else "airline"
        set_defaults(mode_values(task, mode), overwrite=True)


def _numbers(t, task: str) -> None:
    fields = NUMBERS[task] | {"seeds": (SEEDS_LIMITS, 1, None)}
    cols = st.columns(4)
    for k, (name, (limits, step, fmt)) in enumerate(fields.items()):
        number_field(cols[k % 4], t(f"{name}_label"), _p(task) + name, limits, step=step, format=fmt)


def _data(t, task: str):
    """(data, column) of the task's source; (None, "") for the airline; None when the picker has no data."""
    source = st.session_state[_p(task) + "source"]
    if source == "airline":
        return (None, "") if task == "seasonal" else (ms.airline_data(), "")
    if source == "pair":
        return ms.pair_data(), ""
    if source in ("SP500", "NASDAQ"):
        return load_dataset(source), "close"
    data = data_picker("seq", t)
    if data is None:
        return None
    return data, target_picker("seq", data, default="close", t=t)


def settings(t, task: str) -> tuple[bool, Request | None]:
    """The task's form (source, mode, cell, numbers, Train) and the request it describes."""
    first = "course" if task == "multistep" else "default"
    set_defaults(mode_values(task, first) | {_p(task) + "source": SOURCES.get(task, ("",))[0]})
    if task in SOURCES:
        _radio(st, t, task, "source", SOURCES[task], on_change=lambda: _source_changed(task))
    picked = _data(t, task) if task in SOURCES else (None, "")
    if picked is None:
        return False, None
    with st.form(_p(task) + "form"):
        c1, c2 = st.columns([2, 3])
        if task == "seasonal":
            _radio(c1, t, task, "mode", sea.MODES)
            c1.toggle(t("train_scaling_label"), key=_p(task) + "train_scaling", help=t("train_scaling_help"),
                     persist_state="session")  # fmt: skip
            _radio(c2, t, task, "split", sea.SPLITS)
        if task == "shapes":
            c1.multiselect(t("tasks_label"), sh.TASKS, format_func=lambda k: text("seq_shapes", f"task_{k}", lang()),
                           default=list(sh.TASKS), key=_p(task) + "tasks")  # fmt: skip
        cells = sea.SEASONAL_CELLS if task == "seasonal" else CELLS
        _radio(c2, t, task, "cell", cells, CELL_NAMES.get)
        with settings_box(text("common", "more_settings", lang())):
            _numbers(t, task)
        pressed = st.form_submit_button(t("train_button"), type="primary", key=_p(task) + "train")
    if task in ("seasonal", "multistep"):
        _reset_buttons(t, task)
    return pressed, make_config(lambda: request(t, task, *picked), _labels(t, task))


def _reset_buttons(t, task: str) -> None:
    b1, b2, _ = st.columns([1, 1, 2])
    for col, mode in ((b1, "course"), (b2, "default" if task == "seasonal" else "airline")):
        values = mode_values(task, mode)
        col.button(t(f"reset_{mode}"), on_click=set_defaults, args=(values,), kwargs={"overwrite": True},
                   key=_p(task) + f"reset_{mode}")  # fmt: skip


def _labels(t, task: str) -> dict[str, str]:
    return {name: t(f"{name}_label") for name in (*NUMBERS[task], "seeds")}


def request(t, task: str, data, column: str) -> Request:
    """The Request of the form's values (a SettingError names the field that is out of range)."""
    s, p, language = st.session_state, _p(task), lang()
    values = {name: s[p + name] for name in NUMBERS[task]}
    check_range("seeds", s[p + "seeds"], *SEEDS_LIMITS, whole=True)
    seeds, cell = int(s[p + "seeds"]), s[p + "cell"]
    label = t("progress_label", task=t(f"tab_{task}"), cell=CELL_NAMES[cell], seeds=seeds)
    if task == "seasonal":
        scaling = "train" if s[p + "mode"] == "default" or s.get(p + "train_scaling") else "series"
        maker = sea.SeasonalConfig.course if s[p + "mode"] == "course" else sea.SeasonalConfig.default
        config = maker(cell, split=s[p + "split"], scaling=scaling, column=column, **values)
        return Request(lambda r: sea.run_seasonal(config, data, seeds=seeds, report=r, lang=language), label)
    if task == "multistep":
        airline = s[p + "source"] == "airline"
        extra = dict(season=12) if airline else dict(columns=(column,)) if column else {}
        config = ms.MultistepConfig(cell=cell, **(values | extra))
        return Request(lambda r: ms.run_multistep(config, data, seeds=seeds, report=r, lang=language), label)
    if task == "updown":
        config = ud.UpDownConfig(cell=cell, column=column, **values)
        return Request(lambda r: ud.run_updown(config, data, seeds=seeds, report=r, lang=language), label)
    configs = sh.task_configs(cell=cell, tasks=tuple(s[p + "tasks"]) or sh.TASKS, **values)
    dims = sh.ShapeDims(cell=cell, units=int(values["units"]))
    return Request(
        lambda r: ShapesShown(sh.run_shape_tasks(configs, seeds=seeds, report=r, lang=language), dims), label
    )


class ShapesShown:
    """The shape tasks' result and the five panels' live summaries (read in a training worker)."""

    def __init__(self, tasks: sh.ShapeTasksResult, dims: sh.ShapeDims) -> None:
        self.tasks, self.dims = tasks, dims
        self.report = sh.shape_report(dims)
        self.cached, self.train_seconds = tasks.cached, tasks.train_seconds
