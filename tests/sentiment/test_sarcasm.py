"""Praise said in sarcasm, right next to a complaint, is not read as praise; praise anywhere else is."""

from __future__ import annotations

import csv

import pytest

from sentiment.explain import explain
from sentiment.features import features
from sentiment.recipe import default_data_dir
from sentiment.sarcasm import read_as_meant
from sentiment.scorer import analyse_text, score, sentences_of

SARCASTIC = [
    ("Great, now it's broken again.", "Great,"),
    ("Oh great, the printer is down again.", "Oh great,"),
    ("Great. Still waiting.", "Great."),
    ("Still waiting. Brilliant.", "Brilliant."),
    ("Perfect, nobody has replied to my ticket.", "Perfect,"),
    ("It crashed again. Just what I needed.", "Just what I needed"),
    ("Brilliant. Another outage. Just what we needed.", "Brilliant."),
    ("Wonderful, the update deleted all my bookmarks.", "Wonderful,"),
    # praise standing alone twice: both are read past
    ("Awesome. Just awesome. It crashed again.", "Awesome."),
    ("Still waiting. Great. Brilliant.", "Brilliant."),
]

MEANT = [
    "Great, that fixed it.",
    "Perfect. Thanks!",
    "Great service, thanks.",
    "Awesome, I have been waiting for this!",
    "Nobody replied for a week, but Sam sorted it. Great!",
    "I mentioned it before. Wonderful. Thank you!",
    "Thanks, it works again. Just what I needed!",
    "Excellent, it's not broken anymore.",
    "Great, nothing is broken.",
    "Great, it never crashed since.",
    "Perfect, I can't wait to try it!",
    "Excellent, I couldn't log in before but now it works.",
]


@pytest.mark.parametrize(("text", "struck"), SARCASTIC)
def test_praise_right_next_to_a_complaint_is_sarcasm(text: str, struck: str) -> None:
    assert struck in read_as_meant(sentences_of(text))[1]
    result = score(text)
    assert result.label == -1, (text, result.polarity)
    # the complaint's own signal still counts, or the sarcasm counts as frustration
    assert result.signals & {"chasing", "lost_work", "poor_service", "frustrated", "broken_promise"}


def test_sarcasm_over_a_fault_no_signal_hears_is_frustration_and_a_heard_complaint_weighs_once() -> None:
    assert score("Great, now Outlook doesn't work either.").signals == {"frustrated"}
    assert score("Outlook doesn't work.").signals == frozenset()
    assert score("Great, now it's broken again.").signals == {"chasing"}


def test_a_fault_turned_by_a_but_is_no_complaint() -> None:
    assert read_as_meant(sentences_of("Perfect, the old version didn't work but this one does."))[1] == ()


@pytest.mark.parametrize("text", MEANT)
def test_praise_beside_no_complaint_is_praise(text: str) -> None:
    assert read_as_meant(sentences_of(text))[1] == ()
    assert score(text).label == 1


def test_a_complaint_far_from_the_praise_word_is_no_sarcasm() -> None:
    text = "Awesome! I just read the whole report and then had to wait for the film since Monday."
    assert read_as_meant(sentences_of(text))[1] == ()


def test_a_neighbour_the_lexicon_calls_negative_is_no_complaint() -> None:
    # Only a complaint the signals hear counts: in the labelled sets every praise word before a
    # sentence the lexicon reads as negative is labelled positive or neutral ("Lovely. If you have no
    # success in finding a copy I'd be happy to post it to you.").
    text = "Lovely. If you have no success in finding a copy I'd be happy to post it."
    assert read_as_meant(sentences_of(text))[1] == ()


def test_nothing_struck_leaves_the_sentences_as_they_are() -> None:
    sentences = ["Great, that fixed it.", "The printer is down again."]
    assert read_as_meant(sentences) == (sentences, ())


def test_training_reads_the_sarcastic_praise_out_of_the_ngrams_too() -> None:
    # analyse_text reads through scorer.read_message, as `ela sentiment train` does
    sarcastic = features(analyse_text("Great, now it's broken again.")[1])
    meant = features(analyse_text("Great, now it works again.")[1])
    assert not any("great" in name for name in sarcastic)
    assert any("great" in name for name in meant)


def test_the_explanation_says_which_praise_was_read_as_sarcasm() -> None:
    rendered = explain("Great, now it's broken again.").render()
    assert "sarcasm: 'Great,' next to a complaint, not read as praise" in rendered
    assert "'Great'" not in rendered.split("what moved it", 1)[-1]


def test_the_labelled_sets_hold_no_text_it_strikes() -> None:
    # The rule is fixed, not fitted: the labelled sets (goemotions-test aside) hold no text it fires on,
    # so it changes nothing the fit learns, and their labels cannot tell whether it is right.
    data = default_data_dir()
    files = sorted(p for p in [*data.glob("*.csv"), *data.glob("customer/*.csv")] if "test" not in p.name)
    if not files:
        pytest.skip(f"the shared labelled sets are absent ({data})")
    struck = []
    for path in files:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if read_as_meant(sentences_of(row["text"]))[1]:
                    struck.append(row["text"])
    assert struck == []
