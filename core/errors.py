"""The app's own error: one kind from a fixed list, each with a sentence a user understands."""

from __future__ import annotations

from enum import StrEnum


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


# Default sentence per kind; a raise site may pass a more specific one.
SENTENCES: dict[ErrorKind, str] = {
    ErrorKind.EMPTY_FILE: "The file is empty: there is nothing to read.",
    ErrorKind.NOT_CSV: "This does not look like a CSV text file (it may be binary, HTML or a spreadsheet).",
    ErrorKind.NO_DATE_COLUMN: "No column holds dates, so the prices cannot be put in time order.",
    ErrorKind.NO_PRICE_COLUMN: "No column holds numeric prices.",
    ErrorKind.TEXT_TARGET: "The chosen target column holds text, not numbers.",
    ErrorKind.TOO_FEW_ROWS: "There are too few rows for the requested window and test size.",
    ErrorKind.TICKER_MISSING: "That ticker is not in the file.",
    ErrorKind.TICKER_NOT_CHOSEN: "The file holds several tickers: choose one.",
    ErrorKind.OFFLINE: "The price server cannot be reached (no internet connection?). Use an embedded series or upload a CSV.",
    ErrorKind.RATE_LIMITED: "The price server is refusing requests for now (rate limited). Try again later, or upload a CSV.",
    ErrorKind.UNKNOWN_TICKER: "The price server does not know that ticker.",
    ErrorKind.EMPTY_RESULT: "The price server returned no rows for that ticker and date range.",
    ErrorKind.FILE_TOO_LARGE: "The file is larger than the upload limit.",
    ErrorKind.BAD_SETTING: "A setting is not valid.",
    ErrorKind.BAD_MODEL_FILE: "The uploaded model file cannot be used here.",
    ErrorKind.BAD_INPUT: "The input is not valid.",
    ErrorKind.TRAINING_STOPPED: (
        "The training process stopped before it finished (the server may be short of memory, or shutting down). "
        "Try again, or try smaller settings."
    ),
    ErrorKind.CANCELLED: "The training was cancelled.",
    ErrorKind.NOT_TEXT: "This is not a UTF-8 text file (it may be binary, or saved in another encoding).",
    ErrorKind.TEXT_TOO_SHORT: "The text is too short to train a character model on.",
}


class AppError(Exception):
    """An error meant for the user: `kind` says what went wrong, `sentence` says it in words."""

    def __init__(self, kind: ErrorKind, sentence: str | None = None) -> None:
        self.kind = ErrorKind(kind)
        self.sentence = sentence or SENTENCES[self.kind]
        super().__init__(self.sentence)

    def __str__(self) -> str:
        return self.sentence

    def __reduce__(self):  # pickles whole (an error raised in a training worker reaches the server)
        return (type(self), (self.kind, self.sentence))

    def to_line(self) -> str:
        """One line for a command line's stderr: kind and sentence."""
        return f"error [{self.kind.value}]: {self.sentence}"
