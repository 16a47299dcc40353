"""The three forms and the file (三表一档), each a printable A4 page: the registration form, the activity
record form of a period with each record's verification, the quarter's feedback form for the member's own
branch (the numbers of community/feedback.py) and the member's community file with all of them. Who may
print: the member, the community's workers, the member's branch; another community's worker and another
branch get 404."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from vanguard.accounts.scope import SYSTEM
from vanguard.community import services_teams
from vanguard.community.feedback import Quarter
from vanguard.org.validators import today

from . import api_factories as made
from .pages import count_queries, other_worker, register_a, sweep_pairing, sweep_team, text, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def file_of_a(world, member_a):
    """member_a's community record this quarter: a verified and a waiting record, a post held, a team, a
    pairing with a visit."""
    registration = register_a(world)
    made.record(world.member_a, world.community, "2", served_on=today(), activity="治安巡逻")
    made.record(world.member_a, world.community, "1.5", served_on=today(), verify=False, activity="读书漂流")
    made.claim(made.post(world.community), world.member_a)
    sweep_team(world)
    services_teams.pairing_visit(
        actor=SYSTEM, pairing=sweep_pairing(world), visited_on=today(), content="辅导作业"
    )
    return registration


def _pages(world, registration) -> list[str]:
    member = registration.member_id
    return [
        url("registration_print", registration.pk),
        url("activity_form", member),
        url("feedback_form", member),
        url("member_file", member),
    ]


def test_the_registration_form_prints_the_registrations_data(world, member_a, file_of_a, as_user):
    page = text(as_user(member_a).get(url("registration_print", file_of_a.pk)))
    assert "在职党员进社区登记表" in page and "王建国" in page and "维修、驾驶" in page
    assert "138****5678" in page and "13812345678" not in page
    assert "data-print" in page and "community/community.css" in page and "community/community.js" in page


def test_the_activity_record_form_lists_the_periods_records_with_verification(
    world, community_worker, file_of_a, as_user
):
    page = text(as_user(community_worker).get(url("activity_form", world.member_a.pk)))
    assert "在职党员进社区活动记实表" in page
    assert "治安巡逻" in page and "已核实" in page and "读书漂流" in page and "待核实" in page
    assert "经社区核实的服务 1 次,共 2.0 小时。" in page
    earlier = text(
        as_user(community_worker).get(
            url("activity_form", world.member_a.pk), {"start": "2020-01-01", "end": "2020-03-31"}
        )
    )
    assert "本期没有服务记录。" in earlier and "2020-01-01" in earlier


def test_a_wrong_period_is_named(world, member_a, file_of_a, as_user):
    page = text(
        as_user(member_a).get(
            url("activity_form", world.member_a.pk), {"start": "2026-09-30", "end": "2026-07-01"}
        )
    )
    assert "截止日期不能早于起始日期。" in page and "治安巡逻" in page  # the current quarter instead


def test_the_feedback_form_carries_the_quarters_numbers(world, secretary_a, file_of_a, as_user):
    quarter = Quarter.of(today())
    page = text(as_user(secretary_a).get(url("feedback_form", world.member_a.pk), {"quarter": str(quarter)}))
    assert "在职党员进社区情况反馈表" in page and f"致:一分公司党支部 · {quarter.label}" in page
    summary = page.split('id="feedback-summary"', 1)[1].split("</table>", 1)[0]
    cells = dict(re.findall(r"<th[^>]*>(.*?)</th>\s*<td>(.*?)</td>", summary, re.S))
    assert cells == {
        "姓名": "王建国",
        "所在党组织": "一分公司党支部",
        "报到社区": "南园社区",
        "季度": quarter.label,
        "经核实的服务": "1 次",
        "服务时长": "2.0 小时",  # verified service only
        "待核实的服务": "1 次",
        "在岗岗位": "1",
        "结对帮扶": "1",
        "帮扶走访": "1 次",
    }
    assert "3号楼楼栋长" in page and "代理家长队" in page and "留守儿童小明" in page
    assert "读书漂流" not in page.split('id="records"', 1)[1].split("</table>", 1)[0]
    bad = text(as_user(secretary_a).get(url("feedback_form", world.member_a.pk), {"quarter": "2026Q5"}))
    assert "请按“年份Q季度”填写季度,如 2026Q3。" in bad


def test_the_file_holds_all_of_them(world, member_a, file_of_a, as_user):
    page = text(as_user(member_a).get(url("member_file", world.member_a.pk)))
    for part in ("一、登记表", "二、活动记实表", "三、情况反馈表", "治安巡逻", "3号楼楼栋长", "留守儿童小明"):
        assert part in page
    quarters = page.split('id="quarters"', 1)[1].split("</table>", 1)[0]
    assert quarters.count("<tr>") == 1 + 4 and f"?quarter={Quarter.of(today())}" in quarters


@pytest.mark.parametrize("persona", ["member_a", "community_worker", "secretary_a"])
def test_those_in_scope_print_every_form(world, file_of_a, persona, request, as_user):
    client = as_user(request.getfixturevalue(persona))
    for address in _pages(world, file_of_a):
        assert client.get(address).status_code == 200, address


def test_others_get_404_and_strangers_a_login(world, file_of_a, secretary_b, resident, as_user):
    for user in (other_worker(world), secretary_b):
        client = as_user(user)
        for address in _pages(world, file_of_a):
            assert client.get(address).status_code == 404, address
    for address in _pages(world, file_of_a):
        response = resident.get(address)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_member_without_a_registration_has_no_forms(world, member_a, community_worker, as_user):
    assert as_user(community_worker).get(url("member_file", world.member_a.pk)).status_code == 404
    assert as_user(member_a).get(url("activity_form", world.member_a.pk)).status_code == 404


def test_the_pages_print_on_a4_without_the_sites_chrome():
    css = Path(finders.find("community/community.css")).read_text()
    assert "@page { size: A4" in css
    print_rules = css.split("@media print", 1)[1]
    assert "nav.navbar" in print_rules and ".no-print" in print_rules and "display: none" in print_rules


def test_the_printable_pages_run_a_fixed_number_of_queries(world, community_worker, file_of_a, as_user):
    client = as_user(community_worker)
    few = [count_queries(client, address) for address in _pages(world, file_of_a)]
    for i in range(6):
        made.record(world.member_a, world.community, "1", served_on=today(), verify=bool(i % 2))
    assert [count_queries(client, address) for address in _pages(world, file_of_a)] == few


def test_a_member_sees_only_their_own(world, member_a, file_of_a, as_user):
    other = made.registration(world.member_b, world.other_community)
    client = as_user(member_a)
    for address in _pages(world, other):
        assert client.get(address).status_code == 404, address
    assert client.get(url("registration_detail", other.pk)).status_code == 404
