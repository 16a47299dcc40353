"""The schemes' pages: the list, one scheme with its indicator tree, weights and versions, and the office's
edits, which go to a new version once a round has started with the current one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.assessment.models import Indicator, Scheme, SchemeVersion
from vanguard.audit.models import AuditRecord

from . import factories
from .pages import scored_round, text, url
from .sweep import sweep_indicator, sweep_scheme


@pytest.fixture
def scheme(world):
    return factories.member_scheme(world.committee)


def _indicator_data(**changes) -> dict:
    return {
        "parent": "",
        "name": "廉洁自律",
        "description": "遵守廉洁纪律",
        "order": "5",
        "weight": "10",
        "max_points": "10",
        "kind": "manual",
        "metric": "",
        "formula": "",
        "parameter": "",
        **changes,
    }


# --- reading --------------------------------------------------------------------------------------------


def test_the_office_lists_the_schemes_and_opens_one(world, office, scheme, as_user):
    client = as_user(office)
    listing = text(client.get(url("scheme_list")))
    assert "党员责任区季度考核" in listing and "v1" in listing and url("scheme_create") in listing
    page = text(client.get(url("scheme_detail", scheme.pk)))
    # The tree with each indicator's weight, share of 100, maximum and kind; derived ones with their rule.
    for name in ("思想政治", "工作实绩", "责任区工作", "月度汇报", "联系群众"):
        assert name in page
    assert "依据“月度汇报提交”,按应完成数的比例" in page and "分类指标" in page
    assert 'class="indent-1"' in page
    # The source weights, each as a share of their sum; a source weighted 0 does not take part.
    assert "60.0%" in page and "不参加" in page
    assert url("indicator_add", scheme.pk) in page and url("scheme_weights", scheme.pk) in page


def test_a_secretary_reads_the_committees_scheme_without_editing_it(world, secretary_a, scheme, as_user):
    client = as_user(secretary_a)
    assert "党员责任区季度考核" in text(client.get(url("scheme_list")))
    page = text(client.get(url("scheme_detail", scheme.pk)))
    assert "思想政治" in page and url("indicator_add", scheme.pk) not in page
    indicator = scheme.versions.get().indicators.first()
    for target in (
        url("scheme_edit", scheme.pk),
        url("scheme_weights", scheme.pk),
        url("indicator_add", scheme.pk),
        url("indicator_edit", indicator.pk),
    ):
        assert client.get(target).status_code == 403, target
    assert client.post(url("indicator_remove", indicator.pk)).status_code == 403
    assert client.get(url("scheme_create")).status_code == 403
    assert Indicator.objects.filter(pk=indicator.pk).exists()


def test_another_branchs_secretary_gets_404_for_branch_a_s_scheme(world, secretary_b, as_user):
    scheme, indicator = sweep_scheme(world), sweep_indicator(world)
    client = as_user(secretary_b)
    for target in (
        url("scheme_detail", scheme.pk),
        url("scheme_edit", scheme.pk),
        url("scheme_weights", scheme.pk),
        url("indicator_add", scheme.pk),
        url("indicator_edit", indicator.pk),
    ):
        assert client.get(target).status_code == 404, target
    assert client.post(url("indicator_remove", indicator.pk)).status_code == 404


def test_a_member_has_no_scheme_pages(world, member_a, scheme, as_user):
    client = as_user(member_a)
    assert client.get(url("scheme_list")).status_code == 403
    assert client.get(url("scheme_detail", scheme.pk)).status_code == 404


def test_the_scheme_pages_need_a_login(world, scheme, resident):
    for target in (url("scheme_list"), url("scheme_detail", scheme.pk), url("scheme_create")):
        response = resident.get(target)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- a new scheme ---------------------------------------------------------------------------------------


def test_the_office_creates_a_star_scheme_for_model_posts(world, office, as_user):
    data = {
        "organisation": world.committee.pk,
        "name": "示范岗月度星级评定",
        "target_kind": "member",
        "period": "month",
        "purpose": "star",
        "weight_organisation": "100",
    }
    page = text(as_user(office).post(url("scheme_create"), data))
    assert "“示范岗星级评定”方案的考核对象须为示范岗。" in page
    assert not Scheme.objects.exists()
    as_user(office).post(url("scheme_create"), {**data, "target_kind": "post"})
    scheme = Scheme.objects.get()
    assert (scheme.purpose, scheme.target_kind) == ("star", "post")


def test_the_office_creates_a_scheme_with_its_source_weights(world, office, as_user):
    response = as_user(office).post(
        url("scheme_create"),
        {
            "organisation": world.committee.pk,
            "name": "支部季度考核",
            "target_kind": "branch",
            "period": "quarter",
            "description": "",
            "weight_self": "10",
            "weight_masses": "30",
            "weight_organisation": "60",
            "weight_supervisor": "",
        },
        follow=True,
    )
    scheme = Scheme.objects.get(name="支部季度考核")
    assert response.redirect_chain == [(url("scheme_detail", scheme.pk), 302)]
    assert "已建立考核方案“支部季度考核”,请添加考核指标。" in text(response)
    version = scheme.versions.get()
    assert (version.weight_self, version.weight_masses, version.weight_organisation) == (10, 30, 60)
    assert version.weight_supervisor == 0
    assert AuditRecord.objects.filter(object_type="assessment.scheme", action="create").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "请填写方案名称。"),
        ({"name": "党员责任区季度考核"}, "公交公司党委已有名为“党员责任区季度考核”的考核方案。"),
        ({"weight_organisation": "0"}, "至少一个评分来源的权重须大于0。"),
        ({"weight_masses": "120"}, "确保该值小于或等于100。"),
        ({"weight_masses": "很多"}, "请填写数字。"),
        ({"organisation": str(10**6)}, "所选党组织不存在或不在您的管理范围内。"),
    ],
)
def test_a_new_scheme_with_bad_input_is_refused(world, office, scheme, as_user, changes, message):
    data = {
        "organisation": world.committee.pk,
        "name": "新方案",
        "target_kind": "member",
        "period": "quarter",
        "weight_organisation": "100",
        **changes,
    }
    page = text(as_user(office).post(url("scheme_create"), data))
    assert message in page
    assert Scheme.objects.count() == 1


def test_a_scheme_belongs_to_a_committee_or_branch_not_a_group(world, office, as_user):
    page = text(as_user(office).get(url("scheme_create")))
    assert "公交公司党委" in page and "第一党小组" not in page


# --- editing --------------------------------------------------------------------------------------------


def test_editing_an_unused_version_changes_it_in_place(world, office, scheme, as_user):
    client = as_user(office)
    response = client.post(url("indicator_add", scheme.pk), _indicator_data(), follow=True)
    assert "已添加指标“廉洁自律”。" in text(response) and "生成了版本" not in text(response)
    assert scheme.versions.count() == 1
    added = Indicator.objects.get(name="廉洁自律")
    assert added.version.number == 1 and added.share > 0


def test_an_edit_of_a_version_in_use_makes_the_next_version(world, office, as_user):
    scored = scored_round(world, close=False)
    client = as_user(office)
    page = text(client.get(url("indicator_add", scored.scheme.pk)))
    assert "版本 v1 已被考核轮次使用,保存后将生成版本 v2" in page
    response = client.post(url("indicator_add", scored.scheme.pk), _indicator_data(), follow=True)
    page = text(response)
    assert "版本1已被考核轮次使用,本次修改生成了版本2" in page and "v2" in page
    v1, v2 = scored.scheme.versions.order_by("number")
    assert (
        not v1.indicators.filter(name="廉洁自律").exists() and v2.indicators.filter(name="廉洁自律").exists()
    )
    scored.round.refresh_from_db()
    assert scored.round.version == v1
    # The history lists both versions, and the old one with the round that used it.
    assert "2026年第3季度" in page
    old = text(client.get(url("scheme_detail", scored.scheme.pk), {"version": 1}))
    assert (
        "您正在查看历史版本 v1" in old
        and "廉洁自律" not in old
        and url("indicator_add", scored.scheme.pk) not in old
    )
    # A further edit goes into v2 itself, which no round has used yet.
    client.post(url("scheme_weights", scored.scheme.pk), {"weight_organisation": "80", "weight_self": "20"})
    assert scored.scheme.versions.count() == 2
    v2.refresh_from_db()
    assert (v2.weight_organisation, v2.weight_self, v2.weight_masses) == (80, 20, 0)


def test_editing_an_indicator_and_its_errors(world, office, scheme, as_user):
    client = as_user(office)
    indicator = Indicator.objects.get(version__scheme=scheme, name="思想政治")
    page = text(client.get(url("indicator_edit", indicator.pk)))
    assert 'value="思想政治"' in page and 'name="parent"' not in page
    page = text(
        client.post(url("indicator_edit", indicator.pk), _indicator_data(name="思想建设", kind="derived"))
    )
    assert "系统计算的指标须选择计算依据。" in page and "系统计算的指标须选择计算公式。" in page
    page = text(
        client.post(
            url("indicator_edit", indicator.pk),
            _indicator_data(name="思想建设", kind="derived", metric="tasks_done", formula="capped"),
        )
    )
    assert "计数公式须填写满分次数N(大于0)。" in page
    indicator.refresh_from_db()
    assert (indicator.name, indicator.kind) == ("思想政治", "manual")
    client.post(
        url("indicator_edit", indicator.pk),
        _indicator_data(
            name="思想建设", kind="derived", metric="tasks_done", formula="capped", parameter="4"
        ),
    )
    indicator.refresh_from_db()
    assert (indicator.name, indicator.kind, indicator.parameter) == ("思想建设", "derived", 4)
    assert "满4次得满分" in text(client.get(url("scheme_detail", scheme.pk)))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "请填写指标名称。"),
        ({"weight": ""}, "请填写权重。"),
        ({"weight": "0"}, "确保该值大于或等于0.01。"),
        ({"max_points": "0"}, "确保该值大于或等于0.01。"),
        ({"kind": "derived", "metric": "contacts_talked", "formula": "ratio"}, None),
    ],
)
def test_a_new_indicator_with_bad_input_is_refused(world, office, as_user, changes, message):
    zone_scheme = factories.member_scheme(world.committee, name="责任区考核")
    zone_scheme.target_kind = "zone"
    zone_scheme.save()
    page = text(as_user(office).post(url("indicator_add", zone_scheme.pk), _indicator_data(**changes)))
    assert (message or "“联系群众谈心走访”不适用于考核对象“责任区”。") in page
    assert not Indicator.objects.filter(name="廉洁自律").exists()


def test_a_new_indicator_hangs_under_its_category(world, office, scheme, as_user):
    work = Indicator.objects.get(version__scheme=scheme, name="工作实绩")
    as_user(office).post(url("indicator_add", scheme.pk), _indicator_data(parent=str(work.key), weight="2"))
    added = Indicator.objects.get(name="廉洁自律")
    assert added.parent == work and added.share == 20  # 40 × 2 / (1 + 1 + 2)


def test_removing_an_indicator(world, office, scheme, as_user):
    indicator = Indicator.objects.get(version__scheme=scheme, name="联系群众")
    response = as_user(office).post(url("indicator_remove", indicator.pk), follow=True)
    assert "已删除指标“联系群众”及其下级指标。" in text(response)
    assert not Indicator.objects.filter(pk=indicator.pk).exists()
    assert as_user(office).get(url("indicator_remove", indicator.pk)).status_code == 405


def test_an_old_versions_indicator_is_not_edited(world, office, as_user):
    scored = scored_round(world, close=False)
    client = as_user(office)
    client.post(url("indicator_add", scored.scheme.pk), _indicator_data())
    old = SchemeVersion.objects.get(scheme=scored.scheme, number=1).indicators.get(name="思想政治")
    assert client.get(url("indicator_edit", old.pk)).status_code == 403
    assert client.post(url("indicator_remove", old.pk)).status_code == 403


def test_renaming_a_scheme(world, office, scheme, as_user):
    client = as_user(office)
    response = client.post(
        url("scheme_edit", scheme.pk), {"name": "党员季度考核", "description": "按季度"}, follow=True
    )
    assert "已保存考核方案。" in text(response)
    scheme.refresh_from_db()
    assert (scheme.name, scheme.description) == ("党员季度考核", "按季度")
    assert "请填写方案名称。" in text(client.post(url("scheme_edit", scheme.pk), {"name": ""}))


def test_weights_that_add_up_to_nothing_are_refused(world, office, scheme, as_user):
    page = text(as_user(office).post(url("scheme_weights", scheme.pk), {"weight_organisation": "0"}))
    assert "至少一个评分来源的权重须大于0。" in page
    assert scheme.versions.get().weight_organisation == 60


def test_the_scheme_list_runs_the_same_queries_for_few_and_many_schemes(world, office, scheme, as_user):
    client = as_user(office)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("scheme_list")).status_code == 200
        return len(ctx.captured_queries)

    count()
    few = count()
    for i in range(4):
        factories.member_scheme(world.committee, name=f"方案{i}")
    assert count() == few
