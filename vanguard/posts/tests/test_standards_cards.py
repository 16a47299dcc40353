"""The three cards of a post standard (定标公示卡, 对标记录卡, 达标评议卡), each a print-ready A4 page, and
their place in the member's archive book (活动档案簿册)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services as assessment
from vanguard.assessment.models import Source
from vanguard.posts import services_standards as services

from . import standards_factories as factories

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"standards:{name}", args=args)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def card(page: str) -> str:
    """The card itself, without the page's buttons."""
    return page.split('id="card"')[1]


def test_the_cards_print_on_a4_without_the_sites_chrome():
    css = Path(finders.find("posts/standards/standards.css")).read_text(encoding="utf-8")
    assert "@page { size: A4" in css
    assert "@media print" in css and "nav.navbar" in css and ".no-print" in css


def test_the_set_card_shows_the_member_the_post_the_standard_its_dates_and_the_branch(
    world, secretary_a, as_user
):
    standard = factories.published(world.member_a, year=2026)
    page = text(as_user(secretary_a).get(url("card_set", standard.pk)))
    assert "posts/standards/standards.css" in page and "data-print" in page and "no-print" in page
    body = card(page)
    for expected in ("定标公示卡", "2026年度", "王建国", "一分公司党支部", factories.POST, factories.FINAL):
        assert expected in body, expected
    assert factories.TEXT not in body
    dates = body.split('id="card-dates"')[1]
    assert dates.count(f"{standard.published_at.year}年") == 3
    # A published card carries the QR code of its public page.
    assert "data:image/svg+xml" in body


def test_a_card_before_the_standard_is_set_says_so(world, member_a, as_user):
    standard = factories.proposed(world.member_a)
    body = card(text(as_user(member_a).get(url("card_set", standard.pk))))
    assert "组织尚未确定标准" in body and factories.TEXT in body and "data:image/svg+xml" not in body


def test_the_records_card_lists_the_dated_records(world, member_a, secretary_a, as_user):
    standard = factories.set_(world.member_a, year=2026)
    services.benchmark_add(
        actor=member_a, standard=standard, recorded_on=dt.date(2026, 5, 4), content="五四义务劳动"
    )
    services.benchmark_add(
        actor=secretary_a, standard=standard, recorded_on=dt.date(2026, 2, 1), content="春运连续出车"
    )
    body = card(text(as_user(member_a).get(url("card_records", standard.pk))))
    rows = body.split('id="card-records"')[1]
    assert "对标记录卡" in body and factories.FINAL in body
    assert rows.index("2026-02-01") < rows.index("2026-05-04")
    assert "春运连续出车" in rows and "五四义务劳动" in rows and "secretary_a" in rows and "member_a" in rows


def test_the_records_card_without_records_says_so(world, member_a, as_user):
    standard = factories.set_(world.member_a)
    assert "本年度还没有对标记录。" in card(text(as_user(member_a).get(url("card_records", standard.pk))))


def test_the_evaluation_card_says_when_there_is_no_round_yet(world, member_a, as_user):
    standard = factories.set_(world.member_a, year=2026)
    # A round of an ordinary assessment scheme is not the standard's evaluation.
    from vanguard.assessment.tests import factories as assessment_factories

    scheme = assessment_factories.member_scheme(world.committee)
    assessment_factories.quarter_round(scheme, world.committee, year=2026)
    body = card(text(as_user(member_a).get(url("card_evaluation", standard.pk))))
    assert "2026年度的岗位达标评议还没有进行" in body
    assert 'id="card-evaluation"' not in body


def _evaluated(world, *, close: bool = True):
    standard = factories.published(world.member_a, year=2026)
    scheme = factories.standard_scheme(world.committee)
    round_ = factories.standard_round(scheme, world.committee, year=2026)
    for source, done, liked in ((Source.SELF, 10, 9), (Source.MASSES, 8, 7), (Source.ORGANISATION, 9, 8)):
        factories.score(round_, world.member_a, "标准落实", source, done)
        factories.score(round_, world.member_a, "群众满意", source, liked)
    factories.score(round_, world.member_b, "标准落实", Source.ORGANISATION, 5)
    if close:
        round_ = assessment.round_transition(actor=SYSTEM, round_=round_, action="close")
    return standard, round_


def test_the_evaluation_card_shows_each_sources_points_and_the_total(world, member_a, as_user):
    standard, round_ = _evaluated(world)
    result = round_.results.get(member=world.member_a)
    body = card(text(as_user(member_a).get(url("card_evaluation", standard.pk))))
    assert "达标评议卡" in body and "2026年度岗位达标评议" in body
    assert "自评 20%" in body and "群众评议 30%" in body and "组织评定 50%" in body
    table = body.split('id="card-evaluation"')[1]
    done = table.split("标准落实")[1].split("</tr>")[0]
    liked = table.split("群众满意")[1].split("</tr>")[0]
    # Each source's points on the indicator's 10-point scale, in the order self, masses, organisation.
    assert [c for c in _cells(done)][:4] == ["10", "10", "8", "9"]
    assert [c for c in _cells(liked)][:4] == ["10", "9", "7", "8"]
    total = table.split('id="card-total"')[1].split("</th>")[0]
    assert f"{result.total:.2f}" in total
    # 0.2×10 + 0.3×8 + 0.5×9 = 8.9 → 53.40 of 60; 0.2×9 + 0.3×7 + 0.5×8 = 7.9 → 31.60 of 40.
    assert f"{result.total:.2f}" == "85.00"
    assert "53.40" in done and "31.60" in liked


def _cells(row: str) -> list[str]:
    return [part.split("</td>")[0].strip() for part in row.split('<td class="text-end">')[1:]]


def test_an_open_evaluation_shows_the_points_so_far_without_a_total(world, member_a, as_user):
    standard, _round = _evaluated(world, close=False)
    body = card(text(as_user(member_a).get(url("card_evaluation", standard.pk))))
    assert "评议尚未结束" in body
    total = body.split('id="card-total"')[1].split("</th>")[0]
    assert "—" in total


def test_the_secretary_reads_the_members_evaluation_card(world, secretary_a, as_user):
    standard, _round = _evaluated(world)
    body = card(text(as_user(secretary_a).get(url("card_evaluation", standard.pk))))
    assert "85.00" in body


def test_the_evaluation_card_runs_a_fixed_number_of_queries(world, member_a, as_user):
    standard, _round = _evaluated(world)
    client = as_user(member_a)
    client.get(url("card_evaluation", standard.pk))
    with CaptureQueriesContext(connection) as ctx:
        client.get(url("card_evaluation", standard.pk))
    assert len(ctx.captured_queries) <= 10


# --- the archive book ------------------------------------------------------------------------------------


def test_the_archive_book_links_the_three_cards_of_the_year(world, secretary_a, member_a, as_user):
    standard = factories.published(world.member_a, year=2026)
    for client in (as_user(secretary_a), as_user(member_a)):
        page = text(client.get(reverse("reports:archive", args=[world.member_a.pk, 2026])))
        section = page.split('id="archive-standard"')[1]
        assert "岗位标准与三卡" in page and factories.POST in section and "已公示" in section
        for name in ("card_set", "card_records", "card_evaluation"):
            assert url(name, standard.pk) in section


def test_a_year_without_a_standard_says_so_in_the_archive(world, secretary_a, as_user):
    factories.published(world.member_a, year=2026)
    page = text(as_user(secretary_a).get(reverse("reports:archive", args=[world.member_a.pk, 2025])))
    section = page.split('id="archive-standard"')[1]
    assert "本年度未提出岗位标准。" in section and "cards/set" not in section


def test_the_archive_page_runs_the_same_queries_with_or_without_a_standard(world, secretary_a, as_user):
    client = as_user(secretary_a)
    target = reverse("reports:archive", args=[world.member_a.pk, 2026])
    client.get(target)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(target).status_code == 200
        return len(ctx.captured_queries)

    without = count()
    standard = factories.set_(world.member_a, year=2026)
    services.benchmark_add(actor=SYSTEM, standard=standard, recorded_on=dt.date(2026, 1, 5), content="记录")
    assert count() == without
