"""Features of a message for the linear layer: lexicon evidence plus the words themselves.

The lexicon carries what generalises (negation, intensity, service-desk words); unigrams and bigrams let
the layer learn how a community writes ("+1", "committed, thanks", "sorry for the delay"). Features are
sparse: a dict from name to value, absent means zero.
"""

from __future__ import annotations

from collections.abc import Sequence

from sentiment.desk_words import EMOTION_CATEGORY
from sentiment.lexicon import SentenceLexicon, squash

FEATURE_VERSION = 1
_LENGTH_BUCKETS = ((3, "len:1-3"), (10, "len:4-10"), (25, "len:11-25"))


def features(sentences: Sequence[SentenceLexicon]) -> dict[str, float]:
    """Features of one sentence or of a whole message (the sentences it was split into)."""
    feats: dict[str, float] = {}
    if not sentences:
        return feats
    n_words = 0
    for sentence in sentences:
        words = sentence.words
        n_words += len(words)
        if words:
            # How a sentence opens ("thanks ...", "sorry ...", "please ...") says more than any other
            # word pair; general bigrams were tried and only added noise on 4,000 labelled comments.
            feats["b:<s> " + words[0]] = 1.0
        for word in words:
            feats["u:" + word] = 1.0
            category = EMOTION_CATEGORY.get(word)
            if category:
                feats[category] = feats.get(category, 0.0) + 1.0
    polarities = [s.polarity for s in sentences]
    mean = sum(polarities) / len(polarities)
    feats["lex"] = mean
    feats["lex_min"] = min(polarities)
    feats["lex_max"] = max(polarities)
    feats["lex_pos"] = squash(sum(s.positive for s in sentences))
    feats["lex_neg"] = squash(sum(s.negative for s in sentences))
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
    emoji_positive = sum(s.emoji_positive for s in sentences)
    if emoji_positive:
        feats["emoji_pos"] = float(emoji_positive)
    emoji_negative = sum(s.emoji_negative for s in sentences)
    if emoji_negative:
        feats["emoji_neg"] = float(emoji_negative)
    for limit, name in _LENGTH_BUCKETS:
        if n_words <= limit:
            feats[name] = 1.0
            break
    else:
        feats["len:26+"] = 1.0
    return feats
