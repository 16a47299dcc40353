"""Two people scoring the same target at once never lose an update (issue 6, item 7): on SQLite the writers
are serialised by IMMEDIATE transactions and a version check; on PostgreSQL by a row lock on the result and
the same check. The suite runs on both (.ci/run), so each test here runs on both."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services
from vanguard.assessment.models import Result, Score, Source
from vanguard.audit.models import AuditRecord

from . import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 20


def _round_and_target(world):
    scheme = services.scheme_create(
        actor=SYSTEM, organisation=world.committee, name="并发", target_kind="member", period="quarter"
    )
    services.indicator_add(
        actor=SYSTEM,
        scheme=scheme,
        fields={"name": "工作实绩", "weight": 1, "max_points": 100, "kind": "manual"},
    )
    round_ = f.quarter_round(scheme, world.committee)
    return round_, Result.objects.get(round=round_, member=world.member_a), f.indicator(round_, "工作实绩")


def _run(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)


def test_twenty_parallel_edits_lose_no_update(world, office):
    """Each writer adds one point to what it read, retrying when told of a conflict: the end value counts
    every writer's point exactly once."""
    _round, result, indicator = _round_and_target(world)
    errors: list[BaseException] = []
    conflicts = []
    start = threading.Barrier(WRITERS)

    def add_one_point() -> None:
        try:
            start.wait()
            for _ in range(500):
                seen = Score.objects.filter(
                    result=result, indicator=indicator, source=Source.ORGANISATION
                ).first()
                try:
                    services.score_enter(
                        actor=office,
                        result=result,
                        indicator=indicator,
                        source=Source.ORGANISATION,
                        points=(seen.points if seen else Decimal(0)) + 1,
                        version=seen.version if seen else 0,
                    )
                    return
                except services.Conflict:
                    conflicts.append(1)
            raise AssertionError("no write got through in 500 attempts")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    _run([threading.Thread(target=add_one_point) for _ in range(WRITERS)])
    assert errors == []
    score = Score.objects.get(result=result, indicator=indicator, source=Source.ORGANISATION)
    assert score.points == Decimal(WRITERS)
    assert score.version == WRITERS
    assert AuditRecord.objects.filter(object_type="assessment.score").count() == WRITERS


def test_the_second_of_two_simultaneous_edits_is_told_of_the_first(world, office, secretary_a):
    _round, result, indicator = _round_and_target(world)
    services.score_enter(
        actor=office, result=result, indicator=indicator, source=Source.ORGANISATION, points=50, version=0
    )
    outcomes: dict[str, object] = {}
    both_read = threading.Barrier(2)

    def edit(actor, points) -> None:
        try:
            seen = Score.objects.get(result=result, indicator=indicator, source=Source.ORGANISATION)
            both_read.wait()
            services.score_enter(
                actor=actor,
                result=result,
                indicator=indicator,
                source=Source.ORGANISATION,
                points=points,
                version=seen.version,
            )
            outcomes[actor.username] = "saved"
        except services.Conflict as exc:
            outcomes[actor.username] = exc.messages[0]
        except BaseException as exc:
            outcomes[actor.username] = exc
        finally:
            connection.close()

    _run(
        [
            threading.Thread(target=edit, args=(office, 60)),
            threading.Thread(target=edit, args=(secretary_a, 70)),
        ]
    )
    saved = [name for name, outcome in outcomes.items() if outcome == "saved"]
    assert len(saved) == 1, outcomes
    (loser,) = set(outcomes) - set(saved)
    message = outcomes[loser]
    assert isinstance(message, str) and "请刷新页面" in message and saved[0] in message
    score = Score.objects.get(result=result, indicator=indicator, source=Source.ORGANISATION)
    assert score.points == Decimal(60 if saved == ["office"] else 70)
    assert score.version == 2
