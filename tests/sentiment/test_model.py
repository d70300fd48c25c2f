"""The fitted layer: the shipped file, its format, and training that reproduces it."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from sentiment.features import MAX_SENTENCE_COPIES, counted, features, with_domain
from sentiment.model import (
    CLASSES,
    DEFAULT_MODEL_PATH,
    Calibration,
    LinearModel,
    ModelFileError,
    load_model,
    one_signal_apart,
)
from sentiment.mood import Mood, MoodBands
from sentiment.recipe import READS_AS, SHARED_SOURCES, read_shared, shipped_config
from sentiment.scorer import analyse_text, score
from sentiment.signals import SIGNAL_WEIGHTS, apply_signals
from sentiment.training import (
    Prepared,
    TrainingConfig,
    fit_bands,
    fit_items,
    fit_linear,
    fit_thresholds,
    group_folds,
    prepare_rows,
    sample_weights,
    stratified_folds,
    train_model,
)
from tests.sentiment.corpus import small_corpus


def test_the_shipped_model_loads() -> None:
    model = load_model()
    assert len(model.weights) > 1000
    assert all(len(w) == 2 for w in model.weights.values())
    assert model.meta["trained_on"] == [source.path for source in SHARED_SOURCES]
    assert "goemotions-test.csv" not in " ".join(model.meta["trained_on"])
    assert model.meta["cv_macro_f1_mean"] > 0.5
    cal = model.calibration
    assert -1 < cal.negative_below < 0 < cal.positive_from < 1
    assert cal.bands.negative_below == cal.negative_below
    assert set(model.domain_thresholds) == {source.domain for source in SHARED_SOURCES}
    assert model.reads_as == READS_AS and READS_AS in model.domains()
    assert set(model.domains()) == set(model.domain_thresholds)
    # it ships in the wheel
    assert DEFAULT_MODEL_PATH.stat().st_size < 4_000_000


def test_training_reproduces_a_model_of_the_same_shape(tmp_path: Path) -> None:
    config = TrainingConfig(folds=3, min_count=1)
    model, cv, grouped = train_model(prepare_rows(small_corpus()), config, ["small.csv"])
    out = tmp_path / "model.json"
    model.save(out)
    trained = json.loads(out.read_text())
    shipped = json.loads(DEFAULT_MODEL_PATH.read_text())
    assert trained.keys() == shipped.keys()
    assert trained["calibration"].keys() == shipped["calibration"].keys()
    assert list(trained["calibration"]["domains"]) == [""]  # one unnamed domain
    assert trained["meta"].keys() == shipped["meta"].keys()
    assert (trained["format"], trained["version"], trained["classes"]) == (
        shipped["format"],
        shipped["version"],
        shipped["classes"],
    )
    # Feature names come from the same extractor: the trained ones are of kinds the shipped ones have
    # (a kind whose shared weight was pruned, such as "repeated", lives on in the domains' copies).
    shipped_names = [*shipped["weights"], *(n for ws in shipped["domain_weights"].values() for n in ws)]
    kinds = {name.split(":")[0] for name in shipped_names}
    assert {name.split(":")[0] for name in trained["weights"]} <= kinds
    assert len(cv.fold_scores) == 3
    assert grouped is None and trained["meta"]["grouped_cv_macro_f1"] is None  # the rows named no groups
    # and the file it wrote is a working model
    reloaded = LinearModel.load(out)
    assert reloaded.polarity({"u:thanks": 1.0}) > reloaded.polarity({"u:terrible": 1.0})
    assert reloaded.domain_thresholds == model.domain_thresholds


def test_training_is_deterministic() -> None:
    items = prepare_rows(small_corpus())
    config = TrainingConfig(folds=3, min_count=1, max_iter=20)
    first, _, _ = train_model(items, config)
    second, _, _ = train_model(items, config)
    assert first.to_json() == second.to_json()


# `ela sentiment train --every 40 --out tests/sentiment/data/reference-model.json`: the whole recipe
# (analysis, cross-validation, calibration, the final fit) on every 40th row of each shared file.
REFERENCE = Path(__file__).parent / "data" / "reference-model.json"
REFERENCE_EVERY = 40


def _shared_items(shared_data: Path, every: int = 1) -> list[Prepared]:
    return [
        item
        for source, rows in read_shared(shared_data / "sentiment")
        for item in prepare_rows(rows[::every], source.domain)
    ]


def test_the_recipe_reproduces_its_reference_on_a_sample(shared_data: Path) -> None:
    """The recipe of the shipped model, end to end, on a sample: the same file, number for number.

    Change a feature, a rule or the fit, and this fails until the reference (and the shipped model)
    are rebuilt.
    """
    model, _, _ = train_model(
        _shared_items(shared_data, REFERENCE_EVERY),
        shipped_config(),
        [source.path for source in SHARED_SOURCES],
        groups=[],
        calibration_domains=[s.domain for s in SHARED_SOURCES if s.calibrate],
    )
    reference = json.loads(REFERENCE.read_text())
    rebuilt = json.loads(json.dumps(model.to_json()))
    assert rebuilt["calibration"] == reference["calibration"]
    assert rebuilt["bias"] == reference["bias"]
    assert rebuilt["weights"] == reference["weights"]


@pytest.mark.slow
@pytest.mark.skipif(
    not (os.environ.get("CI") or os.environ.get("ELA_FULL_RETRAIN_TEST")),
    reason="a full refit takes minutes: CI runs it (CI=true), or set ELA_FULL_RETRAIN_TEST=1",
)
def test_refitting_on_the_shared_data_reproduces_the_shipped_weights(shared_data: Path) -> None:
    """The shipped file is what `ela sentiment train` builds from the shared files: its final fit.

    The cross-validation that sets the calibration runs from the same deterministic folds; the sample
    test above checks that part of the recipe.
    """
    weights, bias = fit_items(_shared_items(shared_data), shipped_config())
    shipped = json.loads(DEFAULT_MODEL_PATH.read_text())
    refitted = LinearModel(weights, bias).to_json()
    assert refitted["bias"] == shipped["bias"]
    assert refitted["weights"] == shipped["weights"]


def test_a_domain_reading_adds_the_domain_weights_to_the_shared_ones() -> None:
    model = LinearModel(
        {
            "u:thanks": (0.0, 1.0),
            "@jira:u:thanks": (0.0, -0.75),
            "@jira:bias": (0.5, 0.25),
            "@jira:u:lgtm": (0.0, 2.0),
            "@github:u:thanks": (1.0, 1.0),
        },
        (0.125, -0.125),
        reads_as="jira",
    )
    jira = model.reading("jira")
    assert jira.weights == {"u:thanks": (0.0, 0.25), "u:lgtm": (0.0, 2.0)}
    assert jira.bias == (0.625, 0.125)
    assert model.reading("").weights == {"u:thanks": (0.0, 1.0)}
    assert model.domains() == ["github", "jira"]
    # the reading and the training features agree
    feats = {"u:thanks": 0.5, "u:lgtm": 0.5}
    assert jira.logits(feats) == pytest.approx(model.logits(with_domain(feats, "jira")))


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, that fixed it! Everything works now.",
        "Still not working. This is the third time I ask. Please call me back :(",
        "I'm happy with the resolution.",
        "This is broken. " * 7 + "Please help. Please help. Please help. Please help.",
        "",
    ],
)
def test_reading_sentences_equals_scoring_their_features(text: str) -> None:
    model = load_model().reading(READS_AS)
    analysed = analyse_text(text)[1]
    message, sentences = model.read(analysed)
    assert sentences == pytest.approx([model.polarity(features((a,))) for a in analysed])
    if analysed:
        assert message == pytest.approx(model.polarity(features(analysed)))


def test_a_sentence_pasted_over_and_over_says_no_more_than_a_few_copies_of_it() -> None:
    """Copies past `MAX_SENTENCE_COPIES` add no n-grams: the small weights of "this" and "is" summed
    a hundred times read "This is broken. " * 100 as +1.0 (very positive) before."""
    readings = [score("This is broken. " * copies) for copies in (3, 5, 20, 100)]
    assert [r.label for r in readings] == [-1, -1, -1, -1]
    assert max(r.polarity for r in readings) - min(r.polarity for r in readings) < 0.05
    analysed = analyse_text("Still broken. " * 10)[1]
    assert counted(analysed) == [True] * MAX_SENTENCE_COPIES + [False] * (10 - MAX_SENTENCE_COPIES)


@pytest.mark.parametrize("threshold", [-0.04, -0.06, -0.16, -0.23, -0.31])
def test_one_signal_beyond_any_threshold_stays_a_plain_mood(threshold: float) -> None:
    # -0.16 - 0.25 is -0.41000000000000003 in floating point: a "very" cut at -0.41 took it.
    bands = one_signal_apart(MoodBands(-0.35, threshold, -threshold, 0.45))
    weakest, strongest = min(SIGNAL_WEIGHTS.values()), max(SIGNAL_WEIGHTS.values())
    assert bands.band(apply_signals(threshold, weakest)) is Mood.negative
    # positive starts at -threshold: the edge of neutral is just below it
    assert bands.band(apply_signals(-threshold - 1e-4, strongest)) is Mood.positive
    assert bands.band(apply_signals(threshold, 2 * weakest)) is Mood.very_negative


def test_the_scoring_table_reads_what_the_features_say(shared_data: Path) -> None:
    """`read` walks re-keyed weights (`table.ScoringTable`): the same logits as the named features, on
    real comments of every shared domain, in every domain's reading."""
    texts = [row.text for _, rows in read_shared(shared_data / "sentiment") for row in rows[::50]]
    texts += ["Sooo slow!!! :( NOT working, again? 😡 👍", "Thanks. Thanks! lol :)", "thanks"]
    # Every dense feature at once: five sentences (counted as four), over 25 words, emoji of both
    # sides, several exclamations, a question, shouting, a negation, an elongation, no closing mark.
    texts += [
        "No. No! Why?? It is STILL not working after three days, and nobody from your team has called "
        "me back even once about this problem, which is sooo annoying :( 😡😡 👍 Fix it!!! ok then"
    ]
    model = load_model()
    for domain in (READS_AS, "jira", ""):
        reading = model.reading(domain)
        for text in texts:
            analysed = analyse_text(text)[1]
            message, sentences = reading.read(analysed)
            assert sentences == pytest.approx([reading.polarity(features((a,))) for a in analysed], abs=1e-9)
            if analysed:
                assert message == pytest.approx(reading.polarity(features(analysed)), abs=1e-9)


def test_groups_are_held_out_whole_and_reported_by_name() -> None:
    rows = small_corpus(copies=3)
    # Three groups, each holding one copy of the corpus: every label in every group.
    groups = [f"part_{i // (len(rows) // 3)}" for i in range(len(rows))]
    config = TrainingConfig(folds=3, min_count=1)
    model, _, grouped = train_model(prepare_rows(rows), config, groups=groups)
    assert grouped is not None
    assert grouped.folds == [int(g[-1]) for g in groups]
    assert list(model.meta["grouped_cv_macro_f1"]) == ["part_0", "part_1", "part_2"]
    assert list(model.meta["grouped_cv_macro_f1"].values()) == [round(s, 4) for s in grouped.fold_scores]


@pytest.mark.parametrize("groups", [[], ["a", "a", "a"], ["a", "", ""]])
def test_no_grouped_cv_without_several_named_groups(groups: list[str]) -> None:
    assert group_folds(groups) is None


def test_unnamed_items_are_always_trained_on() -> None:
    assert group_folds(["a", "", "b"]) == (["a", "b"], [0, -1, 1])


def test_every_domain_weighs_alike_and_classes_within_it() -> None:
    items = prepare_rows(small_corpus(copies=4), "big") + prepare_rows(small_corpus(copies=1), "small")
    weights = sample_weights(items, TrainingConfig(domain_size=0.0))
    total = {
        d: sum(w for w, i in zip(weights, items, strict=True) if i.domain == d) for d in ("big", "small")
    }
    assert total["big"] == pytest.approx(total["small"])
    grown = sample_weights(items, TrainingConfig(domain_size=0.5))
    assert sum(w for w, i in zip(grown, items, strict=True) if i.domain == "big") == pytest.approx(
        2 * sum(w for w, i in zip(grown, items, strict=True) if i.domain == "small")
    )


def test_strong_ratings_set_the_outer_bands() -> None:
    polarities = [-0.9, -0.8, -0.3, -0.2, 0.0, 0.2, 0.3, 0.8, 0.9] * 20
    means = [-3.0, -2.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5, 3.0] * 20
    gold = [-1, -1, -1, -1, 0, 1, 1, 1, 1] * 20
    bands = fit_bands(polarities, gold, -0.1, 0.1, means)
    assert -0.8 <= bands.very_negative_below < -0.3 and 0.3 < bands.positive_below <= 0.8


def test_one_signal_never_reaches_the_outer_bands() -> None:
    # A layer that is never sure: its medians would put "very" close to the label thresholds.
    polarities = [-0.15, -0.12, 0.0, 0.12, 0.15] * 40
    gold = [-1, -1, 0, 1, 1] * 40
    bands = fit_bands(polarities, gold, -0.1, 0.1)
    strongest_negative, strongest_positive = min(SIGNAL_WEIGHTS.values()), max(SIGNAL_WEIGHTS.values())
    assert bands.very_negative_below <= strongest_negative < -0.1
    assert bands.positive_below >= strongest_positive > 0.1
    # nor from the edge of neutral: a comment just inside it, plus the strongest signal, stays plain
    assert bands.band(-0.0999) is Mood.neutral and bands.band(0.0999) is Mood.neutral
    assert bands.band(apply_signals(-0.0999, strongest_negative)) is Mood.negative
    assert bands.band(apply_signals(0.0999, strongest_positive)) is Mood.positive


def test_fit_linear_separates_a_toy_problem() -> None:
    examples = [({"u:good": 1.0}, 1), ({"u:bad": 1.0}, -1), ({"u:meh": 1.0}, 0)] * 20
    weights, bias = fit_linear(examples, TrainingConfig(l2=1e-3))
    model = LinearModel(weights, bias)
    probs = {word: model.probabilities({f"u:{word}": 1.0}) for word in ("good", "bad", "meh")}
    assert max(range(3), key=lambda c: probs["bad"][c]) == CLASSES.index(-1)
    assert max(range(3), key=lambda c: probs["meh"][c]) == CLASSES.index(0)
    assert max(range(3), key=lambda c: probs["good"][c]) == CLASSES.index(1)


def test_rare_features_are_not_kept() -> None:
    examples = (
        [({"u:common": 1.0}, 1)] * 5
        + [({"u:once": 1.0, "u:common": 1.0}, 1)]
        + [({"u:other": 1.0}, 0)] * 5
        + [({"u:bad": 1.0}, -1)] * 5
    )
    weights, _ = fit_linear(examples, TrainingConfig(min_count=2, l2=1e-3))
    assert "u:common" in weights and "u:once" not in weights


def test_fit_thresholds_finds_the_separating_cut() -> None:
    polarities = [-0.9, -0.7, -0.5, -0.1, 0.0, 0.1, 0.5, 0.7, 0.9]
    gold = [-1, -1, -1, 0, 0, 0, 1, 1, 1]
    negative_below, positive_from = fit_thresholds(polarities, gold)
    assert -0.5 < negative_below <= -0.1
    assert 0.1 < positive_from <= 0.5


def test_stratified_folds_share_every_class() -> None:
    labels = [-1] * 20 + [0] * 50 + [1] * 30
    folds = stratified_folds(labels, 10, seed=1)
    per_fold = Counter((f, y) for f, y in zip(folds, labels, strict=True))
    assert all(per_fold[(f, -1)] == 2 and per_fold[(f, 0)] == 5 and per_fold[(f, 1)] == 3 for f in range(10))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        (
            '{"format": "ela-sentiment-linear", "version": 99, "classes": [-1, 0, 1]}',
            "unsupported model version",
        ),
        ('{"format": "ela-sentiment-linear", "version": 3, "classes": [-1, 0, 1]}', "malformed model"),
        ("[1, 2]", "not an ela-sentiment-linear model"),
    ],
)
def test_model_file_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(content)
    with pytest.raises(ModelFileError, match=message):
        LinearModel.load(path)


def test_the_default_reading_raises_the_neutral_class_by_the_fitted_shift() -> None:
    from sentiment.model import load_reading

    model = load_model()
    default, plain = load_reading(DEFAULT_MODEL_PATH), model.reading(model.reads_as)
    shift = model.calibration.neutral_shift
    assert default.weights == plain.weights
    assert default.bias == pytest.approx((plain.bias[0] - shift, plain.bias[1] - shift))
    # a site's own domain reads without it, with that domain's thresholds
    jira = load_reading(DEFAULT_MODEL_PATH, "jira")
    assert jira.bias == model.reading("jira").bias
    with pytest.raises(ModelFileError, match="no domain 'nope'"):
        load_reading(DEFAULT_MODEL_PATH, "nope")


def test_a_sentence_that_decides_the_message_carries_the_message_signals() -> None:
    from sentiment.model import Calibration, aggregate

    calibration = Calibration(-0.1, 0.1, dominant_below=-0.5)
    # The layer reads the message at +0.2 and two negative signals (-0.45) bring it to -0.25; a -0.6
    # sentence decides it, and the signals still count: -0.6 - 0.45, clipped to the scale.
    assert aggregate(0.2 - 0.45, [0.4, -0.6], calibration, shift=-0.45) == -1.0
    assert aggregate(0.3 - 0.2, [0.4, -0.6], calibration, shift=-0.2) == pytest.approx(-0.8)
    # Whether a sentence decides is judged against the layer's reading, before the signals: a -0.45
    # sentence is not dominant, so the message keeps its own polarity with the signals in it.
    assert aggregate(0.2 - 0.45, [0.4, -0.45], calibration, shift=-0.45) == pytest.approx(-0.25)
    # A praise signal does not lift a deciding complaint above the message's own reading.
    assert aggregate(-0.3 + 0.2, [0.4, -0.6], calibration, shift=0.2) == pytest.approx(-0.4)
    assert aggregate(-0.55 + 0.2, [-0.55, -0.6], calibration, shift=0.2) == pytest.approx(-0.4)


def test_a_domain_reading_has_its_own_aggregation_rule(tmp_path: Path) -> None:
    from sentiment.model import Calibration, aggregate

    shared = Calibration(-0.1, 0.1, dominant_below=-0.5)
    model = LinearModel({"u:x": (0.0, 1.0)}, (0.0, 0.0), shared, {}, {"tweets": (-0.2, 0.3, -0.9)})
    own = model.for_domain("tweets")
    assert (own.negative_below, own.positive_from, own.dominant_below) == (-0.2, 0.3, -0.9)
    # A "-0.6" sentence decides a message under the shared rule, not under the domain's own.
    assert aggregate(0.5, [0.5, -0.6], shared) == -0.6
    assert aggregate(0.5, [0.5, -0.6], own) == 0.5
    path = tmp_path / "model.json"
    model.save(path)
    assert LinearModel.load(path).for_domain("tweets") == own
    # A file written before the rule was per domain gives every domain the shared one.
    data = json.loads(path.read_text())
    data["calibration"]["domains"] = {"tweets": [-0.2, 0.3]}
    path.write_text(json.dumps(data))
    assert LinearModel.load(path).for_domain("tweets").dominant_below == -0.5


def test_a_domain_reading_keeps_very_one_signal_beyond_its_threshold() -> None:
    # Shipped bands with very negative halfway from its threshold to -1, very positive a fifth of the way.
    shared = Calibration(-0.1, 0.1, bands=MoodBands(-0.55, -0.1, 0.1, 0.28))
    domains = {"desk": (-0.6, 0.5, -0.9), "sure": (-0.2, 0.8, -0.9)}
    model = LinearModel({"u:x": (0.0, 1.0)}, (0.0, 0.0), shared, {}, domains)
    strongest_negative, strongest_positive = min(SIGNAL_WEIGHTS.values()), max(SIGNAL_WEIGHTS.values())
    desk, sure = model.for_domain("desk").bands, model.for_domain("sure").bands
    # By share alone "desk" would be very negative below -0.8 and very positive from 0.6: within one
    # signal of its thresholds.
    assert desk.very_negative_below == round(-0.6 + strongest_negative, 3) < -0.8
    assert desk.positive_below == round(0.5 + strongest_positive, 3) > 0.6
    # Where the share lies further out than one signal, it stays.
    assert sure.very_negative_below == -0.6 < -0.2 + strongest_negative
    # A threshold within one signal of the end keeps "very positive" for a polarity of 1 only.
    assert sure.positive_below == 1.0 and sure.band(0.99) is Mood.positive
    # Thresholds of four decimals: the three-decimal floor is rounded away from them, not back within
    # one signal's reach.
    narrow = Calibration(-0.1, 0.1, bands=MoodBands(-0.28, -0.1, 0.1, 0.28))
    fine = LinearModel({}, (0.0, 0.0), narrow, {}, {"fine": (-0.1234, 0.1234, -0.9)}).for_domain("fine")
    assert fine.bands.band(apply_signals(-0.1234, strongest_negative)) is Mood.negative
    assert fine.bands.band(apply_signals(0.1233, strongest_positive)) is Mood.positive


def test_cross_validation_fits_each_domain_its_own_rule() -> None:
    from sentiment.training import cross_validate

    # Two domains with the same texts: a message of a good and a bad sentence is a complaint in one
    # (the bad sentence must decide it) and praise in the other (it must not).
    good, bad, meh = {"u:good": 0.5}, {"u:bad": 0.5}, {"u:meh": 0.5}

    def domain(name: str, mixed_label: int) -> list[Prepared]:
        items = []
        for _ in range(12):
            items += [Prepared(good, (good,), 1, name), Prepared(bad, (bad,), -1, name)]
            items += [
                Prepared(meh, (meh,), 0, name),
                Prepared({**good, **bad}, (good, bad), mixed_label, name),
            ]
        return items

    config = TrainingConfig(folds=3, min_count=1, l2=5e-3, nb_scale=0)
    cv = cross_validate(domain("desk", -1) + domain("chat", 1), config)
    assert cv.domain_thresholds["chat"][2] < cv.domain_thresholds["desk"][2]
    # One rule for both would cost one of them its mixed messages.
    assert cv.known_domain_scores == {"chat": 1.0, "desk": 1.0}
