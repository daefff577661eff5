"""How the Sequence lab draws its four results: every model beside its baselines on the same points."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core import multistep as ms
from core import seasonal as sea
from core import shapes as sh
from core import updown as ud
from core.figures.seq import lines_figure, window_figure
from core.i18n import text
from core.seasonal_baselines import STATISTICAL
from ui.common import lang, plain, user_errors
from ui.views.seq_forms import CELL_NAMES

CHART = {"displayModeBar": False}


def _heading(t, task: str) -> None:
    st.header(t("result_heading", task=t(f"tab_{task}")), anchor="result")


def _verdict(sentence: str, good: bool) -> None:
    (st.success if good else st.warning)(sentence)


# ---------------------------------------------------------------- seasonal


def seasonal_name(name: str) -> str:
    return text("seasonal", f"baseline_{name}", lang())


def show_seasonal(result: sea.SeasonalResult, t) -> None:
    _heading(t, "seasonal")
    c = result.config
    model = t("model_name", cell=CELL_NAMES[c.cell], mode=t(f"short_{c.mode}"))
    best = result.baseline_rmse(result.best_naive)
    m1, m2, m3 = st.columns(3)
    m1.metric(t("metric_model_rmse", n=len(result.seeds)), f"{result.rmse:.2f} ± {result.rmse_std:.2f}")
    m2.metric(t("metric_best_naive"), f"{best:.2f}")
    m3.metric(t("metric_fit_seconds"), f"{result.fit_seconds:.1f}")
    _verdict(result.verdict(lang()), result.beats_best_naive)
    if result.leaks:
        st.warning(t("leak_warning"))
    elif c.mode == "course":
        st.info(t("no_leak"))
    table = result.metrics[["rmse", "mae", "mape"]].copy()
    table.index = [model if name == "model" else seasonal_name(name) for name in table.index]
    table.columns = [t("col_rmse"), t("col_mae"), t("col_mape")]
    st.table(table.style.format("{:.2f}"))
    st.caption(t("seasonal_points", n=len(result.dates), first=f"{result.dates[0]:%Y-%m}",
                 last=f"{result.dates[-1]:%Y-%m}", forecast=t(f"forecast_{result.forecast}")))  # fmt: skip
    lines = {t("actual"): (result.actual, "actual"), model: (result.predictions.mean(axis=0), "model")}
    for name, values in result.baselines.items():
        lines[seasonal_name(name)] = (values, "reference" if name in STATISTICAL else "baseline")
    st.plotly_chart(lines_figure(result.dates, lines, t("axis_date"), t("axis_value"), markers=True), config=CHART)
    st.subheader(t("shapes_heading"))
    st.markdown(t("shapes_intro"))
    with user_errors():
        rows = sea.shape_table(sea.prepare_seasonal(c, result.series), lang())
        frame = pd.DataFrame(rows).rename(columns={k: t(f"col_{k}") for k in ("reading", "shape", "axes", "meaning")})
        st.table(frame.set_index(t("col_reading")))


# ---------------------------------------------------------------- multistep


def show_multistep(result: ms.MultistepResult, t) -> None:
    _heading(t, "multistep")
    c, names = result.config, {"model": CELL_NAMES[result.config.cell]}
    names |= {n: text("seq", f"multistep_baseline_{n}", lang()) for n in result.baseline_names}
    m1, m2, m3 = st.columns(3)
    by_seed = result.mean_rmse_by_seed()
    m1.metric(
        t("metric_mean_rmse", n=len(result.seeds)),
        f"{by_seed.mean():.2f} ± {by_seed.std(ddof=1) if len(by_seed) > 1 else 0:.2f}",
    )
    m2.metric(t("metric_test_windows"), f"{result.test_windows:,}")
    m3.metric(t("metric_fit_seconds"), f"{result.fit_seconds:.1f}")
    won = min(result.horizons_won(n) for n in result.baseline_names)
    _verdict(result.verdict(lang()), won == c.n_out)
    st.caption(
        t("multistep_columns", columns=", ".join(plain(col) for col in result.columns), n_in=c.n_in, n_out=c.n_out)
    )
    shown = [h for h in ms.HORIZONS_SHOWN if h <= c.n_out] or [c.n_out]
    shown = sorted(set(shown) | {c.n_out})
    table = pd.DataFrame({names[n]: result.rmse_by_horizon(n)[np.array(shown) - 1, 0] for n in names},
                         index=[t("horizon_row", h=h) for h in shown])  # fmt: skip
    table.loc[t("horizon_mean")] = [result.mean_rmse(n) for n in names]
    st.table(table.style.format("{:.2f}"))
    horizons = np.arange(1, c.n_out + 1)
    lines = {names[n]: (result.rmse_by_horizon(n)[:, 0], "model" if n == "model" else "baseline") for n in names}
    st.plotly_chart(lines_figure(horizons, lines, t("axis_horizon"), t("axis_rmse")), config=CHART)
    st.subheader(t("fan_heading"))
    series, windows = result.series.iloc[:, 0], len(result.starts)
    cols = st.columns(3)
    for col, k in zip(cols, sorted({0, windows // 2, windows - 1}), strict=False):
        start = int(result.starts[k])
        inputs = series.iloc[start : start + c.n_in]
        outputs = {t("actual"): (result.actual[k, :, 0], "actual")}
        for s, seed in enumerate(result.seeds):
            outputs[t("seed_line", seed=seed)] = (result.predictions[s, k, :, 0], "model")
        out_x = series.index[start + c.n_in : start + c.n_in + c.n_out]
        labels = {"input": t("window_input"), "x_title": t("axis_date"), "y_title": str(series.name)}
        col.plotly_chart(
            window_figure(inputs.index, inputs.to_numpy(), out_x, outputs, labels), config=CHART, key=f"fan{k}"
        )


# ---------------------------------------------------------------- up/down


def show_updown(result: ud.UpDownResult, t) -> None:
    _heading(t, "updown")
    names = {"model": CELL_NAMES[result.config.cell]}
    names |= {n: text("seq_updown", f"name_{n}", lang()) for n in ud.BASELINES}
    m1, m2, m3, m4 = st.columns(4)
    acc, spread = result.mean_std("accuracy")
    m1.metric(t("metric_accuracy", n=len(result.seeds)), f"{acc:.1%} ± {spread:.1%}")
    m2.metric(t("metric_always_up"), f"{result.baselines['always_up'].accuracy:.1%}")
    m3.metric(t("metric_skill_bound"), f"{result.skill.bound:.1%}")
    m4.metric(t("metric_fit_seconds"), f"{result.fit_seconds:.1f}")
    _verdict(ud.skill_sentence(result.skill, lang()), result.skill.has_skill)
    rows = {names["model"]: [result.mean_std(k)[0] for k in ("accuracy", "balanced_accuracy", "auc")]}
    rows |= {names[n]: [b.accuracy, b.balanced_accuracy, b.auc] for n, b in result.baselines.items()}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=[t("col_accuracy"), t("col_balanced"), t("col_auc")])
    st.table(table.style.format("{:.3f}"))
    st.caption(t("updown_points", n=result.n_test, first=f"{result.test_dates[0]:%Y-%m-%d}",
                 last=f"{result.test_dates[-1]:%Y-%m-%d}"))  # fmt: skip
    st.subheader(t("confusion_heading", n=len(result.seeds)))
    cm = result.confusion()
    st.table(
        pd.DataFrame(cm, index=[t("actual_down"), t("actual_up")], columns=[t("predicted_down"), t("predicted_up")])
    )
    show_article(t)


def show_article(t) -> None:
    counts = ud.article_parameter_counts()
    st.subheader(t("article_heading"))
    st.table(pd.DataFrame({t("col_printed"): [f"{counts.printed_lstm:,}"],
                           t("col_formula"): [f"{counts.formula_text} = {counts.formula_lstm:,}"]},
                          index=[f"LSTM({counts.units})"]))  # fmt: skip
    for slip in ud.article_slips(lang()):
        st.markdown(f"- {t('slip_article')} {slip.article}  \n  {t('slip_fact')} {slip.fact}")


# ---------------------------------------------------------------- shapes


def show_shapes_reference(t, units: int) -> None:
    """What needs no training: parameter formulas, the notes' Conv1D, and the documents' slips."""
    st.subheader(t("formulas_heading", units=units))
    rows = {r.layer: [r.formula, r.filled, f"{r.count:,}"] for r in sh.parameter_rows(1, units)}
    st.table(pd.DataFrame.from_dict(rows, orient="index", columns=[t("col_formula"), t("col_filled"), t("col_params")]))
    conv = sh.conv1d_formulas()
    st.markdown(t("conv1d_line", input=tuple(conv["input"]), output=tuple(conv["output"]), params=conv["params"]))
    with st.expander(t("slips_heading")):
        for slip in sh.document_slips(lang()):
            st.markdown(f"- {t('slip_shows')} {slip.shows}  \n  {t('slip_fact')} {slip.fact}")


def show_shapes(shown, t) -> None:
    _heading(t, "shapes")
    tasks = shown.tasks
    rows = {}
    for task in tasks.tasks:
        s = tasks.score(task)
        rows[text("seq_shapes", f"task_{task}", lang())] = [f"{s.mse:.3g}", f"{s.mean_mse:.3g}", f"{s.ratio:.2f}",
                                                            f"{tasks.fit_seconds(task):.1f}"]  # fmt: skip
    columns = [t("col_mse"), t("col_mean_mse"), t("col_ratio"), t("metric_fit_seconds")]
    st.table(pd.DataFrame.from_dict(rows, orient="index", columns=columns))
    for task in tasks.tasks:
        s = tasks.score(task)
        _verdict(sh.task_sentence(s, lang()), s.beats_mean_clearly)
    for panel in sh.shape_panels(shown.dims):
        report = shown.report["panels"][panel.key]
        with st.expander(text("seq_shapes", f"panel_{panel.key}", lang()), expanded=panel.key == "many_to_one"):
            st.code(panel.code, language="python")
            st.code(report["summary_text"], language="text")
            frame = pd.DataFrame(report["layers"]).rename(columns=lambda k: t(f"col_layer_{k}"))
            st.table(frame.set_index(t("col_layer_layer")))
