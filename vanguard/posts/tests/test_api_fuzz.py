"""A bounded property-based run (schemathesis) over the model posts' endpoints alone, with a post on the
wall, an application and an opinion in the database: whatever a client sends within or just outside the
schema, the server never fails with a 5xx and every answer matches the schema it publishes."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from rest_framework.routers import SimpleRouter
from schemathesis import GenerationMode

from vanguard.api.tests.test_fuzz import CHECKS, wsgi_app  # noqa: F401  (wsgi_app is a fixture)
from vanguard.posts.apis import ROUTES

from . import factories
from .api_factories import sweep_opinion

EXAMPLES_PER_OPERATION = 8


def posts_schema() -> dict:
    """The published description of these endpoints alone, generated as /api/v1/schema/ generates it."""
    router = SimpleRouter()
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
    generator = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))])
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))


@pytest.mark.parametrize("who", ["office", "secretary_a"])
def test_the_post_endpoints_answer_every_generated_request_within_their_schema(
    request,
    world,
    who,
    wsgi_app,  # noqa: F811
):
    sweep_opinion(world)
    factories.applied_post(world, "调度窗口")
    user = request.getfixturevalue(who)
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    schema = schemathesis.openapi.from_dict(posts_schema())
    schema.app = wsgi_app
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 12

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
