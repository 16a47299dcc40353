"""A small world with a figure in every chart, on Monday 16 March 2026, 10:00 Beijing time (the test
world of vanguard/conftest.py, filled in). Every number the dashboard tests expect is worked out here.

Coverage (2026): branch A answers for the bus company (一车队, and 二车队's 1路 and 2路, which group A
answers for) and for 南园社区 (南园小区's 1号楼 and 2号楼); branch B for 新风社区 (新风1号楼). Covered:
一车队 and 南园1号楼 by branch A's zones (led by 王建国), 1路 by group A's (led by 钱师傅). So
    committee 3 / 6 = 50%; branch A 3 / 5 = 60%; group A 1 / 2 = 50%; branch B 0 / 1 = 0%;
    南园社区 (the grid) 1 / 2 = 50%, and its 南园小区 the same.

Members: 王建国 (branch A), 钱师傅 (group A), 赵新 (branch A, joined 10 January 2026), 李红梅 (branch B).
Reports (the chart's months: September 2025 to February 2026):
    February — 王建国 submitted, 钱师傅 returned: branch A 2 / 3 = 66.7%, group A 1 / 1,
        committee 2 / 4 = 50%;
    January — 王建国 reviewed: branch A 1 / 3 = 33.3%, committee 1 / 4 = 25%;
    September to December — nobody: branch A 0 / 2, committee 0 / 3.

Scores: the committee's 2025 Q4 member round, closed: 王建国 85, 钱师傅 72.5, 赵新 91, 李红梅 60.

Service hours (verified, by month served): 王建国 at 南园社区 2 in February and 3 in March (1.5 more reported
and not verified); 李红梅 at 新风社区 4 in January. In-service members confirmed at 南园社区: 王建国 on 15
January 2026, 钱师傅 on 2 March 2026; 李红梅 at 新风社区 (outside the worker's grid).

Requests for help (routed to branch A's zone over 南园1号楼 and handled by 王建国, or waiting in 南园社区's
queue):
    #1 received 10 February, accepted in time, resolved in time, rated 5, closed;
    #2 received 1 March, never accepted: past its response time and its deadline (overdue);
    #3 received today 9:00, assigned to 王建国;
    #4 received today 9:30 at 南园小区 with no zone: waiting in 南园社区's queue.
    Rates (the six months to today): response 1 / 2 = 50%, resolution 1 / 2 = 50%, satisfaction 1 / 1 = 100%.

王建国's own year: reports for January (reviewed) and February (submitted), March due; one contact, 张大爷,
talked with on 20 January and 3 March; 5 hours verified (2 in February, 3 in March), 1.5 waiting; a
time-bank balance of 5 hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from vanguard.assessment.models import Result, Round
from vanguard.assessment.tests import factories as assessment
from vanguard.community.tests import api_factories as community
from vanguard.org.models import Cell, Member
from vanguard.org.tests import factories as org
from vanguard.reports.models import MonthlyReport
from vanguard.reports.tests import factories as reports
from vanguard.service_requests import services as request_services
from vanguard.service_requests.models import ServiceRequest, Status
from vanguard.zones.tests import zone_factories as zones

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.datetime(2026, 3, 16, 10, 0, tzinfo=SHANGHAI)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class Filled:
    world: object
    fleet: Cell
    line_1: Cell
    line_2: Cell
    estate: Cell
    building_1: Cell
    building_2: Cell
    other_building: Cell
    driver: Member  # 钱师傅, group A
    newcomer: Member  # 赵新, branch A since January
    round: Round
    requests: list[ServiceRequest]


def _request(world, time_machine, when: dt.datetime, **subject) -> ServiceRequest:
    time_machine.move_to(when, tick=False)
    req = request_services.submit(
        category="drain",
        description="厨房下水道堵了",
        name="张阿姨",
        phone="13600001111",
        consent=True,
        subject=request_services.Subject(**subject),
    )
    time_machine.move_to(TODAY, tick=False)
    return req


def fill(world, time_machine) -> Filled:
    w = world
    time_machine.move_to(TODAY, tick=False)
    # --- the grid and the zones ---
    fleet = org.cell("二车队", Cell.Kind.DEPARTMENT, parent=w.company)
    line_1 = org.cell("1路", Cell.Kind.LINE, parent=fleet)
    line_2 = org.cell("2路", Cell.Kind.LINE, parent=fleet)
    estate = org.cell("南园小区", Cell.Kind.ESTATE, parent=w.community)
    building_1 = org.cell("1号楼", Cell.Kind.BUILDING, parent=estate)
    building_2 = org.cell("2号楼", Cell.Kind.BUILDING, parent=estate)
    other_building = org.cell("新风1号楼", Cell.Kind.BUILDING, parent=w.other_community)
    zones.responsibility(w.branch_a, w.company)
    zones.responsibility(w.branch_a, w.community)
    zones.responsibility(w.group_a, fleet)
    zones.responsibility(w.branch_b, w.other_community)
    driver = org.member(w.group_a, "钱师傅", workplace=line_1, residence=building_1)
    newcomer = org.member(w.branch_a, "赵新", join_date=dt.date(2026, 1, 10))
    zones.zone(w.branch_a, "一车队党员责任区", cells=[w.team], lead=w.member_a.person)
    zones.zone(
        w.branch_a,
        "南园1号楼责任区",
        cells=[building_1],
        kind="area",
        lead=w.member_a.person,
        service_phone="0551-12345678",
    )
    zones.zone(w.group_a, "1路线路责任区", cells=[line_1], lead=driver.person)

    # --- monthly reports ---
    reports.report(w.member_a, dt.date(2026, 2, 1))
    reports.report(w.member_a, dt.date(2026, 1, 1), status=MonthlyReport.Status.REVIEWED)
    reports.report(driver, dt.date(2026, 2, 1), status=MonthlyReport.Status.RETURNED)

    # --- the assessment ---
    scheme = assessment.member_scheme(w.committee)
    round_ = assessment.quarter_round(scheme, w.committee, year=2025, quarter=4)
    totals = {w.member_a.pk: "85", driver.pk: "72.5", newcomer.pk: "91", w.member_b.pk: "60"}
    for member_id, total in totals.items():
        Result.objects.filter(round=round_, member_id=member_id).update(total=Decimal(total))
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.CLOSED, closed_at=timezone.now())

    # --- registrations and service hours ---
    time_machine.move_to(at(2026, 1, 15), tick=False)
    community.registration(w.member_a, w.community)
    community.registration(w.member_b, w.other_community)
    time_machine.move_to(at(2026, 3, 2), tick=False)
    community.registration(driver, w.community)
    time_machine.move_to(TODAY, tick=False)
    community.record(w.member_a, w.community, "2", served_on=dt.date(2026, 2, 10))
    community.record(w.member_a, w.community, "3", served_on=dt.date(2026, 3, 5))
    community.record(w.member_a, w.community, "1.5", served_on=dt.date(2026, 3, 10), verify=False)
    community.record(w.member_b, w.other_community, "4", served_on=dt.date(2026, 1, 20))

    # --- the member's contact ---
    elder = org.person("张大爷", residence=building_1)
    contact = reports.contact(w.member_a, elder, year=2026, assigned_on=dt.date(2026, 1, 5))
    reports.talk(contact, dt.date(2026, 1, 20))
    reports.talk(contact, dt.date(2026, 3, 3))

    # --- residents' requests ---
    board = {"zone": zones.Zone.objects.get(name="南园1号楼责任区"), "cell": building_1}
    first = _request(w, time_machine, at(2026, 2, 10), **board)
    ServiceRequest.objects.filter(pk=first.pk).update(
        status=Status.CLOSED,
        accepted_at=at(2026, 2, 10, 10, 30),
        resolved_at=at(2026, 2, 10, 16),
        closed_at=at(2026, 2, 11),
        rating=5,
    )
    second = _request(w, time_machine, at(2026, 3, 1), **board)
    third = _request(w, time_machine, at(2026, 3, 16, 9), **board)
    fourth = _request(w, time_machine, at(2026, 3, 16, 9, 30), cell=estate, community=w.community)
    return Filled(
        world=w,
        fleet=fleet,
        line_1=line_1,
        line_2=line_2,
        estate=estate,
        building_1=building_1,
        building_2=building_2,
        other_building=other_building,
        driver=driver,
        newcomer=newcomer,
        round=round_,
        requests=[first, second, third, fourth],
    )
