"""The survey links' tokens: signed, expiring, one survey send each; and the answer pages' CSRF tokens.

A token is itsdangerous's URL-safe signature of (send id, expiry): nothing in it can be changed
without the secret, and it names one send only. The database keeps the authority: the send's own
`expires_at` and state decide whether it still takes answers; the expiry in the token lets a page say
"expired" even for a send the database no longer has.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeSerializer

_SALT = "ela.survey.link"
_CSRF_SALT = b"ela.survey.csrf"


class TokenInvalid(Exception):
    """The token was not made with our secret (tampered, truncated, or another instance's)."""


@dataclass(frozen=True)
class LinkToken:
    send_id: int
    expires_at: datetime


class Tokens:
    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt=_SALT)
        self._secret = secret.encode()

    def make(self, send_id: int, expires_at: datetime) -> str:
        return str(self._serializer.dumps([send_id, int(expires_at.timestamp())]))

    def read(self, token: str) -> LinkToken:
        if len(token) > 200:
            raise TokenInvalid("too long")
        try:
            value = self._serializer.loads(token)
        except BadSignature as exc:
            raise TokenInvalid("bad signature") from exc
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        ):
            raise TokenInvalid("not a survey token")
        return LinkToken(value[0], datetime.fromtimestamp(value[1], UTC))

    def csrf(self, browser: str, token: str) -> str:
        """Ties a form to the browser's cookie and to the survey link: a page on another site can
        neither read the cookie nor compute this."""
        return hmac.new(
            self._secret, _CSRF_SALT + browser.encode() + b"|" + token.encode(), hashlib.sha256
        ).hexdigest()

    def csrf_ok(self, browser: str | None, token: str, given: str | None) -> bool:
        if not browser or not given:
            return False
        return hmac.compare_digest(self.csrf(browser, token), given)
