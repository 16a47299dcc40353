"""Every public page over the demonstration database: each community's board and screen, each organisation's
screen, each published round's results, each zone's board, each model post's board, each post standard's
public page, each request's tracking page and the request forms — all open, none showing a full mobile
number, an ID number or the full name of anyone in the demo."""

from __future__ import annotations

import pytest
from django.db import transaction

from vanguard.assessment.models import Round
from vanguard.demo import builder
from vanguard.org.models import Cell, Organisation, Person

from .factories import community_url, results_url, screen_url, text
from .test_masking import ID_NUMBER, MOBILE

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo for the module, rolled back when it is done (see demo/tests/test_demo.py)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield builder.build_demo()
        transaction.set_rollback(True)


def test_every_public_page_of_the_demo_opens_with_personal_data_masked(demo, resident):
    communities = list(Cell.objects.filter(kind=Cell.Kind.COMMUNITY).values_list("pk", flat=True))
    organisations = list(Organisation.objects.values_list("pk", flat=True))
    rounds = list(Round.objects.filter(status=Round.Status.PUBLISHED).values_list("pk", flat=True))
    assert len(communities) >= 7 and rounds
    urls = [results_url(Round(pk=pk)) for pk in rounds]
    for pk in communities:
        urls += [
            community_url(Cell(pk=pk)),
            screen_url("community", pk),
            screen_url("community", pk, data=True),
        ]
    for pk in organisations:
        urls += [screen_url("branch", pk), screen_url("branch", pk, data=True)]
    # The boards and pages of the other apps that the public reaches.
    from vanguard.posts.models import ModelPost, Standard
    from vanguard.service_requests.models import ServiceRequest
    from vanguard.zones.models import Zone
    from vanguard.zones.selectors import this_year

    zones = list(Zone.objects.values_list("pk", "year"))
    assert zones
    urls += [f"/p/zones/{pk}/" for pk, _year in zones]
    urls += [f"/p/requests/new/?zone={pk}" for pk, year in zones if year == this_year()]
    urls += [f"/p/requests/new/?community={pk}" for pk in communities]
    posts = list(ModelPost.objects.filter(status=ModelPost.Status.APPROVED).values_list("pk", flat=True))
    assert posts
    urls += [f"/p/posts/{pk}/" for pk in posts]
    standards = Standard.objects.values_list("pk", flat=True)
    urls += [f"/p/standards/{pk}/" for pk in standards]
    codes = list(ServiceRequest.objects.values_list("tracking_code", flat=True))
    assert codes
    urls += [f"/p/requests/{code}/" for code in codes]
    # Everyone in the demo: members, residents, the people of the roster.
    names = {name for name in Person.objects.values_list("name", flat=True) if len(name) >= 2}
    seen_masked = 0
    for url in urls:
        response = resident.get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = text(response)
        found = MOBILE.search(page)
        assert not found, (url, page[max(found.start() - 300, 0) : found.end() + 50])
        assert not ID_NUMBER.search(page), (url, ID_NUMBER.search(page).group())
        shown = [name for name in names if name in page]
        assert not shown, (url, shown[:5])
        seen_masked += page.count("**")
    assert seen_masked > 0
