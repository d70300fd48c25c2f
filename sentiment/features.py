"""Features of a message for the linear layer: lexicon evidence plus the words themselves.

The lexicon carries what generalises (negation, intensity, service-desk words); unigrams and bigrams let
the layer learn how a community writes ("+1", "committed, thanks", "sorry for the delay"). Features are
sparse: a dict from name to value, absent means zero.

Word features enter at WORD_VALUE, below the lexicon's scale. AdaGrad moves a weight by about the same
step whatever the feature's scale, so a feature's value sets how fast it can move the logits: words
learn at a quarter of the lexicon's pace. Words are what a model learns by heart about one community
(names of committers, "thanks" as a commit formula); the lexicon carries across communities. Chosen by
leave-one-fold-out CV on the Jira dev data, where whole folds of shorter, single-sentence comments
are held out: half value raised that figure from 0.784 to 0.792, and with the sentence-count and
closing-mark features below to 0.806 (each of three seeds), the last fold from 0.65 to 0.70.
"""

from __future__ import annotations

from collections.abc import Sequence

from sentiment.desk_words import EMOTION_CATEGORY
from sentiment.lexicon import SentenceLexicon, squash

FEATURE_VERSION = 3
WORD_VALUE = 0.5
# Word pairs ("not happy", "so long", "call back"): with tens of thousands of labelled texts from
# several communities they carry more than they cost; on one community's 4,000 they only added noise.
BIGRAMS = True
_MAX_SENTENCE_COUNT = 4
_LENGTH_BUCKETS = ((3, "len:1-3"), (10, "len:4-10"), (25, "len:11-25"))


def features(sentences: Sequence[SentenceLexicon]) -> dict[str, float]:  # noqa: PLR0915 - one pass
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
            # word pair.
            feats["b:<s> " + words[0]] = WORD_VALUE
        previous = ""
        for word in words:
            feats["u:" + word] = WORD_VALUE
            if BIGRAMS and previous:
                feats["b:" + previous + " " + word] = WORD_VALUE
            previous = word
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
    vader = [s.vader for s in sentences]
    feats["vlex"] = sum(vader) / len(vader)
    feats["vlex_min"] = min(vader)
    feats["vlex_max"] = max(vader)
    feats["vlex_pos"] = squash(sum(s.vader_positive for s in sentences))
    feats["vlex_neg"] = squash(sum(s.vader_negative for s in sentences))
    compound = [s.compound for s in sentences]
    if any(compound):
        feats["vc"] = sum(compound) / len(compound)
        feats["vc_min"] = min(compound)
        feats["vc_max"] = max(compound)
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
    # How many sentences, and how the last one closes: a one-line comment is a different genre from a
    # paragraph (a bare "Thanks" is a sign-off, "Thanks!" is gratitude), and the labelled data holds
    # both in proportions that vary from one project to the next.
    feats[f"sent:{min(len(sentences), _MAX_SENTENCE_COUNT)}"] = 1.0
    feats["end:" + (sentences[-1].ending or "none")] = 1.0
    for limit, name in _LENGTH_BUCKETS:
        if n_words <= limit:
            feats[name] = 1.0
            break
    else:
        feats["len:26+"] = 1.0
    return feats


# Per-domain copies of these features (besides a per-domain bias), used in training and by an engine
# told the domain of its texts: the dense evidence whose scale and meaning differ most between
# domains. Word features are shared only: per-domain word weights would multiply the model's size for
# what the shared ones already learn.
DOMAIN_FEATURES = ("lex", "vlex", "vc", "lex_pos", "lex_neg", "vlex_pos", "vlex_neg", "question", "excl")


def with_domain(feats: dict[str, float], domain: str) -> dict[str, float]:
    """The features of a text known to come from `domain` (a training domain of the model)."""
    out = dict(feats)
    prefix = "dom:" + domain
    out[prefix] = 1.0
    for name in DOMAIN_FEATURES:
        value = feats.get(name)
        if value:
            out[prefix + "|" + name] = value
    return out
