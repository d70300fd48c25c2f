"""The service-desk rules of the lexicon layer: directions and orderings that a support desk relies on."""

from __future__ import annotations

import pytest

from sentiment.lexicon import analyse, tokenize


def pol(text: str) -> float:
    return analyse(text).polarity


def test_textblob_words_still_count() -> None:
    assert pol("great") > 0 > pol("terrible")


@pytest.mark.parametrize(
    ("negated", "plain"),
    [
        ("not working", "working"),
        ("doesn't work", "it works"),
        ("not good", "good"),
        ("isn't fixed", "fixed"),
    ],
)
def test_negation_turns_expected_good_into_bad(negated: str, plain: str) -> None:
    assert pol(negated) < 0 <= pol(plain)


@pytest.mark.parametrize(
    "text",
    ["never got a reply", "no response from support", "still no update", "can't log in", "nobody helped"],
)
def test_negated_service_words_are_complaints(text: str) -> None:
    assert pol(text) < 0


def test_negation_of_a_negative_is_only_mildly_positive() -> None:
    assert 0 < pol("not bad") < pol("good")


def test_negation_reaches_over_small_words_but_stops_at_a_clause() -> None:
    assert pol("it is not really that good") < 0
    assert pol("not sure, but it works great") > 0
    # scope is a few words: a sentiment word far after "not" is not negated
    assert pol("not on the first try of the day, great") > 0


def test_intensifiers_and_diminishers() -> None:
    assert pol("extremely slow") < pol("slow") < pol("slightly slow") < 0
    assert pol("really helpful") > pol("helpful") > 0


def test_repetition_shouting_and_exclamations_make_a_complaint_worse() -> None:
    assert pol("still broken AGAIN!!!") < pol("still broken") < pol("broken") < 0
    assert pol("BROKEN") < pol("broken")
    assert pol("broken!!!") < pol("broken")


def test_acronyms_are_not_shouting() -> None:
    assert analyse("the API returns JSON").shouts == 0
    assert analyse("this is TERRIBLE").shouts == 1


@pytest.mark.parametrize(
    ("emoji", "sign"),
    [("😡", -1), ("👎", -1), (":(", -1), (":'(", -1), ("🙂", 1), ("👍", 1), (":)", 1), ("<3", 1)],
)
def test_emoji_and_emoticons(emoji: str, sign: int) -> None:
    assert pol(f"ok {emoji}") * sign > pol("ok") * sign
    counts = analyse(emoji)
    assert (counts.emoji_positive, counts.emoji_negative) == ((1, 0) if sign > 0 else (0, 1))


def test_emoticons_need_a_boundary() -> None:
    assert tokenize("xpath:parse") == ["xpath", ":", "parse"]


@pytest.mark.parametrize(
    "text", ["escalate this", "unacceptable", "this is urgent", "frustrating", "it crashed"]
)
def test_service_desk_complaint_words(text: str) -> None:
    assert pol(text) < 0


def test_a_workaround_is_not_a_fix() -> None:
    assert pol("we use the workaround") < 0 < pol("it is fixed")


def test_thanks_is_a_mild_positive() -> None:
    assert 0 < pol("thanks") < pol("thanks, that was excellent")
    assert pol("thanks for nothing") < 0


@pytest.mark.parametrize(
    ("text", "thanking"),
    [
        ("Thanks for nothing.", ["not_thanks"]),
        ("Thank you for wasting my time!", ["not_thank", "not_you"]),
        ("Thanks a lot for absolutely nothing", ["not_thanks", "not_a", "not_lot"]),
    ],
)
def test_sarcastic_thanks_are_not_gratitude_for_the_ngrams_either(text: str, thanking: list[str]) -> None:
    # The layer learnt "thanks" as gratitude: the sarcasm's thanking words are read negated.
    result = analyse(text)
    assert list(result.words[: len(thanking)]) == thanking
    assert result.polarity < 0
    assert analyse("Thanks a lot for fixing it").words[:3] == ("thanks", "a", "lot")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Sorry for the late reply, I was on holiday.", ("i", "was", "on", "holiday")),
        ("Apologies for the delay, here are the logs.", ("here", "are", "the", "logs")),
        ("Sorry to bother you again", ("again",)),
        ("Thanks, but it is still broken.", ("but", "it", "is", "still", "broken")),
        ("Thank you for the quick reply, but that did not help", ("for", "the", "quick", "reply", "but")),
        ("I appreciate your help, but it is still not working.", ("your", "help", "but", "it")),
        ("Appreciate it, but I still can't log in.", ("it", "but", "i", "still")),
        ("Thanks for trying, unfortunately the error came back.", ("for", "trying", "unfortunately")),
        ("We really appreciate the update, however it still fails", ("the", "update", "however")),
    ],
)
def test_courtesy_is_neither_assessed_nor_an_ngram(text: str, words: tuple[str, ...]) -> None:
    # A customer's apology for their own delay is no remorse, and thanks before a "but" are
    # politeness: the verdict comes after it.
    result = analyse(text)
    assert result.words[: len(words)] == words
    assert pol(text) <= 0


def test_courtesy_leaves_apologies_and_thanks_that_mean_it() -> None:
    assert analyse("Sorry, this is still broken").words[0] == "sorry"
    assert analyse("Thanks for the fix.").words[0] == "thanks" and pol("Thanks for the fix.") > 0
    assert analyse("I appreciate the help.").words[:2] == ("i", "appreciate")
    # the "but" must be in the thanks' own sentence
    assert analyse("Thanks. But").words[0] == "thanks"
    # "though" turns nothing: "Thanks though!" is thanks all the same
    assert analyse("Thanks though!").words[0] == "thanks" and pol("Thanks though!") > 0
    assert analyse("I appreciate it. Unfortunately").words[:2] == ("i", "appreciate")


@pytest.mark.parametrize(
    "text", ["Kind regards", "Best regards", "please", "Good morning", "Dear team", "Have a nice day"]
)
def test_politeness_formulas_carry_no_sentiment(text: str) -> None:
    assert pol(text) == 0


def test_phrases_with_their_own_meaning() -> None:
    assert pol("no problem") > 0 > pol("problem")
    assert pol("waste of time") < pol("time")


@pytest.mark.parametrize(
    ("text", "contraction"),
    [
        ("I'll have a look tomorrow", "i'll"),
        ("He\u2019ll be there at noon", "he'll"),  # typed on a phone: U+2019
        ("We'll call you back", "we'll"),
    ],
)
def test_a_contraction_is_not_the_word_it_spells_without_its_apostrophe(text: str, contraction: str) -> None:
    # Every token loses its apostrophe ("don't" is "dont"), which would make these "ill", "hell" and
    # "well": words TextBlob's or VADER's lexicon weighs.
    result = analyse(text)
    assert result.words[0] == contraction
    assert result.polarity == 0 and result.vader == 0


def test_the_words_themselves_still_count() -> None:
    assert pol("I feel ill") < 0
    assert pol("what the hell") < 0
    assert pol("Well done") > 0


def test_odd_input() -> None:
    for text in ["", "!!!", "???", "\x00\x01", "a" * 10_000, "💩" * 50, "+1", "-1"]:
        result = analyse(text)
        assert -1.0 < result.polarity < 1.0
