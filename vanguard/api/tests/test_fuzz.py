"""Property-based runs over the whole API (schemathesis), once per role with its token and once with none:
whatever a client sends within the schema (positive cases) or just outside it (negative cases), the server
never fails with a 5xx and every answer matches the schema it publishes: its status code is one the
operation declares, its body is JSON of the declared shape.

Every run covers every operation of /api/v1/schema/ (OPERATIONS in test_schema.py) in both modes, over a
small world seeded through the apps' own test factories: the access sweep's object of branch A in every app
(zone, task, report, contact, round, appraisal, model post, registration, time-bank account, request …) and
the same again for branch B. An operation on one object (`{id}`) is tried on A's object, on B's and on a
generated id, so a secretary of A meets real objects, 404s for branch B's and 404s for ones that do not
exist; the anonymous caller must be refused (401/403) by every operation but the token endpoint. Each
operation starts from the seeded world: its writes are rolled back before the next one.

Why one number of examples for every role rather than splitting the operations between the roles: what
the fuzzing looks for differs by role (the office reaches the services' validation, a member meets 403s,
branch B's secretary 404s), so a split would leave most operation × role pairs untried. The default
(`make test`) is small instead: 6 examples per operation and mode for the office, who reaches the most
code, 3 for every other role and for the anonymous caller — 9,000 requests, about two and a half minutes
of CPU for the seven runs on a 2-core machine (more on the wall clock when the machine is busy).
`VANGUARD_FUZZ_EXAMPLES=n` gives every run n: `make fuzz` uses 25 (52,500 requests, about eleven minutes
of CPU; 100 would take over forty), and `VANGUARD_FUZZ_REPORT` names a file that each run appends its
summary line to. A run collects every failing operation and fails once at its end with all of them, rather
than stopping at the first.

What it does not reach: ids inside request bodies (a member, a cell …) are generated, so few writes get
past validation to a service; the apps' own API tests cover those paths with real data.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.urls import resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from vanguard.api.errors import api_not_found
from vanguard.api.tests.test_schema import OPERATIONS
from vanguard.assessment.tests import year_factories as assessment_year
from vanguard.org.models import Cell, Organisation
from vanguard.org.tests import factories
from vanguard.tests.test_access_sweep import OBJECT_IDS

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Examples per operation and generation mode when VANGUARD_FUZZ_EXAMPLES is not set (see the docstring).
DEFAULT_EXAMPLES = {"office": 6}
DEFAULT_EXAMPLES_OTHERS = 3
ROLES = ["office", "secretary_a", "member_a", "secretary_b", "community_worker", "supervisor", "anonymous"]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
# The token endpoint is the API's login: open to all, it answers 200 or 400, never 401.
LOGIN = "POST /api/v1/auth/token/"


@pytest.fixture
def wsgi_app():
    # The WSGI handler closes the database connection around each request, which would end the test's
    # transaction; Django's own test client switches that off in the same way.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture
def quiet_4xx():
    """Thousands of refusals are the run's expected answers: only a server error is worth a log line."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def examples_for(who: str) -> int:
    configured = os.environ.get("VANGUARD_FUZZ_EXAMPLES", "").strip()
    if configured:
        return int(configured)
    return DEFAULT_EXAMPLES.get(who, DEFAULT_EXAMPLES_OTHERS)


def mirror(world):
    """The test world seen from branch B: its member, its community, a workplace of its own. The access
    sweep's factories, given this, make branch B's copy of each object they make for branch A."""
    company = factories.cell("出租汽车公司", Cell.Kind.COMPANY)
    return dataclasses.replace(
        world,
        branch_a=world.branch_b,
        group_a=factories.organisation("第二党小组", Organisation.Kind.GROUP, parent=world.branch_b),
        branch_b=world.branch_a,
        community=world.other_community,
        other_community=world.community,
        company=company,
        team=factories.cell("二车队", Cell.Kind.TEAM, parent=company),
        member_a=world.member_b,
        member_b=world.member_a,
    )


def seed(world) -> dict[str, list[int]]:
    """Objects in every app for branch A and branch B; for each API route with an object id, the ids of
    the two (the same one when an object is shared, like a role kind)."""
    for i in range(3):
        factories.member(world.branch_a, f"样本{i}", residence=world.community)
        factories.member(world.branch_b, f"样本乙{i}", residence=world.other_community)
    other = mirror(world)
    ids: dict[str, list[int]] = {}
    for name, make in OBJECT_IDS.items():
        if name.startswith("api:"):
            ids[name] = sorted({make(world), make(other)})
    return ids


def url_name(path: str) -> str:
    match = resolve(path.replace("{id}", "1"))
    return f"{match.namespace}:{match.url_name}"


def strategy(operation, mode: GenerationMode, ids: dict[str, list[int]], headers: dict[str, str]):
    """Positive cases on an object try the seeded objects as often as a generated id; negative cases keep
    schemathesis's own (malformed) ids. A role's token is fixed, so that no case of its run spends itself on
    a missing or mangled token: that is the anonymous run's part, whose Authorization header schemathesis
    leaves out or fills with rubbish."""
    generated = operation.as_strategy(generation_mode=mode, headers=headers)
    if mode is GenerationMode.NEGATIVE or "{id}" not in operation.path:
        return generated
    seeded = [
        operation.as_strategy(generation_mode=mode, headers=headers, path_parameters={"id": pk})
        for pk in ids[url_name(operation.path)]
    ]
    return st.one_of(*seeded, generated)


def refused_anonymously(case, response) -> None:
    """Without a token every operation but the login refuses; a path whose id is not even a number names no
    endpoint at all, and the API's catch-all answers that with 404."""
    if case.operation.label == LOGIN:
        return
    if response.status_code == 404 and resolve(case.formatted_path).func is api_not_found:
        return
    assert response.status_code in (401, 403), (
        f"{case.operation.label}: {response.status_code} without a token"
    )


def report(line: str) -> None:
    print(line)
    target = os.environ.get("VANGUARD_FUZZ_REPORT", "").strip()
    if target:
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


@pytest.mark.usefixtures("quiet_4xx")
@pytest.mark.parametrize("who", ROLES)
def test_the_api_answers_every_generated_request_within_its_schema(request, world, who, wsgi_app):
    ids = seed(world)
    headers = {}
    if who != "anonymous":
        user = request.getfixturevalue(who)
        headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {(op.path, op.method.lower()) for op in operations} == OPERATIONS
    examples = examples_for(who)
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    started, cpu_started = time.monotonic(), time.process_time()

    for operation in operations:
        for mode in MODES:

            @settings(
                max_examples=examples,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
                report_multiple_bugs=False,
            )
            @given(case=strategy(operation, mode, ids, headers))
            def check(case):
                response = case.call(headers=headers)
                statuses[response.status_code] += 1
                if not headers:
                    refused_anonymously(case, response)
                case.validate_response(response, checks=CHECKS, headers=headers)

            # Each operation meets the seeded world, whatever the one before it deleted or changed.
            # (schemathesis reports its failures as a BaseExceptionGroup, hence the second class.)
            with transaction.atomic():
                try:
                    check()
                except (Exception, BaseExceptionGroup) as exc:
                    failures.append(f"{operation.label} [{mode.value}]: {type(exc).__name__}: {exc}"[:3000])
                transaction.set_rollback(True)

    # CPU time beside the wall clock: on a machine shared with other work the first says what the run costs.
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu_started
    spread = " ".join(f"{code}:{statuses[code]}" for code in sorted(statuses))
    report(
        f"{who:<17} operations={len(operations)} examples/op/mode={examples} "
        f"generated={sum(statuses.values())} failures={len(failures)} time={seconds:.0f}s cpu={cpu:.0f}s "
        f"statuses=[{spread}]"
    )
    assert not failures, "\n\n".join(failures)


# --- what the fuzzing found, each pinned on its own ------------------------------------------------------


def answers_within_schema(wsgi_app, user, label: str, **parts):
    """One request to the operation `label` ("GET /api/v1/…"), checked as the fuzz run checks each case."""
    method, path = label.split(" ", 1)
    operation = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)[path][method]
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
    case = operation.Case(headers=headers, **parts)
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers)
    return response


def test_a_branch_review_alone_answers_without_the_rank_of_the_list(world, secretary_a, wsgi_app):
    # The detail promised the list's `rank` and answered without it.
    review = assessment_year.sweep_review(world)
    response = answers_within_schema(
        wsgi_app,
        secretary_a,
        "GET /api/v1/assessment/branch-reviews/{id}/",
        path_parameters={"id": review.pk},
    )
    assert response.status_code == 200
    assert "rank" not in response.json()
