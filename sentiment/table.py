"""The weights of one reading compiled for scoring: the layer's features read off without building them.

`features.features` names every feature of a text ("u:thanks", "b:<s> thanks", "lex", ...) and the
layer looks each name up: right for training, which needs the names, but most of the scorer's time
once a comment is analysed. Here the same weights are re-keyed for the walk over a sentence: a
unigram by its word, with its value and the word's emotion family folded in; a bigram by its first
word, then its second, so no name is ever concatenated; the dense features of one sentence as
coefficients of the few numbers they are made of. The logits are those of `LinearModel.logits` over
`features.features` up to the order of a float sum (tests/sentiment/test_model.py checks it on the
shared data).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sentiment.desk_words import EMOTION_CATEGORY
from sentiment.features import LENGTH_BUCKETS, MAX_SENTENCE_COUNT, WORD_VALUE
from sentiment.lexicon import SentenceLexicon, squash

Pair = tuple[float, float]
_ZERO: Pair = (0.0, 0.0)
_END = "</s>"


# The dense features read by `_common`, in the order of `ScoringTable.flags`.
_FLAG_NAMES = (
    *("lex_pos", "lex_neg", "vlex_pos", "vlex_neg"),
    *("negated", "excl", "excl_many", "question", "shout", "repeated", "elongated", "emoji_pos", "emoji_neg"),
)
# How many words a message of n words is counted as, for its length bucket: 0 .. 26 (26 or more).
_LONGEST_BUCKETED = LENGTH_BUCKETS[-1][0] + 1


@dataclass(frozen=True, slots=True)
class ScoringTable:
    # word -> (its unigram's logits, times WORD_VALUE and with its emotion family's; the bigrams it
    # opens: second word, or "</s>", -> their logits, or None when it opens none)
    entries: dict[str, tuple[float, float, dict[str, Pair] | None]]
    opening: dict[str, Pair]  # the bigrams that open a sentence ("<s> thanks")
    # The dense features' weights, looked up once here rather than by name per comment (a name built
    # and looked up per feature was a tenth of a score): those of _FLAG_NAMES, by position; "lex",
    # "lex_min", "lex_max" and the same for "vlex" (a message's mean, lowest and highest); a
    # closing mark's ("" for none); a length bucket's, by the message's word count up to 26; and
    # "sent:N" by the sentence count, up to MAX_SENTENCE_COUNT.
    flags: tuple[Pair, ...]
    spread: tuple[Pair, Pair, Pair, Pair, Pair, Pair]
    endings: dict[str, Pair]
    lengths: tuple[Pair, ...]
    sentence_counts: tuple[Pair, ...]
    # "lex", "lex_min" and "lex_max" are all its polarity in a one-sentence message, so their weights
    # add up there; "sent:1" is always there.
    lex3: Pair
    vlex3: Pair
    one_sentence: Pair

    @classmethod
    def build(cls, weights: Mapping[str, Pair]) -> ScoringTable:
        unigrams: dict[str, Pair] = {}
        bigrams: dict[str, dict[str, Pair]] = {}
        dense: dict[str, Pair] = {}
        for name, (neg, pos) in weights.items():
            if name.startswith("u:"):
                unigrams[name[2:]] = _add(unigrams.get(name[2:], _ZERO), (neg * WORD_VALUE, pos * WORD_VALUE))
            elif name.startswith("b:"):
                first, _, second = name[2:].partition(" ")
                bigrams.setdefault(first, {})[second] = (neg * WORD_VALUE, pos * WORD_VALUE)
            else:
                dense[name] = (neg, pos)
        for word, category in EMOTION_CATEGORY.items():
            family = weights.get(category)
            if family is not None:
                unigrams[word] = _add(unigrams.get(word, _ZERO), family)
        opening = bigrams.pop("<s>", {})
        entries = {
            word: (*unigrams.get(word, _ZERO), bigrams.get(word)) for word in unigrams.keys() | bigrams.keys()
        }

        def total(*names: str) -> Pair:
            neg = pos = 0.0
            for name in names:
                w = dense.get(name, _ZERO)
                neg, pos = neg + w[0], pos + w[1]
            return neg, pos

        endings = {name[len("end:") :]: weight for name, weight in dense.items() if name.startswith("end:")}
        endings[""] = endings.pop("none", _ZERO)
        return cls(
            entries,
            opening,
            tuple(total(name) for name in _FLAG_NAMES),
            (
                total("lex"),
                total("lex_min"),
                total("lex_max"),
                total("vlex"),
                total("vlex_min"),
                total("vlex_max"),
            ),
            endings,
            tuple(total(_length_bucket(n)) for n in range(_LONGEST_BUCKETED + 1)),
            tuple(total(f"sent:{min(n, MAX_SENTENCE_COUNT)}") for n in range(MAX_SENTENCE_COUNT + 1)),
            total("lex", "lex_min", "lex_max"),
            total("vlex", "vlex_min", "vlex_max"),
            total("sent:1"),
        )

    def words(self, sentence: SentenceLexicon) -> Pair:
        """What one sentence's n-grams (and emotion families) add to the logits."""
        entries = self.entries
        neg = pos = 0.0
        after: dict[str, Pair] | None = self.opening
        for word in sentence.words:
            if after is not None:
                w = after.get(word)
                if w is not None:
                    neg += w[0]
                    pos += w[1]
            entry = entries.get(word)
            if entry is None:
                after = None
                continue
            neg += entry[0]
            pos += entry[1]
            after = entry[2]
        if after is not None and sentence.words:
            w = after.get(_END)
            if w is not None:
                neg += w[0]
                pos += w[1]
        return neg, pos

    def sentence_dense(self, s: SentenceLexicon) -> Pair:
        """`features._sentence_dense(s)` read off the weights."""
        p, v = s.polarity, s.vader
        lex, vlex = self.lex3, self.vlex3
        neg = self.one_sentence[0] + lex[0] * p + vlex[0] * v
        pos = self.one_sentence[1] + lex[1] * p + vlex[1] * v
        return self._common(
            neg,
            pos,
            s.positive,
            s.negative,
            s.vader_positive,
            s.vader_negative,
            s.negated,
            s.exclamations,
            s.questions,
            s.shouts,
            s.repeated,
            s.elongated,
            s.emoji_positive,
            s.emoji_negative,
            s.ending,
            len(s.words),
        )

    def message_dense(self, sentences: Sequence[SentenceLexicon]) -> Pair:
        """`features._message_dense(sentences)` (several sentences) read off the weights."""
        polarities = [s.polarity for s in sentences]
        vader = [s.vader for s in sentences]
        neg = pos = 0.0
        for w, value in zip(
            self.spread,
            (
                sum(polarities) / len(polarities),
                min(polarities),
                max(polarities),
                sum(vader) / len(vader),
                min(vader),
                max(vader),
            ),
            strict=True,
        ):
            neg += w[0] * value
            pos += w[1] * value
        w = self.sentence_counts[min(len(sentences), MAX_SENTENCE_COUNT)]
        return self._common(
            neg + w[0],
            pos + w[1],
            sum(s.positive for s in sentences),
            sum(s.negative for s in sentences),
            sum(s.vader_positive for s in sentences),
            sum(s.vader_negative for s in sentences),
            any(s.negated for s in sentences),
            sum(s.exclamations for s in sentences),
            any(s.questions for s in sentences),
            any(s.shouts for s in sentences),
            any(s.repeated for s in sentences),
            any(s.elongated for s in sentences),
            sum(s.emoji_positive for s in sentences),
            sum(s.emoji_negative for s in sentences),
            sentences[-1].ending,
            sum(len(s.words) for s in sentences),
        )

    def _common(  # noqa: PLR0917 - the dense features' ingredients, one argument each
        self,
        neg: float,
        pos: float,
        positive: float,
        negative: float,
        vader_positive: float,
        vader_negative: float,
        negated: object,
        exclamations: int,
        questions: object,
        shouts: object,
        repeated: object,
        elongated: object,
        emoji_positive: int,
        emoji_negative: int,
        ending: str,
        n_words: int,
    ) -> Pair:
        (w_pos, w_neg, w_vpos, w_vneg, w_negated, w_excl, w_many, w_question, w_shout, w_repeated,
         w_elongated, w_emoji_pos, w_emoji_neg) = self.flags  # fmt: skip
        # The lexicons' sums, squashed; most sentences hold no word of one side (squash(0) is 0).
        for w, total in (
            (w_pos, positive),
            (w_neg, negative),
            (w_vpos, vader_positive),
            (w_vneg, vader_negative),
        ):
            if total:
                value = squash(total)
                neg += w[0] * value
                pos += w[1] * value
        w = self.endings.get(ending, _ZERO)
        v = self.lengths[min(n_words, _LONGEST_BUCKETED)]
        neg += w[0] + v[0]
        pos += w[1] + v[1]
        if negated:
            neg += w_negated[0]
            pos += w_negated[1]
        if exclamations:
            neg += w_excl[0]
            pos += w_excl[1]
            if exclamations > 1:
                neg += w_many[0]
                pos += w_many[1]
        if questions:
            neg += w_question[0]
            pos += w_question[1]
        if shouts:
            neg += w_shout[0]
            pos += w_shout[1]
        if repeated:
            neg += w_repeated[0]
            pos += w_repeated[1]
        if elongated:
            neg += w_elongated[0]
            pos += w_elongated[1]
        if emoji_positive:
            neg += w_emoji_pos[0] * emoji_positive
            pos += w_emoji_pos[1] * emoji_positive
        if emoji_negative:
            neg += w_emoji_neg[0] * emoji_negative
            pos += w_emoji_neg[1] * emoji_negative
        return neg, pos


def _length_bucket(n_words: int) -> str:
    for limit, name in LENGTH_BUCKETS:
        if n_words <= limit:
            return name
    return "len:26+"


def _add(a: Pair, b: Pair) -> Pair:
    return a[0] + b[0], a[1] + b[1]
