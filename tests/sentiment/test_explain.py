"""Explanations: what moved a score, as data for a later mood reason, and as the CLI's text."""

from __future__ import annotations

from sentiment import Explanation, explain, score
from sentiment.explain import MAX_WORDS
from sentiment.scorer import DeskEngine


def test_an_explanation_agrees_with_the_score() -> None:
    text = "Still waiting for someone to call me back. This is ridiculous."
    explanation = explain(text)
    result = score(text)
    assert isinstance(explanation, Explanation)
    assert (explanation.polarity, explanation.label, explanation.signals) == (
        result.polarity,
        result.label,
        result.signals,
    )
    assert explanation.language == result.language and explanation.scored


def test_words_and_rules_that_moved_it_are_listed_with_their_direction() -> None:
    explanation = explain("Still waiting for a reply, this is ridiculous.")
    by_source = {c.source.lower(): c for c in explanation.contributions}
    assert by_source["chasing"].kind == "rule" and by_source["chasing"].effect < 0
    assert by_source["ridiculous"].effect < 0 and by_source["ridiculous"].weight is not None
    assert by_source["ridiculous"].weight < 0
    # largest effect first
    effects = [abs(c.effect) for c in explanation.contributions]
    assert effects == sorted(effects, reverse=True)


def test_praise_explained() -> None:
    explanation = explain("You are a lifesaver, thank you!", DeskEngine())
    assert "praise" in explanation.signals
    assert any(c.kind == "rule" and c.source == "praise" and c.effect > 0 for c in explanation.contributions)
    assert all(c.effect > 0 for c in explanation.contributions if c.source.lower() in ("lifesaver", "thank"))


def test_render_names_the_result_and_each_contribution() -> None:
    text = explain("Thanks, that sorted it!").render()
    assert text.splitlines()[0].startswith("polarity +")
    assert "praise" in text and "sorted it" in text


def test_an_unscored_comment_says_why() -> None:
    explanation = explain("Das ist eine Katastrophe, niemand antwortet.")
    assert not explanation.scored and explanation.mood == "unknown" and explanation.contributions == ()
    assert "'de'" in explanation.render()


def test_nothing_to_explain() -> None:
    explanation = explain("")
    assert explanation.contributions == () and explanation.polarity == 0.0


def test_a_typographic_apostrophe_is_explained_like_a_typed_one() -> None:
    # Phones and word processors type "can\u2019t"; the word moved the score all the same.
    typed, curly = explain("I can't log in since Monday"), explain("I can\u2019t log in since Monday")
    assert curly.polarity == typed.polarity
    effects = {c.source: c.effect for c in curly.contributions}
    assert effects == {c.source: c.effect for c in typed.contributions}
    assert effects["can't"] < 0


def test_each_occurrence_of_a_word_has_its_own_lexicon_value() -> None:
    explanation = explain("Not bad at all, but the support was bad.")
    bad = [c for c in explanation.contributions if c.source == "bad"]
    assert sorted((c.kind, c.weight is not None and c.weight > 0) for c in bad) == [
        ("negated", True),
        ("word", False),
    ]


def test_the_words_that_fire_a_rule_do_not_carry_its_weight_again() -> None:
    explanation = explain("This is the third time I ask.")
    rule = next(c for c in explanation.contributions if c.kind == "rule")
    assert rule.source == "chasing" and "third time" in rule.detail
    # each word is weighed with the rule held as it fired: none of them repeats the rule's -0.20
    words = {c.source: c.effect for c in explanation.contributions if c.kind != "rule"}
    assert all(abs(effect) < abs(rule.weight or 0) for effect in words.values())


def test_a_long_comment_says_how_much_of_it_was_weighed() -> None:
    text = "The printer on the third floor jams. " * 20
    explanation = explain(text)
    assert explanation.words_left_out == 20 * 7 - MAX_WORDS
    assert f"first {MAX_WORDS} words: {explanation.words_left_out} more" in explanation.render()
    assert explain("The printer jams.").words_left_out == 0


def test_a_comment_of_emoji_alone_says_how_it_was_read() -> None:
    assert "emoji alone: read 50% by the lexicon" in explain("😡").render()
    assert "emoji alone" not in explain("I am angry 😡").render()
    assert "emoji alone" not in explain("😡", DeskEngine(lexicon_weight=1.0)).render()
