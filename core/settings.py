"""Validation of settings, shared by every configuration: a bad value names its field and range.

A `SettingError` is a ValueError that also carries the field's name and its allowed range, so a page
can say "Window (days) must be from 1 to 500" with its own label, in the user's language, and the
command line can print the same sentence in English.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


class SettingError(ValueError):
    """A setting out of range or not among its choices."""

    def __init__(self, field: str, message: str, low=None, high=None, choices: Sequence[str] = (), value=None) -> None:
        super().__init__(message)
        self.field = field  # the config field, e.g. "window"
        self.value = value  # the rejected value
        self.low, self.high = low, high  # the allowed range (None: unbounded on that side)
        self.choices = tuple(choices)  # the allowed values of a choice


def check_range(field: str, value, low=None, high=None, *, whole: bool = False, label: str | None = None) -> None:
    """SettingError unless low <= value <= high (and a whole number when `whole`)."""
    name = label or field.replace("_", " ")
    is_number = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if whole and not (is_number and float(value).is_integer()):
        raise SettingError(
            field, f"{name.capitalize()} must be a whole number (got {value!r}).", low, high, value=value
        )
    if not is_number or (low is not None and value < low) or (high is not None and value > high):
        raise SettingError(
            field, f"{name.capitalize()} must be {_range_text(low, high)} (got {value!r}).", low, high, value=value
        )


def check_choice(field: str, value, choices: Sequence[str], *, label: str | None = None) -> None:
    """SettingError unless `value` is one of `choices` (the message lists them)."""
    if value not in choices:
        name = label or field.replace("_", " ")
        raise SettingError(
            field, f"Unknown {name} {value!r}; choose one of {', '.join(map(str, choices))}.", choices=choices
        )


def _range_text(low, high) -> str:
    if low is not None and high is not None:
        return f"from {low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"
