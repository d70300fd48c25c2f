"""Explanations: what moved a score, as data for a later mood reason, and as the CLI's text."""

from __future__ import annotations

from sentiment import Explanation, explain, score
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
