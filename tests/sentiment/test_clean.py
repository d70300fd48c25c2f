"""Cleaning: each rule takes out what is not the writer's own words, and keeps what is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sentiment.adf import adf_to_text
from sentiment.clean import clean


def test_code_noformat_and_quote_blocks_are_dropped() -> None:
    text = (
        "The app crashed again:\n{code:java}\nthrow new TerribleError();\n{code}\n"
        "{noformat}FATAL awful failure{noformat}\n{quote}Works great for me!{quote}\nPlease help"
    )
    cleaned = clean(text)
    assert cleaned.startswith("The app crashed again:")
    assert cleaned.endswith("Please help")
    for gone in ("Terrible", "awful", "great", "{code", "{quote"):
        assert gone not in cleaned


def test_an_unclosed_code_block_runs_to_the_end() -> None:
    assert clean("It fails.\n{code}\nstack stack stack") == "It fails."


def test_wiki_markup_becomes_plain_text() -> None:
    text = (
        "h2. Problem\n* *really* slow\n# _very_ annoying\n||col||col||\n|a|b|\n"
        "{color:red}red{color} {{monospace}}"
    )
    cleaned = clean(text)
    assert "Problem" in cleaned and "really slow" in cleaned and "very annoying" in cleaned
    assert "red" in cleaned and "monospace" in cleaned
    for gone in ("h2.", "*", "||", "{color", "{{"):
        assert gone not in cleaned


def test_bq_lines_are_quotes_of_someone_else() -> None:
    assert clean("bq. you said it was wonderful\nit is not") == "it is not"


def test_links_keep_their_text_and_urls_go() -> None:
    cleaned = clean(
        "See [the guide|https://example.com/guide] and [https://example.com/x] or https://a.b/c?d=1"
    )
    assert cleaned == "See the guide and or"


def test_images_go_but_exclamation_marks_stay() -> None:
    assert clean("!screenshot.png|thumbnail! Broken again!!! Wow!") == "Broken again!!! Wow!"


def test_mentions_and_addresses_go() -> None:
    cleaned = clean(
        "[~accountid:5b10a2844c20165700ede21g] [~jsmith] @maria.k thanks, mail me at a.b@example.com"
    )
    assert cleaned == "thanks, mail me at"


def test_wiki_thumbs_become_emoji_and_other_icons_go() -> None:
    assert clean("Works now (y) (/) (i)") == "Works now 👍"
    assert "👎" in clean("Still failing (n)")


def test_emoji_and_emoticons_are_kept() -> None:
    assert clean("Thanks :) 😀 <3") == "Thanks :) 😀 <3"


def test_java_stack_traces_go() -> None:
    text = (
        "It keeps failing:\njava.lang.IllegalStateException: bad state\n"
        "\tat com.acme.Foo.bar(Foo.java:10)\n\t... 12 more\nCaused by: java.io.IOException: broken pipe\n"
        "Any idea?"
    )
    assert clean(text) == "It keeps failing:\nAny idea?"


def test_python_tracebacks_go() -> None:
    text = (
        'Traceback (most recent call last):\n  File "x.py", line 3, in <module>\n'
        "    fail()\nValueError: bad\nSo sad"
    )
    assert clean(text) == "So sad"


def test_log_lines_go_but_a_customer_shouting_error_stays() -> None:
    text = (
        "2024-01-05 10:22:11,123 ERROR [main] com.acme.Db - Connection failed\n"
        "[WARN] disk nearly full\nERROR [worker-1] timeout\nJan  5 10:22:11 host sshd[1]: failed login\n"
        "ERROR when I save, this is not working"
    )
    assert clean(text) == "ERROR when I save, this is not working"


def test_quoted_email_history_goes() -> None:
    text = (
        "The export is still broken.\n\n"
        "On Mon, Jan 5, 2024 at 10:00 AM Support <support@example.com> wrote:\n"
        "> We fixed it, enjoy!\n> Great news"
    )
    assert clean(text) == "The export is still broken."


def test_attribution_line_wrapped_by_the_mail_client() -> None:
    text = (
        "Nope.\n\nOn Mon, Jan 5, 2024 at 10:00 AM Very Long Name Support Team <support@example.com>\n"
        "wrote:\n> fixed"
    )
    assert clean(text) == "Nope."


def test_outlook_header_block_and_separator() -> None:
    text = (
        "It failed again.\n\nFrom: Service Desk\nSent: Monday\nTo: me\nSubject: Re: ticket\n\n"
        "We are happy to help"
    )
    assert clean(text) == "It failed again."
    assert clean("Same here.\n________________________________\nFrom: x\nwonderful") == "Same here."


def test_lone_quoted_lines_go() -> None:
    assert clean("> you said it works\nit does not") == "it does not"


def test_signature_after_a_valediction_goes() -> None:
    text = "Still nothing works.\n\nKind regards,\nAnna Smith\nACME Corp | Happy to help\n+1 555 0100"
    assert clean(text) == "Still nothing works."


def test_thanks_comma_is_a_sign_off_but_thanks_bang_is_meant() -> None:
    assert clean("That fixed it!\n\nThanks,\nBob") == "That fixed it!"
    assert clean("That fixed it.\nThanks!") == "That fixed it.\nThanks!"


def test_a_valediction_followed_by_a_long_text_is_not_a_signature() -> None:
    body = "\n".join(f"line {i} of the actual message" for i in range(12))
    assert clean(f"Regards,\n{body}").endswith("line 11 of the actual message")


def test_device_footers_go() -> None:
    assert clean("Broken again.\n\nSent from my iPhone") == "Broken again."


def test_disclaimers_go() -> None:
    text = (
        "Please check the invoice.\n\nThis e-mail and any attachments are confidential and intended solely "
        "for the addressee.\nIf you are not the intended recipient, delete it."
    )
    assert clean(text) == "Please check the invoice."
    assert clean("Any news?\n\nCONFIDENTIALITY NOTICE: lovely legal words.") == "Any news?"


def test_servicenow_journal_keeps_the_newest_entry_without_its_header() -> None:
    journal = (
        "2024-01-05 10:22:11 - Abel Tuter (Additional comments)\nThis is terrible\n\n"
        "2024-01-04 09:00:00 - Beth Anglin (Work notes)\nCustomer is happy"
    )
    assert clean(journal) == "This is terrible"
    assert (
        clean("reply from: abel@example.com\nIt works now, thanks!\n\nRef:MSG0012345")
        == "It works now, thanks!"
    )


def test_real_servicenow_journal_sample(shared_data: Path) -> None:
    path = (
        shared_data
        / "servicenow"
        / "insightconnect-plugins__get_incident_comments_worknotes_incident_record.json.resp"
    )
    comments = json.loads(path.read_text())["result"]["comments"]
    cleaned = clean(comments)
    assert "Additional comments" not in cleaned
    assert "System Administrator" not in cleaned
    # The newest entry is the only message; older entries (here Joe Employee's) are other messages.
    assert "Joe Employee" not in cleaned and "Second paragraph" not in cleaned
    assert cleaned.startswith("RRN:")


ADF = {
    "type": "doc",
    "version": 1,
    "content": [
        {
            "type": "paragraph",
            "content": [
                {"type": "mention", "attrs": {"id": "1", "text": "@Bob"}},
                {"type": "text", "text": " still broken "},
                {"type": "emoji", "attrs": {"shortName": ":angry:"}},
                {"type": "hardBreak"},
                {"type": "text", "text": "see "},
                {"type": "inlineCard", "attrs": {"url": "https://example.com"}},
            ],
        },
        {"type": "codeBlock", "content": [{"type": "text", "text": "fatal error"}]},
        {
            "type": "blockquote",
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": "great"}]}],
        },
        {"type": "paragraph", "content": [{"type": "emoji", "attrs": {"shortName": ":x:", "text": "🙂"}}]},
    ],
}


def test_adf_keeps_text_and_emoji_and_drops_code_quotes_mentions_cards() -> None:
    text = " ".join(adf_to_text(ADF).split())
    assert "still broken 😠" in text and "🙂" in text
    for gone in ("@Bob", "fatal", "great", "example.com"):
        assert gone not in text


def test_clean_recognises_serialised_adf() -> None:
    assert clean(json.dumps(ADF)).startswith("still broken 😠")


@pytest.mark.parametrize(
    "odd", ["", "   ", "\x00\x01\x02", "{code}", '{"type": "doc", broken', "[[[[", "!!!!"]
)
def test_odd_input_never_raises(odd: str) -> None:
    assert isinstance(clean(odd), str)


def test_hostile_adf_depth_does_not_exhaust_the_stack() -> None:
    node: dict[str, object] = {"type": "text", "text": "deep"}
    for _ in range(5000):
        node = {"type": "paragraph", "content": [node]}
    assert adf_to_text({"type": "doc", "content": [node]}) == ""


@pytest.mark.parametrize("opening", ["Thanks,", "Cheers,", "Best,", "Kind regards,"])
def test_a_sign_off_above_the_message_does_not_erase_it(opening: str) -> None:
    text = f"{opening}\n\nit is still broken and I am fed up.\n\nBest,\nJohn"
    assert clean(text) == f"{opening}\n\nit is still broken and I am fed up."


@pytest.mark.parametrize(
    "sign_off",
    ["Mit freundlichen Grüßen", "Viele Grüße", "Cordialement", "Met vriendelijke groet", "Saludos cordiales"],
)
def test_a_foreign_sign_off_without_a_comma_opens_a_signature(sign_off: str) -> None:
    text = f"Still broken after the update, nobody has called me.\n\n{sign_off}\nHans Müller\nACME GmbH"
    assert clean(text) == "Still broken after the update, nobody has called me."


def test_an_english_comment_with_a_german_signature_is_scored() -> None:
    from sentiment import score

    result = score(
        "Still broken after the update and nobody has called me back.\n\n"
        "Mit freundlichen Grüßen\nHans Müller\nVertriebsleiter, Beispiel GmbH\nMusterstraße 1, München"
    )
    assert result.scored and result.language == "en" and result.label == -1


def test_markdown_fences_are_code_like_code_blocks() -> None:
    text = "Here is the log:\n```\nERROR: fatal, everything failed\n```\nThanks, works great now!"
    assert clean(text) == "Here is the log:\n\nThanks, works great now!"
    assert clean("Look:\n~~~python\nraise TerribleError()\n~~~\nok") == "Look:\n\nok"
    assert clean("Log below\n````\nERROR x\n````\nThe third time.") == "Log below\n\nThe third time."
    # Inline backticks are no fence, and neither is an unclosed one (a divider of tildes, say): it
    # would take the rest of the comment with it.
    assert clean("```sudo apt update``` fails, please help.") == "```sudo apt update``` fails, please help."
    assert "Nobody has replied." in clean("Update:\n~~~~~~~~\nStill not working.\nNobody has replied.")


def test_a_lone_surrogate_is_dropped_so_the_text_can_be_encoded() -> None:
    cleaned = clean("Broken \ud83d again")
    assert cleaned == "Broken again"
    cleaned.encode("utf-8")
