"""A community worker's home: the in-service members registered, the hours verified, the requests by status
and the queue, the coverage of the community's cells — drillable down the grid."""

from __future__ import annotations

import pytest

from vanguard.community.tests.api_factories import worker_of

from .page import body_of, chart, chart_table, children, figure, home

pytestmark = pytest.mark.django_db


def test_the_worker_sees_their_community(filled, community_worker):
    body = body_of(community_worker)
    assert figure(body, "registered") == "2"
    registrations = chart(body, "chart-grid-registrations")
    assert registrations["series"][0]["data"] == [0, 0, 0, 1, 0, 1]
    assert registrations["series"][1]["data"] == [0, 0, 0, 1, 1, 2]
    assert chart_table(body, "chart-grid-registrations")[4] == "2026年1月 | 1 | 1"
    assert chart(body, "chart-grid-hours")["series"][0]["data"] == [0.0, 0.0, 0.0, 0.0, 2.0, 3.0]
    assert figure(body, "coverage") == "50%"
    assert "已覆盖 1 / 2 个楼栋和公共区域" in body
    assert figure(body, "requests") == "在办 3 件,其中已超期 1 件"
    assert chart(body, "chart-grid-statuses")["series"][0]["data"] == [1, 2, 0, 0, 0]
    assert chart(body, "chart-grid-rates")["series"][0]["data"] == [50.0, 50.0, 100.0]
    # Below a community the children hold no registrations: no column of zeros.
    assert children(body) == {str(filled.estate.pk): "南园小区 小区 50%"}
    assert "报到党员" not in body


def test_the_queue_lists_what_waits_for_dispatch(filled, community_worker):
    queued = filled.requests[3]
    body = body_of(community_worker)
    queue = body.split('id="dash-queue"', 1)[1].split("</ul>", 1)[0]
    assert f'href="/requests/{queued.pk}/"' in queue
    assert f"疏通下水道 · {queued.tracking_code}" in queue
    assert "南园小区" in queue
    assert "张阿姨" not in body and "13600001111" not in body
    for handled in filled.requests[:3]:
        assert handled.tracking_code not in queue


def test_the_worker_drills_down_to_the_estate(filled, community_worker):
    body = body_of(community_worker, f"?cell={filled.estate.pk}")
    assert figure(body, "coverage") == "50%"
    # The requests about a place in the estate (all four: on 1号楼's board, or at the estate).
    assert figure(body, "requests") == "在办 3 件,其中已超期 1 件"
    assert filled.requests[3].tracking_code in body.split('id="dash-queue"', 1)[1]
    # Registrations and hours are a community's: the estate sends the worker back up for them.
    assert 'id="dash-per-community"' in body
    assert 'data-figure="registered"' not in body
    crumbs = body.split('aria-label="所在层级"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/#dash-cell">南园社区</a>' in crumbs
    assert children(body) == {
        str(filled.building_1.pk): "1号楼 楼栋 100%",
        str(filled.building_2.pk): "2号楼 楼栋 0%",
    }


def test_a_street_worker_sees_each_community_with_its_members(filled):
    w = filled.world
    body = body_of(worker_of(w.street, "street_worker"))
    assert figure(body, "registered") == "3"
    assert children(body) == {
        str(w.community.pk): "南园社区 社区 2 50%",
        str(w.other_community.pk): "新风社区 社区 1 0%",
    }
    assert chart(body, "chart-grid-hours")["series"][0]["data"] == [0.0, 0.0, 0.0, 4.0, 2.0, 3.0]


@pytest.mark.parametrize("target", ["other_community", "street"])
def test_a_worker_gets_404_for_a_cell_outside_their_community(filled, community_worker, target):
    cell = getattr(filled.world, target)
    assert home(community_worker, f"?cell={cell.pk}").status_code == 404


def test_a_worker_asking_for_an_organisation_gets_404(filled, community_worker):
    assert home(community_worker, f"?organisation={filled.world.branch_a.pk}").status_code == 404


def test_the_worker_has_no_organisation_section(filled, community_worker):
    body = body_of(community_worker)
    assert 'id="dash-organisation"' not in body
    assert 'id="dash-own"' not in body
