"""Training from a page: the Train button's answer, live progress with a Cancel button, the result.

Every page trains through `training_area`: it runs the page's `work` (a call into core that ends
in core.training.train) with a progress bar, live curves and Cancel, stores the result in the
session under "<page>.result" and returns it. The training itself runs in a job outside this
script run (core.jobs), so a reload or a Cancel click — both of which end this run — never lose it:
the same request attaches to it again, and Cancel (in the run the click starts) cancels it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import streamlit as st

from core import jobs, worker
from core.errors import AppError
from core.i18n import text
from core.progress import EpochInfo
from core.training import Cancelled
from ui.common import lang, presenter, show_error

Work = Callable[..., Any]  # work(report) -> result; trains through core.training.train
CANCEL_WAIT_SECONDS = 120  # a cancelled training stops within one batch; this is a safety bound


def follower() -> str:
    """This browser session's name as a follower of training jobs."""
    return st.session_state.setdefault("ui.follower", uuid.uuid4().hex)


class TrainingProgress:
    """A reporter for core training: a progress bar with time left and the curves growing."""

    def __init__(self, label: str, curves: tuple[str, ...] = ("loss", "val_loss"), names: dict | None = None):
        self.label = label
        self.curves = curves  # history keys drawn live
        self.names = names or {}  # display names, e.g. {"val_loss": "test loss"}
        self.lang = lang()
        self.began = time.perf_counter()
        self._text = text("common", "progress_starting", self.lang, label=label)
        self.bar = st.progress(0.0, text=self._text)
        self.chart = st.empty()
        self._last_draw = self._last_tick = 0.0
        self.epochs_seen = 0

    def __call__(self, info: EpochInfo) -> None:
        stage = f"{info.stage} · " if info.stage else ""
        self.epochs_seen += 1
        self._text = text("common", "progress_epoch", self.lang, stage=stage, label=self.label, epoch=info.epoch,
                          epochs=info.epochs, seconds=f"{info.seconds_left:.0f}")  # fmt: skip
        self.bar.progress(info.fraction, text=self._text)
        now = time.perf_counter()
        if now - self._last_draw > 0.4 or info.epoch == info.epochs:  # redraw at most ~2x a second
            self._last_draw = now
            self._draw_curves(info.history)

    def _draw_curves(self, history: dict[str, list[float]]) -> None:
        from core.figures.training import live_curves_figure

        if max((len(history.get(c, [])) for c in self.curves), default=0) < 2:
            return  # one point makes no curve
        axes = (text("common", "axis_epoch", self.lang), text("common", "axis_loss", self.lang))
        fig = live_curves_figure(history, self.curves, self.names, axes)
        self.chart.plotly_chart(fig, key=None, config={"displayModeBar": False})

    def waiting(self, ahead: int) -> None:
        """Every training process is busy: say so (and how many trainings wait before this one)."""
        key = "progress_waiting" if ahead else "progress_waiting_next"
        self._text = text("common", key, self.lang, label=self.label, ahead=ahead)
        self.bar.progress(0.0, text=self._text)

    def tick(self) -> None:
        """Called while waiting: before the first epoch, show the seconds passed (also lets Streamlit
        notice a click on Cancel, which starts a new run of the page)."""
        now = time.perf_counter()
        if self.epochs_seen or now - self._last_tick < 0.5:
            return
        self._last_tick = now
        seconds = text("common", "progress_seconds", self.lang, seconds=f"{now - self.began:.0f}")
        self.bar.progress(0.0, text=f"{self._text} · {seconds}")


def handle_cancel(page: str) -> None:
    """A Cancel click ended the last run: cancel this session's training and say so (no bar is left)."""
    if not st.session_state.get(f"{page}.cancel"):
        return
    found = jobs.cancel_for(follower())
    if found is None:
        return
    job, cancelled = found
    if not cancelled:
        st.info(text("common", "cancel_detached", lang()))
        return
    job.wait_done(CANCEL_WAIT_SECONDS)
    epochs = job.events[-1].epochs if job.events else 0
    st.info(text("common", "cancelled", lang(), epoch=job.last_epoch, epochs=epochs), icon=":material/cancel:")


def run_training(page: str, work: Work, label: str, curves=("loss", "val_loss"), names: dict | None = None):
    """work(report) with a progress bar, live curves and Cancel; None (after a message) when the
    training was refused, failed or cancelled."""
    holder = st.empty()
    with holder.container():
        progress = TrainingProgress(label, curves, names)
        st.button(text("common", "cancel_button", lang()), key=f"{page}.cancel", icon=":material/cancel:")
    try:
        with jobs.following(follower()):
            result = work(progress)
    except Cancelled as err:
        holder.empty()
        st.info(text("common", "cancelled", lang(), epoch=err.epoch, epochs=err.epochs), icon=":material/cancel:")
        return None
    except AppError as err:
        holder.empty()
        show_error(err)
        return None
    holder.empty()
    return result


def training_area(
    page: str,
    pressed: bool,
    work: Work,
    label: str,
    curves: tuple[str, ...] = ("loss", "val_loss"),
    names: dict | None = None,
    done: Callable[[Any], str] | None = None,
):
    """The page's training: handles a Cancel click, trains when `pressed`, and returns the session's
    latest result (stored under "<page>.result"), or None. `done(result)` is the line shown after it
    (default: the fit time, or that it came from the cache)."""
    handle_cancel(page)
    if pressed:
        result = run_training(page, work, label, curves, names)
        if result is not None:
            st.session_state[f"{page}.result"] = result
            st.caption(done(result) if done else done_line(result))
            if presenter():
                scroll_to_result()
    return st.session_state.get(f"{page}.result")


def scroll_to_result() -> None:
    """Bring the page's result heading (anchor "result") into view once it is drawn (presenter view)."""
    import streamlit.components.v1 as components

    components.html(
        "<script>const go = () => { const el = window.parent.document.getElementById('result');"
        " if (el) { el.scrollIntoView({behavior: 'smooth', block: 'start'}); } else { setTimeout(go, 200); } };"
        " setTimeout(go, 300);</script>",
        height=0,
    )


def done_line(result) -> str:
    """'Trained in 3.1 s.' or 'Taken from the cache ...' for a result with train_seconds and cached."""
    key = "done_cached" if getattr(result, "cached", False) else "done"
    return text("common", key, lang(), seconds=f"{getattr(result, 'train_seconds', 0.0):.1f}")


def warm_workers() -> None:
    """Start the training processes while the user looks at the page, and stop them with the server."""
    worker.warm()
    _watch_server_stop()


_WATCHER: list[threading.Thread] = []


def _watch_server_stop() -> None:
    """When the Streamlit server stops (Ctrl+C, SIGTERM), stop every training at once, so the exit
    does not wait for a long course-mode run to finish in a worker."""
    if _WATCHER:
        return
    from streamlit import runtime

    if not runtime.exists():
        return
    server = runtime.get_instance()

    def watch() -> None:
        while server.state.name not in ("STOPPING", "STOPPED"):
            time.sleep(0.5)
        worker.stop_all()

    _WATCHER.append(threading.Thread(target=watch, name="rnnlab-stop-watch", daemon=True))
    _WATCHER[0].start()
