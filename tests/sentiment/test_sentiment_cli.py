"""`ela sentiment score | eval | train`, run through click as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from connector.cli import main
from sentiment.cli import sentiment
from sentiment.model import LinearModel
from sentiment.signals import SIGNAL_WEIGHTS
from tests.sentiment.corpus import NEGATIVE, NEUTRAL, POSITIVE


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(sentiment, list(args))
    return result.exit_code, result.output


def write_csv(
    path: Path, rows: list[tuple[str, int]], text_column: str = "text", label: str = "oracle"
) -> Path:
    lines = [f"{text_column},{label}"] + [f'"{t}",{y}' for t, y in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_score_prints_json() -> None:
    code, out = run("score", "Thanks, works great now! But the login page was broken for a week.")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"polarity", "label", "mood", "engine", "sentences", "language", "scored", "signals"}
    assert data["engine"] == "textblob" and len(data["sentences"]) == 2
    assert data["mood"] in {"very_negative", "negative", "neutral", "positive", "very_positive"}


def test_score_is_mounted_under_ela() -> None:
    result = CliRunner().invoke(main, ["sentiment", "score", "--engine", "textblob-plain", "great"])
    assert result.exit_code == 0 and json.loads(result.output)["engine"] == "textblob-plain"


def test_score_with_an_unknown_engine_fails_clearly() -> None:
    code, out = run("score", "--engine", "nope", "text")
    assert code == 1 and "unknown sentiment engine 'nope'" in out


def test_eval_prints_per_class_scores(tmp_path: Path) -> None:
    rows = [
        ("Thanks, brilliant work, it works perfectly!", 1),
        ("Attached the log.", 0),
        ("This is unacceptable, still broken AGAIN!!!", -1),
        ("Which version?", 0),
    ]
    code, out = run("eval", str(write_csv(tmp_path / "small.csv", rows)))
    assert code == 0, out
    assert "-1 negative" in out and " 0 neutral" in out and "+1 positive" in out
    assert "macro-F1  1.000" in out and "accuracy  1.000   (4 texts)" in out


def test_eval_bootstrap_says_how_far_the_figure_moves(tmp_path: Path) -> None:
    rows = [("Thanks, brilliant work!", 1), ("Attached the log.", 0), ("Still broken AGAIN!!!", -1)]
    rows += [("Great, it works now.", -1), ("Which version?", 1)]  # two the engine gets wrong
    path = str(write_csv(tmp_path / "small.csv", rows * 20))
    code, out = run("eval", path, "--bootstrap", "300")
    assert code == 0, out
    line = next(line for line in out.splitlines() if "resamples" in line)
    assert line.startswith("macro-F1 over 300 resamples of these texts: standard deviation 0.")
    assert float(line.split("standard deviation ")[1].split(",")[0]) > 0.0
    code, out = run("eval", path)
    assert code == 0 and "resamples" not in out
    code, out = run("eval", path, "--bootstrap", "1")
    assert code == 2 and "at least 2 resamples" in out and "Traceback" not in out


def test_eval_custom_columns_and_several_files(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", [("great", 1), ("terrible", -1)], "body", "gold")
    b = write_csv(tmp_path / "b.csv", [("fine thanks", 1)], "body", "gold")
    code, out = run(
        "eval",
        str(a),
        str(b),
        "--text-column",
        "body",
        "--label-column",
        "gold",
        "--engine",
        "textblob-plain",
    )
    assert code == 0, out
    assert out.count("macro-F1") == 2 and "a.csv (textblob-plain)" in out


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, (), "no such file"),
        ("text,label\nx,1\n", (), "no column 'oracle'"),
        ("text,oracle\nx,5\n", (), "label '5' in column 'oracle' is not -1, 0 or 1"),
        ("text,oracle\nx,1\n", ("--text-column", "body"), "no column 'body'"),
    ],
)
def test_eval_errors(tmp_path: Path, content: str | None, args: tuple[str, ...], message: str) -> None:
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    code, out = run("eval", str(path), *args)
    assert code == 1 and message in out and "Traceback" not in out


def test_train_writes_a_working_model_and_reports_cv(tmp_path: Path) -> None:
    rows = [(t, 1) for t in POSITIVE] + [(t, 0) for t in NEUTRAL] + [(t, -1) for t in NEGATIVE]
    data = write_csv(tmp_path / "train.csv", rows * 2)
    out_path = tmp_path / "out" / "model.json"
    result = CliRunner().invoke(sentiment, ["train", str(data), "--out", str(out_path), "--folds", "3"])
    assert result.exit_code == 0, result.output
    assert "3-fold CV macro-F1:" in result.output and "+-" in result.output
    assert "leave-one-group-out" not in result.output  # no `dataset` column, no groups
    model = LinearModel.load(out_path)
    assert model.meta["trained_on"] == ["train.csv"] and model.meta["texts"] == 36
    # The new weights are usable by the engine at once.
    code, out = run("score", "--model", str(out_path), "Terrible, it crashed again :(")
    assert code == 0 and json.loads(out)["label"] == -1


def test_train_holds_out_each_named_group(tmp_path: Path) -> None:
    rows = [(t, 1) for t in POSITIVE] + [(t, 0) for t in NEUTRAL] + [(t, -1) for t in NEGATIVE]
    lines = ["text,oracle,dataset"] + [f'"{t}",{y},fold_{copy}' for copy in range(3) for t, y in rows]
    data = tmp_path / "grouped.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out_path = tmp_path / "model.json"
    result = CliRunner().invoke(sentiment, ["train", str(data), "--out", str(out_path), "--folds", "3"])
    assert result.exit_code == 0, result.output
    assert "leave-one-group-out macro-F1" in result.output and "3 groups" in result.output
    grouped = LinearModel.load(out_path).meta["grouped_cv_macro_f1"]
    assert sorted(grouped) == ["fold_0", "fold_1", "fold_2"]
    assert all(0.0 <= score <= 1.0 for score in grouped.values())


def test_train_refuses_data_it_cannot_fit(tmp_path: Path) -> None:
    two_labels = write_csv(tmp_path / "two.csv", [("good", 1), ("bad", -1)] * 10)
    code, out = run("train", str(two_labels), "--out", str(tmp_path / "m.json"))
    assert code == 1 and "needs all three labels" in out
    few = write_csv(tmp_path / "few.csv", [("good", 1), ("bad", -1), ("so", 0)] * 3)
    code, out = run("train", str(few), "--out", str(tmp_path / "m.json"))
    assert code == 1 and "needs at least 5 texts of each label" in out
    assert not (tmp_path / "m.json").exists()


def test_score_explain_prints_what_moved_it() -> None:
    code, out = run("score", "--explain", "Still waiting for a reply, this is ridiculous.")
    assert code == 0, out
    assert out.startswith("polarity -") and "chasing" in out and "'ridiculous'" in out


def test_explain_needs_the_default_engine() -> None:
    code, out = run("score", "--explain", "--engine", "textblob-plain", "great")
    assert code == 1 and "--explain needs the textblob engine" in out


def test_an_unscored_comment_has_unknown_mood() -> None:
    code, out = run("score", "Das ist eine Katastrophe, niemand antwortet.")
    data = json.loads(out)
    assert code == 0 and (data["mood"], data["scored"], data["language"]) == ("unknown", False, "de")


def test_a_domain_reads_a_developers_formula_as_one() -> None:
    # Jira's developers close with "Thanks, merged." as a formula; a customer's thanks is gratitude.
    code, out = run("score", "Thanks, merged.")
    assert code == 0 and json.loads(out)["label"] == 1
    code, out = run("score", "--domain", "jira", "Thanks, merged.")
    assert code == 0 and json.loads(out)["label"] == 0
    code, out = run("score", "--domain", "jira", "--explain", "Thanks, merged.")
    assert code == 0 and "label +0" in out


def test_eval_reads_as_the_domain_asked_for(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "dev.csv", [("Thanks, merged.", 0), ("This is terrible, I am furious.", -1)])
    code, out = run("eval", str(csv))
    assert code == 0 and "accuracy  0.500" in out and "(textblob)" in out
    code, out = run("eval", str(csv), "--domain", "jira")
    assert code == 0 and "accuracy  1.000" in out and "(textblob, read as jira)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("score", "--domain", "nope", "x"), "no domain 'nope' (domains: github, goemotions, jira"),
        (("score", "--engine", "vader", "--domain", "jira", "x"), "does not accept options ['domain']"),
        (("domains", "--model", "/nonexistent/model.json"), "cannot read model"),
    ],
)
def test_domain_errors_are_clear(args: tuple[str, ...], message: str) -> None:
    code, out = run(*args)
    assert code == 1 and message in out


def test_domains_lists_what_a_site_can_read_as() -> None:
    code, out = run("domains")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].split()[0] == "domain" and "one sentence decides below" in lines[0]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:-1]}
    assert {"jira", "github", "goemotions", "vader-tweets"} <= set(rows)
    negative_below, very_negative, positive_from, very_positive, dominant_below, figure = (
        float(x) for x in rows["jira"]
    )
    assert -1 < negative_below <= positive_from < 1 and -1 < dominant_below < 0 and 0.5 < figure <= 1
    # each "very" band at least one signal beyond its label threshold (the table prints two decimals)
    assert very_negative <= negative_below + min(SIGNAL_WEIGHTS.values()) + 0.005
    assert very_positive >= positive_from + max(SIGNAL_WEIGHTS.values()) - 0.005
    assert lines[-1] == "with no --domain, a comment is read as 'goemotions' with the shipped calibration"
