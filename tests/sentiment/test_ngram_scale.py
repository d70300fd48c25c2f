"""N-gram scales: how freely the fit lets each word's weight grow, by how unevenly the classes use it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sentiment.features import with_domain
from sentiment.ngram_scale import ngram_scales, scale_of
from sentiment.training import TrainingConfig, fit_linear, prepare_rows
from tests.sentiment.corpus import small_corpus


def _examples() -> list[tuple[dict[str, float], int]]:
    return [(with_domain(item.message, "desk"), item.label) for item in prepare_rows(small_corpus(3))]


def test_a_word_one_class_uses_scales_above_one_every_class_uses() -> None:
    examples = [
        ({"u:thanks": 0.5, "u:the": 0.5}, 1),
        ({"u:thanks": 0.5, "u:the": 0.5}, 1),
        ({"u:the": 0.5, "u:log": 0.5}, 0),
        ({"u:the": 0.5, "u:awful": 0.5}, -1),
        ({"u:the": 0.5, "lex": -0.4}, -1),
    ]
    scales = ngram_scales(examples, 1.0)
    assert scales["u:thanks"] > 1.0 > scales["u:the"]
    assert "lex" not in scales  # the lexicon's dense features are not n-grams
    assert scale_of("lex", scales) == scale_of("u:unseen", scales) == 1.0
    assert set(ngram_scales(examples, 0.0).values()) == {1.0}
    # the power sharpens or softens the same ordering
    assert ngram_scales(examples, 2.0)["u:thanks"] == pytest.approx(scales["u:thanks"] ** 2)


def test_a_domain_copy_has_its_n_grams_scale() -> None:
    examples = [({"u:thanks": 0.5, "@desk:u:thanks": 0.5}, 1), ({"u:log": 0.5, "@desk:u:log": 0.5}, 0)]
    scales = ngram_scales(examples, 1.0)
    assert not any(name.startswith("@") for name in scales)  # copies are not counted apart
    assert scale_of("@desk:u:thanks", scales) == scales["u:thanks"]


def test_the_shipped_weights_read_plain_features_as_the_scaled_fit_read_scaled_ones() -> None:
    examples = _examples()
    config = TrainingConfig(min_count=1, prune_below=0.0, nb_scale=1.0)
    weights, bias = fit_linear(examples, config)
    # The same fit by hand: every n-gram's value times its scale, no scaling inside the fit.
    scales = ngram_scales(examples, 1.0)
    scaled = [({n: v * scale_of(n, scales) for n, v in f.items()}, y) for f, y in examples]
    by_hand, by_hand_bias = fit_linear(scaled, replace(config, nb_scale=0.0))
    assert bias == pytest.approx(by_hand_bias)
    assert weights.keys() == by_hand.keys()
    for name, (neg, pos) in by_hand.items():
        assert weights[name] == pytest.approx((neg * scale_of(name, scales), pos * scale_of(name, scales)))
    # and the scales change the fit: without them the weights differ
    plain, _ = fit_linear(examples, replace(config, nb_scale=0.0))
    assert plain["u:thanks"] != pytest.approx(weights["u:thanks"])
