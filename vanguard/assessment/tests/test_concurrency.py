"""Fifty people scoring the same target at once never lose an update (issue 6, item 7; issue 12, item 4): on
SQLite the writers are serialised by IMMEDIATE transactions and a version check; on PostgreSQL by a row lock
on the result and the same check. The writers go through what a person touches — the scoring sheet's row
save (htmx) and the API — each with its own logged-in client in its own thread. The suite runs on both
databases (.ci/run), so each test here runs on both."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import connection

from vanguard.accounts.scope import SYSTEM
from vanguard.api.tests.helpers import api_client
from vanguard.assessment import services
from vanguard.assessment.models import Result, Score, Source
from vanguard.audit.models import AuditRecord
from vanguard.conftest import client_for

from . import factories as f
from .pages import url

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 50
# A person told that someone else saved first refreshes and tries again; after a few tries they give up.
ATTEMPTS = 3
SCORES = "/api/v1/assessment/scores/"
HX = {"HTTP_HX_REQUEST": "true"}
CONFLICT = "请刷新页面查看最新得分后再修改。"


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


@dataclass
class Outcomes:
    """Every answer a writer got, shared by the threads (list.append is atomic under the GIL)."""

    saved: list[tuple[str, int]] = field(default_factory=list)  # (way in, the points it read)
    refused: list[str] = field(default_factory=list)
    gave_up: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


def _page_writer(client, round_, result, indicator, outcomes: Outcomes, start: threading.Barrier):
    """The secretary's scoring sheet: read the row as rendered, add a point, save the row."""

    def attempt() -> bool:
        sheet = client.get(url("score_sheet", round_.pk), {"source": Source.ORGANISATION})
        body = sheet.content.decode()
        outcomes.bodies.append(body)
        assert sheet.status_code == 200, sheet.status_code
        row = body.split(f'id="row-{result.pk}"', 1)[1].split("</form>", 1)[0]
        original = re.search(rf'name="o-{indicator.pk}"\s+value="([^"]*)"', row).group(1)
        version = re.search(rf'name="v-{indicator.pk}"\s+value="([^"]*)"', row).group(1)
        points = Decimal(original or 0) + 1
        data = {
            "source": Source.ORGANISATION,
            f"p-{indicator.pk}": str(points),
            f"o-{indicator.pk}": original,
            f"v-{indicator.pk}": version,
        }
        response = client.post(url("score_row", result.pk), data, **HX)
        answer = response.content.decode()
        outcomes.bodies.append(answer)
        assert response.status_code == 200, (response.status_code, answer[:500])
        if "已保存" in answer and "is-invalid" not in answer:
            outcomes.saved.append(("page", int(points) - 1))
            return True
        (message,) = re.findall(r'class="invalid-feedback d-block">\s*([^<]+?)\s*</div>', answer)
        assert CONFLICT in message, message
        outcomes.refused.append(message)
        return False

    _writer(attempt, outcomes, start, "page")


def _api_writer(client, result, indicator, outcomes: Outcomes, start: threading.Barrier):
    """A client of the API: read the score with its version from the result, add a point, send it back."""

    def attempt() -> bool:
        detail = client.get(f"/api/v1/assessment/results/{result.pk}/")
        outcomes.bodies.append(detail.content.decode())
        assert detail.status_code == 200, detail.status_code
        (leaf,) = [row for row in detail.json()["breakdown"] if row["id"] == indicator.pk]
        seen = [s for s in leaf["scores"] if s["source"] == Source.ORGANISATION]
        points = (Decimal(seen[0]["points"]) if seen else Decimal(0)) + 1
        version = seen[0]["version"] if seen else 0
        body = {
            "result": result.pk,
            "indicator": indicator.pk,
            "source": Source.ORGANISATION,
            "points": str(points),
            "version": version,
        }
        response = client.post(SCORES, body, format="json")
        outcomes.bodies.append(response.content.decode())
        if response.status_code in (200, 201):
            assert response.json()["version"] == version + 1
            outcomes.saved.append(("api", int(points) - 1))
            return True
        assert response.status_code == 409, (response.status_code, response.content[:500])
        message = response.json()["detail"]
        assert CONFLICT in message, message
        outcomes.refused.append(message)
        return False

    _writer(attempt, outcomes, start, "api")


def _writer(attempt, outcomes: Outcomes, start: threading.Barrier, name: str) -> None:
    try:
        start.wait()
        for _ in range(ATTEMPTS):
            if attempt():
                return
        outcomes.gave_up.append(name)
    except BaseException as exc:
        outcomes.errors.append(exc)
    finally:
        connection.close()


def test_fifty_people_editing_one_score_through_the_sheet_and_the_api_lose_no_update(
    world, office, secretary_a
):
    """Half the writers use the office's scoring sheet, half the secretary's API token; each adds one point
    to what it read. Every answer is a save or a refusal that says someone else saved first, never a 500 or
    a locked database, and the score ends up counting each accepted edit exactly once."""
    round_, result, indicator = _round_and_target(world)
    # Log everyone in before the start: the writers' threads do nothing but read and write the score.
    pages = [client_for(office) for _ in range(WRITERS // 2)]
    apis = [api_client(secretary_a) for _ in range(WRITERS - WRITERS // 2)]
    outcomes = Outcomes()
    start = threading.Barrier(WRITERS)
    threads = [
        threading.Thread(target=_page_writer, args=(c, round_, result, indicator, outcomes, start))
        for c in pages
    ] + [threading.Thread(target=_api_writer, args=(c, result, indicator, outcomes, start)) for c in apis]

    _run(threads)

    assert outcomes.errors == []
    assert not [b for b in outcomes.bodies if "database is locked" in b.lower()]
    assert len(outcomes.saved) + len(outcomes.gave_up) == WRITERS
    assert outcomes.saved, "no edit got through"
    score = Score.objects.get(result=result, indicator=indicator, source=Source.ORGANISATION)
    accepted = len(outcomes.saved)
    assert score.points == Decimal(accepted)
    assert score.version == accepted
    assert AuditRecord.objects.filter(object_type="assessment.score").count() == accepted
    # Each accepted edit had read the value the previous one wrote: 0→1, 1→2, … with none skipped or twice.
    assert sorted(read for _way, read in outcomes.saved) == list(range(accepted))
    # With fifty at once, some were told that someone else saved first, and by whom.
    assert outcomes.refused
    assert all(("office已于" in m or "secretary_a已于" in m) for m in outcomes.refused)


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
