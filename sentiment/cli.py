"""`ela sentiment ...`: score text, evaluate an engine on labelled CSVs, retrain the shipped layer."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sentiment.engines import Engine, EngineError, available_engines, bands_for, get_engine
from sentiment.evaluate import DatasetError, LabelledText, evaluate, format_report, read_labelled
from sentiment.training import TrainingConfig, prepare_rows, train_model

_ENGINE_HELP = f"engine name ({', '.join(available_engines())}) or a dotted path package.module:Factory"


def _engine(name: str, model: Path | None) -> Engine:
    options = {"model": model} if model is not None else {}
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
def score_command(text: str, engine_name: str, model: Path | None) -> None:
    """Print the polarity, three-class label, mood and per-sentence scores of TEXT as JSON."""
    engine = _engine(engine_name, model)
    result = engine.score(text)
    bands = bands_for(engine)
    click.echo(
        json.dumps(
            {
                "polarity": round(result.polarity, 4),
                "label": result.label,
                "mood": bands.band(result.polarity).value,
                "engine": result.engine,
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
def eval_command(
    *, files: tuple[Path, ...], text_column: str, label_column: str, engine_name: str, model: Path | None
) -> None:
    """Per-class precision / recall / F1, macro-F1 and accuracy of an engine on labelled CSV FILES."""
    datasets = _read_all(files, text_column, label_column)
    engine = _engine(engine_name, model)
    for path, rows in zip(files, datasets, strict=True):
        predicted = [engine.score(row.text).label for row in rows]
        report = evaluate([row.label for row in rows], predicted)
        click.echo(format_report(report, f"{path} ({engine_name})"))
        click.echo("")


@sentiment.command("train")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("sentiment-model.json"),
    show_default=True,
    help="where to write the weights; the shipped file is sentiment/data/model.json",
)
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="oracle", show_default=True, help="labels -1, 0, 1")
@click.option("--folds", default=10, show_default=True, type=click.IntRange(2, 100))
@click.option("--seed", default=13, show_default=True, type=int)
def train_command(
    *, files: tuple[Path, ...], out: Path, text_column: str, label_column: str, folds: int, seed: int
) -> None:
    """Fit the default engine's layer and calibration on labelled CSV FILES, with k-fold CV.

    Prints the cross-validated macro-F1 (mean and spread over the folds) and writes the weights to OUT.
    When every row names its group in a `dataset` column, each group is also held out whole in turn.
    """
    rows = [row for dataset in _read_all(files, text_column, label_column) for row in dataset]
    labels = {row.label for row in rows}
    if len(labels) < 3:
        raise click.ClickException(f"training needs all three labels -1, 0, 1; found {sorted(labels)}")
    smallest = min(sum(1 for r in rows if r.label == label) for label in labels)
    if smallest < folds:
        raise click.ClickException(
            f"{folds}-fold cross-validation needs at least {folds} texts of each label, found {smallest}"
        )
    config = TrainingConfig(folds=folds, seed=seed)
    click.echo(f"analysing {len(rows)} texts from {len(files)} file(s)", err=True)
    items = prepare_rows(rows)
    model, cv, grouped = train_model(
        items,
        config,
        [path.name for path in files],
        progress=lambda m: click.echo(m, err=True),
        groups=[row.group for row in rows],
    )
    model.save(out)
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
    click.echo(
        f"{folds}-fold CV macro-F1: {mean:.3f} +- {std:.3f} (folds: "
        + ", ".join(f"{s:.3f}" for s in cv.fold_scores)
        + ")"
    )
    click.echo(f"out-of-fold macro-F1 with the fitted calibration: {cv.oof_macro_f1:.3f}")
    click.echo(
        f"label: negative below {cal.negative_below:+.2f}, positive from {cal.positive_from:+.2f}; "
        f"one sentence decides the message below {cal.dominant_below:+.2f}"
    )
    click.echo(
        "mood bands: "
        f"very_negative < {bands.very_negative_below:+.3f} <= negative < {bands.negative_below:+.3f} "
        f"<= neutral < {bands.neutral_below:+.3f} <= positive < {bands.positive_below:+.3f} <= very_positive"
    )
    click.echo(f"wrote {out} ({len(model.weights)} features)")
