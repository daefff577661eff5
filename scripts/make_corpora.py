"""Re-create assets/corpora (the two text corpora and provenance.json) from ../shared/data/text.

Usage: python3 scripts/make_corpora.py [--source DIR]

The gzip files are copied byte for byte; provenance.json records, for each corpus, where the text
comes from, its licence, and the sha256 of both the stored file and the uncompressed text (the
second is the one the shared PROVENANCE.md lists). This script runs once, by hand.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "corpora"
SOURCE = ROOT.parent / "shared" / "data" / "text"

# name -> what we know about it that the file itself does not say
CORPORA = {
    "shakespeare": {
        "file": "tinyshakespeare.txt.gz",
        "language": "en",
        "source_repository": "karpathy/char-rnn",
        "source_commit": "6f9487a",
        "source_path": "data/tinyshakespeare/input.txt",
        "selection": "the whole file, byte for byte",
        "licence": "repository MIT; the text (Shakespeare's plays) is in the public domain",
        "licence_file": "",
        "expected_text_sha256": "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    },
    "tang": {
        "file": "tang_five_char.txt.gz",
        "language": "zh",
        "source_repository": "chinese-poetry/chinese-poetry",
        "source_commit": "99ebbef",
        "source_path": "全唐诗/poet.tang.N.json (the 58 files)",
        "selection": (
            "the paragraphs of each poem joined, kept when they form 4 or 8 five-character lines "
            "(XXXXX，XXXXX。 pairs), in file order, one poem per line, traditional characters"
        ),
        "licence": "repository MIT (Copyright (c) 2016 JackeyGao); the poems are in the public domain",
        "licence_file": "LICENSE-chinese-poetry.txt",
        "expected_text_sha256": "08cf60279b346083d1e2384034639a2029332ebbff38051a7fc1a938f4f92eac",
    },
}


def describe(path: Path, known: dict) -> dict:
    """One provenance record: the known fields plus what the file says about itself."""
    raw = gzip.decompress(path.read_bytes())
    text = raw.decode("utf-8")
    text_sha = hashlib.sha256(raw).hexdigest()
    if text_sha != known["expected_text_sha256"]:
        raise SystemExit(f"{path.name}: uncompressed sha256 {text_sha} is not the one PROVENANCE.md lists")
    record = {k: v for k, v in known.items() if k != "expected_text_sha256"}
    record.update(
        file_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        file_bytes=path.stat().st_size,
        text_sha256=text_sha,
        text_bytes=len(raw),
        characters=len(text),
        distinct=len(set(text)),
        lines=text.count("\n"),
    )
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help="folder holding the shared corpora")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    records = {}
    for name, known in CORPORA.items():
        shutil.copyfile(args.source / known["file"], OUT / known["file"])
        records[name] = describe(OUT / known["file"], known)
    payload = {"default": "shakespeare", "corpora": [{"name": n, **r} for n, r in records.items()]}
    (OUT / "provenance.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(records)} corpora to {OUT}")


if __name__ == "__main__":
    main()
