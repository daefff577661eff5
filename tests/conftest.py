"""Shared fixtures: an isolated results cache, the course data file, and the project root."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_CSV = ROOT.parent / "shared" / "data" / "SH600519.csv"

# Every test run gets its own empty results cache, so tests never read an earlier run's results.
os.environ["RNNLAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="rnnlab-test-cache-")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Unit tests and AppTests train in the test process (one at a time, deterministic, no worker start-up);
# the worker pool has its own tests, and browser journeys start a server with the app's real default.
os.environ.setdefault("RNNLAB_TRAIN_WORKERS", "0")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def course_csv() -> Path:
    """The course's SH600519 file from ../shared/data (never committed); skip when absent."""
    if not SHARED_CSV.exists():
        pytest.skip(f"course data not found at {SHARED_CSV} (it is not ours to commit)")
    return SHARED_CSV


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch) -> Path:
    """A fresh, empty results cache directory for one test."""
    monkeypatch.setenv("RNNLAB_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"
