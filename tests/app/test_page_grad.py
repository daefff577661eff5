"""Headless AppTest of the Memory and gradients page: each section on arrival (English and 中文), the power
argument's numbers, tiny clipping and long-memory trainings (budgets shrunk in the test), the peephole check."""

from __future__ import annotations

import dataclasses

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_chinese import assert_chinese

PAGE = ("pages", "8_Memory_and_gradients.py")
SECTIONS = ("gradients", "clipping", "memory", "peephole")


@pytest.fixture(autouse=True)
def small_budgets(monkeypatch):
    """Empty in-memory caches, and trainings of a few seconds: fewer sequences and epochs than the lab's."""
    from core import grad
    from core.training import RESULTS

    RESULTS.clear_memory()
    tiny = dict(n_train=96, n_val=32, n_test=64, epochs=2)
    demo = grad.clipping_demo_configs
    monkeypatch.setattr(grad, "clipping_demo_configs", lambda: [dataclasses.replace(c, **tiny) for c in demo()])
    sweep = grad.sweep_configs
    monkeypatch.setattr(grad, "sweep_configs", lambda *a, **k: sweep(*a, **(tiny | k)))


def page(root, section: str, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(root.joinpath(*PAGE)), default_timeout=300)
    at.session_state["ui.lang"] = lang
    at.session_state["grad.section"] = section
    return at.run()


def words(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption", "info", "success") for e in getattr(at, kind))


def test_power_section_shows_closed_form_beside_autodiff(root, isolated_cache):
    at = page(root, "gradients")
    assert not at.exception and not at.error
    assert at.radio(key="grad.section").value == "gradients"
    metrics = {m.label: m.value for m in at.metric}
    closed = next(v for k, v in metrics.items() if "closed form" in k.lower())
    autodiff = next(v for k, v in metrics.items() if "gradienttape" in k.lower() or "autodiff" in k.lower())
    assert float(closed) == pytest.approx(0.9**50, rel=1e-5) and float(autodiff) == pytest.approx(0.9**50, rel=1e-5)
    assert at.success  # the two agree within 1e-5
    at.slider(key="grad.w").set_value(1.1).run()
    closed = next(m.value for m in at.metric if "closed form" in m.label.lower())
    assert float(closed) == pytest.approx(117.39, abs=0.01)  # 1.1^50
    assert len(at.get("plotly_chart")) >= 2  # |w|^T and the Jacobian norms


def test_clipping_section_trains_five_runs_and_shows_the_bound(root, isolated_cache):
    at = page(root, "clipping")
    assert not at.exception and not at.get("plotly_chart")  # nothing trained yet: a button, no chart
    at.button(key="grad.clip_train").click().run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert list(table.iloc[:, 0]) == ["none", "clipvalue 1", "clipnorm 1", "global_clipnorm 1", "global_clipnorm 5"]
    assert len(at.get("plotly_chart")) == 1
    again = page(root, "clipping")  # a new visit: all five from the cache, no button
    assert not again.exception and len(again.get("plotly_chart")) == 1
    assert not [b for b in again.button if b.key == "grad.clip_train"]


def test_memory_section_trains_one_T_and_tables_it(root, isolated_cache):
    at = page(root, "memory")
    assert not at.exception and at.info  # an empty cache says so
    at.selectbox(key="grad.memory_T").set_value(5)
    at.multiselect(key="grad.memory_cells").set_value(["rnn", "dense"])
    at.number_input(key="grad.memory_seeds").set_value(1).run()
    at.button(key="grad.memory_train").click().run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert list(table["T"]) == [5, 5] and list(table.iloc[:, 1]) == ["SimpleRNN", "Dense"]
    assert len(at.get("plotly_chart")) == 1


def test_peephole_section_checks_against_keras(root, isolated_cache):
    at = page(root, "peephole")
    assert not at.exception
    assert any("= 4,480 + 96 = 4,576" in str(e.value) for e in at.get("latex"))  # 4·32·(2+32+1) + 3·32
    at.button(key="grad.peephole_check").click().run()
    assert not at.exception and not at.error and at.success
    assert "4576" in at.success[0].value.replace(",", "")
    assert "Greff" in words(at)


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_in_chinese(root, isolated_cache, section):
    at = page(root, section, "zh")
    assert_chinese(at, section)


def test_chinese_after_training(root, isolated_cache):
    at = page(root, "clipping", "zh")
    at.button(key="grad.clip_train").click().run()
    assert_chinese(at, "clipping trained")
    at = page(root, "memory", "zh")
    at.multiselect(key="grad.memory_cells").set_value(["dense"])
    at.selectbox(key="grad.memory_T").set_value(5)
    at.number_input(key="grad.memory_seeds").set_value(1).run()
    at.button(key="grad.memory_train").click().run()
    assert_chinese(at, "memory trained")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_comparison_page_offers_long_memory(root, isolated_cache, lang):
    at = AppTest.from_file(str(root / "pages" / "5_Architecture_comparison.py"), default_timeout=300)
    at.session_state["ui.lang"] = lang
    at.run()
    at.radio(key="compare.task").set_value("memory").run()
    assert at.multiselect(key="compare.cells.memory").value == ["rnn", "lstm", "gru", "peephole", "dense"]
    at.multiselect(key="compare.cells.memory").set_value(["rnn", "dense"])
    at.selectbox(key="compare.steps").set_value(5)
    at.number_input(key="compare.seeds").set_value(1)
    at.number_input(key="compare.epochs.memory.default").set_value(1)
    at.button(key="compare.run").click().run()
    assert not at.exception and not at.error
    result = at.session_state["compare.result"]
    assert (
        result.config.task == "memory"
        and result.config.steps == 5
        and [r.cell for r in result.runs] == ["rnn", "dense"]
    )
    assert result.memory_baseline == pytest.approx(1 / 6, abs=0.02)
    if lang == "zh":
        assert_chinese(at, "long memory compared")
    else:
        assert "test MSE" in " ".join(str(c) for c in at.dataframe[0].value.columns)
