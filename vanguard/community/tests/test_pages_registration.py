"""The registration pages: the member registers on a phone (我的报到), sees a return's reason and registers
again; registering at a second community is refused with a clear message; the community's worker confirms or
returns (a reason is required) and enters paper forms; the branch's secretary reads, read-only; a worker of
another community and the secretary of another branch get 404; the list's query count is pinned."""

from __future__ import annotations

import pytest

from vanguard.community import services
from vanguard.community.models import Registration
from vanguard.org.tests import factories

from . import api_factories as made
from .pages import count_queries, messages_of, other_worker, register_a, text, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(world, member_a):
    return register_a(world)


@pytest.fixture
def worker_b(world):
    return other_worker(world)


Status = Registration.Status


def _register(client, world, **extra):
    data = {
        "community": world.community.pk,
        "occupation": "教师",
        "strengths": "书法、法律咨询",
        "wishes": "周末",
    }
    return client.post(url("my_registration"), {**data, **extra})


# --- the member ------------------------------------------------------------------------------------------


def test_the_member_registers_online_and_sees_it_waiting(world, member_a, as_user):
    client = as_user(member_a)
    page = text(client.get(url("my_registration")))
    assert "到居住地社区报到" in page and 'value="驾驶员"' in page  # the person's occupation offered
    assert f'<option value="{world.community.pk}" selected>' in page  # their home community
    response = _register(client, world)
    assert response.status_code == 302
    assert messages_of(response) == ["已向南园社区提交报到,等待社区确认。"]
    registration = Registration.objects.get()
    assert (registration.status, registration.channel, registration.strengths) == (
        Status.SUBMITTED,
        "online",
        "书法、法律咨询",
    )
    page = text(client.get(url("my_registration")))
    assert "待确认" in page and "到居住地社区报到" not in page


def test_registering_at_a_second_community_is_refused_and_nothing_changes(world, member_a, as_user):
    client = as_user(member_a)
    _register(client, world)
    response = _register(client, world, community=world.other_community.pk)
    page = text(response)
    assert "已向南园社区提交报到,正等待社区确认。" in page
    assert Registration.objects.count() == 1


def test_a_returned_registration_shows_its_reason_and_the_member_registers_again(
    world, member_a, community_worker, as_user
):
    registration = services.registration_submit(
        actor=member_a, member=world.member_a, community=world.community
    )
    services.registration_return(actor=community_worker, registration=registration, reason="请补充服务意愿")
    client = as_user(member_a)
    page = text(client.get(url("my_registration")))
    assert "退回原因:请补充服务意愿" in page and "提交报到" in page
    assert _register(client, world, community=world.other_community.pk).status_code == 302
    assert Registration.objects.filter(status=Status.SUBMITTED, community=world.other_community).exists()


def test_a_bad_community_is_named_and_nothing_is_saved(world, member_a, as_user):
    client = as_user(member_a)
    page = text(_register(client, world, community=world.street.pk))
    assert "请选择列表中的社区。" in page
    page = text(_register(client, world, community=""))
    assert "请选择报到的社区。" in page
    assert not Registration.objects.exists()


def test_only_a_member_has_a_registration_of_their_own(world, community_worker, nobody, as_user):
    assert as_user(community_worker).get(url("my_registration")).status_code == 403
    assert as_user(nobody).get(url("my_registration")).status_code == 403
    assert as_user(nobody).get(url("index")).status_code == 403


# --- the community's worker ------------------------------------------------------------------------------


@pytest.fixture
def submitted(world, member_a):
    return services.registration_submit(
        actor=member_a, member=world.member_a, community=world.community, strengths="维修"
    )


def test_the_worker_confirms_a_registration(world, community_worker, submitted, as_user):
    client = as_user(community_worker)
    listing = text(client.get(url("registration_list"), {"status": "submitted"}))
    assert "王建国" in listing and url("registration_detail", submitted.pk) in listing
    page = text(client.get(url("registration_detail", submitted.pk)))
    assert "确认报到" in page and "退回" in page and "138****5678" in page and "13812345678" not in page
    response = client.post(url("registration_confirm", submitted.pk))
    assert messages_of(response) == ["已确认王建国在南园社区报到。"]
    submitted.refresh_from_db()
    assert (submitted.status, submitted.confirmed_by) == (Status.CONFIRMED, community_worker)
    again = client.post(url("registration_confirm", submitted.pk))
    assert messages_of(again)[-1] == "王建国的报到已报到,不能再确认或退回。"


def test_a_return_needs_a_reason(world, community_worker, submitted, as_user):
    client = as_user(community_worker)
    page = text(client.post(url("registration_return", submitted.pk), {"return_reason": "  "}))
    assert "退回报到时须填写原因。" in page
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    response = client.post(url("registration_return", submitted.pk), {"return_reason": "不住在本社区"})
    assert messages_of(response) == ["已退回王建国的报到,党员会看到退回原因。"]
    submitted.refresh_from_db()
    assert (submitted.status, submitted.return_reason) == (Status.RETURNED, "不住在本社区")


def test_the_worker_enters_a_paper_form(world, community_worker, as_user):
    client = as_user(community_worker)
    page = text(client.get(url("registration_paper")))
    assert "王建国" in page and "李红梅" not in page  # only those living in the community
    response = client.post(
        url("registration_paper"),
        {"member": world.member_a.pk, "community": world.community.pk, "wishes": "周末巡逻"},
    )
    registration = Registration.objects.get()
    assert response["Location"] == url("registration_detail", registration.pk)
    assert (registration.channel, registration.entered_by, registration.occupation) == (
        "paper",
        community_worker,
        "驾驶员",
    )
    page = text(client.post(url("registration_paper"), {"member": world.member_b.pk}))
    assert "请选择住在本社区的党员。" in page


def test_a_worker_of_another_community_sees_nothing_of_nanyuan(world, worker_b, submitted, as_user):
    client = as_user(worker_b)
    for name in ("registration_detail", "registration_print"):
        assert client.get(url(name, submitted.pk)).status_code == 404
    for name in ("registration_confirm", "registration_return"):
        assert client.post(url(name, submitted.pk), {"return_reason": "x"}).status_code == 404
    assert "王建国" not in text(client.get(url("registration_list")))
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_the_branch_reads_its_members_registrations_without_deciding(
    world, secretary_a, secretary_b, submitted, as_user
):
    client = as_user(secretary_a)
    assert "王建国" in text(client.get(url("registration_list")))
    page = text(client.get(url("registration_detail", submitted.pk)))
    assert "王建国" in page and "确认报到" not in page
    assert client.post(url("registration_confirm", submitted.pk)).status_code == 403
    other = as_user(secretary_b)
    assert other.get(url("registration_detail", submitted.pk)).status_code == 404
    assert "王建国" not in text(other.get(url("registration_list")))


def test_the_pages_need_a_login(world, resident, submitted):
    for address in (
        url("index"),
        url("my_registration"),
        url("registration_list"),
        url("registration_paper"),
    ):
        response = resident.get(address)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = resident.post(url("registration_confirm", submitted.pk))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_hub_shows_each_role_what_waits_for_them(world, member_a, community_worker, submitted, as_user):
    worker_page = text(as_user(community_worker).get(url("index")))
    assert "报到待确认" in worker_page and '<div class="community-stat">1</div>' in worker_page
    member_page = text(as_user(member_a).get(url("index")))
    assert "南园社区" in member_page and "待确认" in member_page


def test_the_nav_offers_the_community_and_the_time_bank(world, member_a, community_worker, nobody, as_user):
    for user in (member_a, community_worker):
        page = text(as_user(user).get("/"))
        assert url("index") in page and "/timebank/" in page
    page = text(as_user(nobody).get("/"))
    assert url("index") not in page and "/timebank/" not in page


def test_the_list_runs_a_fixed_number_of_queries(world, community_worker, as_user):
    client = as_user(community_worker)
    made.registration(world.member_a, world.community, confirm=False)
    few = count_queries(client, url("registration_list"))
    for i in range(12):
        member = factories.member(world.branch_b, f"党员{i}", residence=world.community)
        made.registration(member, world.community, confirm=bool(i % 2))
    assert few == count_queries(client, url("registration_list")) == 6
    assert count_queries(client, url("registration_list"), HTTP_HX_REQUEST="true") == 5


def test_the_members_page_and_the_hub_run_a_fixed_number_of_queries(
    world, member_a, community_worker, as_user
):
    member, worker = as_user(member_a), as_user(community_worker)
    registration = services.registration_submit(
        actor=member_a, member=world.member_a, community=world.community
    )
    services.registration_return(actor=community_worker, registration=registration, reason="重填")
    few = [count_queries(member, url("my_registration")), count_queries(worker, url("index"))]
    for i in range(5):
        registration = services.registration_submit(
            actor=member_a, member=world.member_a, community=world.community
        )
        services.registration_return(actor=community_worker, registration=registration, reason=f"第{i}次")
        other = factories.member(world.branch_b, f"党员{i}", residence=world.community)
        made.registration(other, world.community, confirm=False)
    assert (
        [count_queries(member, url("my_registration")), count_queries(worker, url("index"))] == few == [11, 7]
    )
