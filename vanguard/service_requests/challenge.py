"""The public form's challenge: a sum a person works out in a second ("3 加 4 等于几?"), checked offline.

Why not an external captcha service: the system is often deployed on intranets with no way out to the
internet; many of the residents who scan a board's QR code are elderly, and distorted letters or picture
puzzles shut them out; and a third-party captcha would show every resident's address (and the page they
are on) to a company outside the committee. A small sum stops the bots that fill in any form they find;
the rate limit per address (REQUEST_RATE_PER_HOUR / _PER_DAY) stops the rest.

The answer is never on the page: the hidden field carries a random nonce and a keyed hash of the nonce with
the answer, signed with a timestamp (an hour to answer). A bot that reads the page sees the question, as a
person does, and nothing it could check an answer against without the server's secret."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

SALT = "vanguard.service_requests.challenge"
MAX_AGE = 60 * 60  # seconds
# Numbers 1–9; a difference is never negative, so every answer lies in 0–18.
LOWEST, HIGHEST = 1, 9
ANSWERS = range(0, 2 * HIGHEST + 1)


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def _digest(nonce: str, answer: int) -> str:
    return salted_hmac(SALT, f"{nonce}:{answer}").hexdigest()[:20]


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def new() -> Challenge:
    a = secrets.randbelow(HIGHEST - LOWEST + 1) + LOWEST
    b = secrets.randbelow(HIGHEST - LOWEST + 1) + LOWEST
    if secrets.randbelow(2):
        question, answer = _("%(a)d 加 %(b)d 等于几?") % {"a": a, "b": b}, a + b
    else:
        a, b = max(a, b), min(a, b)
        question, answer = _("%(a)d 减 %(b)d 等于几?") % {"a": a, "b": b}, a - b
    nonce = secrets.token_hex(8)
    return Challenge(question=question, token=_signer().sign(f"{nonce}:{_digest(nonce, answer)}"))


def _parts(token: str, *, max_age: int | None) -> tuple[str, str]:
    value = _signer().unsign(token or "", max_age=max_age)
    nonce, _sep, digest = value.partition(":")
    return nonce, digest


def check(token: str, given: str) -> None:
    """Raises a ValidationError with a message for the resident unless `given` answers the challenge."""
    try:
        nonce, digest = _parts(token, max_age=MAX_AGE)
    except signing.BadSignature:
        # Expired, or tampered with: either way a fresh page brings a fresh question.
        raise ValidationError(_("验证题已过期,请刷新页面"), code="expired") from None
    try:
        answer = int((given or "").strip())  # int() reads full-width digits (7) too
    except ValueError:
        raise ValidationError(_("验证题答错了,请重新计算"), code="wrong") from None
    if answer not in ANSWERS or not constant_time_compare(digest, _digest(nonce, answer)):
        raise ValidationError(_("验证题答错了,请重新计算"), code="wrong")


def answer_of(token: str) -> int:
    """The answer a token was made for (the tests fill the form with it): found by trying the few
    possible answers against the keyed hash, which only the server can compute."""
    nonce, digest = _parts(token, max_age=None)
    for answer in ANSWERS:
        if constant_time_compare(digest, _digest(nonce, answer)):
            return answer
    raise ValueError("not a challenge token")
