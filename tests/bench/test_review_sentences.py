"""The review-sentence check's fetcher: a package tarball laid out as npm packs it becomes CSVs that the
bench reads with the right labels, and a tarball it cannot read is refused with nothing written."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from bench import review_sentences
from bench.review_sentences import SETS, joined, main
from sentiment.evaluate import read_labelled


def tarball(path: Path, fixtures: dict[str, object]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, rows in fixtures.items():
            data = json.dumps(rows).encode()
            info = tarfile.TarInfo(f"package/test/fixtures/{name}.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_each_set_becomes_a_labelled_csv(tmp_path: Path) -> None:
    rows = [
        {"text": "Works great, highly recommended. ", "class": 1},
        {"text": 'Broke after a day, "avoid".', "class": 0},
        {"text": "", "class": None},
    ]
    package = tarball(tmp_path / "sentiment-5.0.2.tgz", dict.fromkeys(SETS, rows))
    out = tmp_path / "out"
    assert main(["--tarball", str(package), "--out", str(out)]) == 0
    for name in SETS:
        read = read_labelled(out / f"review-{name}.csv")
        assert [(r.text, r.label) for r in read] == [
            ("Works great, highly recommended.", 1),
            ('Broke after a day, "avoid".', -1),
        ]


def test_a_sentence_it_cannot_read_writes_nothing(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    good = [{"text": "Fine.", "class": 1}]
    package = tarball(
        tmp_path / "p.tgz", {"amazon": good, "imdb": [{"text": "Meh.", "class": 2}], "yelp": good}
    )
    out = tmp_path / "out"
    assert main(["--tarball", str(package), "--out", str(out)]) == 1
    assert "imdb.json: sentence 0" in capsys.readouterr().err
    assert not out.exists()


def test_a_tarball_without_a_set_is_named(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    package = tarball(tmp_path / "p.tgz", {"amazon": [{"text": "Fine.", "class": 1}]})
    assert main(["--tarball", str(package), "--out", str(tmp_path / "out")]) == 1
    assert "no package/test/fixtures/imdb.json" in capsys.readouterr().err


def test_a_truncated_tarball_is_refused_by_name(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    whole = tarball(tmp_path / "p.tgz", {name: [{"text": "Fine.", "class": 1}] for name in SETS})
    cut = tmp_path / "cut.tgz"
    cut.write_bytes(whole.read_bytes()[:40])
    assert main(["--tarball", str(cut), "--out", str(tmp_path / "out")]) == 1
    assert "cut.tgz is not a readable package tarball" in capsys.readouterr().err


def test_without_npm_the_error_says_how_to_get_it(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(review_sentences.shutil, "which", lambda name: None)
    assert main(["--out", str(tmp_path / "out")]) == 1
    assert "npm is not installed" in capsys.readouterr().err


def test_a_failed_fetch_passes_on_what_npm_said(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    # npm itself, made to fail as it does offline: an npm that only prints its error and exits 1.
    fake = tmp_path / "npm"
    fake.write_text("#!/bin/sh\necho 'npm error code ENOTCACHED' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(review_sentences.shutil, "which", lambda name: str(fake))
    assert main(["--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "npm pack sentiment@5.0.2 failed: npm error code ENOTCACHED" in err
    assert not (tmp_path / "out").exists()


def test_joined_texts_keep_one_label_and_every_run_the_same(tmp_path: Path) -> None:
    rows = [(f"Good {i}.", 1) for i in range(7)] + [(f"Bad {i}.", -1) for i in range(6)]
    texts = joined(rows, 3)
    assert texts == joined(rows, 3)
    assert [label for _, label in texts] == [1, 1, -1, -1]
    for text, label in texts:
        words = text.split()
        assert len(words) == 6 and {words[0], words[2], words[4]} == ({"Good"} if label == 1 else {"Bad"})
    used = [s for text, _ in texts for s in text.split(". ")]
    assert len(set(used)) == len(used) == 12


def test_join_writes_its_own_files_beside_the_sentences(tmp_path: Path) -> None:
    rows = [{"text": f"Great {i}.", "class": 1} for i in range(4)] + [{"text": "Awful.", "class": 0}] * 2
    package = tarball(tmp_path / "p.tgz", dict.fromkeys(SETS, rows))
    out = tmp_path / "out"
    assert main(["--tarball", str(package), "--out", str(out), "--join", "2"]) == 0
    for name in SETS:
        assert len(read_labelled(out / f"review-{name}.csv")) == 6
        read = read_labelled(out / f"review-{name}-2.csv")
        assert [r.label for r in read] == [1, 1, -1]
        assert read[2].text == "Awful. Awful."


def test_join_of_one_sentence_is_refused(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    package = tarball(tmp_path / "p.tgz", {name: [{"text": "Fine.", "class": 1}] for name in SETS})
    with pytest.raises(SystemExit) as exit_:
        main(["--tarball", str(package), "--out", str(tmp_path / "out"), "--join", "1"])
    assert exit_.value.code == 2
    assert "--join takes a number of sentences per text, 2 or more" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
