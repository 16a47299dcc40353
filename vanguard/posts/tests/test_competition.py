"""Post competitions (岗位竞赛): a round of a `competition` scheme over the members the office chooses.
The engine creates results for those members only; the ranking is the round's published results, on the
assessment's own pages, where the round list labels it 岗位竞赛."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services as assessment
from vanguard.assessment.models import Indicator, Period, Purpose, Result, Round, TargetKind
from vanguard.assessment.tests import factories as assessment_factories
from vanguard.audit.models import AuditRecord
from vanguard.org.tests import factories as org_factories
from vanguard.posts import services_competition as competition

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, *args) -> str:
    return reverse(f"assessment:{name}", args=args)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def competition_scheme(organisation, name: str = "驾驶员安全竞赛"):
    scheme = assessment.scheme_create(
        actor=SYSTEM,
        organisation=organisation,
        name=name,
        target_kind=TargetKind.MEMBER,
        period=Period.QUARTER,
        purpose=Purpose.COMPETITION,
    )
    for indicator in ("安全行驶里程", "乘客表扬"):
        assessment.indicator_add(
            actor=SYSTEM,
            scheme=scheme,
            fields={"name": indicator, "weight": 50, "max_points": 10, "kind": Indicator.Kind.MANUAL},
        )
    return scheme


@pytest.fixture
def drivers(world):
    return [
        world.member_a,
        *(org_factories.member(world.branch_a, name) for name in ("赵文", "钱进", "孙立")),
    ]


def _checked(page: str) -> list[int]:
    """The participants ticked on a round form."""
    tags = [t.split(">")[0] for t in page.split("<input")[1:] if 'name="participants"' in t.split(">")[0]]
    return sorted(int(t.split('value="')[1].split('"')[0]) for t in tags if " checked" in t)


def _create(actor, scheme, organisation, participants, name: str = "2026年第3季度驾驶员竞赛"):
    return competition.competition_round_create(
        actor=actor,
        scheme=scheme,
        organisation=organisation,
        name=name,
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        participants=participants,
    )


# --- the service -----------------------------------------------------------------------------------------


def test_a_competition_round_scores_its_participants_only(world, office, drivers):
    scheme = competition_scheme(world.committee)
    round_ = _create(office, scheme, world.committee, drivers[:3])
    assert sorted(round_.participants.values_list("pk", flat=True)) == sorted(m.pk for m in drivers[:3])
    record = AuditRecord.objects.filter(object_type="assessment.round", action="update").last()
    assert record.detail == "岗位竞赛参加人员:王建国、赵文、钱进"
    round_ = assessment.round_transition(actor=office, round_=round_, action="open")
    assert sorted(Result.objects.filter(round=round_).values_list("name", flat=True)) == [
        "王建国",
        "赵文",
        "钱进",
    ]
    assert not Result.objects.filter(round=round_, member=world.member_b).exists()


def test_a_competition_needs_two_participants(world, office, drivers):
    scheme = competition_scheme(world.committee)
    with pytest.raises(ValidationError) as exc:
        _create(office, scheme, world.committee, drivers[:1])
    assert exc.value.message_dict == {"participants": ["岗位竞赛至少要有2名参加人员。"]}
    # The round made before the refusal went with it.
    assert not Round.objects.exists()


def test_participants_come_from_the_rounds_organisation(world, office, drivers):
    scheme = competition_scheme(world.committee)
    with pytest.raises(ValidationError) as exc:
        _create(office, scheme, world.branch_a, [*drivers[:2], world.member_b])
    assert exc.value.message_dict == {"participants": ["李红梅不在考核范围“一分公司党支部”内。"]}
    assert not Round.objects.exists()


def test_only_a_competition_scheme_makes_a_competition_round(world, office, drivers):
    scheme = assessment_factories.member_scheme(world.committee)
    with pytest.raises(ValidationError) as exc:
        _create(office, scheme, world.committee, drivers)
    assert exc.value.message_dict == {"scheme": ["所选考核方案不是岗位竞赛方案。"]}


def test_only_the_office_runs_a_competition(world, secretary_a, drivers):
    scheme = competition_scheme(world.committee)
    with pytest.raises(ValidationError) as exc:
        _create(secretary_a, scheme, world.branch_a, drivers)
    assert "organisation" in exc.value.message_dict
    assert not Round.objects.exists()


# --- the pages -------------------------------------------------------------------------------------------


def test_the_round_form_offers_the_participants_for_a_competition_only(world, office, drivers, as_user):
    client = as_user(office)
    scheme = competition_scheme(world.committee)
    ordinary = assessment_factories.member_scheme(world.committee)
    page = text(client.get(url("round_create"), {"scheme": scheme.pk}))
    assert 'id="round-participants"' in page and "请先选择考核范围" in page
    page = text(client.get(url("round_create"), {"scheme": scheme.pk, "organisation": world.branch_a.pk}))
    box = page.split('id="round-participants"')[1].split("</fieldset>")[0]
    assert 'name="participants"' in box and "赵文(一分公司党支部)" in box and "李红梅" not in box
    page = text(client.get(url("round_create"), {"scheme": ordinary.pk, "organisation": world.branch_a.pk}))
    assert 'name="participants"' not in page
    # Choosing a scheme or a scope redraws the participants through htmx.
    assert 'hx-select="#round-participants"' in page


def test_the_office_creates_a_competition_on_the_round_form(world, office, drivers, as_user):
    client = as_user(office)
    scheme = competition_scheme(world.committee)
    response = client.post(
        url("round_create"),
        {
            "scheme": scheme.pk,
            "organisation": world.branch_a.pk,
            "name": "驾驶员竞赛",
            "period_start": "2026-07-01",
            "period_end": "2026-09-30",
            "participants": [drivers[1].pk, drivers[2].pk],
        },
        follow=True,
    )
    round_ = Round.objects.get(name="驾驶员竞赛")
    assert response.redirect_chain == [(url("round_detail", round_.pk), 302)]
    detail = text(response)
    assert "岗位竞赛" in detail and "共 2 人" in detail and "钱进、赵文" in detail
    client.post(url("round_transition", round_.pk), {"action": "open"})
    assert sorted(Result.objects.filter(round=round_).values_list("name", flat=True)) == ["赵文", "钱进"]
    listing = text(client.get(url("round_list")))
    row = listing.split(">驾驶员竞赛</a>")[1].split("</tr>")[0]
    assert "岗位竞赛" in row


@pytest.mark.parametrize(
    ("participants", "message"),
    [
        ([], "岗位竞赛至少要有2名参加人员。"),
        (["one"], "岗位竞赛至少要有2名参加人员。"),
        (["one", "outsider"], "所选党员不在考核范围内。"),
        (["one", "999999"], "所选党员不在考核范围内。"),
    ],
)
def test_a_competition_with_bad_participants_is_refused(
    world, office, drivers, as_user, participants, message
):
    ids = {"one": drivers[1].pk, "outsider": world.member_b.pk}
    scheme = competition_scheme(world.committee)
    data = {
        "scheme": scheme.pk,
        "organisation": world.branch_a.pk,
        "name": "驾驶员竞赛",
        "period_start": "2026-07-01",
        "period_end": "2026-09-30",
        "participants": [ids.get(p, p) for p in participants],
    }
    assert message in text(as_user(office).post(url("round_create"), data))
    assert not Round.objects.exists()


def test_participants_on_an_ordinary_round_are_refused(world, office, drivers, as_user):
    scheme = assessment_factories.member_scheme(world.committee)
    data = {
        "scheme": scheme.pk,
        "organisation": world.branch_a.pk,
        "name": "季度考核",
        "period_start": "2026-07-01",
        "period_end": "2026-09-30",
        "participants": [drivers[1].pk, drivers[2].pk],
    }
    assert "只有岗位竞赛方案可以选择参加人员。" in text(as_user(office).post(url("round_create"), data))
    assert not Round.objects.exists()


def test_an_ordinary_round_is_made_as_before(world, office, drivers, as_user):
    scheme = assessment_factories.member_scheme(world.committee)
    data = {
        "scheme": scheme.pk,
        "organisation": world.branch_a.pk,
        "name": "季度考核",
        "period_start": "2026-07-01",
        "period_end": "2026-09-30",
    }
    assert as_user(office).post(url("round_create"), data).status_code == 302
    round_ = Round.objects.get(name="季度考核")
    assert not round_.participants.exists()
    assert "岗位竞赛" not in text(as_user(office).get(url("round_detail", round_.pk)))


def test_the_office_changes_a_draft_competitions_participants(world, office, drivers, as_user):
    scheme = competition_scheme(world.committee)
    round_ = _create(office, scheme, world.branch_a, drivers[:2])
    client = as_user(office)
    form = text(client.get(url("round_edit", round_.pk)))
    assert _checked(form) == sorted([drivers[0].pk, drivers[1].pk])
    data = {"name": "竞赛(改)", "period_start": "2026-07-01", "period_end": "2026-09-30"}
    assert "岗位竞赛至少要有2名参加人员。" in text(
        client.post(url("round_edit", round_.pk), {**data, "participants": [drivers[3].pk]})
    )
    client.post(url("round_edit", round_.pk), {**data, "participants": [drivers[2].pk, drivers[3].pk]})
    round_.refresh_from_db()
    assert round_.name == "竞赛(改)"
    assert sorted(round_.participants.values_list("pk", flat=True)) == sorted([drivers[2].pk, drivers[3].pk])


def test_an_ordinary_draft_is_still_edited_without_participants(world, office, as_user):
    scheme = assessment_factories.member_scheme(world.committee)
    draft = assessment_factories.quarter_round(scheme, world.committee, quarter=4, open_=False)
    client = as_user(office)
    assert 'name="participants"' not in text(client.get(url("round_edit", draft.pk)))
    client.post(
        url("round_edit", draft.pk),
        {"name": "四季度", "period_start": "2026-10-01", "period_end": "2026-12-31"},
    )
    draft.refresh_from_db()
    assert draft.name == "四季度"


def test_a_secretary_sees_only_their_branchs_participants(world, office, secretary_b, drivers, as_user):
    scheme = competition_scheme(world.committee)
    other = org_factories.member(world.branch_b, "周强")
    round_ = _create(office, scheme, world.committee, [*drivers[:2], world.member_b, other])
    page = text(as_user(secretary_b).get(url("round_detail", round_.pk)))
    section = page.split('id="round-participants"')[1].split("</dd>")[0]
    assert "共 4 人" in section and "李红梅" in section and "周强" in section and "王建国" not in section
