"""Prepare for class: one plan over every page's defaults, through the training path, with batch progress."""

from __future__ import annotations

from core import classroom
from core.progress import EpochInfo


def test_the_plan_lists_every_page_in_order():
    labels = [label for label, _ in classroom.warm_plan(course=True)]
    assert labels[:4] == ["letters · L1", "letters · L2", "letters · L3", "letters · L4"]
    assert [label for label in labels if label.startswith("forecast")] == [
        f"forecast · {cell} ({mode})" for mode in ("default", "course") for cell in ("SimpleRNN", "LSTM", "GRU")
    ]
    assert not any("course" in label for label, _ in classroom.warm_plan(course=False) if label.startswith("forecast"))
    assert [label for label in labels if label.startswith("seq")] == ["seq · seasonal default", "seq · seasonal course"]


def test_prepare_reports_stages_and_then_answers_from_the_cache(isolated_cache, monkeypatch):
    from core import letters

    monkeypatch.setattr(classroom, "MODULES", ("core.letters",))
    tiny = [
        (
            label,
            lambda report, cancel, task=label[-2:]: letters.train_letters(
                letters.LetterConfig.course(task, epochs=3), report=report, cancel=cancel
            ),
        )
        for label, _ in letters.warm_items()
    ]
    monkeypatch.setattr(letters, "warm_items", lambda: tiny)
    seen: list[EpochInfo] = []
    first = classroom.prepare_for_class(report=seen.append)
    assert [d["cached"] for d in first[:-1]] == [False] * 4 and first[-1]["step"] == "total"
    assert seen[0].stage == "1/4 · letters · L1" and seen[-1].stage == "4/4 · letters · L4"
    assert all(d["cached"] for d in classroom.prepare_for_class()[:-1])
