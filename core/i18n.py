"""User-facing text, one TOML file per page and language under assets/text/<lang>/<page>.toml.

Pages look up text by key; a missing Chinese string falls back to English, and a missing key
shows the key itself (so a gap is visible, never a crash).
"""

from __future__ import annotations

import functools
import tomllib
from functools import cache
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"
LANGUAGES: dict[str, str] = {"en": "English", "zh": "中文"}


@cache
@functools.lru_cache(maxsize=64)  # the files do not change while the app runs
def _table(lang: str, page: str) -> dict:
    path = ASSETS / "text" / lang / f"{page}.toml"
    if not path.exists():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8"))


def text(page: str, key: str, lang: str = "en", **values) -> str:
    """The string `key` of `page` in `lang`, formatted with `values`."""
    template = _table(lang, page).get(key) or _table("en", page).get(key) or key
    return template.format(**values) if values else template
