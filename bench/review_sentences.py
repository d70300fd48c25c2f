"""Customers' reviews as a check the shipped model never saw: 3,000 sentences from product, film and
restaurant reviews, each clearly positive or negative, written as CSVs that bench/sentiment_bench.py reads.

    python bench/review_sentences.py                  # writes bench/data/review-sentences/*.csv
    python bench/sentiment_bench.py bench/data/review-sentences/*.csv

The sentences are UCI's "Sentiment Labelled Sentences" (Kotzias, Denil, de Freitas and Smyth, KDD
2015; UCI Machine Learning Repository, CC BY 4.0): 1,000 each from Amazon product reviews, IMDB film
reviews and Yelp restaurant reviews, half positive and half negative. They are fetched from the npm
registry, where the `sentiment` package (MIT) carries them as its validation fixtures
(test/fixtures/{amazon,imdb,yelp}.json, one {"text", "class"} object per sentence), with `npm pack`:
npm checks the tarball against the registry's integrity hash. Nothing is stored in this repository.

There is no neutral class: every sentence was picked as a clear verdict, so accuracy is the figure to
read (a sentence read as neutral counts as wrong), not the three-class macro-F1.

A verdict of one sentence is the hardest case: a whole review says the same thing several times.
`--join 3` also writes review-{amazon,imdb,yelp}-3.csv, where each text is three sentences of one set
and one label joined, a stand-in for a short review (the sentences come from different reviews, in a
fixed shuffled order).

    python bench/review_sentences.py --join 3 --join 5
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path

PACKAGE = "sentiment@5.0.2"
SETS = ("amazon", "imdb", "yelp")
DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "review-sentences"
FETCH_TIMEOUT = 300  # seconds
# The fixtures' classes: 1 positive, 0 negative.
LABELS = {1: 1, 0: -1}


class FetchError(RuntimeError):
    """The package could not be fetched, or its fixtures are not what this script reads."""


def labelled(raw: bytes, name: str) -> list[tuple[str, int]]:
    """(text, label) of each sentence in one fixture file, label 1 or -1; the whole file is checked."""
    try:
        rows = json.loads(raw)
    except ValueError as exc:
        raise FetchError(f"{name}: not JSON: {exc}") from exc
    if not isinstance(rows, list) or not rows:
        raise FetchError(f"{name}: expected a non-empty list of sentences")
    out = []
    for n, row in enumerate(rows):
        if row == {"text": "", "class": None}:
            continue  # each file ends with one, from the blank last line of UCI's text files
        fields = row if isinstance(row, dict) else {}
        text, kind = fields.get("text"), fields.get("class")
        text = text.strip() if isinstance(text, str) else ""
        label = LABELS.get(kind) if isinstance(kind, int) and not isinstance(kind, bool) else None
        if not text or label is None:
            raise FetchError(f"{name}: sentence {n} is not {{'text': non-empty, 'class': 0 or 1}}: {row!r}")
        out.append((text, label))
    return out


def fixtures(tarball: Path) -> dict[str, list[tuple[str, int]]]:
    """Each set's sentences from the package tarball."""
    try:
        return _read_fixtures(tarball)
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise FetchError(f"{tarball.name} is not a readable package tarball: {exc}") from exc


def _read_fixtures(tarball: Path) -> dict[str, list[tuple[str, int]]]:
    found = {}
    with tarfile.open(tarball, "r:gz") as archive:
        for name in SETS:
            member = f"package/test/fixtures/{name}.json"
            try:
                handle = archive.extractfile(member)
            except KeyError:
                handle = None
            if handle is None:
                raise FetchError(f"{tarball.name} has no {member}")
            found[name] = labelled(handle.read(), member)
    return found


def fetch(workdir: Path) -> Path:
    """`npm pack` the package into `workdir`; the tarball's path."""
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError("npm is not installed (Debian: apt-get install npm)")
    try:
        result = subprocess.run(
            # --loglevel=error, not --silent: the latter also hides why a fetch failed (offline, proxy).
            [npm, "pack", PACKAGE, "--loglevel=error", "--pack-destination", str(workdir)],
            capture_output=True,
            text=True,
            timeout=FETCH_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise FetchError(
            f"npm pack {PACKAGE} gave no answer in {FETCH_TIMEOUT} s (is the registry reachable?)"
        ) from None
    tarballs = sorted(workdir.glob("*.tgz"))
    if result.returncode != 0 or not tarballs:
        raise FetchError(f"npm pack {PACKAGE} failed: {result.stderr.strip() or result.stdout.strip()}")
    return tarballs[0]


def write(sets: dict[str, list[tuple[str, int]]], out: Path) -> list[Path]:
    """One CSV per set (columns text, oracle), as read_labelled reads them."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in sets.items():
        path = out / f"review-{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "oracle"])
            writer.writerows(rows)
        written.append(path)
    return written


def joined(rows: Sequence[tuple[str, int]], n: int, seed: int = 0) -> list[tuple[str, int]]:
    """Texts of `n` sentences of one label each, the label's sentences shuffled with `seed` (the same
    texts every run); a label's last sentences that do not fill `n` are left out."""
    out = []
    for label in sorted({label for _, label in rows}, reverse=True):
        texts = [text for text, lab in rows if lab == label]
        random.Random(f"{seed}:{label}").shuffle(texts)
        out += [(" ".join(texts[i : i + n]), label) for i in range(0, len(texts) - n + 1, n)]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"directory for the CSVs (default {DEFAULT_OUT})"
    )
    parser.add_argument("--tarball", type=Path, help="read this copy of the package instead of fetching it")
    parser.add_argument(
        "--join",
        type=int,
        action="append",
        default=[],
        metavar="N",
        help="also write review-NAME-N.csv, N sentences of one label per text (repeatable; N >= 2)",
    )
    args = parser.parse_args(argv)
    if any(n < 2 for n in args.join):
        parser.error("--join takes a number of sentences per text, 2 or more")
    try:
        if args.tarball:
            sets = fixtures(args.tarball)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                print(f"fetching {PACKAGE} from the npm registry ...", file=sys.stderr)
                sets = fixtures(fetch(Path(tmp)))
    except (FetchError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path, rows in zip(write(sets, args.out), sets.values(), strict=True):
        print(f"{path}: {len(rows)} sentences")
    for n in args.join:
        sets_n = {f"{name}-{n}": joined(rows, n) for name, rows in sets.items()}
        for path, rows in zip(write(sets_n, args.out), sets_n.values(), strict=True):
            print(f"{path}: {len(rows)} texts of {n} sentences")
    print("source: UCI Sentiment Labelled Sentences (CC BY 4.0), via the npm package", PACKAGE, "(MIT)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
