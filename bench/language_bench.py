"""How often the language detector is right: short comments in six languages, and English texts.

    python bench/language_bench.py                                  # the six-language set only
    python bench/language_bench.py ../shared/data/sentiment/*.csv   # and English texts called foreign
    python bench/language_bench.py --translations /usr/share/locale # and foreign program messages

The six-language set (tests/sentiment/data/short-comments-6-languages.csv) holds short desk comments
written for this bench in English, German, French, Spanish, Italian and Dutch, plus a few too short
to judge (language left empty). A comment counts as right when the confident answer (>= CONFIDENT)
is its language, or when an English or too-short one is left undetermined (it is then scored as
English, which is right). Every CSV given after it is read as English text: the bench counts the
texts the detector confidently calls another language (they would go unscored) and how many were
English at a glance, without the model.

`--translations` reads the translated program messages a Debian or Ubuntu machine keeps under
/usr/share/locale (gettext .mo catalogues) in every candidate language but English: thousands of
short sentences a person wrote in that language. They hold more English than comments do (option
names, SQL keywords), so the figure for "taken for English" is an upper bound.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sentiment.evaluate import DatasetError, read_labelled
from sentiment.language import CANDIDATES, CONFIDENT, detect, english_at_a_glance

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


# printf and template placeholders, markup and mnemonics: not words of the language.
_PLACEHOLDER = re.compile(
    r"%[-#0 +]*\d*(?:\.\d+)?[lhqjzt]*[a-zA-Z%]|\{[^}]*\}|\$\{?\w+\}?|<[^>]+>|&\w+;|_(?=\w)"
)
# The folders that hold a candidate's catalogues, where gettext names the language otherwise.
_LOCALE_FOLDERS = {"no": ("nb", "no"), "zh": ("zh_CN", "zh_TW")}


def mo_messages(path: Path) -> list[str]:
    """The translated messages of one gettext .mo catalogue (GNU's binary format)."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    count, originals, translations = struct.unpack(order + "4x4x3I", data[:20])[:3]
    messages = []
    entry = struct.Struct(order + "2I")  # (length, offset) of one string
    for i in range(count):
        o_length, o_offset = entry.unpack_from(data, originals + 8 * i)
        t_length, t_offset = entry.unpack_from(data, translations + 8 * i)
        original = data[o_offset : o_offset + o_length]
        translated = data[t_offset : t_offset + t_length]
        if original and b"\x00" not in original and translated != original:  # not the header, no plurals
            messages.append(translated.decode("utf-8", errors="replace"))
    return messages


def translations(root: Path, per_language: int) -> list[tuple[str, list[str]]]:
    """Up to `per_language` messages of 20 to 300 characters in each candidate language but English."""
    found = []
    for code in CANDIDATES:
        if code == "en":
            continue
        texts: set[str] = set()
        for folder in _LOCALE_FOLDERS.get(code, (code,)):
            for path in sorted((root / folder / "LC_MESSAGES").glob("*.mo")):
                try:
                    messages = mo_messages(path)
                except (OSError, struct.error):
                    continue
                for message in messages:
                    text = " ".join(_PLACEHOLDER.sub(" ", message).split())
                    if 20 <= len(text) <= 300 and sum(c.isalpha() for c in text) >= 12:
                        texts.add(text)
        if texts:
            chosen = sorted(texts)
            random.Random(code).shuffle(chosen)  # the same sample on every run
            found.append((code, chosen[:per_language]))
    return found


def foreign(code: str, texts: list[str]) -> tuple[str, int, int, int]:
    answers = [decided(text) for text in texts]
    glance = sum(
        english_at_a_glance(text) for text, answer in zip(texts, answers, strict=True) if answer == "en"
    )
    english_ = answers.count("en")
    right = answers.count(code)
    line = (
        f"{code}: {len(texts)} messages, {right / len(texts):.1%} given {code}, {english_} taken for English "
        f"({glance} of them at a glance)"
    )
    return line, len(texts), english_, glance


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("csv", nargs="*", type=Path, help="labelled CSVs of English texts (text column)")
    parser.add_argument(
        "--translations",
        type=Path,
        metavar="DIR",
        help="a locale folder of gettext catalogues (/usr/share/locale): foreign messages to detect",
    )
    parser.add_argument("--per-language", type=int, default=3000, metavar="N", help="messages per language")
    args = parser.parse_args(argv)
    print(six_languages(), flush=True)
    if args.translations is not None:
        found = translations(args.translations, args.per_language)
        if not found:
            print(f"{args.translations}: no gettext catalogues in a candidate language", file=sys.stderr)
            return 2
        total = english_ = glance = 0
        for code, texts in found:
            line, n, e, g = foreign(code, texts)
            print(line, flush=True)
            total, english_, glance = total + n, english_ + e, glance + g
        print(
            f"translated messages: {english_} of {total} taken for English ({english_ / total:.2%}), "
            f"{glance} of them at a glance, in {len(found)} languages"
        )
    for path in args.csv:
        try:
            print(english(path), flush=True)
        except (OSError, DatasetError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
