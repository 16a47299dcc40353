"""Other apps' events that move a request along."""

from __future__ import annotations


def _opinion_answered(sender, opinion, **kwargs) -> None:
    from . import services

    services.opinion_answered(opinion)


def connect() -> None:
    from vanguard.posts.signals import opinion_answered

    opinion_answered.connect(_opinion_answered, dispatch_uid="service_requests.opinion_answered")
