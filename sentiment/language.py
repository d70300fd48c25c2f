"""Which language a comment is written in: py3langid (BSD), whose model ships inside its wheel.

The desk scores English; a comment confidently in another language gets no mood rather than a wrong
one (the English lexicon reads "Das ist eine Katastrophe" as neutral). Short comments are the trap:
"ok", "+1", "thx", "merci" carry too few letters for any detector, and langid then names whichever
language its n-grams happen to favour (Serbian for "ok"). So below MIN_LETTERS letters the answer is
None (undetermined, scored as usual), and callers act only on a confident answer (CONFIDENT).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from sentiment.regex_gate import required_strings

# Fewer letters than this and the language is not judged. Short desk replies ("ok thanks", "+1",
# "still broken") are English far more often than anything else in an English-speaking desk.
MIN_LETTERS = 12
# The detector's normalised probability from which a language counts as known. langid's scores on
# short English sentences sit mostly above 0.9 for English; a foreign sentence of a dozen words is
# above 0.99 for its language.
CONFIDENT = 0.9
# The languages the detector chooses among: the ones a service desk's customers write in, not all
# 97 of langid's model. Over all of them a short Spanish comment spreads its probability over
# Galician, Catalan and Portuguese and is confidently nothing; over these it is Spanish. Measured on the
# six-language set in tests/sentiment/data and 8,000 English texts of the shared data: 71 of 79 short
# comments decided right (the rest undetermined, none wrong) against 55 over all languages; English
# called foreign 4 times in 8,000 (18 over all languages).
CANDIDATES: tuple[str, ...] = (
    *("en", "de", "fr", "es", "it", "nl", "pt", "sv", "da", "no", "fi", "pl", "cs", "sk", "ru", "uk"),
    *("tr", "ja", "zh", "ko", "ar", "he", "hi", "el", "hu", "ro", "id", "vi", "th", "bg", "hr", "sl"),
    *("et", "lv", "lt", "ca"),
)
# Most desk comments are plainly English, and the model costs more than the rest of the scorer: a text
# is English at a glance, without the model, when a quarter of its words or more are English words of
# the lists below, at least two of them, one of which is rarely a word of the other candidates
# (_ENGLISH; the _COMMON ones, "is", "in", "a", "so", "no", are words of Dutch, German, Spanish or
# Italian too), and the text is mostly in Latin letters. Measured on the 74,609 English texts of the
# shared data long enough to judge: 91 % are decided at a glance. On 103,163 translated program
# messages in 35 other languages (the gettext catalogues of Debian's packages, read by
# `bench/language_bench.py --translations`), 168 are taken for English at a glance, nearly all for
# the English they keep (options such as "--all", keywords such as "WITH NO DATA"); on the
# six-language test set and a further dozen foreign complaints, none.
_ENGLISH_WORDS = (
    "the and you your that this with have has had not but what there they their them "
    "would could should been from which just about can't don't it's i'm i've thanks thank please "
    "it my we our be if or how when why because very any still get got know think like yes "
    "she his her were does did than then some only now here out up all can"
)
# Words of feeling and of plain talk that none of the other candidates writes (Dutch "want" is
# "because", "sorry" and "cool" are said in every language online, so they are not here): short
# English comments ("Yay. Another good phone interview.") hold few function words, and without
# these one in seven went to the model.
_ENGLISH_ONLY_WORDS = (
    "that's you're he's doesn't isn't there's we're they're i'll i'd didn't thats looks great love "
    "happy well damn day another awesome pretty after back into these those being never way better "
    "every though again ever makes year look something enough going yet try hope actually years "
    "already against getting feel seems maybe wrong doing today days thing things nothing through "
    "everyone someone everything probably definitely almost around without"
)
# "me", "he" and "will" are English, but also Spanish ("no me deja", "he comprado") and German ("ich
# will"): as _ENGLISH words they made such comments English at a glance. "of" is Dutch ("or") and
# "for" Danish, Norwegian and Swedish: as _ENGLISH words they made one translated Dutch, Danish or
# Norwegian message in a hundred English ("Der kræves godkendelse for at indstille ..."), and "are"
# is Romanian ("has": "Fișierul are o secțiune ...").
_COMMON_WORDS = (
    "is i a to in on at an as do so was no am its too who one more much really people good me he will of for "
    "are"
)
_ENGLISH = frozenset(_ENGLISH_WORDS.split()) | frozenset(_ENGLISH_ONLY_WORDS.split())
_COMMON = frozenset(_COMMON_WORDS.split())
# A word runs on through accented Latin letters: read as [a-z']+, "távolítható" was "t vol that"
# and "vytvořit" "vytvo it", English words of Hungarian, Czech and Turkish messages.
_WORD = re.compile(r"[a-z'\u00df-\u024f\u1e00-\u1eff]+")
# The detector reads the opening of a long comment: its language does not change halfway, and the
# cost grows with every byte.
_MAX_CHARS = 600
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# Letters of the Latin script (ASCII and the Latin-1 / Latin Extended blocks).
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
# MIN_LETTERS letters or more, read from the start and no further than needed.
_ENOUGH_LETTERS = re.compile(r"[\W\d_]*(?:[^\W\d_][\W\d_]*){" + str(MIN_LETTERS) + "}")
# Placeholders and machine tokens that are not the writer's language.
_NOISE = re.compile(r"\[[A-Z]+\]|https?://\S+|\S+@\S+|\b[A-Z0-9_]{2,}-\d+\b")
# Every match of _NOISE holds one of these (read off the pattern). Most comments hold none, and the
# search is not free: `re` tries "\S+@" and "\b[A-Z..." at every position of the text.
_NOISE_MARKS = tuple(required_strings(_NOISE.pattern) or ("",))


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(CANDIDATES)
    return identifier


def letters(text: str) -> int:
    return len(_LETTER.findall(text))


def english_at_a_glance(sample: str) -> bool:
    """Whether the text is plainly English by its words (see _ENGLISH), written mostly in Latin letters."""
    words = _WORD.findall(sample.lower().replace("\u2019", "'"))
    # Counted in C: the two sets share no word (a test checks it).
    english = sum(map(_ENGLISH.__contains__, words))
    hits = english + sum(map(_COMMON.__contains__, words))
    if not (english >= 1 and hits >= 2 and 4 * hits >= len(words)):
        return False
    # The words are read in Latin letters only: a Japanese or Russian comment that names an English
    # option ("-a, --all 全データベースで...") would otherwise be all English words.
    return sample.isascii() or 2 * len(_LATIN_LETTER.findall(sample)) >= letters(sample)


def detect(text: str) -> tuple[str | None, float]:
    """(ISO 639-1 code, confidence in [0, 1]) of the text, or (None, 0.0) when it is too short to judge.

    English at a glance (`english_at_a_glance`) is ("en", 1.0) without asking the model. A text mostly
    in another script than Latin (Cyrillic, Hebrew, Greek, CJK...) is confidently not English even when
    the detector hesitates between the languages of that script ("Почему так долго?" is Russian at
    0.63, Bulgarian or Ukrainian for the rest): its confidence is then at least CONFIDENT, for the
    detector's best guess.
    """
    sample = text[: _MAX_CHARS * 2]
    if any(map(sample.__contains__, _NOISE_MARKS)):
        sample = _NOISE.sub(" ", sample)
    sample = sample[:_MAX_CHARS]
    if _ENOUGH_LETTERS.match(sample) is None:
        return None, 0.0
    if english_at_a_glance(sample):
        return "en", 1.0
    code, confidence = _identifier().classify(sample)
    if confidence < CONFIDENT and code != "en":
        # NFKC first: fullwidth and mathematical-bold letters (an IME, a styled signature) are Latin.
        plain = unicodedata.normalize("NFKC", sample)
        if 2 * len(_LATIN_LETTER.findall(plain)) < letters(plain):
            confidence = CONFIDENT
    return str(code), float(confidence)
