"""`ela sentiment ...`: score text and evaluate the scorer from the command line."""

from __future__ import annotations

import json

import click

from sentiment.scorer import score


@click.group("sentiment")
def sentiment() -> None:
    """Score text and evaluate the sentiment engine."""


@sentiment.command("score")
@click.argument("text")
def score_command(text: str) -> None:
    """Print the polarity, three-class label and per-sentence scores of TEXT as JSON."""
    result = score(text)
    click.echo(
        json.dumps(
            {
                "polarity": round(result.polarity, 4),
                "label": result.label,
                "engine": result.engine,
                "sentences": [{"text": s.text, "polarity": round(s.polarity, 4)} for s in result.sentences],
            },
            ensure_ascii=False,
        )
    )
