"""The embedded price series: real daily OHLCV copied from permissively licensed packages.

Files and their provenance live in assets/data (provenance.json is written by
scripts/make_embedded_data.py). Loading never touches the network.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import AppError, ErrorKind

if TYPE_CHECKING:  # the records are read without pandas (the home page lists them on a cold start)
    from core.prices import PriceData

DATA_DIR = Path(__file__).resolve().parent.parent / "assets" / "data"
PROVENANCE = DATA_DIR / "provenance.json"


@dataclass(frozen=True)
class DatasetInfo:
    """Where one embedded series comes from and what it holds."""

    name: str  # key used by pages and the command line (--dataset IBM)
    label: str  # what a user reads in the picker
    description: str  # one sentence on the series (splits, quirks)
    package: str  # registry package the file was copied from
    version: str  # exact version of that package
    path_in_package: str  # path of the file inside the package
    licence: str  # licence of the package (and of the data where it differs)
    sha256: str  # sha256 of the stored file in assets/data
    file: str  # stored file name under assets/data
    rows: int  # rows after cleaning
    start: str  # first date, ISO
    end: str  # last date, ISO
    ticker: str | None = None  # the ticker inside a long file; None for a single series
    licence_file: str = ""  # copy of the package's licence text under assets/data
    columns: tuple[str, ...] = ()  # numeric columns after cleaning

    @property
    def path(self) -> Path:
        return DATA_DIR / self.file


@cache
def _provenance() -> dict:
    return json.loads(PROVENANCE.read_text(encoding="utf-8"))


def list_datasets() -> list[DatasetInfo]:
    """Every embedded series, in the order the picker shows them."""
    known = {f.name for f in fields(DatasetInfo)}
    infos = []
    for record in _provenance()["datasets"]:
        values = {k: v for k, v in record.items() if k in known}
        values["columns"] = tuple(values.get("columns", ()))
        infos.append(DatasetInfo(**values))
    return infos


def dataset_info(name: str) -> DatasetInfo:
    """The record of `name` (case-insensitive); AppError BAD_INPUT naming the choices otherwise."""
    for info in list_datasets():
        if info.name.lower() == name.strip().lower():
            return info
    choices = ", ".join(i.name for i in list_datasets())
    raise AppError(ErrorKind.BAD_INPUT, key="no_such_dataset", name=name, choices=choices)


@cache
def _load(name: str) -> PriceData:
    from core.prices import read_prices

    info = dataset_info(name)
    return read_prices(info.path, ticker=info.ticker, name=f"embedded: {info.name}")


def load_dataset(name: str) -> PriceData:
    """The embedded series `name` as clean PriceData (parsed once per process; no network)."""
    data = _load(dataset_info(name).name)
    # One series to the user, even when stored in a long file: no ticker choice to offer.
    return dataclasses.replace(data, frame=data.frame.copy(), tickers=())


DEFAULT_DATASET: str = _provenance().get("default", "IBM")
