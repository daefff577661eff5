"""Embedded series: provenance records match the stored files and the series load offline."""

from __future__ import annotations

import hashlib
import json
import socket

import pandas as pd
import pytest

from core.datasets import DATA_DIR, DEFAULT_DATASET, PROVENANCE, dataset_info, list_datasets, load_dataset
from core.errors import AppError, ErrorKind

INFOS = list_datasets()


def test_at_least_three_real_ohlcv_series():
    full = [i for i in INFOS if {"open", "high", "low", "close", "volume"} <= set(i.columns)]
    assert len(full) >= 3
    assert DEFAULT_DATASET in {i.name for i in INFOS}
    assert len({i.name for i in INFOS}) == len(INFOS)


@pytest.mark.parametrize("info", INFOS, ids=lambda i: i.name)
def test_sha256_of_every_stored_file(info):
    assert hashlib.sha256(info.path.read_bytes()).hexdigest() == info.sha256


@pytest.mark.parametrize("info", INFOS, ids=lambda i: i.name)
def test_provenance_record_is_complete(info):
    for field in ("package", "version", "path_in_package", "licence", "sha256", "file", "label", "description"):
        assert getattr(info, field), f"{info.name}: {field} is empty"
    assert info.package in ("bokeh_sampledata", "arch")
    assert (DATA_DIR / info.licence_file).is_file()  # the licence text travels with the data


@pytest.mark.parametrize("info", INFOS, ids=lambda i: i.name)
def test_each_series_loads_as_recorded(info, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("loading an embedded series must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    data = load_dataset(info.name)
    assert len(data.frame) == info.rows
    assert data.frame.index[0] == pd.Timestamp(info.start) and data.frame.index[-1] == pd.Timestamp(info.end)
    assert tuple(data.columns) == info.columns
    assert data.source == f"embedded: {info.name}"
    assert data.tickers == ()  # one series to the user, even from a long file
    assert data.frame.index.is_monotonic_increasing and data.frame.index.is_unique
    assert data.frame["close"].between(1, 10_000).all()  # real prices, no parsing accident


def test_assets_stay_small():
    total = sum(p.stat().st_size for p in DATA_DIR.iterdir())
    assert total < 3 * 2**20


def test_names_are_case_insensitive_and_unknown_names_fail():
    assert dataset_info("ibm").name == "IBM"
    with pytest.raises(AppError) as err:
        load_dataset("nope")
    assert err.value.kind is ErrorKind.BAD_INPUT and "IBM" in err.value.sentence


def test_loaded_frame_is_a_private_copy():
    first = load_dataset(DEFAULT_DATASET)
    first.frame.iloc[0, 0] = -1.0
    assert load_dataset(DEFAULT_DATASET).frame.iloc[0, 0] != -1.0


def test_known_values_ibm():
    ibm = load_dataset("IBM")
    assert ibm.frame.loc["2000-03-01", "open"] == pytest.approx(102.0)
    assert ibm.frame.loc["2013-03-01", "close"] == pytest.approx(202.91)


def test_provenance_json_is_what_the_script_writes():
    record = json.loads(PROVENANCE.read_text(encoding="utf-8"))
    assert record["default"] == DEFAULT_DATASET
    assert {r["file"] for r in record["datasets"]} <= {p.name for p in DATA_DIR.iterdir()}


# The hashes each package's wheel RECORD lists for these files (urlsafe base64 sha256): the stored
# files are byte-for-byte copies of the packages' own files.
WHEEL_RECORD = {
    (
        "bokeh_sampledata",
        "2026.1",
        "bokeh_sampledata/_data/stocks.csv.gz",
    ): "WrrfmbLTlPkgEgon3m8N8SmFnXHUz7C_ZhvMmURqsf0",
    ("arch", "8.0.0", "arch/data/sp500/sp500.csv.gz"): "HgKMu5xADMAYyBbMxDmzPJGTh-cmw-1cosBcgnRgWd4",
    ("arch", "8.0.0", "arch/data/nasdaq/nasdaq.csv.gz"): "sgCVNTQ-uxTgqhHtCGeI0pl6QW_-T5RQ7tmlYa4wrFk",
}


@pytest.mark.parametrize("info", INFOS, ids=lambda i: i.name)
def test_stored_file_is_the_packages_own_file(info):
    import base64

    record = WHEEL_RECORD[(info.package, info.version, info.path_in_package)]
    assert base64.urlsafe_b64encode(bytes.fromhex(info.sha256)).rstrip(b"=").decode() == record
