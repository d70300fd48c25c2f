"""sentiment.score(): the interface the worker calls on every customer comment."""

from __future__ import annotations

import json

import pytest

from sentiment import score
from sentiment.model import load_model
from sentiment.mood import Mood
from sentiment.scorer import (
    EMOJI_ONLY_LEXICON_WEIGHT,
    MAX_ADF_CHARS,
    MAX_SENTENCES,
    MAX_TEXT_CHARS,
    DeskEngine,
    SentenceScore,
    SentimentResult,
    split_sentences,
)
from sentiment.signals import SIGNAL_WEIGHTS, apply_signals

POLITE_COMPLAINT = (
    "Hi team, thank you for getting back to me so quickly. "
    "This is the third time the export has failed and it is completely unacceptable. "
    "Have a nice day, and thanks again for your help!"
)


def test_result_shape() -> None:
    result = score("Thanks, that fixed it! Everything works now.")
    assert isinstance(result, SentimentResult)
    assert result.engine == "textblob"
    assert -1.0 <= result.polarity <= 1.0 and result.label in (-1, 0, 1)
    assert [s.text for s in result.sentences] == ["Thanks, that fixed it!", "Everything works now."]
    assert all(isinstance(s, SentenceScore) and -1.0 <= s.polarity <= 1.0 for s in result.sentences)


def test_clear_cases_get_the_right_label() -> None:
    assert score("Thanks a lot, great work, it works perfectly now!").label == 1
    assert score("This is unacceptable, the app is still broken AGAIN!!!").label == -1
    assert score("Please find the log attached.").label == 0


def test_service_desk_directions() -> None:
    assert score("not working").polarity < 0
    assert score("still broken AGAIN!!!").polarity < score("still broken").polarity < 0
    assert score("not bad").polarity > score("bad").polarity
    assert score("Thanks :)").polarity > score("Thanks").polarity > 0


def test_one_angry_sentence_in_a_polite_email_makes_the_message_negative() -> None:
    result = score(POLITE_COMPLAINT)
    assert len(result.sentences) == 3
    assert result.sentences[0].polarity > 0 and result.sentences[2].polarity > 0
    assert result.sentences[1].polarity < 0
    assert result.label == -1
    assert result.polarity <= min(s.polarity for s in result.sentences) + 1e-9
    # Averaging the sentences would have hidden it.
    mean = sum(s.polarity for s in result.sentences) / 3
    assert mean > result.polarity


def test_the_signals_still_count_when_one_sentence_decides_the_message() -> None:
    complaint = "Hi, thanks for the reply. It is STILL broken and this is unacceptable!"
    chased = complaint + " Any update? You promised a fix."
    alone, result = score(complaint), score(chased)
    assert result.signals == {"chasing", "broken_promise"}
    decided = min(s.polarity for s in result.sentences)
    assert result.polarity < alone.polarity
    weight = SIGNAL_WEIGHTS["chasing"] + SIGNAL_WEIGHTS["broken_promise"]
    assert result.polarity == pytest.approx(max(-1.0, decided + weight))
    # two negative signals on a negative comment: very negative, as the signals' table says
    assert DeskEngine().bands.band(result.polarity) is Mood.very_negative


def test_mild_negatives_do_not_override_the_message() -> None:
    result = score("Thanks so much for the quick fix, it works great! The docs were a bit unclear.")
    assert result.label == 1


def test_cleaning_happens_before_scoring() -> None:
    angry_quote = (
        "Works for me now.\n\nOn Mon, Jan 5, 2024 at 10:00 AM X <x@example.com> wrote:\n"
        "> TERRIBLE!!! broken!!!"
    )
    assert score(angry_quote).polarity == score("Works for me now.").polarity
    assert score("{code}FATAL error failed crash{code}").sentences == ()


@pytest.mark.parametrize(
    "odd",
    [
        "",
        "   \n\n ",
        "\x00\x01\x02\xff",
        "{code}only code{code}",
        "[~jsmith]",
        "!!!???",
        "😡" * 1000,
        "x" * 1_000_000,
        "word. " * 50_000,
        '{"type":"doc","content":[{"type":"codeBlock"}]}',
    ],
)
def test_odd_text_never_raises(odd: str) -> None:
    result = score(odd)
    assert -1.0 <= result.polarity <= 1.0
    assert result.label in (-1, 0, 1)
    assert len(result.sentences) <= MAX_SENTENCES


# Issue 7's table: what the engine said before, and what a person reads.
@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I'm happy with the resolution.", 1),
        ("This is the best phone I have ever owned, I love it.", 1),
        ("Why is this taking so long? It has been three days.", -1),
        ("Still waiting for someone to call me back.", -1),
    ],
)
def test_customers_read_as_a_person_reads_them(text: str, label: int) -> None:
    result = score(text)
    assert result.scored and result.label == label
    mood = DeskEngine().bands.band(result.polarity).value
    assert mood in (("positive", "very_positive") if label > 0 else ("negative", "very_negative"))


@pytest.mark.parametrize(
    "text",
    ["Thanks for wasting my time.", "Thanks a lot for nothing!", "Thank you so much for wasting my time."],
)
def test_thanks_said_in_contempt_is_a_complaint(text: str) -> None:
    # "Thanks" alone reads +0.6: these read positive while the n-grams took the thanks as gratitude.
    result = score(text)
    assert result.label == -1
    assert "poor_service" in result.signals and "praise" not in result.signals


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # "sorry" is mostly regret in the labelled sets: this read -0.68, very negative
        ("Sorry for the late reply, I was on holiday.", 0),
        ("Apologies for the delay, here are the logs you asked for.", 0),
        # read +0.70 and +0.71 while the thanks counted as gratitude
        ("Thanks, but it is still slow.", -1),
        ("Thank you for the quick reply, but that didn't help.", -1),
        # read +0.44, +0.32 and +0.02 while the appreciation, or thanks before "unfortunately",
        # counted as gratitude
        ("I appreciate your help, but it is still not working.", -1),
        ("I appreciate the update, however the laptop still won't boot.", -1),
        ("Thanks for trying, unfortunately the error came back.", -1),
    ],
)
def test_courtesy_does_not_decide_the_mood(text: str, label: int) -> None:
    assert score(text).label == label


@pytest.mark.parametrize("text", ["I'm fed up with this laptop.", "I've had enough.", "Are you kidding me?"])
def test_a_customer_at_the_end_of_their_patience_is_negative(text: str) -> None:
    result = score(text)
    assert result.label == -1 and "frustrated" in result.signals


@pytest.mark.parametrize(
    ("text", "mood"),
    [
        ("😡", "very_negative"),
        ("👎", "negative"),
        (":(", "negative"),
        ("👍", "positive"),
        ("(y)", "positive"),
    ],
)
def test_a_comment_of_emoji_alone_is_read_by_its_emoji(text: str, mood: str) -> None:
    # The layer read every one of these as neutral: the labelled sets hold too few to learn from.
    engine = DeskEngine()
    assert engine.bands.band(engine.score(text).polarity).value == mood


def test_emoji_beside_words_are_read_as_before() -> None:
    engine, lexical = DeskEngine(), DeskEngine(lexicon_weight=EMOJI_ONLY_LEXICON_WEIGHT)
    assert engine.score("I love it 😍").polarity != pytest.approx(lexical.score("I love it 😍").polarity)
    assert engine.score("😡").polarity == pytest.approx(lexical.score("😡").polarity)
    assert engine.score("!!!").label == 0  # no emoji weighed: the layer's reading


def test_a_foreign_complaint_is_unknown() -> None:
    result = score("Das ist eine Katastrophe, niemand antwortet.")
    assert (result.scored, result.language) == (False, "de")


def test_other_engines_keep_the_defaults() -> None:
    result = SentimentResult(0.5, 1, ())
    assert (result.language, result.scored, result.signals) == (None, True, frozenset())


def test_empty_text_is_neutral() -> None:
    assert score("") == SentimentResult(0.0, 0, (), "textblob")


def test_sentence_splitting() -> None:
    assert split_sentences("One. Two! Three?\n\nFour\n- five") == ["One.", "Two!", "Three?", "Four", "- five"]


def test_lexicon_weight_leans_on_the_lexicon() -> None:
    from sentiment.lexicon import analyse

    fitted, lexical = DeskEngine(), DeskEngine(lexicon_weight=1.0)
    assert lexical.score("nice").polarity == pytest.approx(analyse("nice").polarity)
    assert fitted.score("nice").polarity != pytest.approx(analyse("nice").polarity)
    with pytest.raises(ValueError, match="lexicon_weight"):
        DeskEngine(lexicon_weight=2.0)


@pytest.mark.parametrize("domain", [None, "jira", "github", "goemotions"])
def test_label_and_mood_agree_for_every_reading(domain: str | None) -> None:
    engine = DeskEngine(domain=domain)
    bands, calibration = engine.bands, engine.calibration
    assert bands.very_negative_below < bands.negative_below < bands.neutral_below < bands.positive_below
    for step in range(-100, 101):
        polarity = step / 100
        mood = bands.band(polarity).value
        expected = {-1: ("very_negative", "negative"), 0: ("neutral",), 1: ("positive", "very_positive")}
        assert mood in expected[calibration.label(polarity)], (polarity, mood)


@pytest.mark.parametrize("domain", [None, *load_model().domains()])
def test_one_signal_on_the_edge_of_neutral_is_a_plain_mood_in_every_reading(domain: str | None) -> None:
    engine = DeskEngine(domain=domain)
    bands, calibration = engine.bands, engine.calibration
    strongest_negative, strongest_positive = min(SIGNAL_WEIGHTS.values()), max(SIGNAL_WEIGHTS.values())
    negative_edge, positive_edge = calibration.negative_below, calibration.positive_from - 1e-4
    assert calibration.label(negative_edge) == 0 and calibration.label(positive_edge) == 0
    assert bands.band(apply_signals(negative_edge, strongest_negative)) is Mood.negative
    assert bands.band(apply_signals(positive_edge, strongest_positive)) is Mood.positive
    # and "very" is still there to reach, with a second signal
    assert bands.band(apply_signals(negative_edge, 2 * strongest_negative)) is Mood.very_negative


def test_one_signal_alone_is_a_plain_mood_not_a_very_one() -> None:
    bands = DeskEngine().bands
    assert bands.band(score("Any update?").polarity).value == "negative"
    assert bands.band(score("You promised a callback yesterday.").polarity).value in (
        "negative",
        "very_negative",
    )


def test_a_long_adf_comment_is_read_as_its_text_not_as_json() -> None:
    # Jira Cloud sends comment bodies as ADF JSON, several times longer than their text: a document
    # bounded before it is parsed is broken JSON, and its braces and keys would be scored as words.
    paragraph = {
        "type": "paragraph",
        "content": [{"type": "text", "text": "Thanks so much, the fix works perfectly!"}],
    }
    document = json.dumps({"type": "doc", "version": 1, "content": [paragraph] * 500})
    assert MAX_TEXT_CHARS * 2 < len(document) <= MAX_ADF_CHARS
    result = score(document)
    assert result.sentences and all("{" not in s.text and '"type"' not in s.text for s in result.sentences)
    assert result.label == 1


def test_a_message_that_is_no_text_is_refused_and_a_parsed_adf_document_is_read() -> None:
    # str(None) is "None", which scored as a neutral word.
    with pytest.raises(TypeError, match="NoneType"):
        score(None)  # type: ignore[arg-type]
    document = {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "Thank you, it works perfectly now!"}]}
        ],
    }
    assert score(document).label == 1
