"""simulators/ratelimit.py: the token bucket behind the simulators' 429s, on a clock the test turns."""

from __future__ import annotations

import math
import threading

import pytest

from simulators.ratelimit import TokenBucket, retry_after_header


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_full_bucket_lets_a_burst_through_then_refuses() -> None:
    clock = Clock()
    bucket = TokenBucket(2, 5, clock=clock)
    assert [bucket.take() for _ in range(5)] == [None] * 5
    wait = bucket.take()
    assert wait == pytest.approx(0.5)  # one token at 2 per second
    assert (bucket.taken, bucket.refused) == (5, 1)


def test_tokens_refill_at_the_rate_and_never_past_the_burst() -> None:
    clock = Clock()
    bucket = TokenBucket(4, 3, clock=clock)
    for _ in range(3):
        assert bucket.take() is None
    clock.now += 0.5  # two tokens back
    assert [bucket.take() for _ in range(3)] == [None, None, pytest.approx(0.25)]
    clock.now += 3600  # an hour idle refills to the burst, not to 14,400
    assert [bucket.take() is None for _ in range(4)] == [True, True, True, False]


def test_the_wait_it_gives_is_exactly_when_the_next_request_is_taken() -> None:
    """Across many rates and arrival times: after waiting what it was told, a client is let through; a
    little earlier, it is not. (Float rounding once refused a client that waited exactly the time.)"""
    for rate in (0.3, 0.7, 1, 3, 7, 13.3, 100):
        for step in range(1, 40):
            clock = Clock()
            bucket = TokenBucket(rate, 1, clock=clock)
            assert bucket.take() is None
            clock.now += step / 97 / rate
            wait = bucket.take()
            assert wait is not None and wait > 0
            clock.now += wait * 0.99
            assert bucket.take() is not None, (rate, step)
            clock.now += wait * 0.01
            assert bucket.take() is None, (rate, step)


def test_a_refusal_costs_no_token() -> None:
    clock = Clock()
    bucket = TokenBucket(1, 1, clock=clock)
    assert bucket.take() is None
    for _ in range(10):
        assert bucket.take() == pytest.approx(1.0)
    clock.now += 1.0
    assert bucket.take() is None


def test_the_default_burst_is_a_tenth_of_a_seconds_rate_and_at_least_one() -> None:
    assert TokenBucket(100).burst == 10
    assert TokenBucket(0.5).burst == 1


@pytest.mark.parametrize("rate", [0, -1, math.nan, math.inf])
def test_a_rate_must_be_a_positive_number(rate: float) -> None:
    with pytest.raises(ValueError, match="rate above 0"):
        TokenBucket(rate)


@pytest.mark.parametrize("burst", [0, 0.5, -3, math.nan, math.inf])
def test_a_burst_below_one_request_is_refused(burst: float) -> None:
    """A bucket that can never hold a whole token would refuse every request forever."""
    with pytest.raises(ValueError, match="burst must be at least 1"):
        TokenBucket(1, burst)


def test_requests_from_many_threads_take_no_more_than_the_burst() -> None:
    clock = Clock()  # time stands still: only the burst can be taken
    bucket = TokenBucket(1, 50, clock=clock)
    results: list[float | None] = []
    lock = threading.Lock()

    def client() -> None:
        for _ in range(25):
            answer = bucket.take()
            with lock:
                results.append(answer)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(None) == 50 == bucket.taken
    assert bucket.refused == 150


@pytest.mark.parametrize(("wait", "header"), [(0.0, "1"), (0.01, "1"), (1.0, "1"), (1.2, "2"), (59.5, "60")])
def test_retry_after_is_whole_seconds_rounded_up_and_at_least_one(wait: float, header: str) -> None:
    assert retry_after_header(wait) == header
