"""Features of a message for the fitted layer: what the layer can tell apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment.features import WORD_VALUE, features
from sentiment.lexicon import analyse
from sentiment.scorer import analyse_text


def message_features(text: str) -> dict[str, float]:
    return features(analyse_text(text)[1])


@pytest.mark.parametrize(
    ("sentence", "ending"),
    [
        ("Thanks", ""),
        ("Thanks.", "."),
        ("Thanks!!  ", "!"),
        ("Any news?", "?"),
        ("Works now :)", ")"),
        ("See the log,", ""),
    ],
)
def test_how_a_sentence_closes(sentence: str, ending: str) -> None:
    assert analyse(sentence).ending == ending
    assert message_features(sentence)["end:" + (ending or "none")] == 1.0


def test_a_bare_formula_and_an_exclamation_are_told_apart() -> None:
    bare, exclaimed = message_features("Thanks"), message_features("Thanks!")
    assert "end:none" in bare and "end:none" not in exclaimed and "end:!" in exclaimed


def test_the_number_of_sentences_is_capped() -> None:
    assert message_features("Fixed.")["sent:1"] == 1.0
    assert message_features("Fixed. Thanks!")["sent:2"] == 1.0
    many = message_features("One. Two. Three. Four. Five. Six.")
    assert many["sent:4"] == 1.0 and not any(k.startswith("sent:") and k != "sent:4" for k in many)
    # the closing mark is the last sentence's
    assert message_features("It broke. Any idea?")["end:?"] == 1.0


def test_words_weigh_less_than_the_lexicon() -> None:
    feats = message_features("Thanks, great work")
    assert feats["u:great"] == feats["b:<s> thanks"] == WORD_VALUE < 1.0
    assert feats["lex"] > 0 and feats["cat:joy"] >= 1.0


def test_no_sentences_no_features() -> None:
    assert features(()) == {}


def test_n_gram_tokens_mark_negation_and_keep_emoji_and_marks() -> None:
    assert analyse("It is not working at all, thanks!").words == (
        "it",
        "is",
        "not",
        "not_working",
        "not_at",
        "not_all",
        "thanks",
        "!",
    )
    assert analyse("Never again 😡").words == ("never", "not_again", "😡")
    # a clause break ends the negation's reach
    assert "not_fine" not in analyse("not great but fine").words


def test_a_message_sums_its_sentences_n_grams() -> None:
    feats = message_features("Thanks. Thanks!")
    assert feats["u:thanks"] == 2 * WORD_VALUE
    assert feats["b:<s> thanks"] == 2 * WORD_VALUE and feats["b:! </s>"] == WORD_VALUE


def test_elongation_is_a_cue() -> None:
    assert message_features("sooo slow")["elongated"] == 1.0
    assert "elongated" not in message_features("so slow")


def test_one_sentence_dense_features_are_the_general_ones(shared_data: Path) -> None:
    from sentiment.evaluate import read_labelled
    from sentiment.features import _message_dense, _sentence_dense

    rows = read_labelled(shared_data / "sentiment" / "jira-dev.csv")[:1500]
    sentences = [a for row in rows for a in analyse_text(row.text)[1]]
    sentences += analyse_text("Sooo slow!!! :( NOT working, again? 😡 👍")[1]
    assert all(_sentence_dense(a) == _message_dense((a,)) for a in sentences)
