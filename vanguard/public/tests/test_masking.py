"""No page of the public app shows a person's full name, mobile number or ID number: every page and every
screen's data is rendered over a world whose people have all three, and searched for them — only masked forms
appear (张*, never 138…; no 身份证号 at all)."""

from __future__ import annotations

import re

import pytest

from vanguard.core.masking import mask_name

from .factories import community_url, full_community, results_url, screen_url, text

pytestmark = pytest.mark.django_db

# Not inside a token (a CSRF token, a signed challenge) whose letters and digits may hold such a run.
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def public_pages(world, full) -> list[str]:
    pages = [community_url(world.community), community_url(world.other_community), results_url(full.round)]
    for kind, pk in [
        ("community", world.community.pk),
        ("branch", world.branch_a.pk),
        ("branch", world.branch_b.pk),
        ("branch", world.committee.pk),
    ]:
        pages += [screen_url(kind, pk), screen_url(kind, pk, data=True)]
    return pages


def assert_masked(page: str, people, url: str) -> None:
    assert not MOBILE.search(page), (url, MOBILE.search(page).group())
    assert not ID_NUMBER.search(page), (url, ID_NUMBER.search(page).group())
    for person in people:
        assert person.name not in page, (url, person.name)
        assert person.mobile not in page and person.id_number not in page, url


def test_no_public_page_shows_a_full_name_mobile_or_id_number(world, resident):
    full = full_community(world)
    resident_who_asked = full.request  # 张阿姨, 13600001111
    people = full.people
    assert all(p.mobile and p.id_number for p in people)
    shown = {}
    for url in public_pages(world, full):
        page = text(resident.get(url))
        assert_masked(page, people, url)
        assert resident_who_asked.name not in page and resident_who_asked.phone not in page, url
        shown[url] = page
    # The masked forms are there: the zone's lead and the team's leader on the board, both members ranked.
    assert mask_name("王建国") in shown[community_url(world.community)]
    results = shown[results_url(full.round)]
    assert mask_name("王建国") in results and mask_name("李红梅") in results
    committee = shown[screen_url("branch", world.committee.pk, data=True)]
    assert '"王**"' in committee and '"李**"' in committee
