"""`ela sentiment ...`: score text, evaluate an engine on labelled CSVs, retrain the shipped layer."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click

from sentiment.engines import Engine, EngineError, available_engines, bands_for, get_engine
from sentiment.evaluate import (
    DatasetError,
    LabelledText,
    bootstrap_macro_f1,
    evaluate,
    format_report,
    mean_and_std,
    read_labelled,
)
from sentiment.explain import explain
from sentiment.model import DEFAULT_MODEL_PATH, ModelFileError, load_model
from sentiment.mood import UNKNOWN_MOOD
from sentiment.recipe import default_data_dir, domain_of, read_shared, shipped_config
from sentiment.scorer import DeskEngine
from sentiment.training import Prepared, TrainingConfig, prepare_rows, train_model

_ENGINE_HELP = f"engine name ({', '.join(available_engines())}) or a dotted path package.module:Factory"
# The YAML's `options: {domain: ...}`, to try a reading on a desk's own comments before configuring it.
_DOMAIN_HELP = (
    "read comments as one of the model's training domains, with its weights, thresholds and rule "
    "(jira: developers in an issue tracker; `ela sentiment domains` lists them) [default: as customers]"
)


def _engine(name: str, model: Path | None, domain: str | None = None) -> Engine:
    options: dict[str, object] = {"model": model} if model is not None else {}
    if domain is not None:
        if not domain.strip():
            raise click.BadParameter(
                "name a domain, such as jira (`ela sentiment domains`)", param_hint="--domain"
            )
        options["domain"] = domain
    try:
        return get_engine(name, **options)
    except EngineError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group("sentiment")
def sentiment() -> None:
    """Score text and evaluate or retrain the sentiment engine."""


@sentiment.command("score")
@click.argument("text")
@click.option("--engine", "engine_name", default="textblob", show_default=True, help=_ENGINE_HELP)
@click.option("--model", type=click.Path(dir_okay=False, path_type=Path), help="weights file (textblob)")
@click.option("--domain", help=_DOMAIN_HELP)
@click.option(
    "--explain",
    "explain_flag",
    is_flag=True,
    help="print which words, phrases and rules moved the score, and by how much (textblob engine)",
)
def score_command(
    text: str, engine_name: str, model: Path | None, domain: str | None, explain_flag: bool
) -> None:
    """Print the polarity, three-class label, mood, language, signals and per-sentence scores of TEXT
    as JSON; with --explain, what moved the score, as text."""
    engine = _engine(engine_name, model, domain)
    if explain_flag:
        if not isinstance(engine, DeskEngine):
            raise click.ClickException(f"--explain needs the textblob engine, not {engine_name!r}")
        click.echo(explain(text, engine).render())
        return
    result = engine.score(text)
    bands = bands_for(engine)
    click.echo(
        json.dumps(
            {
                "polarity": round(result.polarity, 4),
                "label": result.label,
                "mood": bands.band(result.polarity).value if result.scored else UNKNOWN_MOOD,
                "engine": result.engine,
                "language": result.language,
                "scored": result.scored,
                "signals": sorted(result.signals),
                "sentences": [{"text": s.text, "polarity": round(s.polarity, 4)} for s in result.sentences],
            },
            ensure_ascii=False,
        )
    )


def _read_all(files: tuple[Path, ...], text_column: str, label_column: str) -> list[list[LabelledText]]:
    try:
        return [read_labelled(path, text_column, label_column) for path in files]
    except DatasetError as exc:
        raise click.ClickException(str(exc)) from exc


@sentiment.command("eval")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="oracle", show_default=True, help="labels -1, 0, 1")
@click.option("--engine", "engine_name", default="textblob", show_default=True, help=_ENGINE_HELP)
@click.option("--model", type=click.Path(dir_okay=False, path_type=Path), help="weights file (textblob)")
@click.option("--domain", help=_DOMAIN_HELP)
@click.option(
    "--bootstrap",
    "draws",
    default=0,
    type=click.IntRange(0, 100_000),
    help="also resample the texts this many times (e.g. 1000) and print how far macro-F1 moves: "
    "two figures closer than that are the same on these texts",
)
def eval_command(
    *,
    files: tuple[Path, ...],
    text_column: str,
    label_column: str,
    engine_name: str,
    model: Path | None,
    domain: str | None,
    draws: int,
) -> None:
    """Per-class precision / recall / F1, macro-F1 and accuracy of an engine on labelled CSV FILES."""
    if draws == 1:
        raise click.UsageError("--bootstrap needs at least 2 resamples (1000 is usual), or 0 for none")
    datasets = _read_all(files, text_column, label_column)
    engine = _engine(engine_name, model, domain)
    for path, rows in zip(files, datasets, strict=True):
        gold = [row.label for row in rows]
        predicted = [engine.score(row.text).label for row in rows]
        report = evaluate(gold, predicted)
        reading = f"{engine_name}, read as {domain}" if domain else engine_name
        click.echo(format_report(report, f"{path} ({reading})"))
        if draws:
            spread = bootstrap_macro_f1(gold, predicted, draws)
            click.echo(
                f"macro-F1 over {draws} resamples of these texts: standard deviation {spread.std:.4f}, "
                f"95 % within {spread.low:.3f} to {spread.high:.3f}"
            )
        click.echo("")


_DOMAIN_COLUMNS = (22, 15, 12, 15, 12, 28, 15)


def _row(cells: tuple[str, ...]) -> str:
    """One line of `ela sentiment domains`: the name left-aligned, the figures right-aligned."""
    aligned = [cell.rjust(width) for cell, width in zip(cells, _DOMAIN_COLUMNS, strict=True)]
    return cells[0].ljust(_DOMAIN_COLUMNS[0]) + "".join(aligned[1:])


@sentiment.command("domains")
@click.option("--model", type=click.Path(dir_okay=False, path_type=Path), help="weights file")
def domains_command(model: Path | None) -> None:
    """List the training domains a comment can be read as (`--domain`, YAML `options: {domain: ...}`),
    each with its label thresholds and "very" mood bands, its one-sentence rule and its
    cross-validated macro-F1."""
    try:
        fitted = load_model(model or DEFAULT_MODEL_PATH)
    except ModelFileError as exc:
        raise click.ClickException(str(exc)) from exc
    known = fitted.meta.get("cv_known_domain_macro_f1", {})
    header = ("negative below", "very below", "positive from", "very from", "one sentence decides below")
    click.echo(_row(("domain", *header, "5-fold CV F1")))
    for name in sorted(fitted.domain_thresholds):
        own, figure = fitted.for_domain(name), known.get(name)
        bands = own.bands
        cuts = (bands.negative_below, bands.very_negative_below, bands.neutral_below, bands.positive_below)
        cells = [f"{value:+.2f}" for value in (*cuts, own.dominant_below)]
        click.echo(_row((name or "(unnamed)", *cells, f"{figure:.3f}" if figure is not None else "-")))
    if fitted.reads_as:
        click.echo(f"with no --domain, a comment is read as {fitted.reads_as!r} with the shipped calibration")


@sentiment.command("train")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="where to write the weights [default: the shipped sentiment/data/model.json with no FILES, "
    "else sentiment-model.json]",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="with no FILES: the shared sentiment data [default: $ELA_SHARED_DATA/sentiment, else "
    "../shared/data/sentiment]",
)
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="oracle", show_default=True, help="labels -1, 0, 1")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 100))
@click.option("--seed", default=13, show_default=True, type=int)
@click.option(
    "--every",
    default=1,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="train on every N-th row of each file only: a quick run of the whole recipe",
)
def train_command(
    *,
    files: tuple[Path, ...],
    out: Path | None,
    data_dir: Path | None,
    text_column: str,
    label_column: str,
    folds: int,
    seed: int,
    every: int,
) -> None:
    """Fit the default engine's layer and calibration, with k-fold CV, and write the weights.

    With no FILES: rebuild the shipped model from the shared labelled sets (every domain of
    sentiment/recipe.py), into sentiment/data/model.json unless --out says otherwise. With FILES
    (labelled CSVs, each its own domain): fit on those. Prints the cross-validated macro-F1 per
    domain. When rows name their group in a `dataset` column, each group is also held out whole.
    """
    config = TrainingConfig(folds=folds, seed=seed)
    items: list[Prepared] = []
    calibration_domains: list[str] = []
    if files:
        datasets = _read_all(files, text_column, label_column)
        sources = [path.name for path in files]
        click.echo(
            f"analysing {sum(len(rows[::every]) for rows in datasets)} texts from {len(files)} file(s)",
            err=True,
        )
        for path, rows in zip(files, datasets, strict=True):
            items += prepare_rows(rows[::every], domain_of(path))
        target = out or Path("sentiment-model.json")
        # One domain: read new comments as that domain; several: with what they share.
        names = {item.domain for item in items}
        config = replace(config, reads_as=names.pop() if len(names) == 1 else "")
    else:
        directory = data_dir or default_data_dir()
        try:
            shared = read_shared(directory)
        except DatasetError as exc:
            raise click.ClickException(f"{exc} (give --data-dir, or set ELA_SHARED_DATA)") from exc
        sources = [source.path for source, _ in shared]
        click.echo(
            f"analysing {sum(len(rows[::every]) for _, rows in shared)} texts from {directory}", err=True
        )
        for source, rows in shared:
            items += prepare_rows(rows[::every], source.domain)
            if source.calibrate and source.domain not in calibration_domains:
                calibration_domains.append(source.domain)
        target = out or DEFAULT_MODEL_PATH
        config = shipped_config(folds=folds, seed=seed)
    labels = {item.label for item in items}
    if len(labels) < 3:
        raise click.ClickException(f"training needs all three labels -1, 0, 1; found {sorted(labels)}")
    smallest = min(sum(1 for item in items if item.label == label) for label in labels)
    if smallest < folds:
        raise click.ClickException(
            f"{folds}-fold cross-validation needs at least {folds} texts of each label, found {smallest}"
        )
    model, cv, grouped = train_model(
        items,
        config,
        sources,
        progress=lambda m: click.echo(m, err=True),
        groups=[item.group for item in items],
        calibration_domains=calibration_domains,
    )
    model.save(target)
    mean, std = cv.mean_std
    cal = model.calibration
    bands = cal.bands
    if grouped is not None:
        g_mean, g_std = grouped.mean_std
        click.echo(
            f"leave-one-group-out macro-F1 (the `dataset` column's {len(grouped.fold_scores)} groups, "
            f"each held out whole; expect this on new data): {g_mean:.3f} +- {g_std:.3f} (groups: "
            + ", ".join(f"{s:.3f}" for s in grouped.fold_scores)
            + ")"
        )
        known = model.meta.get("grouped_cv_known_domain_macro_f1") or {}
        if known:
            k_mean, k_std = mean_and_std(known.values())
            click.echo(
                f"  the same with the groups' domain known: {k_mean:.3f} +- {k_std:.3f} (groups: "
                + ", ".join(f"{s:.3f}" for s in known.values())
                + ")"
            )
    click.echo(
        f"{folds}-fold CV macro-F1: {mean:.3f} +- {std:.3f} (folds: "
        + ", ".join(f"{s:.3f}" for s in cv.fold_scores)
        + ")"
    )
    click.echo("per domain, as the shipped engine reads a comment / with the domain known:")
    for name, score in cv.domain_scores.items():
        click.echo(f"  {name:<22} {score:.3f} / {cv.known_domain_scores.get(name, 0.0):.3f}")
    click.echo(
        f"label: negative below {cal.negative_below:+.2f}, positive from {cal.positive_from:+.2f}; "
        f"one sentence decides the message below {cal.dominant_below:+.2f}"
        + (f" (fitted on {', '.join(calibration_domains)})" if calibration_domains else "")
    )
    click.echo(
        "mood bands: "
        f"very_negative < {bands.very_negative_below:+.3f} <= negative < {bands.negative_below:+.3f} "
        f"<= neutral < {bands.neutral_below:+.3f} <= positive < {bands.positive_below:+.3f} <= very_positive"
    )
    click.echo(f"wrote {target} ({len(model.weights)} features)")
