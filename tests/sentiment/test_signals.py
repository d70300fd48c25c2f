"""The service desk's own signals: each fires on its idiom, not on look-alikes, and moves the score."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment import score
from sentiment.evaluate import read_labelled
from sentiment.signals import (
    ADVISES_AGAINST,
    BROKEN_PROMISE,
    CHASING,
    FRUSTRATED,
    LOST_WORK,
    POOR_SERVICE,
    PRAISE,
    RECOMMENDS,
    SIGNAL_WEIGHTS,
    SIGNALS,
    apply_signals,
    detect_signals,
)

FIRES = {
    CHASING: [
        "Still the same.",
        "No change.",
        "Hi. Same issue again.",
        "Any update?",
        "Is there any update on this?",
        "Still waiting for someone to call me back.",
        "I have asked twice already.",
        "This is the third time I am writing about this.",
        "It has been broken since Monday.",
        "Nobody replied to my email.",
        "No one has got back to me.",
        "Why is this taking so long? It has been three days.",
        "I haven't heard anything back.",
        "Still no refund after three days.",
        "I've been on hold for 45 minutes.",
        "Why does nobody read my emails?",
        "Restarted it twice, still no change.",
        "Still waitin",
        "Waiting 3 days for a reply.",
        "Been on hold 45 mins.",
        "3rd time asking.",
        "Asked 3 times now.",
        "2nd email about this.",
        "This is the 11th time I have called.",
        "12th email about this.",
        "The 21st request this month.",
        "Thanks, but it is still slow.",
        "The VPN is still down.",
        "Please don't close this, it is still happening.",
        "It crashed again this morning.",
        "It broke again this morning.",
        "The printer is still jammed.",
        "I'm still stuck on the login screen.",
        "Great, now it's broken again.",
        "Hello, is anyone looking at this?",
        "Is somebody working on my ticket?",
        "It keeps crashing every five minutes.",
        "Another outage this morning.",
        "I'm still having the same issue.",
        "The problem persists.",
        "Same error as before.",
        "This has been going on for months.",
        "Hi, just checking in on this one.",
        "Can I get an ETA please?",
        "It still crashes every morning.",
        "The laptop still won't boot.",
        "I still can't log in.",
        "Outlook still freezes when I open the calendar.",
        "The error message still appears.",
        "The issue keeps coming back.",
        "Resolved, but it took far too long.",
        "The portal takes forever to load.",
        "Why do I have to explain this again?",
        "Hi team, the issue is back.",
        "Hello?? Anyone there??",
        "It's been a week and nothing.",
        "Waiting for twenty days.",
        "It is still not working.",
        "It stopped working since Monday.",
        "Nothing has worked since Monday.",
        "My laptop has not been working since Monday.",
        "Outlook hasn't been working since Monday and I need it for work.",
        "I'm not sure why nobody has replied to my ticket.",
        "We can not keep waiting for days.",
        "Nobody ever listens.",
    ],
    LOST_WORK: [
        "I can't work like this.",
        "This is urgent, our whole team cannot work.",
        "We are losing money every hour this is down.",
        "Our whole team is blocked.",
        "I lost all my work when it crashed.",
        "We cannot invoice our customers.",
        "I had to redo the whole report because the file was lost.",
        "We've had to start all over again.",
        "I will have to do everything again.",
        "The update deleted all my bookmarks.",
        "Please hurry, this is blocking the whole team.",
    ],
    BROKEN_PROMISE: [
        "Nobody turned up for the appointment.",
        "Your fix did not work.",
        "I was told to expect a call back today.",
        "The laptop was not delivered as promised.",
        "You promised a callback yesterday.",
        "I was told it would be fixed by Friday.",
        "It was supposed to be fixed last week.",
        "The engineer never showed up.",
        "Still no call back.",
    ],
    FRUSTRATED: [
        "I'm losing patience.",
        "I'm fed up with this laptop.",
        "I am sick and tired of chasing you.",
        "I've had enough.",
        "I've had enough of this.",
        "I'm at my wits' end.",
        "I want to escalate this to your manager.",
        "This needs to be fixed today or we will cancel the contract.",
        "I'd like to speak to a supervisor.",
        "We will make a formal complaint.",
        "We are losing our patience.",
        "My patience is wearing thin.",
        "This is beyond a joke.",
        "This is an absolute joke.",
        "Is this some kind of a joke?",
        "Are you kidding me?",
        "You have got to be kidding.",
        "This laptop is driving me up the wall.",
        "This is the last straw.",
    ],
    POOR_SERVICE: [
        "The technician turned up late and was rude.",
        "Why did nobody tell me the system would be down?",
        "The new process is confusing and nobody explained it.",
        "No one informed us about the outage.",
        "I was expecting a faster response.",
        "You closed my ticket without fixing anything!",
        "Why was my ticket closed without a reply?",
        "Someone closed the case without even asking me.",
        "Thanks for nothing.",
        "Thanks for wasting my time.",
        "Thanks a lot for nothing.",
        "Thank you so much for wasting my time!",
        "Sorted it myself, no thanks to you.",
        "Your support is useless.",
        "The technician was unhelpful and dismissive.",
        "Your service desk is a joke.",
        "The engineer was not helpful at all.",
        "The team was never helpful.",
        "You're useless.",
        "I told my manager 'your support is useless' and he agreed.",
        "Your service is an absolute joke.",
        "You're not helpful at all.",
        "The technician was rude to me.",
    ],
    PRAISE: [
        "The engineer came on time and was very professional.",
        "Everything is working again, you can close this.",
        "It works now.",
        "Service was quick and friendly.",
        "The agent was really patient and knowledgeable.",
        "You have been so helpful!",
        "You were very kind to help me.",
        "You are a lifesaver!",
        "Thanks, that sorted it.",
        "Works like a charm now.",
        "Great service, as always.",
        "I'm happy with the resolution.",
        "We are back up and running.",
        "I can\u2019t thank you enough!",
    ],
    RECOMMENDS: [
        "I highly recommend them.",
        "Would definitely recommend this company.",
        "I recommended you guys to everyone at work.",
        "Can't recommend them enough.",
        "We will definitely be back.",
        "Worth every penny.",
        "The new laptop is better than I expected.",
        "Exceeded my expectations.",
        "Five stars.",
        "No complaints at all.",
        "I would reccomend it.",
        "10 out of 10!",
    ],
    ADVISES_AGAINST: [
        "Would not recommend.",
        "I wouldn't recommend it to anyone.",
        "Would not reccomend this service.",
        "Not recommended.",
        "Don't buy this.",
        "Complete waste of money.",
        "Not worth the hassle.",
        "Stay away!",
        "Avoid at all costs.",
        "Never again.",
        "I won't be coming back.",
        "Worse than I expected.",
        "I returned it the next day.",
        "I want my money back.",
        "What a piece of junk.",
        "A total rip-off.",
        "Overpriced for what you get.",
        "One star.",
        "Rating: 1 out of 5.",
    ],
}

QUIET = [
    "He wants to speak to the manager.",
    "Let me know if you are still seeing issues.",
    "We've been checking in on all of them.",
    "That fixes another issue in the list.",
    "You will have to redo the export after the upgrade.",
    "If I have to redo it, fine.",
    "If the workaround doesn't help I will let you know.",
    "This is my 1st ticket, I need a new mouse.",
    "Every 2nd attempt to log in fails.",
    "Every 11th attempt to log in fails.",
    "Can I speak to anyone there?",
    "Is the phone number still the same after the migration?",
    "No thanks to the upgrade, I'd rather keep Windows 10.",
    "Thanks for the follow up on this.",
    "Highly recommend that you reboot.",
    "No need for any update, I will check myself.",
    "You don't need to follow up on this.",
    "I am not still waiting.",
    "I have been on leave since Monday.",
    "It has been working fine since Monday.",
    "Once again, thank you.",
    "Thanks for following up on this.",
    "As promised, here are the logs.",
    "I was told to restart it.",
    "We are not losing money over it.",
    "Is it back up and running?",
    "Is it worth the money?",
    "I highly recommend you restart the router.",
    "I would not say it's a waste of money.",
    "Please find the log attached.",
    "Can you update the address on my account?",
    "The meeting is on Monday.",
    "I work in the finance team.",
    "What time will the engineer arrive?",
    "Is it sorted by date or by name?",
    "Please put the ticket on hold for 2 days.",
    "The order is on hold for now.",
    "The engineer was quick to blame the network.",
    "You are kind of late with the invoice.",
    "This service is fast becoming our main channel.",
    "The service is fast approaching its end of life.",
    "The email service is unresponsive again since the update.",
    "The monitoring agent was useless after the upgrade.",
    "Our team is hopeless with passwords, please reset mine.",
    "My team is clueless about the new VPN.",
    "I wish your team was responsive.",
    "If you're quick you can still get the discount.",
    "I'm not saying your support is useless, but it is slow.",
    "I would recommend checking the logs first.",
    "I'd recommend a restart.",
    "I stay away from the beta builds.",
    "Try to avoid them if you can.",
    "The engineer will come back after lunch.",
    "I don't buy that argument.",
    "We returned to the office on Monday.",
    "Please send it back to the warehouse.",
    "It's not a waste of time to check.",
    "The upgrade is not overpriced at all.",
    "I wish I could recommend it.",
    "I don't think I would recommend it.",
    "I gave it 2 out of 5 stars.",
    "The app has 3.5 stars in the store.",
    "I returned it to the office this morning.",
    "I'm not fed up, just curious.",
    "If you are fed up with passwords, try single sign-on.",
    "I had enough time to test it.",
    "I am not sick of it at all.",
    "It was just a joke I told the team.",
    "If it crashed again, restart it.",
    "If it broke again, call us.",
    "The app will not crash again after the update.",
    "Is the printer still in room 4?",
    "The engineer closed my ticket after fixing it.",
    "Sorry for the late reply, I was on holiday.",
    "Thanks for the quick reply, but that didn't help.",
    "Quick response but the wrong answer.",
    "Keep up the good work.",
    "I will be back at my desk at noon.",
    "I'll come back to you on this tomorrow.",
    "I won't be back until Monday.",
    "I still can't believe how quick that was, thank you!",
    "I still cannot believe it.",
    "If it still crashes, restart it and let me know.",
    "Let me know if the error still appears after the update.",
    "Does the error still appear?",
    "If the problem persists, please call the service desk.",
    "It still starts fine.",
    "The film still can't save itself from a weak ending.",
    "Our best customers keep coming back.",
    "Nobody told me it would be this easy!",
    "If nobody tells me otherwise I will restart it tonight.",
    "Stopping the whole team from working on Friday was the right call.",
    "We are holding up well.",
    "It didn't take long at all.",
    "We were expecting more people at the meeting.",
    "Is it working again?",
    "Let me know if it works now.",
    "It's working again, but very slow.",
    "Nobody came to the party.",
    "Is it still the same?",
    "The version number is still the same.",
    "No change in the config is needed.",
    "Same thing.",
    "If the engineer comes on time and is professional, fine.",
    "The engineer replaced the disk and is quick to blame the network.",
    "The team fixed the server and was kind of slow.",
]


def test_the_documented_set_of_signals() -> None:
    assert {
        "chasing",
        "lost_work",
        "broken_promise",
        "poor_service",
        "frustrated",
        "praise",
        "recommends",
        "advises_against",
    } == SIGNALS
    negative = (CHASING, LOST_WORK, BROKEN_PROMISE, POOR_SERVICE, FRUSTRATED, ADVISES_AGAINST)
    assert all(SIGNAL_WEIGHTS[name] < 0 for name in negative)
    assert SIGNAL_WEIGHTS[PRAISE] > 0 and SIGNAL_WEIGHTS[RECOMMENDS] > 0


@pytest.mark.parametrize(("signal", "text"), [(s, t) for s, texts in FIRES.items() for t in texts])
def test_each_signal_fires_on_its_idiom(signal: str, text: str) -> None:
    assert signal in detect_signals(text)
    assert signal in score(text).signals


@pytest.mark.parametrize("text", QUIET)
def test_look_alikes_fire_nothing(text: str) -> None:
    assert detect_signals(text) == {}


def test_praise_for_the_customer_s_own_fix_is_not_praise() -> None:
    assert PRAISE not in detect_signals("Sorted it myself, no thanks to you.")
    assert PRAISE in detect_signals("You sorted it, thanks.")


def test_negations_of_something_else_keep_the_signal() -> None:
    assert LOST_WORK in detect_signals("VPN not working so I can't work from home.")
    assert RECOMMENDS in detect_signals("Highly recommend to anyone who needs IT help.")
    assert RECOMMENDS in detect_signals("I'd highly recommend you and your team.")
    assert ADVISES_AGAINST in detect_signals(
        "I didn't think it could get worse but it was a total waste of money."
    )


def test_a_question_in_another_clause_keeps_the_praise() -> None:
    # Only the clause the praise stands in is asked about.
    assert PRAISE in detect_signals("Thank you so much, can you also check the printer?")
    assert PRAISE not in detect_signals("Is it back up and running?")
    assert PRAISE in detect_signals("The engineer sorted it so can I close the ticket now?")


def test_guards_look_back_a_bounded_way_so_long_comments_cost_linear_time() -> None:
    # Each match once searched every character before it for a guard: 1,200 matches of a guarded
    # pattern cost seconds. A guard still applies within its clause of a long comment.
    text = "if you are quick " * 1200
    assert PRAISE not in detect_signals(text)
    assert PRAISE in detect_signals(text + ". The agent was quick.")


def test_negated_praise_is_not_praise() -> None:
    assert PRAISE not in detect_signals("It has not sorted it at all.")
    assert PRAISE not in detect_signals("It hasn't worked perfectly since the update.")


@pytest.mark.parametrize("signal", sorted(SIGNALS))
def test_a_signal_moves_the_polarity_by_its_fixed_weight(signal: str) -> None:
    text = FIRES[signal][0]
    from sentiment.scorer import DeskEngine, sentences_of

    engine = DeskEngine()
    sentences = sentences_of(text)
    with_rules = engine.score_sentences(sentences)
    without = engine.score_sentences(sentences, rules=False)
    expected = apply_signals(without.whole, sum(w for _, w in with_rules.signals.values()))
    assert with_rules.whole == pytest.approx(expected)
    if SIGNAL_WEIGHTS[signal] < 0:
        assert with_rules.polarity < without.polarity
    else:
        assert with_rules.polarity > without.polarity


def test_a_negated_verdict_is_the_other_verdict() -> None:
    found = detect_signals("I wouldn't recommend it to anyone.")
    assert ADVISES_AGAINST in found and RECOMMENDS not in found
    assert RECOMMENDS not in detect_signals("It isn't worth every penny.")


def test_the_words_that_fired_are_reported() -> None:
    words, weight = detect_signals("Hello, any update on my ticket?")[CHASING]
    assert words == "any update" and weight == SIGNAL_WEIGHTS[CHASING]


def test_apply_signals_stays_on_the_scale() -> None:
    assert apply_signals(-0.9, -0.45) == -1.0
    assert apply_signals(0.9, 0.4) == 1.0


def test_skipping_messages_without_trigger_words_changes_no_answer(shared_data: Path) -> None:
    """detect_signals, with its trigger words, its patterns searched apart and each only where it can
    match (regex_gate), gives what one plain alternation per signal, searched in every text, gives."""
    import re

    import sentiment.signals as signals

    alternations = {
        name: re.compile("|".join(f"(?:{p})" for p in patterns))
        for name, patterns in signals._PATTERNS.items()
    }

    def full_search(text: str) -> dict[str, tuple[str, float]]:
        lowered = signals._normalise(text)
        found = {}
        for name, pattern in alternations.items():
            match = pattern.search(lowered)
            while match is not None and signals._skipped(name, lowered, match):
                match = pattern.search(lowered, match.end())
            if match is not None:
                found[name] = (match.group(0).strip(), SIGNAL_WEIGHTS[name])
        return found

    texts = [t for texts in FIRES.values() for t in texts] + QUIET
    for name in ("jira-dev.csv", "github.csv", "customer/vader-tweets.csv"):
        texts += [row.text for row in read_labelled(shared_data / "sentiment" / name)]
    assert [t for t in texts if detect_signals(t) != full_search(t)] == []
