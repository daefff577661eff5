"""Render a page in a fresh Python process and tell which modules that imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def imported_while_rendering(root: Path, script: Path, modules: tuple[str, ...]) -> str:
    """'True'/'False' per module, space-separated, after one AppTest run of `script` (which must not fail)."""
    code = (
        "import sys; from streamlit.testing.v1 import AppTest;"
        f"at = AppTest.from_file({str(script)!r}, default_timeout=60).run();"
        "assert not at.exception;"
        f"print(*(name in sys.modules for name in {modules!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip().splitlines()[-1]
