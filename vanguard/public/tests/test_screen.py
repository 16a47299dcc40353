"""The big screen (电子显示屏) of a community or a branch: a page of its own (no navigation), dark and big,
whose script and data come from files and data- attributes (no inline script: a Content-Security-Policy will
forbid them); its data as JSON — coverage, the latest published results, stars, this month's requests and
six months of service hours — masked, in a fixed number of queries, and new on the next fetch after a
change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.community.tests import api_factories as community
from vanguard.org.models import Cell
from vanguard.org.tests import factories
from vanguard.org.validators import today
from vanguard.posts.tests.factories import approved_post
from vanguard.service_requests.tests import factories as requests
from vanguard.zones.tests import zone_factories as zf

from .factories import full_community, published_round, screen_url, text

pytestmark = pytest.mark.django_db

DUMMY_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.mark.parametrize("kind", ["community", "branch"])
def test_the_screen_is_a_page_of_its_own_with_its_script_and_data_from_files(world, resident, kind):
    pk = world.community.pk if kind == "community" else world.branch_a.pk
    page = text(resident.get(screen_url(kind, pk)))
    assert "navbar" not in page
    assert ("南园社区" if kind == "community" else "一分公司党支部") in page
    assert f'data-url="{screen_url(kind, pk, data=True)}"' in page
    assert 'data-slide-ms="15000"' in page and 'data-refresh-ms="60000"' in page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert [src for src, _body in scripts] == [
        ' src="/static/vendor/echarts-5.6.0/echarts.min.js"',
        ' src="/static/public/screen.js"',
    ]
    assert all(body.strip() == "" for _src, body in scripts)
    assert "style=" not in page and "<style" not in page
    for slide in ("coverage", "results", "stars", "requests", "hours"):
        assert f'data-slide="{slide}"' in page


def test_echarts_is_vendored_with_its_licence():
    for name in ("echarts.min.js", "LICENSE", "NOTICE"):
        assert finders.find(f"vendor/echarts-5.6.0/{name}"), name
    assert finders.find("public/screen.js") and finders.find("public/screen.css")


def test_the_headings_are_readable_from_across_a_room():
    css = Path(finders.find("public/screen.css")).read_text(encoding="utf-8")
    for selector in (".screen-name", ".screen-slide h2"):
        rule = re.search(re.escape(selector) + r" \{([^}]*)\}", css).group(1)
        size = re.search(r"font-size: max\((\d+)px", rule)
        assert size and int(size.group(1)) >= 32, selector


def test_the_community_s_data(world, resident):
    full = full_community(world)
    data = resident.get(screen_url("community", world.community.pk, data=True)).json()
    assert (data["kind"], data["id"], data["name"]) == ("community", world.community.pk, "南园社区")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", data["generated_at"])
    # 南园小区's two buildings: 1号楼 covered by branch A's zone, 2号楼 not.
    assert data["coverage"] == {
        "year": today().year,
        "total": 2,
        "covered": 1,
        "uncovered": 1,
        "percent": 50,
        "gaps": ["南园小区/2号楼"],
    }
    # The committee's round: member A is registered here, member B is not.
    assert data["results"]["id"] == full.round.pk
    assert data["results"]["rows"] == [{"rank": 1, "name": "王**", "unit": "一分公司党支部", "total": 72.0}]
    assert data["stars"] == [
        {"name": "一车队1路党员示范岗", "organisation": "一分公司党支部", "stars": 0, "named": False}
    ]
    month = today().strftime("%Y-%m")
    assert data["requests"] == {
        "month": month,
        "received": 1,
        "resolved": 0,
        "response": {"rate": None, "counted": 0, "expected": 0},
        "resolution": {"rate": None, "counted": 0, "expected": 0},
        "satisfaction": {"rate": None, "counted": 0, "expected": 0},
        "by_category": [{"name": "疏通下水道", "value": 1}],
    }
    assert len(data["hours"]["months"]) == 6 and data["hours"]["months"][-1] == month
    assert data["hours"]["hours"][-1] == 2.0 and sum(data["hours"]["hours"]) == 2.0


def test_a_branch_s_data_counts_its_subtree_only(world, resident):
    full_community(world)
    branch_a = resident.get(screen_url("branch", world.branch_a.pk, data=True)).json()
    assert [row["name"] for row in branch_a["results"]["rows"]] == ["王**"]
    assert branch_a["requests"]["received"] == 1 and branch_a["hours"]["hours"][-1] == 2.0
    assert [s["name"] for s in branch_a["stars"]] == ["一车队1路党员示范岗"]
    branch_b = resident.get(screen_url("branch", world.branch_b.pk, data=True)).json()
    assert [row["name"] for row in branch_b["results"]["rows"]] == ["李**"]
    assert branch_b["requests"]["received"] == 0 and branch_b["stars"] == []
    assert sum(branch_b["hours"]["hours"]) == 0
    committee = resident.get(screen_url("branch", world.committee.pk, data=True)).json()
    assert [row["rank"] for row in committee["results"]["rows"]] == [1, 2]


def test_with_nothing_published_or_covered_the_data_says_so(world, resident):
    data = resident.get(screen_url("community", world.other_community.pk, data=True)).json()
    assert data["results"] is None and data["stars"] == []
    assert data["coverage"]["total"] == 0 and data["coverage"]["percent"] is None
    assert data["requests"]["received"] == 0 and data["hours"]["hours"] == [0.0] * 6


@pytest.mark.parametrize("data", [False, True])
def test_a_cell_that_is_not_a_community_and_unknown_ids_are_404(world, resident, data):
    assert resident.get(screen_url("community", world.street.pk, data=data)).status_code == 404
    assert resident.get(screen_url("community", 999999, data=data)).status_code == 404
    assert resident.get(screen_url("branch", 999999, data=data)).status_code == 404


def test_the_data_is_new_on_the_next_fetch_after_a_change(world, resident):
    full_community(world)
    url = screen_url("community", world.community.pk, data=True)
    for _fetch in range(3):
        assert resident.get(url).json()["requests"]["received"] == 1
    requests.submit(world, description="小区路灯不亮了")
    community.record(world.member_a, world.community, "3", served_on=today())
    data = resident.get(url).json()
    assert data["requests"]["received"] == 2 and data["hours"]["hours"][-1] == 5.0


def _cost(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_data_costs_the_same_queries_for_small_and_larger_data(world, resident, settings):
    settings.CACHES = DUMMY_CACHE  # every fetch computes the data
    full_community(world)
    urls = [
        screen_url("community", world.community.pk, data=True),
        screen_url("branch", world.branch_a.pk, data=True),
        screen_url("branch", world.committee.pk, data=True),
    ]
    small = [_cost(resident, url) for url in urls]
    estate = Cell.objects.get(name="南园小区")
    for n in range(5):
        member = factories.member(world.branch_a, f"党员{n}", residence=world.community)
        community.registration(member, world.community)
        building = factories.cell(f"{n + 3}号楼", Cell.Kind.BUILDING, parent=estate)
        zf.zone(world.branch_a, f"{n + 3}号楼责任区", cells=[building], kind="area", lead=member.person)
        community.record(member, world.community, "1.5", served_on=today())
        requests.submit(world, description=f"楼道灯坏了{n}号", category=["repair", "environment"][n % 2])
    approved_post(world, "一车队2路党员示范岗")
    published_round(world)
    assert [_cost(resident, url) for url in urls] == small
