"""Lexicon scoring of one sentence: TextBlob's word polarities plus service-desk language.

TextBlob's own `sentiment` averages the polarity of the known words of a text. It runs its tokenizer and
pattern's assessment loop on every call, which is most of its cost, and its rules were made for reviews:
negation only flips the next known word at half strength ("not working" scores 0), and the average
dilutes a complaint with every neutral word it contains. Here the same lexicon is read once into a flat
dict, a single regex tokenises, and the rules are the ones a support conversation needs: negation scope,
intensifiers, repetition ("still", "again"), shouting, exclamation marks, emoji and emoticons, and phrases
that mean something other than their words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from textblob.en import sentiment as pattern_lexicon

from sentiment import desk_words as dw

# One pass over the sentence. Emoticons need a non-word character on both sides, or "xp" in "xpath"
# would be a grin. Apostrophes inside words are kept so "don't" stays one token.
# The alternatives that can start at a letter come first ("xD" before words, as the only emoticon
# that starts with one): most positions are letters, and the engine tries alternatives in order.
_TOKEN = re.compile(
    r"(?<![\w^])[xX][dD](?![\w^])"
    r"|[A-Za-z]+(?:'[A-Za-z]+)*"
    r"|(?<![\w^])(?:>?[:;=][-']?[()\[\]dDpP/\\|sS]|<3|\^_?\^|-_-)(?![\w^])"
    r"|[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50]\uFE0F?"
    r"|(?<![\w+-])[+-]1(?!\w)"
    r"|!+|\?+|[,;:.]"
)
_CLAUSE_STOPS = frozenset(",;:.")
# How far a negation marks the words after it for the n-grams ("not_working"); the lexicon's own rule
# (NEGATION_SCOPE, up to the first sentiment word) is a different reading of the same scope.
_MARK_SCOPE = 3
_SARCASTIC_HEADS = frozenset(phrase[0] for phrase in dw.SARCASTIC_THANKS)
_COURTESY_HEADS = frozenset(dw.COURTESY_APOLOGIES)
_COURTESY_OPENING_HEADS = frozenset(phrase[0] for phrase in dw.COURTESY_OPENINGS)
# "Thanks for the quick reply, but ...": the "but" within this many tokens of the thanks.
_THANKS_BUT_REACH = 8
_SENTENCE_STOPS = frozenset({".", ";", ":", "!", "?"})
_ELONGATED = re.compile(r"([A-Za-z])\1\1")
# How a sentence closes is part of its tone: a bare "Thanks" or "Committed to trunk" with no full stop
# is a formula typed in passing; "!" and a closing emoticon are not.
_ENDINGS = frozenset(".!?)")
# Shouting needs more letters than an acronym usually has; acronyms rarely carry sentiment anyway.
_MIN_SHOUT_LETTERS = 3
# Squashes an unbounded sum of word polarities into (-1, 1); one strong word lands near +-0.6.
_SQUASH_ALPHA = 1.0


class SentenceLexicon(NamedTuple):
    """What the lexicon found in one sentence.

    A named tuple rather than a frozen dataclass: one is built per sentence scored, and a frozen
    dataclass's __init__ (a guarded setattr per field) cost a sixth of the sentence's analysis.
    """

    polarity: float  # squashed sum of the assessed polarities, in (-1, 1)
    positive: float  # sum of positive assessments (after negation and boosts)
    negative: float  # sum of negative assessments, <= 0
    negated: int  # sentiment words under a negation
    exclamations: int
    questions: int
    shouts: int  # sentiment words, intensifiers or repetition markers written in capitals
    repeated: bool  # "still", "again": the problem is not new
    emoji_positive: int  # emoji and emoticons, by sign
    emoji_negative: int
    # The tokens the fitted layer's n-grams are made of: lower-cased words with apostrophes removed
    # (but for desk_words.CONTRACTION_CLASHES: "i'll" is not "ill"), a word within reach of a
    # negation marked "not_" ("not_working" is not "working"), emoji and emoticons as written, and
    # "!" and "?" for a run of either.
    words: tuple[str, ...]
    ending: str = ""  # the closing mark: ".", "!", "?", ")" (often an emoticon), or "" for none
    # The same sentence read with VADER's word valences (scaled to [-1, 1]) under the same negation and
    # intensity rules: a second opinion from a lexicon built on social-media text rather than reviews.
    # (VADER's own per-sentence compound score added nothing once the layer reads n-grams, and cost
    # more than the rest of the scorer together.)
    vader: float = 0.0  # squashed sum
    vader_positive: float = 0.0
    vader_negative: float = 0.0
    elongated: bool = False  # a letter written three times or more: "sooo", "pleeease"


# One assessed word or phrase, for explanations: what it is, what it counted for, and why.
Assessment = tuple[str, float, str]


@lru_cache(maxsize=1)
def textblob_polarity() -> dict[str, float]:
    """TextBlob's lexicon as word -> polarity (averaged over parts of speech, as TextBlob does)."""
    if not dict.__len__(pattern_lexicon):
        pattern_lexicon.load()
    return {word: float(senses[None][0]) for word, senses in dict.items(pattern_lexicon) if None in senses}


# VADER's valences run from -4 to 4; on TextBlob's scale one strong word is about 1.
_VADER_SCALE = 4.0


@lru_cache(maxsize=1)
def vader_valence() -> dict[str, float]:
    """VADER's lexicon (MIT, shipped in the vaderSentiment wheel) as word -> valence in [-1, 1].

    Its multi-word entries ("fed up") and entries with apostrophes are keyed the way `analyse` sees
    words: lower case, apostrophes removed; the multi-word ones are left to the desk phrases.
    """
    text = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    table: dict[str, float] = {}
    for line in text.splitlines():
        word, _, rest = line.partition("\t")
        if not rest or " " in word:
            continue
        try:
            value = float(rest.split("\t", 1)[0]) / _VADER_SCALE
        except ValueError:
            continue
        table[word.lower().replace("'", "")] = value
    return table


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    """Every word some rule of `analyse` acts on; any other word only counts down the open scopes."""
    polarity, phrases = _tables()
    return frozenset(
        {*polarity, *phrases, *vader_valence(), *dw.NEGATORS, *dw.CLAUSE_BREAKS, *dw.REPEAT_MARKERS}
        | {*dw.REPEAT_COUNTS, *dw.INTENSIFIERS, *dw.EXPECTED_GOOD}
    )


@lru_cache(maxsize=1)
def _special() -> frozenset[str]:
    """Every word `analyse` does more with than keep for the n-grams: `_known` and the emoji table's."""
    return _known() | frozenset(dw.EMOJI_POLARITY)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, float], dict[str, list[tuple[tuple[str, ...], float | None]]]]:
    polarity = dict(textblob_polarity())
    polarity.update(dw.DESK_POLARITY)
    phrases: dict[str, list[tuple[tuple[str, ...], float | None]]] = {}
    for phrase in dw.NEUTRAL_PHRASES:
        phrases.setdefault(phrase[0], []).append((phrase, None))
    for phrase, value in dw.PHRASE_POLARITY.items():
        phrases.setdefault(phrase[0], []).append((phrase, value))
    for entries in phrases.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return polarity, phrases


def squash(total: float) -> float:
    return total / math.sqrt(total * total + _SQUASH_ALPHA)


def as_typed(sentence: str) -> str:
    """The sentence as the tokenizer reads it: a typographic apostrophe ("can\u2019t", as phones type
    it) is a plain one. One character for one, so positions in either are positions in both."""
    return sentence.replace("\u2019", "'")


def tokenize(sentence: str) -> list[str]:
    return _TOKEN.findall(as_typed(sentence))


def analyse(  # noqa: PLR0915 - one pass, kept inline for speed
    sentence: str, trace: list[Assessment] | None = None
) -> SentenceLexicon:
    """Assess one sentence; never raises on odd text.

    `trace`, when given, receives every assessed word and phrase with the value it counted for after
    negation and intensity, for explanations; scoring passes None and pays nothing for it.
    """
    polarity, phrases = _tables()
    vader = vader_valence()
    known = _known()
    special = _special()
    tokens = tokenize(sentence)
    lowered = [t.lower().replace("'", "") for t in tokens]
    clashes = dw.CONTRACTION_CLASHES
    if not clashes.isdisjoint(lowered):  # rare: "I'll", or "ill" itself
        pairs = zip(tokens, lowered, strict=True)
        lowered = [t.lower() if w in clashes and "'" in t else w for t, w in pairs]
    assessed: list[float] = []
    v_positive = v_negative = 0.0
    negated = exclamations = questions = shouts = emoji_positive = emoji_negative = 0
    repeated = False
    negation_left = 0
    mark_left = 0
    # Words of a courtesy formula still to leave out, and the first token the lexicon reads.
    drop_left = skip_until = _opening_courtesy(lowered)
    boost = 1.0
    boost_left = 0
    words: list[str] = []
    for i, (token, word) in enumerate(zip(tokens, lowered, strict=True)):
        first = token[0]
        if word not in special and first.isalpha():
            # Most words: kept for the n-grams (marked within a negation's reach), and they count
            # down the open scopes. The same steps as the general path below, taken directly.
            if drop_left:
                drop_left -= 1
            elif mark_left:
                words.append("not_" + word)
                mark_left -= 1
            else:
                words.append(word)
            if i >= skip_until:
                if negation_left:
                    negation_left -= 1
                if boost_left:
                    boost_left -= 1
                    if not boost_left:
                        boost = 1.0
            continue
        if first == "!":
            exclamations += len(token)
            negation_left = mark_left = 0
            words.append("!")
            continue
        if first == "?":
            questions += 1
            negation_left = mark_left = 0
            words.append("?")
            continue
        if token in _CLAUSE_STOPS:
            negation_left = boost_left = mark_left = 0
            continue
        emoji = dw.EMOJI_POLARITY.get(word)
        if emoji is None and not first.isalpha() and first not in "+-":
            emoji = 0.0  # an emoji or emoticon the table does not weigh: an n-gram all the same
        if emoji is not None:
            words.append(word)
            mark_left = 0
            if emoji:
                assessed.append(emoji)
                if trace is not None:
                    trace.append((token, emoji, "emoji"))
                if emoji > 0:
                    emoji_positive += 1
                else:
                    emoji_negative += 1
            continue
        if first.isalpha():
            if drop_left:
                drop_left -= 1
            elif word in _COURTESY_HEADS and (
                courtesy := phrase_length(lowered, i, dw.COURTESY_APOLOGIES[word])
            ):
                # A customer's apology for their own delay ("sorry for the late reply") is courtesy,
                # not feeling: neither the lexicon nor the n-grams read these words.
                drop_left = courtesy - 1
                skip_until = i + courtesy
                continue
            elif word in dw.NEGATORS:
                words.append(word)
                mark_left = _MARK_SCOPE
            elif word in dw.CLAUSE_BREAKS:
                words.append(word)
                mark_left = 0
            elif mark_left:
                words.append("not_" + word)
                mark_left -= 1
            else:
                words.append(word)
        else:
            words.append(word)  # +1 / -1
        if i < skip_until:
            continue
        if word not in known:
            if negation_left:
                negation_left -= 1
            if boost_left:
                boost_left -= 1
                if not boost_left:
                    boost = 1.0
            continue
        shouting = token.isupper() and len(token) >= _MIN_SHOUT_LETTERS and token not in dw.NOT_SHOUTING
        entries = phrases.get(word)
        if entries is not None:
            matched = _match_phrase(lowered, i, entries)
            if matched is not None:
                length, value = matched
                skip_until = i + length
                if value is not None and value < 0 and word in _SARCASTIC_HEADS:
                    thanking = dw.SARCASTIC_THANKS.get(tuple(lowered[i:skip_until]))
                    if thanking:
                        words[-1] = "not_" + word  # (an earlier negation's mark would be the same)
                        mark_left = thanking - 1
                if value is not None:
                    assessed.append(value * boost)
                    if trace is not None:
                        trace.append((" ".join(lowered[i : i + length]), value * boost, "phrase"))
                    boost, boost_left, negation_left = 1.0, 0, 0
                continue
        if word in dw.NEGATORS:
            negation_left = dw.NEGATION_SCOPE
            continue
        if word in dw.CLAUSE_BREAKS:
            negation_left = boost_left = 0
            boost = 1.0
            continue
        if word in dw.REPEAT_MARKERS or (
            word in dw.REPEAT_COUNTS and i + 1 < len(lowered) and lowered[i + 1] in ("time", "times")
        ):
            repeated = True
            shouts += shouting
            continue
        factor = dw.INTENSIFIERS.get(word)
        if factor is not None:
            boost = boost * factor * (dw.CAPS_BOOST if shouting else 1.0)
            boost_left = 3
            shouts += shouting
            continue
        # VADER's reading of the word, under the same negation and intensity (its own factor for a
        # negated word is -0.74).
        v = vader.get(word)
        if v is not None:
            v *= boost * (-0.74 if negation_left else 1.0) * (dw.CAPS_BOOST if shouting else 1.0)
            if v > 0:
                v_positive += v
            else:
                v_negative += v
        value = polarity.get(word)
        expected = word in dw.EXPECTED_GOOD
        if (value is None or value == 0.0) and not (expected and negation_left):
            if negation_left:
                negation_left -= 1
            if boost_left:
                boost_left -= 1
                if not boost_left:
                    boost = 1.0
            continue
        value = value or 0.0
        negated_here = bool(negation_left)
        if negation_left:
            negated += 1
            negation_left = 0
            if expected:
                value = dw.NEGATED_EXPECTED_POLARITY
            # "not good" is fairly bad; "not bad" is only mildly good.
            value = -0.75 * value if value > 0 else -0.4 * value if not expected else value
        value *= boost
        if shouting:
            value *= dw.CAPS_BOOST
            shouts += 1
        boost, boost_left = 1.0, 0
        assessed.append(max(-1.0, min(1.0, value)))
        if trace is not None:
            trace.append((token, assessed[-1], "negated word" if negated_here else "word"))

    positive = sum(v for v in assessed if v > 0)
    negative = sum(v for v in assessed if v < 0)
    if repeated:
        negative *= dw.REPEAT_BOOST
    if shouts and negative:
        negative *= 1.0 + 0.25 * min(shouts, 3)
    total = positive + negative
    v_total = v_positive + v_negative
    if exclamations:
        total *= 1.0 + dw.EXCLAMATION_BOOST * min(exclamations, 3)
        v_total *= 1.0 + dw.EXCLAMATION_BOOST * min(exclamations, 3)
    return SentenceLexicon(
        polarity=squash(total),
        positive=positive,
        negative=negative,
        negated=negated,
        exclamations=exclamations,
        questions=questions,
        shouts=shouts,
        repeated=repeated,
        emoji_positive=emoji_positive,
        emoji_negative=emoji_negative,
        words=tuple(words),
        ending=_ending(sentence),
        vader=squash(v_total),
        vader_positive=v_positive,
        vader_negative=v_negative,
        elongated=_ELONGATED.search(sentence) is not None,
    )


def _ending(sentence: str) -> str:
    last = sentence.rstrip()[-1:]
    return last if last in _ENDINGS else ""


def phrase_length(lowered: Sequence[str], start: int, phrases: Sequence[tuple[str, ...]]) -> int:
    """The length of the first of `phrases` (longest first) that `lowered` holds at `start`, 0 if none."""
    for phrase in phrases:
        if tuple(lowered[start : start + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _opening_courtesy(lowered: list[str]) -> int:
    """How many tokens that open the sentence are thanks or appreciation that a turn ("but",
    "however", "unfortunately") follows before its end, 0 if none: "Thanks, but it still doesn't
    work", "I appreciate your help, however the laptop still won't boot": courtesy, the verdict is
    after the turn."""
    if not lowered or lowered[0] not in _COURTESY_OPENING_HEADS:
        return 0
    thanks = phrase_length(lowered, 0, dw.COURTESY_OPENINGS)
    if not thanks:
        return 0
    for token in lowered[thanks : thanks + _THANKS_BUT_REACH]:
        if token in dw.COURTESY_TURNS:
            return thanks
        if token in _SENTENCE_STOPS:
            break
    return 0


def _match_phrase(
    words: list[str], start: int, entries: list[tuple[tuple[str, ...], float | None]]
) -> tuple[int, float | None] | None:
    for phrase, value in entries:
        end = start + len(phrase)
        if end <= len(words) and tuple(words[start:end]) == phrase:
            return len(phrase), value
    return None
