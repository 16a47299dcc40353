"""A branch secretary's journey, at a desk: signs in with the second factor, divides a zone — a new work zone
of the branch over two bus lines, with a member as its 负责人 — sees the lines covered on the coverage page,
then reviews a member's monthly report from the queue and returns it with a comment saying what is missing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from vanguard.reports.models import MonthlyReport
from vanguard.reports.tests import factories as report_factories
from vanguard.zones.models import Zone, ZoneRole
from vanguard.zones.tests import zone_factories as zf

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_secretary_divides_a_zone_sees_the_coverage_and_reviews_a_report(
    live_server, page, sign_in, watch_errors, world, secretary_a, member_a
):
    # The branch answers for the bus company's grid (its group for 南园小区): six teams, lines and buildings
    # to cover, none covered yet. The role kinds come from a data migration a browser test's flushed
    # database no longer has.
    grid = zf.build_grid(world)
    zf.role_kind("负责人")
    zf.role_kind("业务带头人")
    month = timezone.localdate().replace(day=1)
    report = report_factories.report(
        world.member_a, month, work_done="本月在1路沿线检查站牌,组织班组学习。", ideas="建议增开夜班车。"
    )
    year = timezone.localdate().year

    errors = watch_errors(page)
    sign_in(page, secretary_a, "/zones/")

    # 责任区 → 新建责任区: first the branch the zone belongs to (the secretary holds the branch and its
    # group).
    page.get_by_role("link", name="新建责任区").click()
    page.wait_for_url("**/zones/new/")
    page.select_option("#id_organisation", label=world.branch_a.name)
    page.get_by_role("button", name="下一步").click()
    page.wait_for_url(f"**/zones/new/?organisation={world.branch_a.pk}")
    assert page.get_by_text(f"所属党组织:{world.branch_a.name}").is_visible()
    page.fill("#id_name", "二车队1路2路党员责任区")
    page.select_option("#id_kind", "work")
    assert page.locator("#id_year").input_value() == str(year)
    page.fill("#id_scope", "1路、2路全线站点和车辆")
    page.fill("#id_commitment", "亮身份、作表率,群众有事找党员。")
    page.fill("#id_service_phone", "0571-88880001")
    # Only the cells of the branch's grid are offered, by their full path; the group's buildings are not.
    cells = page.locator("#id_cells")
    offered = cells.locator("option").all_inner_texts()
    assert "公交公司/二车队/1路" in offered and "公交公司/一车队" in offered
    assert not any("南园小区" in label for label in offered)
    cells.select_option(label=["公交公司/二车队/1路", "公交公司/二车队/2路"])
    page.get_by_role("button", name="保存").click()

    page.get_by_text("已保存责任区“二车队1路2路党员责任区”。").wait_for()
    zone = Zone.objects.get(name="二车队1路2路党员责任区")
    assert page.url == f"{live_server.url}/zones/{zone.pk}/"
    assert (zone.organisation, zone.year, zone.kind) == (world.branch_a, year, Zone.Kind.WORK)
    assert set(zone.cells.all()) == {grid.line_1, grid.line_2}
    assert page.get_by_text("公交公司/二车队/1路").is_visible()
    assert page.get_by_text("尚未分工。").is_visible()

    # The responsible member, from the branch's members (the role form on the zone's page).
    page.select_option("#id_kind", label="负责人")
    page.select_option("#id_person", label=f"{world.member_a.person.name}(党员)")
    page.get_by_role("button", name="添加分工").click()
    page.get_by_role("cell", name="负责人", exact=True).wait_for()
    assert page.locator("dd", has_text=world.member_a.person.name).first.is_visible()  # on the sign board
    role = ZoneRole.objects.get(zone=zone)
    assert (role.kind.name, role.person) == ("负责人", world.member_a.person)

    # The coverage page: the two lines now have a party member; the rest of the grid is still listed.
    page.get_by_role("link", name="党员覆盖情况").click()
    page.wait_for_url("**/zones/coverage/**")
    assert page.get_by_role("heading", name="党员覆盖情况").is_visible()
    assert page.get_by_text("已覆盖 2 / 6 个网格").is_visible()
    bar = page.get_by_role("progressbar", name="覆盖率")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("2", "6")
    assert page.locator("span.fw-semibold", has_text="33%").is_visible()
    uncovered = page.locator("ul.list-group").first
    assert uncovered.get_by_text("公交公司/一车队", exact=True).is_visible()
    assert uncovered.get_by_text("公交公司/二车队/1路").count() == 0
    assert uncovered.get_by_text("公交公司/二车队/2路").count() == 0

    # Then the month's reports: 月度汇报 → 待审阅 → 审阅; the report lacks the masses' opinions, so it goes
    # back.
    page.get_by_role("navigation").get_by_role("link", name="月度汇报").click()
    page.get_by_role("link", name="待审阅").click()
    page.wait_for_url("**/reports/review/")
    page.locator("#report-rows").get_by_role("link", name="审阅").click()
    page.wait_for_url(f"**/reports/{report.pk}/review/")
    assert page.get_by_text("建议增开夜班车。").is_visible()
    page.get_by_role("button", name="退回修改").click()  # a return needs a comment: refused, nothing changed
    page.get_by_text("退回汇报时须填写审阅意见,说明需要补充或修改的内容。").wait_for()
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.SUBMITTED
    page.fill("#id_comment", "请补充本月收集到的群众意见。")
    page.get_by_role("button", name="退回修改").click()
    page.wait_for_url("**/reports/review/")
    label = f"{month.year}年{month.month}月"
    page.get_by_text(f"已将{world.member_a.person.name}{label}的汇报退回修改,党员会看到您的意见。").wait_for()
    assert page.get_by_text("没有待审阅的汇报。").is_visible()
    report.refresh_from_db()
    assert (report.status, report.review_comment, report.reviewed_by) == (
        MonthlyReport.Status.RETURNED,
        "请补充本月收集到的群众意见。",
        secretary_a,
    )
    assert errors == []  # no script error and no Content-Security-Policy violation on the way
