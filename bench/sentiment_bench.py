"""Sentiment engines on labelled CSVs: macro-F1, accuracy and comments per second, in one table.

    python bench/sentiment_bench.py ../shared/data/sentiment/jira-dev.csv ../shared/data/sentiment/github.csv
    python bench/sentiment_bench.py ../shared/data/sentiment/*.csv ../shared/data/sentiment/customer/*.csv
    python bench/sentiment_bench.py --cv ../shared/data/sentiment/jira-dev.csv   # adds cross-validation
    python bench/sentiment_bench.py --json FILE ...   # also the figures as JSON (bench/run_all.py)
    python bench/sentiment_bench.py --bootstrap 1000 ...   # also ours minus each baseline, with the
                                     # 95 % range of that difference over resamples of each file
    python bench/sentiment_bench.py --domain vader-tweets bench/data/review-sentences/*.csv
                                     # adds a row reading as one training domain; the review sentences
                                     # come from bench/review_sentences.py (never trained on)

Rows:
  textblob-plain  TextBlob(text).sentiment.polarity on the raw text, +-0.05 neutral band (published baseline)
  vader           VADER compound on the raw text, +-0.05 neutral band (skipped if vaderSentiment is absent)
  ela-textblob    sentiment.score(): cleaning, language detection, TextBlob's and VADER's lexicons
                  with service-desk rules and signals, the shipped fitted layer (a comment it
                  does not score, being in another language, counts as neutral here)
  ela@NAME        the same, reading every comment as training domain NAME does (--domain NAME,
                  repeatable; as `options: {domain: NAME}` configures it)

Speed is one Python process on one core (--core N pins it to that core), after one warm-up pass: the
fastest of --passes reads of the file (default 3; other processes only ever slow a pass down), with
the ratio to plain TextBlob in the same run; the load average before and after says what else the
machine was doing. A file the shipped model was trained on is marked "in-sample": its figure says nothing
about new text; the cross-validated figure (--cv, or the one stored with the model) does. When a file
names its folds in a `dataset` column, --cv first holds out each of them whole (leave-one-fold-out):
that is the figure to expect on comments from elsewhere; 10-fold stratified CV follows.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textblob import TextBlob

from bench.figures import Figure, add_json_option, machine, write_json
from sentiment.evaluate import (
    DatasetError,
    LabelledText,
    bootstrap_macro_f1,
    evaluate,
    mean_and_std,
    read_labelled,
)
from sentiment.model import ModelFileError, load_model
from sentiment.scorer import DeskEngine, score
from sentiment.training import TrainingConfig, cross_validate, group_folds, prepare_rows

Labeller = Callable[[str], int]


def _band(polarity: float) -> int:
    return 1 if polarity > 0.05 else -1 if polarity < -0.05 else 0


def plain_textblob() -> Labeller:
    return lambda text: _band(TextBlob(text).sentiment.polarity)


def vader() -> Labeller | None:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    analyzer = SentimentIntensityAnalyzer()
    return lambda text: _band(analyzer.polarity_scores(text)["compound"])


def ela() -> Labeller:
    return lambda text: score(text).label


def ela_reading(domain: str) -> Labeller:
    """Ours, reading every comment as one training domain does (`options: {domain: ...}`)."""
    engine = DeskEngine(domain=domain)
    return lambda text: engine.score(text).label


# Each engine reads each file this many times and the fastest pass is its speed: on a shared machine
# other processes only ever slow a pass down, so the fastest is the one least disturbed.
PASSES = 3


def run(
    labeller: Labeller, rows: Sequence[LabelledText], passes: int = PASSES
) -> tuple[float, float, float, list[int]]:
    texts = [row.text for row in rows]
    for text in texts[:200]:  # warm-up: lexicons and the model load on first use
        labeller(text)
    fastest = math.inf
    predicted: list[int] = []
    for _ in range(passes):
        start = time.perf_counter()
        predicted = [labeller(text) for text in texts]
        fastest = min(fastest, time.perf_counter() - start)
    report = evaluate([row.label for row in rows], predicted)
    return report.macro_f1, report.accuracy, len(texts) / fastest, predicted


# Comments built to hit the worst case of each cleaning rule (about 40,000 characters each, the most
# the scorer reads). The worker scores every comment, so the slowest of these is printed.
HOSTILE = {
    "unclosed {code:x}": "{code:a}" * 5000,
    "open brackets": "[" * 40000,
    "half links": "[a|" * 13000,
    "emphasis marks": " _a" * 13000,
    "monospace": "{{" * 20000,
    "macro tags": "{panel:" * 5700,
    "sign-off lines": "Thanks,\n" * 5000,
    "dotted words": "a." * 20000 + "@",
    "image marks": "!" + "a." * 20000,
    "one long word": "a" * 40000,
    "emoji": "\U0001f621" * 40000,
    "sentences": "Broken. " * 5000,
    # every sentence of thanks judged against the rest of the message (sentiment.courtesy)
    "thanks and complaints": "Thanks. The link is broken. " * 1450,
}


def paired_differences(
    file_name: str, gold: Sequence[int], labels: dict[str, list[int]], draws: int, in_sample: bool = False
) -> list[str]:
    """One line per (our row, baseline): the macro-F1 difference and its 95 % range over resamples."""
    note = ", in-sample" if in_sample else ""
    baselines = [name for name in labels if not name.startswith("ela")]
    lines = []
    for ours in (name for name in labels if name.startswith("ela")):
        for other in baselines:
            f1 = evaluate(gold, labels[ours]).macro_f1 - evaluate(gold, labels[other]).macro_f1
            spread = bootstrap_macro_f1(gold, labels[ours], draws, baseline=labels[other])
            lines.append(
                f"  {file_name}: {ours} - {other} {f1:+.3f} ({spread.low:+.3f} to {spread.high:+.3f}{note})"
            )
    return lines


def _load(when: str) -> str:
    one, five, _ = os.getloadavg()
    cores = sorted(os.sched_getaffinity(0))
    return (
        f"load average {when}: {one:.2f} (1 min), {five:.2f} (5 min); {os.cpu_count()} cores, ran on {cores}"
    )


def report_hostile() -> tuple[float, str]:
    timings = []
    for name, text in HOSTILE.items():
        started = time.perf_counter()
        score(text)
        timings.append((time.perf_counter() - started, name))
    slowest, name = max(timings)
    total = sum(t for t, _ in timings)
    print(
        f"hostile comments ({len(HOSTILE)} kinds, ~40,000 chars each): slowest {slowest * 1000:.0f} ms "
        f"({name}), all {total * 1000:.0f} ms"
    )
    return slowest, name


def report_cv(title: str, scores: Sequence[float], started: float) -> None:
    mean, std = mean_and_std(scores)
    print(
        f"{title}: macro-F1 {mean:.3f} +- {std:.3f} (min {min(scores):.3f}, max {max(scores):.3f}; "
        f"{time.perf_counter() - started:.0f} s)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="+", type=Path, help="labelled CSVs (text, oracle -1/0/1)")
    parser.add_argument(
        "--cv",
        action="store_true",
        help="also cross-validate the fitted layer on each file (leave-one-fold-out, then 10-fold)",
    )
    parser.add_argument("--core", type=int, help="pin the process to this CPU core")
    parser.add_argument(
        "--passes",
        type=int,
        default=PASSES,
        help="reads of each file per engine; the fastest is the speed (3)",
    )
    parser.add_argument(
        "--domain",
        action="append",
        default=[],
        metavar="NAME",
        help="also ours reading as this training domain (repeatable; `ela sentiment domains` lists them)",
    )
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        metavar="N",
        help="also resample each file N times (e.g. 1000) and print, for our rows, the macro-F1 "
        "difference to each baseline with its 95%% range (paired: both read on the same resamples)",
    )
    add_json_option(parser)
    args = parser.parse_args(argv)
    if args.passes < 1:
        parser.error("--passes must be at least 1")
    if args.bootstrap == 1 or args.bootstrap < 0:
        parser.error("--bootstrap needs at least 2 resamples (1000 is usual), or 0 for none")
    before = machine()
    figures: list[Figure] = []
    if args.core is not None:
        os.sched_setaffinity(0, {args.core})
    print(_load("before"))

    try:
        datasets = [(path, read_labelled(path)) for path in args.files]
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    engines: list[tuple[str, Labeller]] = [("textblob-plain", plain_textblob())]
    vader_labeller = vader()
    if vader_labeller is not None:
        engines.append(("vader", vader_labeller))
    engines.append(("ela-textblob", ela()))
    for domain in args.domain:
        if not domain.strip():
            parser.error("--domain needs a name (`ela sentiment domains` lists them)")
        try:
            engines.append((f"ela@{domain}", ela_reading(domain)))
        except ModelFileError as exc:
            print(f"error: --domain {domain}: {exc}", file=sys.stderr)
            return 2

    width = max(len(name) for name, _ in engines) + 1
    file_width = max(len(path.name) for path, _ in datasets) + 1
    model = load_model()
    trained_on = set(model.meta.get("trained_on", []))
    print(
        f"{'engine':<{width}}{'file':<{file_width}}{'texts':>7}{'macro-F1':>10}{'accuracy':>10}{'comments/s':>12}"
        f"{'x plain':>9}  note"
    )
    differences: list[str] = []
    for path, rows in datasets:
        baseline = 0.0
        plain_f1 = None
        labels: dict[str, list[int]] = {}
        for name, labeller in engines:
            f1, accuracy, rate, labels[name] = run(labeller, rows, args.passes)
            baseline = baseline or rate
            plain_f1 = f1 if plain_f1 is None else plain_f1
            note = (
                "in-sample: the shipped layer was trained on this file"
                if (name.startswith("ela") and any(Path(t).name == path.name for t in trained_on))
                else ""
            )
            print(
                f"{name:<{width}}{path.name:<{file_width}}{len(rows):>7}{f1:>10.3f}{accuracy:>10.3f}{rate:>12.0f}"
                f"{rate / baseline:>9.2f}  {note}"
            )
            if name.startswith("ela"):
                core = f", on core {args.core}" if args.core is not None else ""
                figures.append(
                    Figure(
                        "sentiment",
                        f"{name} on {path.name} ({len(rows):,} texts): macro-F1, comments/s{core}",
                        f"{f1:.3f}, {rate:,.0f}/s",
                        note=note,
                        baseline=f"F1 {f1 - plain_f1:+.3f}, speed {rate / baseline:.2f}x of plain TextBlob "
                        f"({plain_f1:.3f}, {baseline:,.0f}/s)",
                    )
                )
        if args.bootstrap:
            trained = any(Path(t).name == path.name for t in trained_on)
            gold = [row.label for row in rows]
            differences += paired_differences(path.name, gold, labels, args.bootstrap, trained)
    if differences:
        print(f"\nmacro-F1 differences over {args.bootstrap} resamples of each file (95 % range):")
        print("\n".join(differences))
    if vader_labeller is None:
        print("vader: not installed (pip install vaderSentiment)")

    print(_load("after"))
    slowest, hostile_name = report_hostile()
    figures.append(
        Figure(
            "sentiment",
            f"slowest of {len(HOSTILE)} hostile comments (~40,000 chars each)",
            slowest * 1000,
            "ms",
            note=hostile_name,
        )
    )
    write_json(args.json_path, "sentiment", figures, before)
    mean, std = model.meta.get("cv_macro_f1_mean"), model.meta.get("cv_macro_f1_std")
    if mean is not None:
        folds = model.meta.get("config", {}).get("folds", "?")
        print(
            f"\nshipped layer: {folds}-fold CV macro-F1 {mean:.3f} +- {std:.3f} on "
            f"{', '.join(sorted(trained_on))} (stored when it was trained)"
        )
    for title, key in (
        ("as the shipped engine reads a comment", "cv_domain_macro_f1"),
        ("with the domain known", "cv_known_domain_macro_f1"),
    ):
        scores = model.meta.get(key)
        if scores:
            print(
                f"shipped layer, CV macro-F1 per domain, {title}: "
                + ", ".join(f"{d} {v:.3f}" for d, v in scores.items())
            )
    known = model.meta.get("grouped_cv_known_domain_macro_f1")
    if known:
        k_mean, k_std = mean_and_std(known.values())
        print(f"shipped layer: leave-one-group-out with the domain known {k_mean:.3f} +- {k_std:.3f}")
    grouped = model.meta.get("grouped_cv_macro_f1")
    if grouped:
        g_mean, g_std = mean_and_std(grouped.values())
        print(
            f"shipped layer: leave-one-group-out macro-F1 {g_mean:.3f} +- {g_std:.3f} "
            f"({', '.join(f'{name} {score:.3f}' for name, score in grouped.items())})"
        )
    if args.cv:
        config = TrainingConfig()
        for path, rows in datasets:
            items = prepare_rows(rows)
            # The file's own folds (its `dataset` column), each held out whole as a test set would be:
            # the honest figure. Stratified folds put every group in training and flatter the layer.
            named = group_folds([row.group for row in rows])
            if named is not None:
                started = time.perf_counter()
                by_group = cross_validate(items, config, fold_of=named[1])
                report_cv(
                    f"leave-one-of-{len(named[0])}-folds-out on {path.name} (honest)",
                    by_group.fold_scores,
                    started,
                )
                print("  per fold: " + ", ".join(f"{s:.3f}" for s in by_group.fold_scores))
            started = time.perf_counter()
            cv = cross_validate(items, config)
            report_cv(f"{config.folds}-fold stratified CV on {path.name}", cv.fold_scores, started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
