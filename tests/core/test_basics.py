"""Errors, text lookup, progress arithmetic and the cell switch."""

from __future__ import annotations

import pytest

from core.errors import SENTENCES, AppError, ErrorKind
from core.i18n import text
from core.models import CELLS, check_cell
from core.progress import EpochTracker


def test_every_error_kind_has_a_sentence():
    assert set(SENTENCES) == set(ErrorKind)
    err = AppError(ErrorKind.EMPTY_FILE)
    assert err.kind is ErrorKind.EMPTY_FILE
    assert err.to_line() == "error [empty_file]: The file is empty: there is nothing to read."


def test_text_falls_back_to_english_then_to_the_key():
    assert text("home", "heading", "en") == "RNN Lab"
    assert text("home", "heading", "zh") == "RNN 实验室"
    assert text("home", "no_such_key", "zh") == "no_such_key"


def test_progress_estimates_time_left():
    seen = []
    tracker = EpochTracker(epochs=4, report=seen.append)
    tracker.start -= 2.0  # pretend two seconds have passed
    tracker.epoch_done(1, {"loss": 0.5, "learning_rate": 0.01})
    info = seen[-1]
    assert info.fraction == 0.25
    assert info.history == {"loss": [0.5]}  # the learning rate is not a curve
    assert 5.9 < info.seconds_left < 6.5  # ~2 s per epoch, 3 epochs to go


def test_unknown_cell_raises():
    assert CELLS == ("rnn", "lstm", "gru")
    with pytest.raises(ValueError, match="unknown cell 'transformer'"):
        check_cell("transformer")


def test_every_translation_fills_the_same_blanks_as_english():
    """A Chinese string that lost or renamed a {placeholder} would fail at run time (or say less)."""
    import string
    import tomllib

    from core.i18n import ASSETS

    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    # The cleaning report passes English plural phrases ("3 rows") and the bare numbers Chinese uses.
    numbers = {"n", "n_read"}
    checked = 0
    for en_file in sorted((ASSETS / "text" / "en").glob("*.toml")):
        en = tomllib.loads(en_file.read_text(encoding="utf-8"))
        zh = tomllib.loads((ASSETS / "text" / "zh" / en_file.name).read_text(encoding="utf-8"))
        assert set(zh) <= set(en), (en_file.name, sorted(set(zh) - set(en)))  # no key only Chinese has
        for key, template in zh.items():
            if en_file.name == "data.toml" and key.startswith("clean_"):
                assert fields(template) <= fields(en[key]) | numbers, (en_file.name, key)
            else:
                assert fields(template) == fields(en[key]), (en_file.name, key)
            checked += 1
    assert checked > 300  # every page's text was read
    progress = text("common", "progress_epoch", "zh", stage="", label="训练 LSTM", epoch=2, epochs=5, seconds="3")
    assert progress == "训练 LSTM：第 2 / 5 轮 · 约剩 3 秒"
