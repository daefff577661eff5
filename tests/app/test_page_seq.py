"""Headless AppTest of the Sequence lab: each of the four tabs trains a tiny model and shows it beside
its baselines; bad uploads get a sentence; every tab reads in Chinese."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_chinese import assert_chinese, english_left, texts

TINY = {
    "seasonal": {"epochs": 2, "seeds": 1},
    "multistep": {"iterations": 2, "seeds": 1},
    "updown": {"epochs": 1, "units": 4, "seeds": 1},
    "shapes": {"epochs": 1, "units": 4, "seeds": 1},
}


def open_page(root, lang: str = "en", task: str = "seasonal") -> AppTest:
    at = AppTest.from_file(str(root / "pages" / "6_Sequence_lab.py"), default_timeout=300)
    at.session_state["ui.lang"] = lang
    at.session_state["seq.tab"] = task
    return at.run()


def train_tiny(at: AppTest, task: str, **changes) -> AppTest:
    for key, value in (TINY[task] | changes).items():
        at.number_input(key=f"seq.{task}.{key}").set_value(value)
    if task == "shapes":
        at.multiselect(key="seq.shapes.tasks").set_value(["running_sum"])
    return at.button(key=f"seq.{task}.train").click().run()


@pytest.mark.parametrize("task", ["seasonal", "multistep", "updown", "shapes"])
def test_every_tab_on_arrival_trains_nothing(root, isolated_cache, task):
    at = open_page(root, task=task)
    assert not at.exception and not at.error
    assert f"seq.{task}.result" not in at.session_state
    assert any("Train" in i.value for i in at.info)
    assert [tab.label for tab in at.tabs] == [
        "Seasonal series",
        "Multi-step encoder-decoder",
        "Up/down classification",
        "Sequence shapes",
    ]


def test_seasonal_default_beside_its_baselines(root, isolated_cache):
    at = train_tiny(open_page(root), "seasonal")
    assert not at.exception and not at.error
    result = at.session_state["seq.seasonal.result"]
    assert result.config.mode == "default" and len(result.dates) == 29
    rows = list(at.table[0].value.index)
    assert rows[0] == "GRU default" and "seasonal naive y[t-m]" in rows and "SARIMA(0,1,1)(0,1,1)m on the log" in rows
    assert at.table[0].value.loc["seasonal naive y[t-m]", "RMSE"] == pytest.approx(46.08, abs=0.005)
    verdict = (list(at.success) + list(at.warning))[0].value
    assert "best naive baseline" in verdict and "19.25" in verdict
    assert "Default mode: training windows" in list(at.table[1].value.index)


def test_seasonal_course_mode_flags_the_leak_and_the_toggle_removes_it(root, isolated_cache):
    at = open_page(root)
    at.button(key="seq.seasonal.reset_course").click().run()
    assert at.radio(key="seq.seasonal.mode").value == "course"
    assert at.number_input(key="seq.seasonal.epochs").value == 1000
    at = train_tiny(at, "seasonal")
    assert not at.exception
    assert any("test months' maximum reaches the training" in w.value for w in at.warning)
    shapes = at.table[1].value
    assert shapes.loc["The notes (PyTorch, time-major)", "shape"] == "(141, 1, 3)"
    assert shapes.loc["Keras training input", "shape"] == "(1, 112, 3)"
    at.toggle(key="seq.seasonal.train_scaling").set_value(True)
    at.button(key="seq.seasonal.train").click().run()
    assert at.session_state["seq.seasonal.result"].config.scaling == "train"
    assert any("no statistic of the test months" in i.value for i in at.info)


def test_multistep_rmse_per_horizon_beside_persistence(root, isolated_cache):
    at = train_tiny(open_page(root, task="multistep"), "multistep")
    assert not at.exception and not at.error
    table = at.table[0].value
    assert list(table.columns)[1:] == ["persistence (last input value)", "drift (last value + average step)"]
    assert list(table.index) == [f"{h} step(s) ahead" for h in (1, 10, 20, 40)] + ["mean over horizons"]
    persistence = [round(v, 1) for v in table.iloc[:4, 1]]
    assert persistence == [18.7, 53.6, 69.6, 100.6]  # the S&P 500 figures, on the same test windows
    assert len(at.get("plotly_chart")) == 4  # RMSE per horizon and three example windows


def test_updown_accuracy_beside_always_up_and_the_skill_bound(root, isolated_cache):
    at = train_tiny(open_page(root, task="updown"), "updown")
    assert not at.exception and not at.error
    table = at.table[0].value
    assert list(table.index)[1:] == ["always up", "yesterday's sign", "logistic regression"]
    assert table.loc["always up", "accuracy"] == pytest.approx(0.523, abs=0.0005)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["skill needs more than"] == "54.9%"
    assert any("1,002 test days" in m.value for m in list(at.success) + list(at.warning))
    assert at.table[2].value.iloc[0, 0] == "41,792" and "17,152" in at.table[2].value.iloc[0, 1]


def test_shapes_task_beside_the_mean_and_five_panels(root, isolated_cache):
    at = open_page(root, task="shapes")
    formulas = at.table[0].value
    assert list(formulas["parameters"]) == ["1,088", "4,352", "3,360"]  # U=32, F=1: U(F+U+1), 4U(..), 3U(F+U+2)
    assert any("(1, 4, 2) with 26 parameters" in m.value for m in at.markdown)
    at = train_tiny(at, "shapes")
    assert not at.exception and not at.error
    assert list(at.table[1].value.index) == ["Running sum: read a sequence, output its sum"]
    assert len(at.expander) == 6  # the slips and five panels
    assert any("RepeatVector" in c.value for c in at.code)


BAD_UPLOADS = {
    "too short": b"Date,Value\n" + b"".join(f"2020-{m:02d}-01,{100 + m}\n".encode() for m in range(1, 13)),
    "irregular": b"Date,Value\n"
    + b"".join(f"2020-01-{d:02d},{d}\n".encode() for d in (1, 2, 5, 9, 17, 18, 25))
    + b"".join(f"2021-{m:02d}-03,{m}\n".encode() for m in range(1, 13))
    + b"".join(f"2022-{m:02d}-07,{m}\n".encode() for m in range(1, 13)),
    "text": b"Date,Value\n" + b"".join(f"2020-{m:02d}-01,many\n".encode() for m in range(1, 13)),
}


@pytest.mark.parametrize("kind", list(BAD_UPLOADS))
def test_bad_uploads_get_a_sentence(root, isolated_cache, kind):
    at = open_page(root, lang="zh")
    at.radio(key="seq.seasonal.source").set_value("picker").run()
    at.radio(key="data.data_source").set_value("upload").run()
    at.file_uploader(key="seq.upload").upload("series.csv", BAD_UPLOADS[kind], "text/csv")
    at.run()
    if not at.error:  # the file reads as a series: Train refuses it before anything trains
        at.button(key="seq.seasonal.train").click().run()
    assert not at.exception and at.error, kind
    assert "seq.seasonal.result" not in at.session_state
    if kind == "irregular":  # a season length set by hand gets past the dates' spacing (then: too short)
        at.number_input(key="seq.seasonal.season").set_value(12)
        at.button(key="seq.seasonal.train").click().run()
        assert at.error and "不均匀" not in at.error[0].value and "太少" in at.error[0].value
    english = [(k, v) for k, v in texts(at) if english_left(v) and v != "value"]  # "value": the file's own column
    assert english == [], english


@pytest.mark.parametrize("task", ["seasonal", "multistep", "updown", "shapes"])
def test_every_tab_in_chinese(root, isolated_cache, task):
    assert_chinese(open_page(root, lang="zh", task=task), task)


def test_trained_seasonal_and_updown_in_chinese(root, isolated_cache):
    at = train_tiny(open_page(root, lang="zh"), "seasonal")
    assert "seq.seasonal.result" in at.session_state
    assert_chinese(at, "seasonal trained")
    at.session_state["seq.tabs.zh"] = "涨跌分类"  # the tab a click opens
    at = train_tiny(at.run(), "updown")
    assert "seq.updown.result" in at.session_state
    assert_chinese(at, "updown trained")


def test_the_lesson_link_opens_the_notes_airline_model(root, isolated_cache):
    at = AppTest.from_file(str(root / "pages" / "6_Sequence_lab.py"), default_timeout=300)
    at.session_state["seq.tab"] = "updown"
    at.query_params["lesson"] = "course"
    at.run()
    assert not at.exception
    assert at.radio(key="seq.seasonal.mode").value == "course" and at.radio(key="seq.seasonal.cell").value == "lstm"
    assert at.number_input(key="seq.seasonal.epochs").value == 1000
    assert at.number_input(key="seq.seasonal.learning_rate").value == pytest.approx(0.1)
    assert at.number_input(key="seq.seasonal.seeds").value == 1
