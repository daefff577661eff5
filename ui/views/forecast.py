"""How the forecasting page draws things: the split before training and a trained forecaster.

`t` is the page's text getter (ui.common.setup_page); nothing here trains.
"""

from __future__ import annotations

import streamlit as st

from core import forecast as core
from core.errors import AppError
from core.figures.forecast import loss_figure, prediction_figure, split_figure
from core.metrics import METRIC_COLUMNS
from core.scripts import file_stem, standalone_script
from ui.common import plain
from ui.views.model_files import model_files

P = "forecast."


def model_label(config: core.ForecastConfig, t) -> str:
    """'LSTM (default)' in the page's language."""
    from core.models import CELL_LABELS

    return t("model_label", cell=CELL_LABELS[config.cell], mode=t(f"mode_short_{config.mode}"))


def show_split(holder, data, config: core.ForecastConfig | None, t) -> None:
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


def figure_labels(result: core.ForecastResult, t) -> dict[str, str]:
    labels = {k: t(f"fig_{k}") for k in ("date", "price", "real", "future", "epoch", "loss", "train_loss")}
    labels |= {name: t(f"baseline_{name}") for name in result.baselines}
    labels["model"] = model_label(result.config, t)
    labels["val_loss"] = t("test_loss") if result.val_is_test else t("val_loss")
    return labels


def show_headline(result: core.ForecastResult, config: core.ForecastConfig | None, data, t) -> None:
    """Heading, the scored days and four numbers: what a projector shows first."""
    from ui.data_picker import source_label

    cfg = result.config
    same_data = result.data_fingerprint == data.fingerprint()
    source = plain(source_label(data)) if same_data else t("other_data")
    st.subheader(
        t("result_heading", model=model_label(cfg, t), target=plain(cfg.target), source=source), anchor="result"
    )
    if not same_data or (config is not None and config != cfg):
        st.caption(t("other_settings"))
    dates = result.eval_dates
    st.markdown(
        t(
            "eval_days",
            n=len(dates),
            start=f"{dates[0]:%Y-%m-%d}",
            end=f"{dates[-1]:%Y-%m-%d}",
            skip=cfg.eval_after,
            test=cfg.test_size,
        )
    )
    c1, c2, c3, c4 = st.columns(4)
    model = result.metrics.loc["model"]
    best = result.best_baseline
    c1.metric(t("metric_rmse"), f"{model['rmse']:.3f}")
    c2.metric(t("metric_best_baseline", name=t(f"short_{best}")), f"{result.metrics.loc[best, 'rmse']:.3f}")
    cached = t("from_cache") if result.cached else None
    c3.metric(t("train_seconds"), f"{result.train_seconds:.1f} s", cached, delta_color="off", delta_arrow="off")
    chosen = t("chosen_epoch", epoch=result.chosen_epoch)
    c4.metric(t("epochs_run"), result.epochs_run, chosen, delta_color="off", delta_arrow="off")


def show_verdicts(result: core.ForecastResult, t) -> None:
    """One plain sentence per baseline: did the model beat it?"""
    lines, verdicts = [], core.baseline_verdicts(result)
    for name, beat, ratio in verdicts:
        values = dict(
            baseline=t(f"baseline_{name}"),
            model=f"{result.metrics.loc['model', 'rmse']:.3f}",
            base=f"{result.metrics.loc[name, 'rmse']:.3f}",
            ratio=f"{ratio:.2f}",
        )
        lines.append("- " + (t("verdict_beat", **values) if beat else t("verdict_lost", **values)))
    (st.success if all(beat for _, beat, _ in verdicts) else st.warning)("\n".join(lines))
    if result.chosen_epoch == 0:
        st.info(t("kept_start"))
    elif result.fell_back:
        st.info(t("fell_back"))
    if result.config.mode == "course":
        st.caption(t("course_reported"))


def show_table(result: core.ForecastResult, t) -> None:
    table = result.metrics.copy()
    names = {"model": model_label(result.config, t)}
    table.index = [names.get(n) or t(f"baseline_{n}") for n in table.index]
    table.columns = [t(f"col_{c}") for c in METRIC_COLUMNS]
    st.table(table.style.format("{:.4f}"))
    st.caption(t("table_caption"))


def show_charts(result: core.ForecastResult, t) -> None:
    labels = figure_labels(result, t)
    days = st.number_input(
        t("future_days"), 0, core.FUTURE_DAYS, value=5, step=1, key=P + "days", help=t("future_help")
    )
    future = core.forecast_future(result, int(days)) if days else None
    fig = prediction_figure(
        result.eval_dates, result.actual, result.predictions, result.baselines, future=future, labels=labels
    )
    st.plotly_chart(fig, key=P + "chart")
    if future is not None:
        st.caption(t("future_caption", n=len(future)))
    st.plotly_chart(loss_figure(result.history, labels=labels), key=P + "losses")
    if result.val_is_test:
        st.caption(t("test_loss_caption"))


def show_files(result: core.ForecastResult, t) -> None:
    stem = file_stem(result.config)
    script = standalone_script(result.config, tuple(c for c, _ in result.codec.columns))
    csv = core.predictions_frame(result).to_csv(float_format="%.4f")
    extra = [(t("download_csv"), csv, f"{stem}_predictions.csv", "text/csv")]
    model_files(P, result.trained, stem, script, extra, t)


def report_html(result: core.ForecastResult, data, t) -> str:
    """The result as one HTML report: what the page shows, with the settings and the data's origin."""
    import dataclasses
    import re

    from core.i18n import text
    from core.report import Section, html_report
    from ui.common import lang
    from ui.data_picker import source_label

    labels = figure_labels(result, t)
    plain_text = lambda s: re.sub(r"[*_`]", "", s)  # noqa: E731  (markdown emphasis out of the sentences)
    verdicts = [
        t(
            "verdict_beat" if beat else "verdict_lost",
            baseline=t(f"baseline_{name}"),
            ratio=f"{ratio:.2f}",
            model=f"{result.metrics.loc['model', 'rmse']:.3f}",
            base=f"{result.metrics.loc[name, 'rmse']:.3f}",
        )
        for name, beat, ratio in core.baseline_verdicts(result)
    ]
    table = result.metrics.copy()
    table.index = [model_label(result.config, t) if n == "model" else t(f"baseline_{n}") for n in table.index]
    table.columns = [t(f"col_{c}") for c in METRIC_COLUMNS]
    dates = result.eval_dates
    days = t(
        "eval_days",
        n=len(dates),
        start=f"{dates[0]:%Y-%m-%d}",
        end=f"{dates[-1]:%Y-%m-%d}",
        skip=result.config.eval_after,
        test=result.config.test_size,
    )
    charts = [
        prediction_figure(result.eval_dates, result.actual, result.predictions, result.baselines, labels=labels),
        loss_figure(result.history, labels=labels),
    ]
    sections = [Section(t("report_results"), [plain_text(days), *map(plain_text, verdicts)], [table], charts)]
    provenance = text("common", "report_data", lang(), source=source_label(data))
    title = t(
        "result_heading", model=model_label(result.config, t), target=result.config.target, source=source_label(data)
    )
    return html_report(title, sections, dataclasses.asdict(result.config), provenance, lang())


def show_details(result: core.ForecastResult, data, t) -> None:
    """Everything after the headline: verdicts, table, charts, files and the report."""
    st.download_button(
        t("download_report"),
        lambda: report_html(result, data, t),
        file_name="forecast_report.html",
        mime="text/html",
        on_click="ignore",
        key=P + "dl_report",
        icon=":material/description:",
    )
    show_verdicts(result, t)
    show_table(result, t)
    show_charts(result, t)
    show_files(result, t)


def show_run_notice(data, config: core.ForecastConfig | None, t) -> bool:
    """Before a course-mode run: offer the cached result of exactly these settings when there is one, or
    say how long it is expected to take on this machine. True when the user asks for the cached result."""
    if config is None or config.mode != "course":
        return False
    shown = st.session_state.get(P + "result")
    if shown is not None and shown.config == config and shown.data_fingerprint == data.fingerprint():
        return False  # that result is on the page already
    if core.cached_forecast(data, config) is not None:
        st.success(t("course_cached"))
        return st.button(t("course_cached_button"), key=P + "show_cached")
    seconds = core.expected_seconds(data, config)
    if seconds is None:
        st.warning(t("course_time_unknown", epochs=config.epochs))
    else:
        st.warning(t("course_time", minutes=f"{seconds / 60:.1f}", epochs=config.epochs))
    return False
