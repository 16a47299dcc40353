"""A zone's public board (/p/zones/<id>/: 亮身份、亮承诺、亮标准): no login; the zone, its branch, scope,
commitment and service phone; the people in its roles with names masked; its open tasks; the responsible
member's published standard; the QR code and the buttons to the residents' form. No full mobile number of a
person and no ID number appear on it; a past year's board stays up but takes no requests."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.org.tests import factories
from vanguard.org.validators import today
from vanguard.posts.tests import standards_factories as standards
from vanguard.service_requests.tests import factories as rf
from vanguard.zones.models import Task, ZoneRole

from . import zone_factories as zf

pytestmark = pytest.mark.django_db

MOBILE = re.compile(r"1[3-9]\d{9}")


def board_url(pk: int) -> str:
    return reverse("zones_public:board", args=[pk])


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def zone(world):
    z = rf.zone(world)
    z.scope = "南园小区1号楼的环境卫生、邻里互助"
    z.commitment = "有求必应,有难必帮"
    z.save()
    person = world.member_a.person
    person.id_number = "130102198506150014"
    person.save()
    return z


def test_the_board_shows_the_zone_with_names_masked_and_the_way_in(world, zone, resident):
    supervisor = factories.person("赵监督", mobile="13911112222")
    ZoneRole.objects.create(zone=zone, kind=zf.role_kind("监督员"), person=supervisor)
    Task.objects.create(zone=zone, category=Task.Category.CIVILITY, title="楼道杂物清理")
    Task.objects.create(
        zone=zone,
        category=Task.Category.CIVILITY,
        title="已经做完的事",
        status=Task.Status.DONE,
        done_on=today(),
    )
    page = text(resident.get(board_url(zone.pk)))
    assert zone.name in page and "一分公司党支部" in page and "区域责任区" in page
    assert "南园小区1号楼的环境卫生" in page and "有求必应,有难必帮" in page
    # 亮身份: the roles, names masked, the lead first.
    assert "负责人" in page and "监督员" in page
    assert page.index("王*") < page.index("赵**")
    assert "王建国" not in page and "赵监督" not in page
    # The zone's service line in full; no person's number, no ID number.
    assert "0551-12345678" in page and 'href="tel:0551-12345678"' in page
    assert not MOBILE.search(page)
    assert "13812345678" not in page and "130102198506150014" not in page
    assert "楼道杂物清理" in page and "已经做完的事" not in page
    # The QR code, inline SVG, to the residents' form for this zone.
    intake = f"/p/requests/new/?zone={zone.pk}"
    qr = re.search(r'<figure class="zone-qr[^"]*" data-qr-target="([^"]+)">\s*<svg', page)
    assert qr is not None and qr.group(1).endswith(intake) and qr.group(1).startswith("http://testserver/")
    for label, query in (
        ("我要求助", "kind=request"),
        ("提意见/投诉", "kind=opinion"),
        ("表扬", "kind=praise"),
    ):
        assert label in page and f"{intake}&amp;{query}" in page
    assert "about=lead" in page


def test_without_a_service_phone_the_lead_s_number_is_shown_masked(world, zone, resident):
    zone.service_phone = ""
    zone.save()
    page = text(resident.get(board_url(zone.pk)))
    assert "138****5678" in page
    assert not MOBILE.search(page)


def test_the_responsible_member_s_published_standard_is_shown(world, zone, resident):
    standard = standards.published(world.member_a)
    page = text(resident.get(board_url(zone.pk)))
    assert standards.FINAL in page and standards.POST in page
    assert reverse("standards_public:detail", args=[standard.pk]) in page


def test_a_standard_not_yet_published_is_not_shown(world, zone, resident):
    standards.set_(world.member_a)
    page = text(resident.get(board_url(zone.pk)))
    assert standards.FINAL not in page and "亮标准" not in page


def test_a_past_year_s_board_stays_up_but_takes_no_requests(world, resident):
    old = zf.zone(world.branch_a, "去年的责任区", year=today().year - 1, lead=world.member_a.person)
    page = text(resident.get(board_url(old.pk)))
    assert "去年的责任区" in page and "不再受理诉求" in page
    assert "<svg" not in page and "/p/requests/new/" not in page


def test_an_unknown_zone_is_404_and_the_board_only_reads(zone, resident):
    assert resident.get(board_url(999999)).status_code == 404
    assert resident.post(board_url(zone.pk)).status_code == 405


def test_the_board_of_a_group_s_zone_names_its_branch(world, resident):
    z = zf.zone(world.group_a, "第一党小组责任区", lead=world.member_a.person)
    assert "一分公司党支部 · 第一党小组" in text(resident.get(board_url(z.pk)))


def test_the_board_costs_a_few_queries_whatever_the_number_of_roles(world, zone, resident):
    for n in range(5):
        person = factories.person(f"志愿者{n}")
        ZoneRole.objects.create(zone=zone, kind=zf.role_kind("青年志愿者代表"), person=person)
        Task.objects.create(zone=zone, category=Task.Category.CIVILITY, title=f"任务{n}")
    with CaptureQueriesContext(connection) as queries:
        text(resident.get(board_url(zone.pk)))
    assert len(queries) <= 8, [q["sql"] for q in queries]
