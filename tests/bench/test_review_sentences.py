"""The review-sentence check's fetcher: a package tarball laid out as npm packs it becomes CSVs that the
bench reads with the right labels, and a tarball it cannot read is refused with nothing written."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from bench.review_sentences import SETS, main
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
