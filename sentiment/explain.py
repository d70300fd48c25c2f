"""Why a comment got its score: the words, phrases and rules that moved it, and by how much.

The fitted layer is linear in its features, but the polarity is not (a softmax, then the rule that one
clearly negative sentence decides the message), so a word's weight does not say how far it moved the
score. Each contribution here is measured instead: the polarity of the comment as scored, minus the
polarity with that one word (or rule) taken out, everything else unchanged. The effects need not add
up to the polarity; each says what the score would lose without it. The lexicon's own value of a
word (after negation and intensifiers) is given beside it, so a reader sees both what the word means
and how much it counted in this comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sentiment.lexicon import analyse, as_typed, tokenize
from sentiment.mood import UNKNOWN_MOOD
from sentiment.scorer import EMOJI_ONLY_LEXICON_WEIGHT, DeskEngine, sentences_of

# Effects smaller than this are left out of the explanation: they change no label.
MIN_EFFECT = 0.005
# A comment longer than this many words is explained by its first words only: each one costs a
# rescoring, and an explanation is read by a person.
MAX_WORDS = 80


@dataclass(frozen=True)
class Contribution:
    """One thing that moved the score."""

    # "word", "negated" (a word under a negation), "phrase", "emoji" (the lexicon knows it), "term" (only
    # the layer knows it), "rule"
    kind: str
    source: str  # the word or phrase as written, or the rule's name
    effect: float  # polarity as scored minus polarity without it
    weight: float | None = None  # the lexicon's value in this sentence (words, phrases, emoji)
    detail: str = ""  # for rules: the words that fired it


@dataclass(frozen=True)
class Explanation:
    text: str
    polarity: float
    label: int
    mood: str
    language: str | None
    scored: bool
    signals: frozenset[str]
    contributions: tuple[Contribution, ...]  # largest effect first
    sentences: tuple[tuple[str, float], ...]
    decided_by: int | None  # index of the sentence that set the polarity, when one did
    engine: str = "textblob"
    words_left_out: int = 0  # words past MAX_WORDS, not weighed one by one
    emoji_alone: bool = False  # read half by the lexicon's emoji values (scorer.emoji_only)
    sarcasm: tuple[str, ...] = ()  # praise said in sarcasm, not read (sentiment.sarcasm)
    courtesy: tuple[str, ...] = ()  # thanks beside a complaint, not read (sentiment.courtesy)

    def render(self) -> str:
        """The text `ela sentiment score --explain` prints."""
        head = (
            f"polarity {self.polarity:+.3f}  label {self.label:+d}  mood {self.mood}  "
            f"language {self.language or 'undetermined'}"
        )
        if not self.scored:
            return (
                f"{head}\nnot scored: the comment is in {self.language!r}, a language this engine does not "
                "score; its mood is unknown and it does not move the timeline"
            )
        lines = [head, "signals: " + (", ".join(sorted(self.signals)) or "none")]
        if self.emoji_alone:
            lines.append(
                f"emoji alone: read {EMOJI_ONLY_LEXICON_WEIGHT:.0%} by the lexicon's emoji values, "
                "which the layer has too few examples of"
            )
        lines += [f"sarcasm: {words!r} next to a complaint, not read as praise" for words in self.sarcasm]
        lines += [f"courtesy: {words!r} beside a complaint, not read as gratitude" for words in self.courtesy]
        if self.decided_by is not None and len(self.sentences) > 1:
            text, polarity = self.sentences[self.decided_by]
            lines.append(f"one sentence decided the message ({polarity:+.3f}): {text}")
        if not self.contributions:
            lines.append("nothing moved the score: no word the lexicon or the layer weighs")
        else:
            lines.append("what moved it (polarity lost without it; lexicon value in brackets):")
        for c in self.contributions:
            what = f"{c.source!r}" + (f" [{c.weight:+.2f}]" if c.weight is not None else "")
            if c.detail:
                what += f" ({c.detail})"
            lines.append(f"  {c.effect:+.3f}  {c.kind:<7} {what}")
        if self.words_left_out:
            lines.append(
                f"(explained by its first {MAX_WORDS} words: "
                f"{self.words_left_out} more were not weighed one by one)"
            )
        return "\n".join(lines)


def explain(text: str, engine: DeskEngine | None = None) -> Explanation:
    """Score `text` with `engine` (the default engine when None) and say what moved the score."""
    engine = engine or _default_engine()
    sentences = sentences_of(text if isinstance(text, str) else str(text))
    result = engine.score(text)
    mood = engine.bands.band(result.polarity).value if result.scored else UNKNOWN_MOOD
    if not sentences or not result.scored:
        return Explanation(
            text,
            result.polarity,
            result.label,
            mood,
            result.language,
            result.scored,
            result.signals,
            (),
            (),
            None,
            engine.name,
        )
    scored = engine.score_sentences(sentences)
    base = scored.polarity
    contributions: list[Contribution] = []

    # Rules: the score with each signal left out.
    without_rules = engine.score_sentences(sentences, rules=False).polarity
    for name, (words, rule_weight) in sorted(scored.signals.items()):
        others = sum(w for n, (_, w) in scored.signals.items() if n != name)
        without = _without_signal(engine, sentences, others, without_rules)
        contributions.append(
            Contribution("rule", name, base - without, rule_weight, f'"{words}", fixed weight')
        )

    # Words: the score with each word taken out of its sentence. The signals are held as they fired on
    # the whole comment, so a word that fired one ("third" in "third time") is weighed for itself and
    # the rule's weight is told once, on its own line.
    shift = sum(w for _, w in scored.signals.values())

    # Words are taken out of the sentences as read, courtesy left out (sentiment.courtesy): thanks that
    # were not read moved nothing, and without this a word of the complaint would seem to weigh all
    # the thanks it made courtesy ("Thanks a lot. I still cannot log in.": "cannot" -0.83).
    spoken = scored.spoken

    def polarity_without(changed: list[str], index: int) -> float:
        # The sentence a word was taken from goes when nothing is left of it; a sentence of courtesy
        # already read as "" stays, as in the score.
        kept = [s for i, s in enumerate(changed) if i != index or s.strip()]
        return engine.score_sentences(kept or [""], shift=shift).polarity

    # The lexicon's value of each occurrence, in order: "Not bad at all, but the support was bad" holds
    # a negated "bad" and a plain one.
    lexical: dict[tuple[int, str], list[tuple[str, float | None]]] = {}
    phrases: list[tuple[int, str, float | None]] = []
    for index, sentence in enumerate(spoken):
        trace: list[tuple[str, float, str]] = []
        analyse(sentence, trace)
        for token, value, kind in trace:
            if kind == "phrase" and " " in token:
                phrases.append((index, token, value))
            lexical.setdefault((index, token.lower()), []).append((kind, value))
    seen = 0
    total = 0
    for index, sentence in enumerate(spoken):
        removable = _removable(sentence)
        total += len(removable)
        for token, start, end in removable:
            occurrences = lexical.get((index, token.lower()))
            found = occurrences.pop(0) if occurrences else None
            if seen >= MAX_WORDS:
                continue
            seen += 1
            changed = [*spoken[:index], sentence[:start] + sentence[end:], *spoken[index + 1 :]]
            effect = base - polarity_without(changed, index)
            if abs(effect) < MIN_EFFECT:
                continue
            kind, weight = found if found is not None else ("term", None)
            kind = {"negated word": "negated"}.get(kind, kind)
            contributions.append(Contribution(kind, token, effect, weight))
        # Phrases the lexicon reads as one ("thanks for nothing", "fed up"): taken out whole.
        for i, token, weight in phrases:
            if i == index:
                pattern = re.compile(
                    r"\b" + r"\W+".join(map(re.escape, token.split())) + r"\b", re.IGNORECASE
                )
                match = pattern.search(sentence)
                if match is None:
                    continue
                changed = [
                    *spoken[:index],
                    sentence[: match.start()] + sentence[match.end() :],
                    *spoken[index + 1 :],
                ]
                effect = base - polarity_without(changed, index)
                if abs(effect) >= MIN_EFFECT:
                    contributions.append(Contribution("phrase", match.group(0), effect, weight))
    contributions.sort(key=lambda c: -abs(c.effect))
    return Explanation(
        text,
        result.polarity,
        result.label,
        mood,
        result.language,
        True,
        result.signals,
        tuple(contributions),
        tuple(zip(sentences, scored.sentence_polarities, strict=True)),
        scored.decided_by,
        engine.name,
        max(0, total - MAX_WORDS),
        scored.emoji_alone,
        scored.sarcasm,
        scored.courtesy,
    )


def _without_signal(engine: DeskEngine, sentences: list[str], others: float, without_rules: float) -> float:
    """The polarity with one signal out and the others in (their weights `others`)."""
    if not others:
        return without_rules
    # Re-run with the other signals' summed weight only: the scorer applies signals as one shift.
    return engine.score_sentences(sentences, shift=others).polarity


def _removable(sentence: str) -> list[tuple[str, int, int]]:
    """Words and emoji/emoticon tokens of a sentence with their spans, in order."""
    spans = []
    position = 0
    # Tokens are in the tokenizer's spelling: look them up in the sentence spelt so (the spans hold in
    # the sentence as written).
    typed = as_typed(sentence)
    for token in tokenize(sentence):
        if token in ",;:." or token[0] in "!?":
            continue
        start = typed.find(token, position)
        if start < 0:
            continue
        spans.append((token, start, start + len(token)))
        position = start + len(token)
    return spans


_ENGINE: DeskEngine | None = None


def _default_engine() -> DeskEngine:
    global _ENGINE  # noqa: PLW0603 - one engine per process, built on first use
    if _ENGINE is None:
        _ENGINE = DeskEngine()
    return _ENGINE
