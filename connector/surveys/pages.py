"""The answer pages: `/s/<token>?r=<n>`, the one-click links of every survey, with no login.

Prefetch-safe one click: a GET never records anything. The page it returns records the rating with a
POST its own script sends at once, so a person's click is recorded the moment the page opens, while a
mail scanner that fetches every link of an e-mail (without running it as a browser would) records
nothing. Without JavaScript the page shows a "Confirm rating" button instead. The rating buttons and
the comment form are POSTs, CSRF-protected by a token tied to the browser's cookie and to the link.

Expired, closed, tampered and unknown links get a friendly page with a 4xx; so does a client over its
rate limit (per link and per address, counted in the database: see connector.surveys.limits).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify, make_response, redirect, render_template, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from connector.settings import Settings
from connector.store import Store
from connector.store.models import SurveySend
from connector.surveys import answers, limits
from connector.surveys.clock import Clock
from connector.surveys.definitions import Texts, render, texts_for
from connector.surveys.sends import ticket_summary
from connector.surveys.tokens import TokenInvalid, Tokens

log = logging.getLogger("ela.surveys")
COOKIE = "ela_survey"

PROBLEMS = {
    "tampered": (
        400,
        "This link is damaged",
        "Part of the link seems to be missing or changed. Please "
        "use the link from your message exactly as it is, or copy all of it.",
    ),
    "unknown": (
        404,
        "We cannot find this survey",
        "The survey this link belongs to does not exist (any more). There is nothing for you to do.",
    ),
    "expired": (
        410,
        "This survey has closed",
        "Thank you for following the link: the survey it belongs to is no longer taking answers.",
    ),
    "closed": (
        410,
        "This survey is not open",
        "The survey this link belongs to has been withdrawn, "
        "for example because the request was reopened. You may get a new one later.",
    ),
    "bad_rating": (
        400,
        "That is not one of the ratings",
        "Please choose one of the ratings the survey offers.",
    ),
    "csrf": (
        400,
        "Please try again",
        "Your answer could not be checked (the page may be old, or "
        "cookies are blocked). Open the link from your message again.",
    ),
    "limited": (
        429,
        "One moment, please",
        "This survey has had many visits in a short time. Please try again in a minute.",
    ),
}


@dataclass(frozen=True)
class _View:
    send: SurveySend
    texts: Texts
    question: str


class AnswerPages:
    def __init__(self, settings: Settings, store: Store, clock: Clock) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        secret = settings.survey_pages.secret
        self.tokens = Tokens(secret.get_secret_value()) if secret else None
        self.definitions = {s.name: s for s in settings.surveys}

    def blueprint(self) -> Blueprint:
        bp = Blueprint("surveys", __name__, template_folder="templates")
        bp.add_url_rule("/s/<token>", "page", self.page, methods=["GET"])
        bp.add_url_rule("/s/<token>/answer", "answer", self.answer, methods=["POST"])
        bp.add_url_rule("/s/<token>/comment", "comment", self.comment, methods=["POST"])
        return bp

    def wrap(self, wsgi_app: Any) -> Any:
        """Behind `trusted_proxies` proxies, the client's address (and scheme) are the ones they say."""
        proxies = self.settings.survey_pages.trusted_proxies
        return ProxyFix(wsgi_app, x_for=proxies, x_proto=proxies) if proxies else wsgi_app

    # routes --------------------------------------------------------------------------------------

    def page(self, token: str) -> Response:
        problem = self._limited(token)
        if problem is not None:
            return problem
        found = self._open(token)
        if isinstance(found, Response):
            return found
        send = found.send
        chosen: int | None = send.score
        record = False
        given = request.args.get("r")
        if given is not None:
            rating = _int(given)
            if rating is None or not send.scale_min <= rating <= send.scale_max:
                return self._problem("bad_rating", found.texts.language)
            chosen = rating
            # A prefetch announced as such (Sec-Purpose / Purpose) gets the page without the record.
            prefetch = "prefetch" in (
                request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
            )
            record = rating != send.score and not prefetch
        return self._render(token, found, chosen, record, saved=request.args.get("saved") == "1")

    def answer(self, token: str) -> Response:
        return self._post(token, comment=None)

    def comment(self, token: str) -> Response:
        return self._post(token, comment=request.form.get("comment", ""))

    # parts ---------------------------------------------------------------------------------------

    def _post(self, token: str, *, comment: str | None) -> Response:
        problem = self._limited(token)
        if problem is not None:
            return problem
        found = self._open(token)
        if isinstance(found, Response):
            return found
        assert self.tokens is not None
        if not self.tokens.csrf_ok(request.cookies.get(COOKIE), token, request.form.get("csrf")):
            return self._problem("csrf", found.texts.language)
        given = request.form.get("r")
        rating = _int(given) if given else None
        if given and rating is None:
            return self._problem("bad_rating", found.texts.language)
        with self.store.session() as session:
            result = answers.record(
                session, found.send.id, rating=rating, comment=comment, at=self.clock(), via="answer page"
            )
        if result.outcome in ("expired", "closed", "unknown", "bad_rating"):
            return self._problem(result.outcome, found.texts.language)
        log.info("survey.answer", extra={"context": {"send": result.send_id, "outcome": result.outcome}})
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"outcome": result.outcome, "score": result.score, "answer": result.answer})
        args: dict[str, Any] = {"token": token, "r": result.score}
        if comment is not None:
            args["saved"] = "1"
        return redirect(url_for("surveys.page", **args), 303)  # type: ignore[return-value]

    def _open(self, token: str) -> _View | Response:
        if self.tokens is None:
            return self._problem("unknown", "en")
        try:
            link = self.tokens.read(token)
        except TokenInvalid:
            return self._problem("tampered", "en")
        summary = None
        with self.store.session() as session:
            send = session.get(SurveySend, link.send_id)
            if send is not None:
                session.expunge(send)
                summary = ticket_summary(session, send)
        now = self.clock()
        if send is None:
            return self._problem("expired" if link.expires_at <= now else "unknown", "en")
        survey = self.definitions.get(send.survey)
        if survey is None:
            return self._problem("closed", "en")
        texts = texts_for(survey, send.locale)
        if send.state == "expired" or (send.expires_at is not None and now >= send.expires_at):
            return self._problem("expired", texts.language)
        if send.state not in ("sent", "reminded", "answered"):
            return self._problem("closed", texts.language)
        values = {
            "ticket.key": send.ticket_key,
            "ticket.summary": summary,
            "requester.name": send.requester_name,
        }
        return _View(send, texts, render(texts.question, values))

    def _limited(self, token: str) -> Response | None:
        pages = self.settings.survey_pages
        address = request.remote_addr or "unknown"
        now = self.clock()
        with self.store.session() as session:
            link_ok, wait = limits.hit(session, limits.link_key(token), pages.per_token_per_minute, now)
            address_ok, _ = limits.hit(
                session, limits.address_key(address), pages.per_address_per_minute, now
            )
        if link_ok and address_ok:
            return None
        log.warning("survey.rate_limited", extra={"context": {"by": "link" if not link_ok else "address"}})
        response = self._problem("limited", "en")
        response.headers["Retry-After"] = str(wait)
        return response

    def _render(self, token: str, view: _View, chosen: int | None, record: bool, *, saved: bool) -> Response:
        assert self.tokens is not None
        browser = request.cookies.get(COOKIE) or secrets.token_urlsafe(18)
        send = view.send
        nonce = secrets.token_urlsafe(12)
        body = render_template(
            "survey/answer.html",
            language=view.texts.language,
            texts=view.texts,
            question=view.question,
            points=list(range(send.scale_min, send.scale_max + 1)),
            chosen=chosen,
            record=record,
            saved=saved,
            comment=send.comment,
            csrf=self.tokens.csrf(browser, token),
            answer_url=url_for("surveys.answer", token=token),
            comment_url=url_for("surveys.comment", token=token),
            nonce=nonce,
        )
        response = _secure(make_response(body), nonce)
        response.set_cookie(
            COOKIE, browser, max_age=30 * 86400, httponly=True, samesite="Lax", secure=request.is_secure
        )
        return response

    def _problem(self, problem: str, language: str) -> Response:
        status, heading, message = PROBLEMS[problem]
        nonce = secrets.token_urlsafe(12)
        body = render_template(
            "survey/problem.html",
            problem=problem,
            heading=heading,
            message=message,
            language=language,
            nonce=nonce,
        )
        return _secure(make_response(body, status), nonce)


def _secure(response: Response, nonce: str) -> Response:
    # The token is in the URL: no referrer to other sites, no caching, no indexing.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    return response


def _int(value: str | None) -> int | None:
    if value is None or not value.strip().lstrip("-").isdigit() or len(value) > 4:
        return None
    return int(value)
