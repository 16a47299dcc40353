"""A member's home, on their phone: what they must do, and their own year — the months they reported, their
contacts and talks, their hours and balance, the requests they handle."""

from __future__ import annotations

import pytest

from vanguard.notifications.due import items_for

from .page import body_of, chart, figure, home, texts, todo

pytestmark = pytest.mark.django_db


def test_the_member_sees_their_own_year(filled, member_a):
    body = body_of(member_a)
    assert figure(body, "own-reports") == "已汇报 2 个月,应汇报 2 个月(本月不计)"
    months = [t for _a, t in texts(body, "class", "dash-month-name")]
    states = [t for _a, t in texts(body, "class", "dash-month-state")]
    assert list(zip(months, states, strict=True)) == [("1月", "已审阅"), ("2月", "已提交"), ("3月", "待交")]
    assert figure(body, "own-talks") == "联系对象 1 人,今年谈心走访 2 次"
    assert "张大爷" in body and "本月已联系" in body
    assert chart(body, "chart-own-talks")["series"][0]["data"] == [1, 0, 1]
    assert figure(body, "own-hours") == "今年已核实 5 小时,待核实 1.5 小时"
    assert figure(body, "own-balance") == "时间银行余额 5 小时"
    assert chart(body, "chart-own-hours")["series"][0]["data"] == [0.0, 2.0, 3.0]
    assert figure(body, "own-requests") == (
        "在办 2 超期 1 响应率 50.0%(n=2) 按期办结率 50.0%(n=2) 满意率 100.0%(n=1)"
    )
    assert chart(body, "chart-own-statuses")["series"][0]["data"] == [0, 2, 0, 0, 0]


def test_a_month_without_a_report_links_to_the_form(filled, member_a):
    body = body_of(member_a)
    assert 'href="/reports/new/?month=2026-03"' in body


def test_the_to_do_cards_come_danger_first_and_link_where_the_work_is_done(filled, member_a):
    body = body_of(member_a)
    shown = todo(body)
    items = items_for(member_a)
    assert [kind for kind, _t in shown] == [i.kind for i in items]
    assert shown[0] == ("requests_overdue_mine", "1 我承办的已超期群众诉求")
    severities = [i.severity for i in items]
    assert severities == sorted(severities, key=["danger", "warning", "info"].index)
    for item in items:
        assert f'href="{item.url.replace("&", "&amp;")}"' in body


def test_the_member_has_only_their_own_section(filled, member_a):
    body = body_of(member_a)
    assert 'id="dash-own"' in body
    assert 'id="dash-organisation"' not in body and 'id="dash-cell"' not in body


@pytest.mark.parametrize("param", ["organisation", "cell"])
def test_a_member_asking_for_a_tree_node_gets_404(filled, member_a, param):
    node = filled.world.branch_a if param == "organisation" else filled.world.community
    assert home(member_a, f"?{param}={node.pk}").status_code == 404


def test_a_member_with_nothing_yet_sees_empty_charts_said_in_words(world, member_a):
    body = body_of(member_a)
    assert figure(body, "own-reports") == "已汇报 0 个月,应汇报 2 个月(本月不计)"
    assert "今年还没有谈心走访记录。" in body
    assert "今年还没有已核实的服务时长。" in body
    assert figure(body, "own-balance") == "时间银行余额 尚未开户"
    assert 'data-chart="chart-own-talks-data"' not in body


def test_the_phone_page_loads_the_vendored_charts_and_no_inline_script(filled, member_a):
    body = body_of(member_a)
    assert '<script src="/static/vendor/echarts-5.6.0/echarts.min.js"></script>' in body
    assert '<script src="/static/dashboard/dashboard.js"></script>' in body
    import re

    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", body)
    assert scripts and all('type="application/json"' in attrs for attrs in scripts)
