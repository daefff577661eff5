"""Stock forecasting: the course's pipeline and our honest default, scored beside naive baselines."""

from __future__ import annotations

import streamlit as st

from core import forecast as core
from core.i18n import text
from core.models import CELL_LABELS, CELLS, MODES
from ui.common import intro, lang, lesson, presenter, settings_box, setup_page
from ui.data_picker import data_picker, target_picker
from ui.forms import make_config, number_field, set_defaults
from ui.training import training_area, warm_workers
from ui.views.forecast import model_label, show_details, show_headline, show_run_notice, show_split

P = "forecast."  # session state prefix of this page
# Number fields of the form: name -> (step, display format); their ranges come from core.forecast.LIMITS.
NUMBERS = {
    "window": (1, None),
    "test_size": (10, None),
    "layers": (1, None),
    "dropout": (0.05, "%.2f"),
    "epochs": (5, None),
    "batch_size": (16, None),
    "learning_rate": (0.0005, "%.5f"),
    "seed": (1, None),
}
HELP = ("window", "test_size", "epochs", "units")  # fields with a help text

t = setup_page("forecast")


def mode_values(mode: str) -> dict:
    """A mode's settings as widget values (the chosen cell stays)."""
    config = core.ForecastConfig.for_mode(mode, st.session_state.get(P + "cell", "lstm"))
    values = {P + name: getattr(config, name) for name in NUMBERS}
    return values | {P + "units": ", ".join(str(u) for u in config.units), P + "mode": mode}


def number_fields() -> None:
    cols = st.columns(4)
    for k, (name, (step, fmt)) in enumerate(NUMBERS.items()):
        help_text = t(f"{name}_help") if name in HELP else ""
        number_field(
            cols[k % 4], t(f"{name}_label"), P + name, core.LIMITS[name], step=step, format=fmt, help=help_text
        )
    cols[0].text_input(
        t("units_label"),
        key=P + "units",
        help=t("units_help"),
        persist_state="session",
    )


def settings_form() -> bool:
    """Mode, cell and hyperparameters in one form; True when Train was pressed."""
    with st.form(P + "form", border=True):
        c1, c2 = st.columns([2, 3])
        c1.radio(
            t("mode_label"),
            MODES,
            format_func=lambda m: t(f"mode_{m}"),
            key=P + "mode",
            help=t("mode_help"),
            persist_state="session",
        )
        c2.radio(
            t("cell_label"),
            CELLS,
            format_func=CELL_LABELS.get,
            horizontal=True,
            key=P + "cell",
            persist_state="session",
        )
        with settings_box(text("common", "more_settings", lang())):
            number_fields()
        pressed = st.form_submit_button(t("train_button"), type="primary", key=P + "train")
    b1, b2, _ = st.columns([1, 1, 2])
    course, default = mode_values("course"), mode_values("default")
    b1.button(
        t("reset_course"), on_click=set_defaults, args=(course,), kwargs={"overwrite": True}, key=P + "reset_course"
    )
    b2.button(
        t("reset_default"), on_click=set_defaults, args=(default,), kwargs={"overwrite": True}, key=P + "reset_default"
    )
    return pressed


def parse_units(text: str, layers: int) -> tuple[int, ...]:
    """'80, 100' -> (80, 100); one number is used for every layer."""
    parts = [p.strip() for p in str(text).replace(";", ",").replace("，", ",").split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueError(t("units_invalid", text=text))
    units = tuple(int(p) for p in parts)
    return units * layers if len(units) == 1 else units


def config_from_widgets(target: str) -> core.ForecastConfig | None:
    """The configuration the form describes; None (after a message naming the field) if invalid."""
    s = st.session_state

    def build() -> core.ForecastConfig:
        values = {name: s[P + name] for name in NUMBERS}
        values["units"] = parse_units(s[P + "units"], int(values["layers"]))
        return core.ForecastConfig.for_mode(s[P + "mode"], s[P + "cell"], target=target, **values)

    return make_config(build, {name: t(f"{name}_label") for name in (*NUMBERS, "units", "eval_after")})


warm_workers()  # training runs in worker processes: start them while the user picks the data
set_defaults(mode_values("default") | {P + "cell": "lstm"})
if lesson("forecast") == "course":  # opened from the home page's lesson path: the course's LSTM
    st.session_state[P + "cell"] = "lstm"
    set_defaults(mode_values("course"), overwrite=True)
st.title(t("heading"))
intro(t("intro"))
first = st.container() if presenter() else None  # the presenter view puts Train and the result on top
with settings_box(text("common", "series_settings", lang())):
    data = data_picker("forecast", t)
    if data is None:
        st.stop()
    target = target_picker("forecast", data, t=t)
    split_holder = st.empty()  # drawn once the form's settings are read
with first or st.container():
    pressed = settings_form()
    config = config_from_widgets(target)
    names = {"loss": t("train_loss"), "val_loss": t("test_loss" if config and config.mode == "course" else "val_loss")}
    label = t("progress_label", model=model_label(config, t)) if config else ""
    work = lambda report: core.run_forecast(data, config, report=report)  # noqa: E731
    offer = not pressed and show_run_notice(
        data, config, t
    )  # course mode: the cached result at once, or the expected time
    result = training_area("forecast", (pressed or offer) and config is not None, work, label, names=names)
    if result is None:
        st.info(t("press_train"))
    else:
        show_headline(result, config, data, t)
show_split(split_holder, data, config, t)
if result is None:
    st.stop()
show_details(result, data, t)
