"""Printable sign boards (标志牌) and contact cards of zones: /zones/print/<pk>/sign/ and .../cards/,
and a branch's batch /zones/print/branch/<pk>/. For those who see the zone (its branch's secretary, the
office above), 404 for another branch, the login page for the anonymous. A sign is public once posted: names
masked, the service phone and never a person's mobile, and a QR code to the zone's public board (the cards':
to the residents' form). A4 or A3, landscape or portrait, HTML or PDF."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.org.tests import factories
from vanguard.org.validators import today
from vanguard.posts.tests import standards_factories as standards
from vanguard.zones.models import Task, ZoneRole

from . import zone_factories as zf

pytestmark = pytest.mark.django_db

MOBILE = re.compile(r"1[3-9]\d{9}")
SERVICE_PHONE = "0551-12345678"


def sign_url(pk: int, **query: str) -> str:
    url = reverse("zones_print:sign", args=[pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def zone(world):
    z = zf.zone(
        world.branch_a,
        "南园1号楼责任区",
        cells=[world.community],
        kind="area",
        lead=world.member_a.person,
        service_phone=SERVICE_PHONE,
        scope="南园小区1号楼的环境卫生、邻里互助",
        commitment="有求必应,有难必帮",
    )
    supervisor = factories.person("赵监督", mobile="13911112222")
    ZoneRole.objects.create(zone=z, kind=zf.role_kind("监督员"), person=supervisor)
    Task.objects.create(zone=z, category=Task.Category.CIVILITY, title="楼道杂物清理")
    return z


def test_the_sign_shows_the_zone_with_names_masked_and_a_qr_code_to_its_board(
    world, zone, secretary_a, as_user
):
    standards.published(world.member_a)
    page = page_text(as_user(secretary_a).get(sign_url(zone.pk)))
    assert "党员责任区" in page and "南园1号楼责任区" in page
    assert "一分公司党支部" in page and "南园小区1号楼的环境卫生" in page and "有求必应,有难必帮" in page
    assert "王*" in page and "赵*" in page and "王建国" not in page and "赵监督" not in page
    assert SERVICE_PHONE in page and not MOBILE.search(page)
    assert standards.FINAL in page  # the responsible member's published standard
    assert "楼道杂物清理" in page
    board = f"http://testserver/p/zones/{zone.pk}/"
    assert f'<div class="url">{board}</div>' in page  # the address printed under the QR code
    assert re.search(rf'data-qr-target="{re.escape(board)}">\s*<svg', page)
    assert "size: A4 landscape" in page
    assert "navbar" not in page  # a sheet of paper, not a page of the site


def test_an_a3_sign_is_a3_with_larger_text_and_it_may_stand_upright(zone, secretary_a, as_user):
    client = as_user(secretary_a)
    a4 = page_text(client.get(sign_url(zone.pk)))
    a3 = page_text(client.get(sign_url(zone.pk, size="A3", orientation="portrait")))
    assert "size: A3 portrait" in a3
    assert "html { font-size: 18.4pt; }" in a3 and "html { font-size: 13.0pt; }" in a4
    assert 'class="paper-A3 portrait"' in a3


def test_a_sign_without_a_standard_or_tasks_leaves_them_out_and_counts_tasks_beyond_six(
    world, zone, secretary_a, as_user
):
    standards.proposed(world.member_a)  # not published: not on the sign
    for n in range(7):
        Task.objects.create(zone=zone, category=Task.Category.CIVILITY, title=f"第{n}项任务")
    page = page_text(as_user(secretary_a).get(sign_url(zone.pk)))
    assert "亮标准" not in page and standards.TEXT not in page
    assert "另有2项,扫码查看" in page  # eight open tasks, six shown


def test_a_zone_without_a_service_phone_shows_no_number_and_warns_the_secretary(zone, secretary_a, as_user):
    zone.service_phone = ""
    zone.save()
    page = page_text(as_user(secretary_a).get(sign_url(zone.pk)))
    assert "未设服务电话" in page and not MOBILE.search(page)
    assert 'class="phone"' not in page


def test_the_sign_is_for_those_who_see_the_zone(world, zone, office, secretary_b, member_a, nobody, as_user):
    url = sign_url(zone.pk)
    assert as_user(office).get(url).status_code == 200
    assert as_user(member_a).get(url).status_code == 200  # its responsible member, for their own zone
    assert as_user(secretary_b).get(url).status_code == 404
    assert as_user(nobody).get(url).status_code == 404
    assert as_user(secretary_b).get(sign_url(999999)).status_code == 404


def test_the_anonymous_are_sent_to_log_in(zone, resident):
    for url in (
        sign_url(zone.pk),
        reverse("zones_print:cards", args=[zone.pk]),
        reverse("zones_print:branch", args=[zone.organisation_id]),
    ):
        response = resident.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_only_get(zone, secretary_a, as_user):
    assert as_user(secretary_a).post(sign_url(zone.pk)).status_code == 405


def test_a_paper_it_does_not_know_is_refused_naming_the_field(zone, secretary_a, as_user):
    client = as_user(secretary_a)
    response = client.get(sign_url(zone.pk, size="A5"))
    assert response.status_code == 400
    assert "纸张大小:" in response.content.decode() and "A5" in response.content.decode()
    response = client.get(sign_url(zone.pk, orientation="sideways", format="doc"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "方向:" in body and "格式:" in body and "<svg" not in body


def test_the_sign_as_pdf(zone, secretary_a, as_user):
    response = as_user(secretary_a).get(sign_url(zone.pk, size="A3", format="pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "inline" in response["Content-Disposition"] and ".pdf" in response["Content-Disposition"]


# --- the contact cards -----------------------------------------------------------------------------------


def test_the_cards_are_four_tents_with_the_masked_lead_the_service_phone_and_the_form(
    zone, secretary_a, as_user
):
    page = page_text(as_user(secretary_a).get(reverse("zones_print:cards", args=[zone.pk])))
    assert page.count('class="tent"') == 4
    assert page.count("责任党员联系卡") == 8  # two faces a card
    assert "王*" in page and "王建国" not in page and not MOBILE.search(page)
    assert page.count(SERVICE_PHONE) == 8
    intake = f"http://testserver/p/requests/new/?zone={zone.pk}"
    assert intake in page and page.count("<svg") == 8
    assert "size: A4 portrait" in page


def test_a_past_years_cards_carry_no_qr_code_to_a_form_that_no_longer_takes_requests(
    world, secretary_a, as_user
):
    old = zf.zone(world.branch_a, "旧责任区", year=today().year - 1, lead=world.member_a.person)
    page = page_text(as_user(secretary_a).get(reverse("zones_print:cards", args=[old.pk])))
    assert "<svg" not in page and "不再受理诉求" in page


def test_the_cards_are_for_those_who_see_the_zone_and_come_as_pdf(zone, secretary_a, secretary_b, as_user):
    url = reverse("zones_print:cards", args=[zone.pk])
    assert as_user(secretary_b).get(url).status_code == 404
    response = as_user(secretary_a).get(url + "?format=pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


# --- a branch's signs ------------------------------------------------------------------------------------


def test_a_branch_prints_the_signs_of_its_zones_and_its_groups_one_a_page(world, zone, secretary_a, as_user):
    group_zone = zf.zone(world.group_a, "南园2号楼责任区", lead=world.member_a.person)
    other_year = zf.zone(world.branch_a, "去年的责任区", year=today().year - 1)
    other_branch = zf.zone(world.branch_b, "新风社区责任区", lead=world.member_b.person)
    page = page_text(as_user(secretary_a).get(reverse("zones_print:branch", args=[world.branch_a.pk])))
    assert page.count('class="sheet"') == 2
    assert f'id="sign-{zone.pk}"' in page and f'id="sign-{group_zone.pk}"' in page
    assert "一分公司党支部 · 第一党小组" in page  # a group's zone names its branch too
    assert other_year.name not in page and other_branch.name not in page
    assert "break-after: page" in page
    last_year = page_text(
        as_user(secretary_a).get(
            reverse("zones_print:branch", args=[world.branch_a.pk]) + f"?year={today().year - 1}"
        )
    )
    assert other_year.name in last_year and zone.name not in last_year


def test_a_branch_batch_runs_a_fixed_number_of_queries(world, zone, secretary_a, as_user):
    zf.zone(world.group_a, "南园2号楼责任区", lead=world.member_a.person)
    standards.published(world.member_a)
    client = as_user(secretary_a)
    url = reverse("zones_print:branch", args=[world.branch_a.pk])
    client.get(url)  # the session and the scope, loaded once

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page_text(client.get(url))
        return len(ctx.captured_queries)

    before = queries()
    for n in range(3):
        more = zf.zone(world.group_a, f"第{n}责任区", lead=world.member_a.person)
        Task.objects.create(zone=more, category=Task.Category.CIVILITY, title="巡查")
    assert queries() == before


def test_a_branch_batch_is_for_those_who_see_the_branch(world, zone, secretary_b, as_user):
    url = reverse("zones_print:branch", args=[world.branch_a.pk])
    assert as_user(secretary_b).get(url).status_code == 404


def test_a_committees_batch_holds_only_the_zones_the_user_sees(world, zone, secretary_a, office, as_user):
    zf.zone(world.branch_b, "新风社区责任区", lead=world.member_b.person)
    url = reverse("zones_print:branch", args=[world.committee.pk])
    assert as_user(secretary_a).get(url).status_code == 404  # the committee is above the secretary
    page = page_text(as_user(office).get(url))
    assert page.count('class="sheet"') == 2


def test_a_batch_year_out_of_range_is_refused_naming_the_field(world, secretary_a, as_user):
    client = as_user(secretary_a)
    url = reverse("zones_print:branch", args=[world.branch_a.pk])
    for bad in ("1999", str(today().year + 2), "abc"):
        response = client.get(f"{url}?year={bad}")
        assert response.status_code == 400
        assert "年度:" in response.content.decode()
