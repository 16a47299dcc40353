"""The reports endpoints in the published schema, and a bounded property-based run over them
(schemathesis): whatever a client sends, no 5xx, and every answer matches the schema."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from rest_framework.routers import SimpleRouter
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from vanguard.reports.apis import ROUTES

from . import factories
from .conftest import FEB, MARCH

OPERATIONS = {
    ("/api/v1/reports/", "get"),
    ("/api/v1/reports/", "post"),
    ("/api/v1/reports/{id}/", "get"),
    ("/api/v1/reports/{id}/", "put"),
    ("/api/v1/reports/{id}/", "patch"),
    ("/api/v1/reports/{id}/review/", "post"),
    ("/api/v1/reports/missing/", "get"),
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.django_db
def test_the_schema_describes_the_reports_endpoints():
    paths = Client().get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    found = {(path, method) for path, item in paths.items() if "/reports/" in path for method in item}
    assert found == OPERATIONS
    assert {"200", "400", "401", "403", "404"} <= set(
        paths["/api/v1/reports/{id}/review/"]["post"]["responses"]
    )


def _reports_schema() -> dict:
    """The schema of these endpoints alone, made by the same generator as /api/v1/schema/: the run does
    not depend on the other apps' endpoints (vanguard/api/tests/test_fuzz.py runs over all of them)."""
    router = SimpleRouter()
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
    generator = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))])
    return json.loads(json.dumps(generator.get_schema(public=True), cls=DjangoJSONEncoder))


@pytest.fixture
def wsgi_app():
    # As in vanguard/api/tests/test_fuzz.py: keep the test's transaction open across requests.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.mark.parametrize("persona", ["member_a", "secretary_a"])
def test_the_reports_endpoints_answer_generated_requests_within_their_schema(
    world, persona, request, wsgi_app
):
    user = request.getfixturevalue(persona)
    factories.report(world.member_a, FEB)
    factories.report(world.member_a, MARCH)
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    schema = schemathesis.openapi.from_dict(_reports_schema())
    schema.app = wsgi_app
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(OPERATIONS)
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=8,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case):
                response = case.call(headers=headers)
                case.validate_response(response, checks=CHECKS, headers=headers)

            check()
