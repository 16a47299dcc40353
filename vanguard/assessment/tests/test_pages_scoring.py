"""The scoring sheet and its row save (htmx), and a member's self-assessment: who may score which source,
the messages a person sees (above the maximum, a closed round, someone else's newer score), and that only
changed cells are written."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services
from vanguard.assessment.models import Result, Score, Source
from vanguard.org.tests import factories as org_factories

from . import factories
from .pages import scored_round, text, url

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def opened(world):
    return scored_round(world, close=False)


def _leaf(round_, name):
    return factories.indicator(round_, name)


def _row_data(round_, source, values: dict, *, versions: dict | None = None, originals: dict | None = None):
    """A row's POST as the page sends it: each manual leaf's typed value, the value and version it was
    rendered with."""
    data = {"source": source}
    for leaf in (_leaf(round_, "思想政治"), _leaf(round_, "责任区工作")):
        data[f"p-{leaf.pk}"] = values.get(leaf.name, (originals or {}).get(leaf.name, ""))
        data[f"o-{leaf.pk}"] = (originals or {}).get(leaf.name, "")
        data[f"v-{leaf.pk}"] = str((versions or {}).get(leaf.name, 0))
    return data


def _hidden(page: str, name: str) -> list[str]:
    """The values of the hidden inputs called `name`, in the page's order."""
    return re.findall(rf'name="{name}"\s+value="([^"]*)"', page)


def _score(result, name, source=Source.ORGANISATION):
    return Score.objects.filter(result=result, indicator__name=name, source=source).first()


# --- the sheet ------------------------------------------------------------------------------------------


def test_the_office_sees_every_target_with_the_scores_already_entered(world, office, opened, as_user):
    page = text(as_user(office).get(url("score_sheet", opened.round.pk), {"source": "organisation"}))
    assert "王建国" in page and "李红梅" in page
    assert 'value="8"' in page and 'value="9"' in page and 'value="6"' in page
    # Each target is its own small form posting by htmx to its row, with the versions it was rendered with.
    assert f'hx-post="{url("score_row", opened.result_a.pk)}"' in page
    ideology = _leaf(opened.round, "思想政治")
    work = _leaf(opened.round, "责任区工作")
    assert _hidden(page, f"v-{ideology.pk}") == ["1", "1"] and _hidden(page, f"v-{work.pk}") == ["1", "0"]
    # The derived indicators are not on the sheet: they score themselves.
    for name in ("月度汇报", "联系群众"):
        assert f'name="p-{_leaf(opened.round, name).pk}"' not in page


def test_a_secretary_sees_only_their_branchs_targets(world, secretary_a, opened, as_user):
    page = text(as_user(secretary_a).get(url("score_sheet", opened.round.pk), {"source": "organisation"}))
    assert "王建国" in page and "李红梅" not in page


def test_the_sheet_filters_by_branch_and_name(world, office, opened, as_user):
    client = as_user(office)
    target = url("score_sheet", opened.round.pk)
    by_branch = text(client.get(target, {"source": "organisation", "branch": world.branch_b.pk}))
    assert "李红梅" in by_branch and "王建国" not in by_branch
    by_name = text(client.get(target, {"source": "organisation", "q": "wjg"}, **HX))
    assert "王建国" in by_name and "李红梅" not in by_name
    assert "<html" not in by_name


def test_the_masses_paper_forms_are_entered_on_their_own_sheet(world, secretary_a, opened, as_user):
    client = as_user(secretary_a)
    page = text(client.get(url("score_sheet", opened.round.pk), {"source": "masses"}))
    assert "纸质评议表" in page
    response = client.post(
        url("score_row", opened.result_a.pk),
        {**_row_data(opened.round, "masses", {"思想政治": "7.5"}), "evidence": "收回评议表12份"},
        **HX,
    )
    assert "已保存" in text(response)
    score = _score(opened.result_a, "思想政治", Source.MASSES)
    assert (score.points, score.evidence, score.entered_by) == (
        Decimal("7.50"),
        "收回评议表12份",
        secretary_a,
    )


def test_a_member_has_no_sheet(world, member_a, opened, as_user):
    client = as_user(member_a)
    assert client.get(url("score_sheet", opened.round.pk), {"source": "organisation"}).status_code == 403
    response = client.post(
        url("score_row", opened.result_a.pk), _row_data(opened.round, "organisation", {"思想政治": "10"})
    )
    assert response.status_code == 403
    assert _score(opened.result_a, "思想政治").points == Decimal("8.00")


def test_another_branchs_secretary_gets_404_for_a_branch_a_target(world, secretary_b, opened, as_user):
    response = as_user(secretary_b).post(
        url("score_row", opened.result_a.pk), _row_data(opened.round, "organisation", {"思想政治": "1"}), **HX
    )
    assert response.status_code == 404
    assert _score(opened.result_a, "思想政治").points == Decimal("8.00")


def test_the_sheet_of_a_round_over_branch_a_is_404_for_branch_b(world, secretary_b, as_user):
    from .sweep import sweep_round

    round_ = sweep_round(world)
    assert as_user(secretary_b).get(url("score_sheet", round_.pk)).status_code == 404


def test_the_sheet_needs_a_login(world, opened, resident):
    response = resident.get(url("score_sheet", opened.round.pk))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = resident.post(url("score_row", opened.result_a.pk), {})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_row_save_answers_only_post(world, office, opened, as_user):
    assert as_user(office).get(url("score_row", opened.result_a.pk)).status_code == 405


def test_the_sheet_runs_the_same_queries_for_5_and_25_targets(world, office, as_user):
    scored = scored_round(world, close=False)
    client = as_user(office)

    def add(n: int, start: int) -> None:
        rows = []
        for i in range(start, start + n):
            member = org_factories.member(world.branch_a, f"党员{i:03d}")
            rows.append(
                Result(
                    round=scored.round,
                    member=member,
                    unit=world.branch_a,
                    branch=world.branch_a,
                    name=member.person.name,
                )
            )
        Result.objects.bulk_create(rows)
        for result in rows:
            factories.score(scored.round, result, "思想政治", 5)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("score_sheet", scored.round.pk), {"source": "organisation"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    add(3, 0)
    count()  # the first request of a login writes its session
    few = count()
    add(20, 100)
    assert count() == few


# --- saving a row ---------------------------------------------------------------------------------------


def test_saving_a_row_writes_each_changed_cell_and_shows_the_row_again(world, office, opened, as_user):
    before = _score(opened.result_a, "思想政治")
    response = as_user(office).post(
        url("score_row", opened.result_a.pk),
        _row_data(
            opened.round,
            "organisation",
            {"思想政治": "8", "责任区工作": "9.5"},
            versions={"思想政治": 1, "责任区工作": 1},
            originals={"思想政治": "8", "责任区工作": "9"},
        ),
        **HX,
    )
    row = text(response)
    assert row.startswith("\n<form") or row.lstrip().startswith("<form")
    assert 'value="9.5"' in row and "已保存" in row
    work = _score(opened.result_a, "责任区工作")
    assert (work.points, work.version, work.entered_by) == (Decimal("9.50"), 2, office)
    # The unchanged cell was not written again.
    unchanged = _score(opened.result_a, "思想政治")
    assert (unchanged.version, unchanged.entered_at) == (before.version, before.entered_at)
    # The row now carries the new version, ready for the next save.
    assert _hidden(row, f"v-{work.indicator_id}") == ["2"]


def test_a_first_score_is_entered_with_version_0(world, secretary_a, opened, as_user):
    response = as_user(secretary_a).post(
        url("score_row", opened.result_a.pk),
        _row_data(opened.round, "masses", {"思想政治": "6", "责任区工作": "7"}),
        **HX,
    )
    assert text(response).count("已保存") == 2
    assert _score(opened.result_a, "责任区工作", Source.MASSES).points == Decimal("7.00")


def test_a_score_above_the_maximum_is_refused_in_its_cell(world, office, opened, as_user):
    response = as_user(office).post(
        url("score_row", opened.result_b.pk),
        _row_data(
            opened.round,
            "organisation",
            {"思想政治": "11", "责任区工作": "7"},
            versions={"思想政治": 1},
            originals={"思想政治": "6"},
        ),
        **HX,
    )
    row = text(response)
    assert "“思想政治”满分10分,得分不能超过满分。" in row
    # The typed value stays for correction; the other cell was saved.
    assert 'value="11"' in row and "已保存" in row
    assert _score(opened.result_b, "思想政治").points == Decimal("6.00")
    assert _score(opened.result_b, "责任区工作").points == Decimal("7.00")


def test_a_word_instead_of_a_number_is_refused(world, office, opened, as_user):
    row = text(
        as_user(office).post(
            url("score_row", opened.result_b.pk),
            _row_data(opened.round, "organisation", {"责任区工作": "优"}),
            **HX,
        )
    )
    assert "请填写数字。" in row
    assert _score(opened.result_b, "责任区工作") is None


def test_clearing_a_score_is_refused(world, office, opened, as_user):
    row = text(
        as_user(office).post(
            url("score_row", opened.result_b.pk),
            _row_data(
                opened.round,
                "organisation",
                {"思想政治": ""},
                versions={"思想政治": 1},
                originals={"思想政治": "6"},
            ),
            **HX,
        )
    )
    assert "已录入的分数不能清空" in row
    assert _score(opened.result_b, "思想政治").points == Decimal("6.00")


def test_a_stale_version_shows_who_changed_the_score_and_its_current_value(
    world, office, secretary_a, opened, as_user
):
    # The secretary's page was rendered with version 1 of 8 points; the office then changed it to 7.
    factories.score(opened.round, opened.result_a, "思想政治", 7, actor=office)
    response = as_user(secretary_a).post(
        url("score_row", opened.result_a.pk),
        _row_data(
            opened.round,
            "organisation",
            {"思想政治": "9"},
            versions={"思想政治": 1},
            originals={"思想政治": "8"},
        ),
        **HX,
    )
    row = text(response)
    assert "保存失败:office已于" in row and "把该项改为7分。请刷新页面查看最新得分后再修改。" in row
    # The row shows the value now stored and its version, so the next save is made knowingly.
    ideology = _leaf(opened.round, "思想政治")
    assert 'value="7"' in row and _hidden(row, f"v-{ideology.pk}") == ["2"]
    assert _score(opened.result_a, "思想政治").points == Decimal("7.00")


def test_a_closed_round_refuses_the_row(world, office, opened, as_user):
    services.round_transition(actor=SYSTEM, round_=opened.round, action="close")
    response = as_user(office).post(
        url("score_row", opened.result_a.pk),
        _row_data(
            opened.round,
            "organisation",
            {"思想政治": "10"},
            versions={"思想政治": 1},
            originals={"思想政治": "8"},
        ),
        **HX,
    )
    row = text(response)
    assert "本轮考核已结束,不能再评分;如需更正,请由党委办公室提交修订并说明原因。" in row
    assert _score(opened.result_a, "思想政治").points == Decimal("8.00")
    sheet = text(as_user(office).get(url("score_sheet", opened.round.pk)))
    assert "disabled" in sheet and "本轮考核已结束" in sheet


def test_without_htmx_the_row_save_goes_back_to_the_sheet_with_a_message(world, office, opened, as_user):
    sheet = url("score_sheet", opened.round.pk) + "?source=organisation&branch=" + str(world.branch_b.pk)
    response = as_user(office).post(
        url("score_row", opened.result_b.pk),
        {**_row_data(opened.round, "organisation", {"责任区工作": "5"}), "next": sheet},
        follow=True,
    )
    assert response.redirect_chain == [(sheet, 302)]
    assert "已保存李红梅的1项评分。" in text(response)


def test_a_foreign_next_address_is_not_followed(world, office, opened, as_user):
    response = as_user(office).post(
        url("score_row", opened.result_b.pk),
        {**_row_data(opened.round, "organisation", {"责任区工作": "5"}), "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("score_sheet", opened.round.pk) + "?source=organisation"


def test_a_source_the_scheme_does_not_use_is_refused(world, office, opened, as_user):
    client = as_user(office)
    assert client.get(url("score_sheet", opened.round.pk), {"source": "supervisor"}).status_code == 403
    response = client.post(
        url("score_row", opened.result_a.pk), _row_data(opened.round, "supervisor", {}), **HX
    )
    assert response.status_code == 403


# --- the supervisor -------------------------------------------------------------------------------------


@pytest.fixture
def supervised(world):
    return scored_round(world, close=False, weight_organisation=70, weight_supervisor=30)


def test_a_supervisor_scores_the_supervisor_part_of_their_branch(world, supervisor, supervised, as_user):
    client = as_user(supervisor)
    detail = text(client.get(url("round_detail", supervised.round.pk)))
    assert "评分表:监督员评分" in detail and "评分表:组织评定" not in detail
    page = text(client.get(url("score_sheet", supervised.round.pk)))
    assert "王建国" in page and "李红梅" not in page
    response = client.post(
        url("score_row", supervised.result_a.pk),
        _row_data(supervised.round, "supervisor", {"思想政治": "9"}),
        **HX,
    )
    assert "已保存" in text(response)
    assert _score(supervised.result_a, "思想政治", Source.SUPERVISOR).entered_by == supervisor


def test_a_supervisor_does_not_enter_the_organisations_part(world, supervisor, supervised, as_user):
    client = as_user(supervisor)
    assert client.get(url("score_sheet", supervised.round.pk), {"source": "organisation"}).status_code == 403
    response = client.post(
        url("score_row", supervised.result_a.pk),
        _row_data(supervised.round, "organisation", {"思想政治": "1"}),
        **HX,
    )
    assert response.status_code == 403
    assert _score(supervised.result_a, "思想政治").points == Decimal("8.00")


# --- self-assessment ------------------------------------------------------------------------------------


def _self_data(
    round_, values: dict, evidence: dict | None = None, versions: dict | None = None, originals=None
):
    data = {}
    for leaf in (_leaf(round_, "思想政治"), _leaf(round_, "责任区工作")):
        data[f"p-{leaf.pk}"] = values.get(leaf.name, (originals or {}).get(leaf.name, ""))
        data[f"e-{leaf.pk}"] = (evidence or {}).get(leaf.name, "")
        data[f"o-{leaf.pk}"] = (originals or {}).get(leaf.name, "")
        data[f"v-{leaf.pk}"] = str((versions or {}).get(leaf.name, 0))
    return data


def test_a_member_fills_in_their_self_assessment_with_evidence(world, member_a, opened, as_user):
    client = as_user(member_a)
    detail = text(client.get(url("round_detail", opened.round.pk)))
    assert url("self_assessment", opened.round.pk) in detail
    page = text(client.get(url("self_assessment", opened.round.pk)))
    assert "王建国" in page and "思想政治" in page and "责任区工作" in page
    response = client.post(
        url("self_assessment", opened.round.pk),
        _self_data(opened.round, {"思想政治": "9"}, evidence={"思想政治": "参加支部学习12次"}),
        follow=True,
    )
    assert "已保存1项自评。" in text(response)
    score = _score(opened.result_a, "思想政治", Source.SELF)
    assert (score.points, score.evidence, score.entered_by) == (Decimal("9.00"), "参加支部学习12次", member_a)
    assert "参加支部学习12次" in text(client.get(url("self_assessment", opened.round.pk)))


def test_changing_only_the_evidence_saves_it(world, member_a, opened, as_user):
    client = as_user(member_a)
    client.post(url("self_assessment", opened.round.pk), _self_data(opened.round, {"思想政治": "9"}))
    client.post(
        url("self_assessment", opened.round.pk),
        _self_data(
            opened.round,
            {},
            evidence={"思想政治": "补充:带头学习"},
            versions={"思想政治": 1},
            originals={"思想政治": "9"},
        ),
    )
    score = _score(opened.result_a, "思想政治", Source.SELF)
    assert (score.evidence, score.version) == ("补充:带头学习", 2)


def test_evidence_without_points_is_refused(world, member_a, opened, as_user):
    page = text(
        as_user(member_a).post(
            url("self_assessment", opened.round.pk),
            _self_data(opened.round, {}, evidence={"责任区工作": "巡查12次"}),
        )
    )
    assert "填写依据时请同时填写分数。" in page and "巡查12次" in page
    assert _score(opened.result_a, "责任区工作", Source.SELF) is None


def test_a_self_score_above_the_maximum_is_shown_on_the_form(world, member_a, opened, as_user):
    response = as_user(member_a).post(
        url("self_assessment", opened.round.pk), _self_data(opened.round, {"责任区工作": "12"})
    )
    page = text(response)
    assert "“责任区工作”满分10分,得分不能超过满分。" in page and 'value="12"' in page
    assert _score(opened.result_a, "责任区工作", Source.SELF) is None


def test_self_assessment_is_for_ones_own_result_only(world, member_a, secretary_a, opened, as_user):
    # A secretary who is no member of this round has nothing of their own to assess here.
    assert as_user(secretary_a).get(url("self_assessment", opened.round.pk)).status_code == 403
    # Nobody enters someone else's self-assessment through the sheet: not the secretary …
    response = as_user(secretary_a).post(
        url("score_row", opened.result_a.pk), _row_data(opened.round, "self", {})
    )
    assert response.status_code == 403
    # … and a member cannot even see another member's result.
    response = as_user(member_a).post(
        url("score_row", opened.result_b.pk), _row_data(opened.round, "self", {"思想政治": "10"}), **HX
    )
    assert response.status_code == 404
    assert _score(opened.result_b, "思想政治", Source.SELF) is None


def test_a_member_of_another_round_gets_404(world, member_a, as_user):
    from .sweep import sweep_round

    other = factories.quarter_round(
        factories.member_scheme(world.branch_b, name="二支部方案"), world.branch_b
    )
    assert as_user(member_a).get(url("self_assessment", other.pk)).status_code == 404
    assert sweep_round(world).results.filter(member=world.member_a).exists()


def test_self_assessment_after_the_round_closed_is_read_only(world, member_a, opened, as_user):
    services.round_transition(actor=SYSTEM, round_=opened.round, action="close")
    client = as_user(member_a)
    page = text(client.get(url("self_assessment", opened.round.pk)))
    assert "本轮考核已结束,自评不能再修改。" in page and "保存自评" not in page
    page = text(
        client.post(url("self_assessment", opened.round.pk), _self_data(opened.round, {"思想政治": "9"}))
    )
    assert "本轮考核已结束,不能再评分" in page
    assert _score(opened.result_a, "思想政治", Source.SELF) is None


def test_a_scheme_without_self_assessment_says_so(world, member_a, as_user):
    scored = scored_round(world, close=False, weight_organisation=100)
    page = text(as_user(member_a).get(url("self_assessment", scored.round.pk)))
    assert "本轮考核的方案不采用自评。" in page
