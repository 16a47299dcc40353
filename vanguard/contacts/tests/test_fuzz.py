"""A bounded property-based run over the contacts endpoints (schemathesis), as vanguard/api's test does for
the whole API: whatever a client sends within or just outside the schema, the server never fails with a
5xx and every answer matches the schema it publishes. The schema is generated from this app's routes alone,
so the run does not depend on the other apps' endpoints."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
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

from vanguard.contacts import apis
from vanguard.contacts.tests import factories

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 10


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


def contacts_schema() -> dict:
    router = SimpleRouter()
    for prefix, viewset, basename in apis.ROUTES:
        router.register(prefix, viewset, basename=basename)
    generator = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))])
    return generator.get_schema(request=None, public=True)


def test_the_contacts_endpoints_answer_every_generated_request_within_their_schema(
    world, secretary_a, wsgi_app
):
    contact = factories.assignment(world.member_a, factories.resident("孙大妈"))
    factories.talk(contact, dt.date(2026, 4, 8))
    factories.activist(world.branch_a)
    headers = {"Authorization": f"Token {Token.objects.create(user=secretary_a).key}"}
    schema = schemathesis.openapi.from_dict(contacts_schema())
    schema.app = wsgi_app
    schema.location = "/api/v1/schema/"
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 13
    started = time.monotonic()

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
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

    assert time.monotonic() - started < 90
