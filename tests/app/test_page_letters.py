"""Headless AppTest of the letter page: train L1 with one click, then predict a -> b."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


@pytest.fixture
def app(root, isolated_cache) -> AppTest:
    at = AppTest.from_file(str(root / "pages" / "3_Letter_prediction.py"), default_timeout=120)
    at.run()
    return at


def test_first_visit_trains_nothing(app):
    assert not app.exception
    assert "letters.result" not in app.session_state
    assert app.radio(key="letters.task").value == "L1"
    assert any("Train" in i.value for i in app.info)


def test_train_l1_and_predict_a_to_b(app):
    app.button(key="letters.train").click().run()
    assert not app.exception
    result = app.session_state["letters.result"]
    assert result.accuracy == 1.0
    assert result.predictions == {"a": "b", "b": "c", "c": "d", "d": "e", "e": "a"}
    table = app.dataframe[0].value
    assert list(table.iloc[:, 0]) == list("abcde")
    assert list(table.iloc[:, 2]) == list("bcdea")
    assert set(table.iloc[:, 4]) == {"✓"}
    app.text_input(key="letters.text").input("a").run()
    metric = next(m for m in app.metric if "→" in str(m.value))
    assert metric.value == "a → b"


def test_wrong_letter_and_invalid_alphabet_give_sentences(app):
    app.button(key="letters.train").click().run()
    app.text_input(key="letters.text").input("z").run()
    assert any("'z' is not in the alphabet" in e.value for e in app.error)
    app.radio(key="letters.alphabet_mode").set_value("typed").run()
    app.text_input(key="letters.alphabet_typed").input("abca").run()
    assert any("repeats 'a'" in e.value for e in app.error)
    trained = app.session_state["letters.result"]
    app.button(key="letters.train").click().run()  # Train answers: the same sentence, nothing trained
    assert any("repeats 'a'" in e.value for e in app.error)
    assert app.session_state["letters.result"] is trained


def test_keep_going_generates(app):
    app.button(key="letters.train").click().run()
    app.text_input(key="letters.text").input("c").run()
    app.number_input(key="letters.steps").set_value(6).run()
    app.button(key="letters.keep_going").click().run()
    assert app.session_state["letters.generated"] == ("c", "cdeabcd")


def test_cell_switch_shows_cached_model_without_training(app):
    app.button(key="letters.train").click().run()
    app.radio(key="letters.cell").set_value("gru").run()
    assert app.session_state["letters.result"].config.cell == "rnn"  # nothing trains on a widget change
    assert any("settings above have changed" in c.value for c in app.caption)
    app.button(key="letters.train").click().run()
    assert app.session_state["letters.result"].config.cell == "gru"
    app.radio(key="letters.cell").set_value("rnn").run()
    result = app.session_state["letters.result"]
    assert (result.config.cell, result.cached) == ("rnn", True)  # the trained SimpleRNN comes back at once


def test_free_configuration_and_reset(app):
    app.number_input(key="letters.units").set_value(5).run()
    assert any("free configuration" in c.value for c in app.caption)
    app.button(key="letters.reset").click().run()
    assert app.number_input(key="letters.units").value == 3
    assert not any("free configuration" in c.value for c in app.caption)
    app.radio(key="letters.task").set_value("L4").run()
    assert app.number_input(key="letters.units").value == 10
    assert app.radio(key="letters.alphabet_mode").value == "az"


def test_chinese_text(app):
    app.sidebar.selectbox[0].select("zh").run()
    assert app.title[0].value == "字母预测：下一个字母是什么？"
    assert app.button(key="letters.train").label == "训练"


def test_another_seed_below_100_percent_says_so_and_why(app):
    app.radio(key="letters.task").set_value("L2").run()
    app.number_input(key="letters.seed").set_value(1).run()
    app.button(key="letters.train").click().run()
    assert app.session_state["letters.result"].accuracy == 0.8
    warning = app.warning[0].value
    assert warning.startswith("1 of 5 inputs get the wrong next letter (e → b")
    assert "seed 1 chose other starting weights" in warning and "2 learned numbers per letter" in warning
    assert "still falling" in warning and "With seed 7, every course task reaches 100%" in warning
    app.button(key="letters.continue").click().run()
    result = app.session_state["letters.result"]
    assert (result.accuracy, result.epochs_run, result.resumed_at) == (1.0, 200, (100,))
    assert not app.warning and any("All 5 inputs" in s.value for s in app.success)
