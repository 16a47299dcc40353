"""The navigation offers each role what it may open, and nothing that answers 403."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def nav_links(client) -> set[str]:
    body = client.get("/").content.decode()
    nav = body.split('id="main-nav"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'href="(/[^"?#]*)', nav))


@pytest.mark.parametrize(
    "persona", ["office", "secretary_a", "supervisor", "member_a", "community_worker", "auditor", "nobody"]
)
def test_every_navigation_link_opens_for_the_role_that_sees_it(persona, request, as_user):
    client = as_user(request.getfixturevalue(persona))
    links = nav_links(client)
    for link in links:
        assert client.get(link).status_code in (200, 302), f"{persona}: {link}"


def test_a_community_worker_is_not_offered_branch_work(community_worker, as_user):
    links = nav_links(as_user(community_worker))
    assert "/zones/" in links
    assert "/reports/" not in links
    assert "/contacts/" not in links


def test_a_member_is_offered_their_own_reports_and_contacts(member_a, as_user):
    links = nav_links(as_user(member_a))
    assert {"/reports/", "/contacts/", "/zones/tasks/mine/"} <= links


def test_a_login_with_no_role_is_offered_no_business_pages(nobody, as_user):
    links = nav_links(as_user(nobody))
    # Only their own: the page of what Vanguard holds about them (behind their name).
    own = reverse("org:my_personal_data")
    assert own in links
    business = links - {own}
    assert not any(link.startswith(("/org/", "/zones/", "/reports/", "/contacts/")) for link in business)


def test_a_community_worker_sees_no_coverage_button_on_the_zone_list(community_worker, as_user):
    body = as_user(community_worker).get("/zones/").content.decode()
    assert "/zones/coverage/" not in body
