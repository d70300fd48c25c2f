"""How often the language detector is right: short comments in six languages, and English texts.

    python bench/language_bench.py                                  # the six-language set only
    python bench/language_bench.py ../shared/data/sentiment/*.csv   # and English texts called foreign

The six-language set (tests/sentiment/data/short-comments-6-languages.csv) holds short desk comments
written for this bench in English, German, French, Spanish, Italian and Dutch, plus a few too short
to judge (language left empty). A comment counts as right when the confident answer (>= CONFIDENT)
is its language, or when an English or too-short one is left undetermined (it is then scored as
English, which is right). Every CSV given after it is read as English text: the bench counts the
texts the detector confidently calls another language (they would go unscored) and how many were
English at a glance, without the model.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sentiment.evaluate import DatasetError, read_labelled
from sentiment.language import CONFIDENT, detect

TEST_DATA = Path(__file__).resolve().parents[1] / "tests" / "sentiment" / "data"
SHORT_COMMENTS = TEST_DATA / "short-comments-6-languages.csv"


def decided(text: str) -> str | None:
    code, confidence = detect(text)
    return code if code is not None and confidence >= CONFIDENT else None


def six_languages() -> str:
    with SHORT_COMMENTS.open(encoding="utf-8", newline="") as handle:
        rows = [(row["text"], row["language"] or None) for row in csv.DictReader(handle)]
    right = wrong = undetermined = 0
    for text, gold in rows:
        answer = decided(text)
        if answer == gold or (answer is None and gold in ("en", None)):
            right += 1
        elif answer is None:
            undetermined += 1
        else:
            wrong += 1
    return (
        f"six-language set: {right} of {len(rows)} right ({right / len(rows):.1%}), "
        f"{undetermined} foreign left undetermined (scored as English), {wrong} given a wrong language"
    )


def english(path: Path) -> str:
    texts = [row.text for row in read_labelled(path)]
    foreign = at_a_glance = 0
    for text in texts:
        code, confidence = detect(text)
        at_a_glance += (code, confidence) == ("en", 1.0)
        foreign += code not in (None, "en") and confidence >= CONFIDENT
    return (
        f"{path.name}: {foreign} of {len(texts)} English texts called foreign ({foreign / len(texts):.2%}); "
        f"{at_a_glance / len(texts):.0%} English at a glance"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("csv", nargs="*", type=Path, help="labelled CSVs of English texts (text column)")
    args = parser.parse_args(argv)
    print(six_languages(), flush=True)
    for path in args.csv:
        try:
            print(english(path), flush=True)
        except (OSError, DatasetError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
