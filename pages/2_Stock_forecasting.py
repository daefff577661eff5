"""Stock forecasting: the course's pipeline and our honest default, scored beside naive baselines."""

from __future__ import annotations

import streamlit as st

from core import forecast as core
from core import worker
from core.errors import AppError
from core.figures.forecast import loss_figure, prediction_figure, split_figure
from core.metrics import METRIC_COLUMNS
from core.models import CELL_LABELS, CELLS
from core.scripts import file_stem, standalone_script
from ui.common import TrainingProgress, plain, setup_page, user_errors
from ui.data_picker import data_picker, target_picker

P = "forecast."  # session state prefix of this page
SETTINGS = ("window", "test_size", "layers", "units", "dropout", "epochs", "batch_size", "learning_rate", "seed")

t = setup_page("forecast")


def apply_settings(mode: str) -> None:
    """Put a mode's settings into the form's widgets (the cell stays as chosen)."""
    cell = st.session_state.get(P + "cell", "lstm")
    config = core.ForecastConfig.course(cell) if mode == "course" else core.ForecastConfig.default(cell)
    values = {name: getattr(config, name) for name in SETTINGS}
    values["units"] = ", ".join(str(u) for u in config.units)
    st.session_state.update({P + k: v for k, v in values.items()} | {P + "mode": mode})


FORM_KEYS = ("mode", "cell", *SETTINGS)


def init_state() -> None:
    """Defaults on the first visit; later, keep the settings even in runs that do not draw the form.

    Streamlit forgets a widget's value after a run that does not draw it (for example while an
    upload is awaited), so the values are re-stored under the same keys at the top of every run.
    """
    saved = st.session_state.setdefault(P + "saved", {})
    for key in FORM_KEYS:
        if P + key in st.session_state:
            saved[key] = st.session_state[P + key]
        if key in saved:
            st.session_state[P + key] = saved[key]  # re-stored every run, so a widget drawn again finds it
    if P + "mode" not in st.session_state:
        st.session_state[P + "cell"] = "lstm"
        apply_settings("default")


def settings_form() -> bool:
    """Mode, cell and hyperparameters in one form; True when Train was pressed."""
    with st.form(P + "form", border=True):
        c1, c2 = st.columns([2, 3])
        c1.radio(t("mode_label"), core.MODES, format_func=lambda m: t(f"mode_{m}"), key=P + "mode",
                 help=t("mode_help"))  # fmt: skip
        c2.radio(t("cell_label"), CELLS, format_func=CELL_LABELS.get, horizontal=True, key=P + "cell")
        cols = st.columns(5)
        cols[0].number_input(t("window_label"), 1, 250, step=1, key=P + "window", help=t("window_help"))
        cols[0].number_input(t("test_size_label"), 20, 5000, step=10, key=P + "test_size", help=t("test_size_help"))
        cols[1].number_input(t("layers_label"), 1, 4, step=1, key=P + "layers")
        cols[1].text_input(t("units_label"), key=P + "units", help=t("units_help"))
        cols[2].number_input(t("dropout_label"), 0.0, 0.9, step=0.05, key=P + "dropout")
        cols[2].number_input(t("epochs_label"), 1, 500, step=5, key=P + "epochs", help=t("epochs_help"))
        cols[3].number_input(t("batch_size_label"), 1, 1024, step=16, key=P + "batch_size")
        cols[3].number_input(t("learning_rate_label"), 0.00001, 1.0, step=0.0005, format="%.5f",
                             key=P + "learning_rate")  # fmt: skip
        cols[4].number_input(t("seed_label"), 0, 2**31 - 1, step=1, key=P + "seed")
        pressed = st.form_submit_button(t("train_button"), type="primary", key=P + "train")
    b1, b2, _ = st.columns([1, 1, 2])
    b1.button(t("reset_course"), on_click=apply_settings, args=("course",), key=P + "reset_course")
    b2.button(t("reset_default"), on_click=apply_settings, args=("default",), key=P + "reset_default")
    return pressed


def config_from_widgets(target: str) -> core.ForecastConfig | None:
    """The configuration the form describes; None (after a message naming the problem) if invalid."""
    s = st.session_state
    try:
        layers = int(s[P + "layers"])
        units = parse_units(str(s[P + "units"]), layers)
        test_size = int(s[P + "test_size"])
        return core.ForecastConfig(
            cell=s[P + "cell"], mode=s[P + "mode"], window=int(s[P + "window"]), test_size=test_size,
            eval_after=core.eval_after_for(test_size), epochs=int(s[P + "epochs"]),
            batch_size=int(s[P + "batch_size"]), units=units, layers=layers, dropout=float(s[P + "dropout"]),
            learning_rate=float(s[P + "learning_rate"]), seed=int(s[P + "seed"]), target=target,
            **_mode_extras(s[P + "mode"]),
        )  # fmt: skip
    except ValueError as err:
        st.error(t("bad_setting", problem=str(err).rstrip(".")), icon="⚠️")
        return None


def parse_units(text: str, layers: int) -> tuple[int, ...]:
    """'80, 100' -> (80, 100); one number is used for every layer."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueError(t("units_help"))
    units = tuple(int(p) for p in parts)
    return units * layers if len(units) == 1 else units


def _mode_extras(mode: str) -> dict:
    base = core.ForecastConfig.course() if mode == "course" else core.ForecastConfig.default()
    return {"val_fraction": base.val_fraction, "patience": base.patience, "shrink": base.shrink}


def train(data, config: core.ForecastConfig) -> None:
    second = t("test_loss") if config.mode == "course" else t("val_loss")
    holder = st.empty()
    result = None
    with holder.container():
        progress = TrainingProgress(t("progress_label", model=config.label), curves=("loss", "val_loss"),
                                    names={"loss": t("train_loss"), "val_loss": second})  # fmt: skip
        with user_errors():
            result = core.run_forecast(data, config, report=progress, isolate=True)
    if result is not None:
        st.session_state[P + "result"] = result
        st.session_state[P + "source"] = data.source
        st.session_state.pop(P + "downloads", None)
        holder.caption(t("done_cached") if result.cached else t("done", seconds=f"{result.train_seconds:.1f}"))


def show_split(holder, data, config: core.ForecastConfig | None) -> None:
    """The series with the rows the current settings train, validate, test and score on (before any training)."""
    if config is None:
        return
    try:
        view = core.split_view(data.frame, config)
    except (AppError, ValueError):
        return  # these settings do not fit the data: pressing Train says why
    labels = {part: t(f"split_{part}") for part in ("validation", "test", "scored")}
    labels |= {"series": plain(config.target), "date": t("fig_date"), "price": t("fig_price")}
    with holder.container():
        st.plotly_chart(split_figure(view, labels=labels), key=P + "split")
        st.caption(t(f"split_caption_{config.mode}", target=plain(config.target)))


def figure_labels(result: core.ForecastResult) -> dict[str, str]:
    labels = {k: t(f"fig_{k}") for k in ("date", "price", "real", "future", "epoch", "loss", "train_loss")}
    labels |= {name: t(f"baseline_{name}") for name in result.baselines}
    labels["model"] = result.config.label
    labels["val_loss"] = t("test_loss") if result.val_is_test else t("val_loss")
    return labels


def show_heading(result: core.ForecastResult, config: core.ForecastConfig | None, data) -> None:
    cfg = result.config
    source = plain(st.session_state.get(P + "source", ""))  # file names and columns are shown as text
    st.subheader(t("result_heading", model=cfg.label, target=plain(cfg.target), source=source))
    if result.data_fingerprint != data.fingerprint() or (config is not None and config != cfg):
        st.caption(t("other_settings"))
    dates = result.eval_dates
    st.markdown(t("eval_days", n=len(dates), start=f"{dates[0]:%Y-%m-%d}", end=f"{dates[-1]:%Y-%m-%d}",
                  skip=cfg.eval_after, test=cfg.test_size))  # fmt: skip
    c1, c2, c3, c4 = st.columns(4)
    model = result.metrics.loc["model"]
    c1.metric(t("metric_rmse"), f"{model['rmse']:.3f}")
    c2.metric(t("metric_best_baseline", name=t(f"short_{result.best_baseline}")),
              f"{result.metrics.loc[result.best_baseline, 'rmse']:.3f}")  # fmt: skip
    c3.metric(t("train_seconds"), f"{result.train_seconds:.1f} s", t("from_cache") if result.cached else None,
              delta_color="off", delta_arrow="off")  # fmt: skip
    c4.metric(t("epochs_run"), result.epochs_run, t("chosen_epoch", epoch=result.chosen_epoch),
              delta_color="off", delta_arrow="off")  # fmt: skip


def show_verdicts(result: core.ForecastResult) -> None:
    """One plain sentence per baseline: did the model beat it?"""
    lines = []
    for name, beat, ratio in core.baseline_verdicts(result):
        values = dict(baseline=t(f"baseline_{name}"), model=f"{result.metrics.loc['model', 'rmse']:.3f}",
                      base=f"{result.metrics.loc[name, 'rmse']:.3f}", ratio=f"{ratio:.2f}")  # fmt: skip
        lines.append("- " + (t("verdict_beat", **values) if beat else t("verdict_lost", **values)))
    all_beaten = all(beat for _, beat, _ in core.baseline_verdicts(result))
    (st.success if all_beaten else st.warning)("\n".join(lines))
    if result.chosen_epoch == 0:
        st.info(t("kept_start"))
    if result.config.mode == "course":
        st.caption(t("course_reported"))


def show_table(result: core.ForecastResult) -> None:
    table = core.forecast_table(result)
    table.index = [t(f"baseline_{n}") if n in result.baselines else result.config.label for n in result.metrics.index]
    table.columns = [t(f"col_{c}") for c in METRIC_COLUMNS]
    st.table(table.style.format("{:.4f}"))
    st.caption(t("table_caption"))


def show_charts(result: core.ForecastResult) -> None:
    labels = figure_labels(result)
    days = st.number_input(
        t("future_days"), 0, core.FUTURE_DAYS, value=5, step=1, key=P + "days", help=t("future_help")
    )
    future = core.forecast_future(result, int(days)) if days else None
    st.plotly_chart(prediction_figure(result.eval_dates, result.actual, result.predictions, result.baselines,
                                      future=future, labels=labels), key=P + "chart")  # fmt: skip
    if future is not None:
        st.caption(t("future_caption", n=len(future)))
    st.plotly_chart(loss_figure(result.history, labels=labels), key=P + "losses")
    if result.val_is_test:
        st.caption(t("test_loss_caption"))


def downloads(result: core.ForecastResult) -> dict[str, bytes | str]:
    stored = st.session_state.get(P + "downloads")
    if stored is None or stored[0] is not result:
        files = {
            "csv": core.predictions_frame(result).to_csv(float_format="%.4f"),
            "keras": result.keras_bytes,
            "weights": result.weights_text,
            "summary": result.summary_text,
            "script": standalone_script(result.config, tuple(c for c, _ in result.codec.columns)),
        }
        stored = (result, files)
        st.session_state[P + "downloads"] = stored
    return stored[1]


def show_files(result: core.ForecastResult) -> None:
    files = downloads(result)
    stem = file_stem(result.config)
    summary, weights, script, other = st.tabs([t("tab_summary"), t("tab_weights"), t("tab_script"), t("tab_files")])
    summary.code(files["summary"], language=None)
    weights.download_button(t("download_weights"), files["weights"], file_name=f"{stem}_weights.txt",
                            mime="text/plain", on_click="ignore", key=P + "dl_weights")  # fmt: skip
    weights.code(files["weights"][:20000], language=None)
    script.caption(t("script_caption"))
    script.download_button(t("download_script"), files["script"], file_name=f"{stem}.py", mime="text/x-python",
                           on_click="ignore", key=P + "dl_script")  # fmt: skip
    script.code(files["script"], language="python")
    other.download_button(t("download_csv"), files["csv"], file_name=f"{stem}_predictions.csv", mime="text/csv",
                          on_click="ignore", key=P + "dl_csv")  # fmt: skip
    other.download_button(t("download_keras"), files["keras"], file_name=f"{stem}.keras",
                          mime="application/octet-stream", on_click="ignore", key=P + "dl_keras")  # fmt: skip
    other.caption(t("files_caption"))


# ---------------------------------------------------------------- the page

worker.warm()  # training runs in worker processes: start them while the user picks the data
init_state()
st.title(t("heading"))
st.markdown(t("intro"))
data = data_picker("forecast", t)
if data is None:
    st.stop()
target = target_picker("forecast", data, t=t)
split_holder = st.empty()  # drawn once the form's settings are read
pressed = settings_form()
config = config_from_widgets(target)
show_split(split_holder, data, config)
if pressed and config is not None:
    train(data, config)
result = st.session_state.get(P + "result")
if result is None:
    st.info(t("press_train"))
    st.stop()
show_heading(result, config, data)
show_verdicts(result)
show_table(result)
show_charts(result)
show_files(result)
