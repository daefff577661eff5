"""The app's own error: one kind from a fixed list, each with a sentence a user understands.

A sentence can be given as a key of the error catalogue (assets/text/<lang>/errors.toml) with its
values: `AppError(kind, key="too_few_rows_window", rows=..., ...)`. Its `sentence` is then English (the
command line prints it) and `in_language(lang)` says it in the page's language. The default sentence of
each kind is in the catalogue too, under "kind_<kind>".
"""

from __future__ import annotations

from enum import StrEnum

from core.i18n import text


class ErrorKind(StrEnum):
    """Every way user input or the outside world can fail. Add kinds here, with a sentence."""

    EMPTY_FILE = "empty_file"
    NOT_CSV = "not_csv"
    NO_DATE_COLUMN = "no_date_column"
    NO_PRICE_COLUMN = "no_price_column"
    TEXT_TARGET = "text_target"
    TOO_FEW_ROWS = "too_few_rows"
    TICKER_MISSING = "ticker_missing"
    TICKER_NOT_CHOSEN = "ticker_not_chosen"
    OFFLINE = "offline"
    RATE_LIMITED = "rate_limited"
    UNKNOWN_TICKER = "unknown_ticker"
    EMPTY_RESULT = "empty_result"
    FILE_TOO_LARGE = "file_too_large"
    BAD_SETTING = "bad_setting"
    BAD_MODEL_FILE = "bad_model_file"
    BAD_INPUT = "bad_input"
    TRAINING_STOPPED = "training_stopped"
    CANCELLED = "cancelled"
    NOT_TEXT = "not_text"
    TEXT_TOO_SHORT = "text_too_short"


# Default sentence per kind (English), read from the error catalogue; a raise site may pass a more specific one.
SENTENCES: dict[ErrorKind, str] = {kind: text("errors", f"kind_{kind.value}", "en") for kind in ErrorKind}


class AppError(Exception):
    """An error meant for the user: `kind` says what went wrong, `sentence` says it in words."""

    def __init__(self, kind: ErrorKind, sentence: str | None = None, *, key: str | None = None, **values) -> None:
        self.kind = ErrorKind(kind)
        self.key = key  # the catalogue key of the sentence (None: a plain sentence or the kind's default)
        self.values = values  # the values the sentence is filled with
        self.sentence = text("errors", key, "en", **values) if key else (sentence or SENTENCES[self.kind])
        self._default = key is None and sentence is None
        super().__init__(self.sentence)

    def in_language(self, lang: str) -> str:
        """The sentence in `lang` (a plain sentence without a catalogue key stays as written)."""
        if self.key:
            return text("errors", self.key, lang, **self.values)
        if self._default:
            return text("errors", f"kind_{self.kind.value}", lang)
        return self.sentence

    def __str__(self) -> str:
        return self.sentence

    def __reduce__(self):  # pickles whole (an error raised in a training worker reaches the server)
        plain = None if self.key or self._default else self.sentence
        return (_rebuild, (self.kind, plain, self.key, self.values))  # subclasses define their own

    def to_line(self) -> str:
        """One line for a command line's stderr: kind and sentence."""
        return f"error [{self.kind.value}]: {self.sentence}"


def _rebuild(kind, sentence, key, values) -> AppError:
    return AppError(kind, sentence, key=key, **values)
