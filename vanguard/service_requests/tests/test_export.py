"""The list's xlsx export: the rows of the user's scope with the list's tab and filters, the resident masked,
overdue marked, and an audit record of who exported what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from vanguard.audit.models import AuditRecord
from vanguard.service_requests import services
from vanguard.service_requests.models import Kind

from . import factories as rf
from .test_pages import queued, request_b, url

pytestmark = pytest.mark.django_db

HEADER = [
    "查询码",
    "类型",
    "类别",
    "紧急程度",
    "位置",
    "社区",
    "责任党组织",
    "承办党员",
    "状态",
    "提交时间",
    "办理时限",
    "是否超期",
    "受理时间",
    "办结时间",
    "满意度",
    "督办",
    "居民称呼",
    "联系电话",
]


def _rows(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert "attachment" in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    header, *data = book.get_sheet_by_index(0).to_python()
    assert header == HEADER
    return [dict(zip(header, row, strict=True)) for row in data]


def test_the_export_holds_only_the_secretarys_requests_with_the_phone_masked(world, secretary_a, as_user):
    mine = rf.submit(world)
    other = request_b(world)
    rows = _rows(as_user(secretary_a).get(url("export")))
    assert [row["查询码"] for row in rows] == [mine.tracking_code]
    row = rows[0]
    assert row["联系电话"] == "136****1111" and row["居民称呼"] == "张**"
    assert (row["类型"], row["类别"], row["紧急程度"]) == ("求助", "疏通下水道", "水电气暖")
    assert (row["位置"], row["社区"], row["责任党组织"], row["承办党员"]) == (
        "1号楼",
        "南园社区",
        "一分公司党支部",
        "王建国",
    )
    assert (row["状态"], row["是否超期"], row["督办"]) == ("待接单", "否", "")
    assert isinstance(row["提交时间"], dt.datetime)
    for raw in (b"13600001111", other.tracking_code.encode()):
        assert raw not in b"".join(as_user(secretary_a).get(url("export")).streaming_content)

    record = AuditRecord.objects.filter(action="export").latest("pk")
    assert record.object_type == "service_requests.servicerequest"
    assert record.username == "secretary_a" and record.after["count"] == 1
    assert "群众诉求 1 件" in record.detail


def test_the_export_keeps_the_lists_tab_and_filters(world, office, member_a, as_user):
    rf.zone(world)
    drain = rf.submit(world)
    complaint = rf.submit(
        world,
        kind=Kind.COMPLAINT,
        description="责任区门口乱停车",
        subject=services.Subject(zone=rf.zone(world)),
    )
    other = request_b(world)
    client = as_user(office)
    assert {r["查询码"] for r in _rows(client.get(url("export")))} == {
        drain.tracking_code,
        complaint.tracking_code,
        other.tracking_code,
    }
    rows = _rows(client.get(url("export"), {"kind": "complaint"}))
    assert [r["查询码"] for r in rows] == [complaint.tracking_code]
    assert "类型=投诉" in AuditRecord.objects.filter(action="export").latest("pk").detail
    _rows(client.get(url("export"), {"overdue": "on", "community": world.community.pk}))
    detail = AuditRecord.objects.filter(action="export").latest("pk").detail
    assert "只看已超期" in detail and "社区=南园社区" in detail and "False" not in detail
    rows = _rows(client.get(url("export"), {"organisation": world.branch_b.pk}))
    assert [r["查询码"] for r in rows] == [other.tracking_code]
    # The member's tab: what they handle (the complaint is the branch's to answer).
    rows = _rows(as_user(member_a).get(url("export"), {"view": "mine"}))
    assert [r["查询码"] for r in rows] == [drain.tracking_code]


def test_the_export_marks_overdue_and_escalated_requests_first(world, secretary_a, as_user):
    with time_machine.travel(timezone.now() - dt.timedelta(hours=30)):
        late = rf.submit(world)  # 24 hours: six hours late, escalated to the secretary
    fresh = rf.submit(world, category="moving", description="周末搬家需要帮手")
    services.sweep()
    rows = _rows(as_user(secretary_a).get(url("export")))
    assert [r["查询码"] for r in rows] == [late.tracking_code, fresh.tracking_code]
    assert (rows[0]["是否超期"], rows[0]["督办"]) == ("是", "已提请支部书记督办")
    assert rows[1]["是否超期"] == "否"


def test_a_community_worker_exports_their_communitys_queue(world, community_worker, as_user):
    waiting = queued(world)
    request_b(world)
    rows = _rows(as_user(community_worker).get(url("export"), {"view": "queue"}))
    assert [r["查询码"] for r in rows] == [waiting.tracking_code]
    assert rows[0]["承办党员"] == "" and rows[0]["状态"] == "待派单"


def test_the_exports_queries_do_not_grow_with_its_rows(world, secretary_a, as_user):
    client = as_user(secretary_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("export"))
            b"".join(response.streaming_content)
        return len(captured.captured_queries)

    for _ in range(3):
        rf.submit(world)
    few = count()
    for _ in range(12):
        rf.submit(world)
    assert count() == few
