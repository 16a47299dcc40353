from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_docs_load_in_chromium_with_no_request_leaving_the_machine(live_server, page):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(live_server.url + "/api/v1/docs/")
    # Swagger UI has fetched the schema and drawn the operations.
    page.locator(".opblock-tag", has_text="党员").first.wait_for()
    page.wait_for_load_state("networkidle")

    assert any(url.endswith("/api/v1/schema/") for url in requested)
    outside = [url for url in requested if not url.startswith((live_server.url, "data:"))]
    assert outside == []
