"""The OpenAPI schema at /api/v1/schema/ and the docs page at /api/v1/docs/, which must work on an intranet
with no internet: every asset it loads is one of our own static files."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("/api/v1/auth/token/", "post"),
    # org
    ("/api/v1/organisations/", "get"),
    ("/api/v1/organisations/{id}/", "get"),
    ("/api/v1/cells/", "get"),
    ("/api/v1/cells/{id}/", "get"),
    *{("/api/v1/people/", m) for m in ("get", "post")},
    *{("/api/v1/people/{id}/", m) for m in ("get", "put", "patch")},
    *{("/api/v1/members/", m) for m in ("get", "post")},
    *{("/api/v1/members/{id}/", m) for m in ("get", "put", "patch")},
    # zones
    *{("/api/v1/zones/", m) for m in ("get", "post")},
    *{("/api/v1/zones/{id}/", m) for m in ("get", "put", "patch", "delete")},
    *{("/api/v1/zone-roles/", m) for m in ("get", "post")},
    *{("/api/v1/zone-roles/{id}/", m) for m in ("get", "delete")},
    ("/api/v1/zone-role-kinds/", "get"),
    ("/api/v1/zone-role-kinds/{id}/", "get"),
    *{("/api/v1/responsibilities/", m) for m in ("get", "post")},
    *{("/api/v1/responsibilities/{id}/", m) for m in ("get", "delete")},
    ("/api/v1/coverage/", "get"),
    *{("/api/v1/tasks/", m) for m in ("get", "post")},
    *{("/api/v1/tasks/{id}/", m) for m in ("get", "put", "patch")},
    *{(f"/api/v1/tasks/{{id}}/{action}/", "post") for action in ("complete", "cancel", "reopen")},
    *{("/api/v1/plan-entries/", m) for m in ("get", "post")},
    *{("/api/v1/plan-entries/{id}/", m) for m in ("get", "put", "patch", "delete")},
    *{("/api/v1/activities/", m) for m in ("get", "post")},
    *{("/api/v1/activities/{id}/", m) for m in ("get", "put", "patch")},
    # contacts
    *{("/api/v1/contacts/assignments/", m) for m in ("get", "post")},
    *{("/api/v1/contacts/assignments/{id}/", m) for m in ("get", "put", "patch", "delete")},
    *{("/api/v1/contacts/talks/", m) for m in ("get", "post")},
    *{("/api/v1/contacts/talks/{id}/", m) for m in ("get", "put", "patch")},
    ("/api/v1/contacts/below-two/", "get"),
    ("/api/v1/contacts/not-visited/", "get"),
    # reports
    *{("/api/v1/reports/", m) for m in ("get", "post")},
    *{("/api/v1/reports/{id}/", m) for m in ("get", "put", "patch")},
    ("/api/v1/reports/{id}/review/", "post"),
    ("/api/v1/reports/missing/", "get"),
    # assessment
    *{("/api/v1/assessment/schemes/", m) for m in ("get", "post")},
    *{("/api/v1/assessment/schemes/{id}/", m) for m in ("get", "patch")},
    ("/api/v1/assessment/schemes/{id}/indicators/", "post"),
    *{("/api/v1/assessment/rounds/", m) for m in ("get", "post")},
    ("/api/v1/assessment/rounds/{id}/", "get"),
    *{
        (f"/api/v1/assessment/rounds/{{id}}/{action}/", "post")
        for action in ("open", "close", "reopen", "publish", "archive")
    },
    ("/api/v1/assessment/results/", "get"),
    ("/api/v1/assessment/results/{id}/", "get"),
    ("/api/v1/assessment/results/{id}/revise/", "post"),
    ("/api/v1/assessment/scores/", "post"),
    # assessment: the year
    ("/api/v1/assessment/rollups/", "get"),
    ("/api/v1/assessment/rollups/{id}/", "get"),
    ("/api/v1/assessment/rollups/{id}/results/", "get"),
    ("/api/v1/assessment/branch-reviews/", "get"),
    ("/api/v1/assessment/branch-reviews/{id}/", "get"),
    *{("/api/v1/assessment/rectifications/", m) for m in ("get", "post")},
    ("/api/v1/assessment/rectifications/{id}/", "get"),
    ("/api/v1/assessment/rectifications/{id}/done/", "post"),
    ("/api/v1/assessment/appraisals/", "get"),
    ("/api/v1/assessment/appraisals/{id}/", "get"),
    ("/api/v1/assessment/appraisals/{id}/entries/", "get"),
    ("/api/v1/assessment/appraisal-entries/{id}/vote/", "post"),
    ("/api/v1/assessment/appraisal-entries/{id}/conclusion/", "post"),
    # posts
    *{("/api/v1/posts/", m) for m in ("get", "post")},
    ("/api/v1/posts/{id}/", "get"),
    *{
        (f"/api/v1/posts/{{id}}/{action}/", "post")
        for action in ("approve", "reject", "name", "review", "evaluate")
    },
    ("/api/v1/posts/{id}/opinions/", "get"),
    ("/api/v1/post-opinions/{id}/answer/", "post"),
    *{("/api/v1/post-rules/", m) for m in ("get", "post")},
    # community: registrations, the book, posts, service records, feedback
    *{("/api/v1/registrations/", m) for m in ("get", "post")},
    ("/api/v1/registrations/{id}/", "get"),
    ("/api/v1/registrations/{id}/confirm/", "post"),
    ("/api/v1/registrations/{id}/return/", "post"),
    ("/api/v1/stats/in-service/", "get"),
    *{("/api/v1/community-posts/", m) for m in ("get", "post")},
    ("/api/v1/community-posts/{id}/", "get"),
    ("/api/v1/community-posts/{id}/claim/", "post"),
    ("/api/v1/community-post-claims/", "get"),
    ("/api/v1/community-post-claims/{id}/", "get"),
    ("/api/v1/community-post-claims/{id}/confirm/", "post"),
    *{("/api/v1/service-records/", m) for m in ("get", "post")},
    ("/api/v1/service-records/{id}/", "get"),
    ("/api/v1/service-records/{id}/verify/", "post"),
    ("/api/v1/service-records/{id}/reject/", "post"),
    ("/api/v1/feedback/", "get"),
    # timebank
    ("/api/v1/timebank/accounts/", "get"),
    ("/api/v1/timebank/accounts/{id}/", "get"),
    ("/api/v1/timebank/accounts/{id}/statement/", "get"),
    *{(f"/api/v1/timebank/accounts/{{id}}/{action}/", "post") for action in ("spend", "donate", "reverse")},
    # residents' requests and their rates
    *{("/api/v1/requests/", m) for m in ("get", "post")},
    ("/api/v1/requests/{id}/", "get"),
    *{
        (f"/api/v1/requests/{{id}}/{action}/", "post")
        for action in ("take", "accept", "start", "resolve", "dispatch", "urgency", "close")
    },
    ("/api/v1/stats/requests/", "get"),
}


def schema() -> dict:
    response = Client().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_public_and_valid_openapi_3():
    document = schema()
    validate_schema(document)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "先锋 Vanguard API"


def test_the_schema_describes_every_endpoint():
    paths = schema()["paths"]
    found = {(path, method) for path, item in paths.items() for method in item}
    assert found == OPERATIONS


def test_the_schema_describes_token_authentication_and_the_error_body():
    document = schema()
    assert document["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "先以 POST /api/v1/auth/token/ 获取令牌,填“Token <令牌>”(注意 Token 后有一个空格)。",
    }
    token = document["paths"]["/api/v1/auth/token/"]["post"]
    assert "security" not in token  # the one operation that needs no token
    assert set(token["responses"]) == {"200", "400"}
    members = document["paths"]["/api/v1/members/{id}/"]["patch"]
    assert {"200", "400", "401", "403", "404"} <= set(members["responses"])
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"]


def test_lists_are_described_as_pages():
    page = schema()["components"]["schemas"]["PaginatedMemberList"]
    assert set(page["properties"]) == {"count", "next", "previous", "results"}


def test_the_docs_page_loads_nothing_from_another_machine():
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"(?:https?:)?//[a-z0-9]", html, re.IGNORECASE), "an absolute URL in the docs page"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the page references its scripts and styles"
    for url in assets:
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not among the static files"
    # Swagger UI would otherwise send the schema to validator.swagger.io for its badge.
    assert '"validatorUrl": null' in html
    assert 'url: "/api/v1/schema/"' in html
