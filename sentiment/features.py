"""Features of a message for the linear layer: the words themselves, and the lexicon's evidence.

Words carry most of it: unigrams and bigrams of the tokens `lexicon.analyse` keeps (lower case, a word
within reach of a negation marked "not_", emoji and emoticons as written, "!" and "?"), plus how each
sentence opens and closes ("thanks ...", "... !"). The lexicon adds what a community's words alone do
not learn: the polarity of words the training data rarely shows, under the service desk's negation,
intensity and repetition rules. Features are sparse: a dict from name to value, absent means zero.

Word features enter at WORD_VALUE, the lexicon's at its own scale. The L2 penalty of the fit acts on
weight times value, so the value sets how freely a feature's weight may grow: words, which a model can
learn by heart about one community, are held more tightly than the lexicon's few dense features.

Training also gives every feature a copy per domain (`with_domain`, "@jira:u:thanks"): the shared weight
learns what holds across Jira comments, tweets and Reddit comments, each domain's copy what is peculiar
to it. A reader of one domain adds the two (`LinearModel.reading`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sentiment.desk_words import EMOTION_CATEGORY
from sentiment.lexicon import SentenceLexicon, squash

FEATURE_VERSION = 4
WORD_VALUE = 0.5
MAX_SENTENCE_COUNT = 4
# A message's n-grams are the sum of its sentences', so a sentence pasted over and over would add its
# words' small weights once per copy until they, not what the sentence says, decide the message: "This
# is broken. " a hundred times read +1.0. Copies of one sentence past this many add no n-grams.
MAX_SENTENCE_COPIES = 3
LENGTH_BUCKETS = ((3, "len:1-3"), (10, "len:4-10"), (25, "len:11-25"))
DOMAIN_PREFIX = "@"
DOMAIN_BIAS = "bias"


def add_word_features(sentence: SentenceLexicon, feats: dict[str, float]) -> None:
    """Add one sentence's n-grams to `feats`; a message's are the sum of its sentences'.

    `table.ScoringTable.words` walks the same names without building the dict: keep the two in step.
    """
    value = WORD_VALUE
    previous = "<s>"
    get = feats.get
    for word in sentence.words:
        name = "u:" + word
        feats[name] = get(name, 0.0) + value
        name = "b:" + previous + " " + word
        feats[name] = get(name, 0.0) + value
        previous = word
        category = EMOTION_CATEGORY.get(word)
        if category:
            feats[category] = get(category, 0.0) + 1.0
    if sentence.words:
        name = "b:" + previous + " </s>"
        feats[name] = get(name, 0.0) + value


def features(sentences: Sequence[SentenceLexicon]) -> dict[str, float]:
    """Features of one sentence or of a whole message (the sentences it was split into)."""
    feats: dict[str, float] = {}
    if not sentences:
        return feats
    for sentence, counts in zip(sentences, counted(sentences), strict=True):
        if counts:
            add_word_features(sentence, feats)
    feats.update(dense_features(sentences))
    return feats


def counted(sentences: Sequence[SentenceLexicon]) -> list[bool]:
    """Whether each sentence's n-grams count in its message: not past MAX_SENTENCE_COPIES copies of it."""
    if len(sentences) <= MAX_SENTENCE_COPIES:
        return [True] * len(sentences)
    seen: dict[tuple[str, ...], int] = {}
    out = []
    for sentence in sentences:
        copies = seen.get(sentence.words, 0) + 1
        seen[sentence.words] = copies
        out.append(copies <= MAX_SENTENCE_COPIES)
    return out


def dense_features(sentences: Sequence[SentenceLexicon]) -> dict[str, float]:
    """The lexicon's evidence and the message's shape: a score-or-flag per name, a couple of dozen."""
    if len(sentences) == 1:
        return _sentence_dense(sentences[0])
    return _message_dense(sentences)


def _message_dense(sentences: Sequence[SentenceLexicon]) -> dict[str, float]:
    feats: dict[str, float] = {}
    n_words = sum(len(s.words) for s in sentences)
    polarities = [s.polarity for s in sentences]
    feats["lex"] = sum(polarities) / len(polarities)
    feats["lex_min"] = min(polarities)
    feats["lex_max"] = max(polarities)
    feats["lex_pos"] = squash(sum(s.positive for s in sentences))
    feats["lex_neg"] = squash(sum(s.negative for s in sentences))
    vader = [s.vader for s in sentences]
    feats["vlex"] = sum(vader) / len(vader)
    feats["vlex_min"] = min(vader)
    feats["vlex_max"] = max(vader)
    feats["vlex_pos"] = squash(sum(s.vader_positive for s in sentences))
    feats["vlex_neg"] = squash(sum(s.vader_negative for s in sentences))
    if any(s.negated for s in sentences):
        feats["negated"] = 1.0
    exclamations = sum(s.exclamations for s in sentences)
    if exclamations:
        feats["excl"] = 1.0
        if exclamations > 1:
            feats["excl_many"] = 1.0
    if any(s.questions for s in sentences):
        feats["question"] = 1.0
    if any(s.shouts for s in sentences):
        feats["shout"] = 1.0
    if any(s.repeated for s in sentences):
        feats["repeated"] = 1.0
    if any(s.elongated for s in sentences):
        feats["elongated"] = 1.0
    emoji_positive = sum(s.emoji_positive for s in sentences)
    if emoji_positive:
        feats["emoji_pos"] = float(emoji_positive)
    emoji_negative = sum(s.emoji_negative for s in sentences)
    if emoji_negative:
        feats["emoji_neg"] = float(emoji_negative)
    # How many sentences, and how the last one closes: a one-line comment is a different genre from a
    # paragraph (a bare "Thanks" is a sign-off, "Thanks!" is gratitude), and the labelled data holds
    # both in proportions that vary from one project to the next.
    feats[f"sent:{min(len(sentences), MAX_SENTENCE_COUNT)}"] = 1.0
    feats["end:" + (sentences[-1].ending or "none")] = 1.0
    for limit, name in LENGTH_BUCKETS:
        if n_words <= limit:
            feats[name] = 1.0
            break
    else:
        feats["len:26+"] = 1.0
    return feats


def _sentence_dense(s: SentenceLexicon) -> dict[str, float]:
    """`dense_features` of one sentence, the same values without the sums over a list (every comment
    has at least one sentence, and most have one)."""
    feats = {
        "lex": s.polarity,
        "lex_min": s.polarity,
        "lex_max": s.polarity,
        "lex_pos": squash(s.positive),
        "lex_neg": squash(s.negative),
        "vlex": s.vader,
        "vlex_min": s.vader,
        "vlex_max": s.vader,
        "vlex_pos": squash(s.vader_positive),
        "vlex_neg": squash(s.vader_negative),
    }
    if s.negated:
        feats["negated"] = 1.0
    if s.exclamations:
        feats["excl"] = 1.0
        if s.exclamations > 1:
            feats["excl_many"] = 1.0
    if s.questions:
        feats["question"] = 1.0
    if s.shouts:
        feats["shout"] = 1.0
    if s.repeated:
        feats["repeated"] = 1.0
    if s.elongated:
        feats["elongated"] = 1.0
    if s.emoji_positive:
        feats["emoji_pos"] = float(s.emoji_positive)
    if s.emoji_negative:
        feats["emoji_neg"] = float(s.emoji_negative)
    feats["sent:1"] = 1.0
    feats["end:" + (s.ending or "none")] = 1.0
    n_words = len(s.words)
    for limit, name in LENGTH_BUCKETS:
        if n_words <= limit:
            feats[name] = 1.0
            break
    else:
        feats["len:26+"] = 1.0
    return feats


def domain_name(domain: str, name: str) -> str:
    """The name of a feature's copy for one domain: "@jira:u:thanks"."""
    return DOMAIN_PREFIX + domain + ":" + name


def with_domain(feats: dict[str, float], domain: str) -> dict[str, float]:
    """The features of a training text from `domain`: each feature, its domain copy, the domain's bias."""
    out = dict(feats)
    prefix = DOMAIN_PREFIX + domain + ":"
    out[prefix + DOMAIN_BIAS] = 1.0
    for name, value in feats.items():
        out[prefix + name] = value
    return out
