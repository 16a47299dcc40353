"""The community's book (在职党员信息簿: 知人数、知职业、知优势): a street's and a community's confirmed
in-service members by community, occupation, strength and home branch, counted in SQL, matching a hand count
of a few dozen members; the drill-down to names and its audited export; community types with suggested
activities; each worker sees only their part of the grid; fixed queries."""

from __future__ import annotations

import io
import re

import pytest
from python_calamine import CalamineWorkbook

from vanguard.accounts.models import Role
from vanguard.accounts.scope import SYSTEM
from vanguard.audit.models import AuditRecord
from vanguard.community import services
from vanguard.community.models import Registration
from vanguard.conftest import _user
from vanguard.org.models import Cell, Member
from vanguard.org.tests import factories

from . import api_factories as made
from .pages import count_queries, text, url

pytestmark = pytest.mark.django_db

# (community, branch, occupation, strengths as typed, how many, status, category)
CONFIRMED, SUBMITTED, RETURNED = "confirmed", "submitted", "returned"
IN_SERVICE, RETIRED = Member.Category.IN_SERVICE, Member.Category.RETIRED
PEOPLE = [
    ("南园", "a", "教师", "书法、辅导", 6, CONFIRMED, IN_SERVICE),
    ("南园", "a", "教师", "辅导", 6, CONFIRMED, IN_SERVICE),
    ("南园", "b", "公安", "法律咨询, 治安", 4, CONFIRMED, IN_SERVICE),
    ("南园", "a", "教师", "书法", 2, SUBMITTED, IN_SERVICE),  # waiting: not in the book
    ("南园", "a", "教师", "书法", 1, RETURNED, IN_SERVICE),  # returned: not in the book
    ("南园", "b", "教师", "书法", 1, CONFIRMED, RETIRED),  # not in service: not in the book
    ("新风", "a", "机关干部", "政策宣传", 5, CONFIRMED, IN_SERVICE),
    ("新风", "a", "机关干部", "硬笔书法", 1, CONFIRMED, IN_SERVICE),  # not 书法
    ("新风", "b", "", "", 3, CONFIRMED, IN_SERVICE),
    ("公园", "b", "教师", "文艺、书法", 6, CONFIRMED, IN_SERVICE),
    ("公园", "a", "公安", "治安，文艺", 2, CONFIRMED, IN_SERVICE),
]
# Counted by hand from PEOPLE: confirmed and in service only.
BY_COMMUNITY = {"南园社区": 16, "新风社区": 9, "公园社区": 8}
BY_OCCUPATION = {"教师": 18, "公安": 6, "机关干部": 6, "": 3}
BY_STRENGTH = {"书法": 12, "辅导": 12, "文艺": 8, "治安": 6, "政策宣传": 5, "法律咨询": 4, "硬笔书法": 1}
BY_BRANCH = {"一分公司党支部": 20, "二分公司党支部": 13}
TOTAL = 33


@pytest.fixture
def park(world) -> Cell:
    return factories.cell("公园社区", parent=world.street, community_type=Cell.CommunityType.CULTURE)


@pytest.fixture
def people(world, park):
    cells = {"南园": world.community, "新风": world.other_community, "公园": park}
    branches = {"a": world.branch_a, "b": world.branch_b}
    n = 0
    for community, branch, occupation, strengths, count, status, category in PEOPLE:
        for _ in range(count):
            n += 1
            member = factories.member(
                branches[branch], f"党员{n:02d}", category=category, residence=cells[community]
            )
            registration = made.registration(
                member,
                cells[community],
                confirm=status == CONFIRMED,
                occupation=occupation,
                strengths=strengths,
            )
            if status == RETURNED:
                services.registration_return(actor=SYSTEM, registration=registration, reason="重复")
    assert Member.objects.count() == 2 + 37
    return cells


@pytest.fixture
def street_worker(world):
    return _user("street_worker", Role.COMMUNITY, cell=world.street)


def _rows(page: str, table_id: str) -> dict[str, int]:
    """The label → number rows of one of the book's tables."""
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if len(cells) < 2:
            continue
        label = re.sub(r"<[^>]+>", "", cells[0]).strip()
        number = re.sub(r"<[^>]+>", "", cells[-1]).strip()
        rows[label] = int(number)
    return rows


def test_the_streets_book_matches_a_hand_count(world, people, street_worker, as_user):
    page = text(as_user(street_worker).get(url("book"), {"cell": world.street.pk}))
    assert (
        f'id="book-total"\n             href="{url("book_members")}?cell={world.street.pk}">{TOTAL}</a>'
        in page
    )
    assert _rows(page, "by-community") == BY_COMMUNITY
    assert _rows(page, "by-occupation") == {("未填写" if k == "" else k): v for k, v in BY_OCCUPATION.items()}
    assert _rows(page, "by-strength") == BY_STRENGTH
    assert _rows(page, "by-branch") == BY_BRANCH


def test_the_book_selector_counts_in_sql_exactly(world, people, street_worker):
    from vanguard.community import selectors_pages

    book = selectors_pages.book(user=street_worker, cell=world.street)
    assert book.total == TOTAL
    assert {r["name"]: r["count"] for r in book.by_community} == BY_COMMUNITY
    assert {r["occupation"]: r["count"] for r in book.by_occupation} == BY_OCCUPATION
    assert {r["strength"]: r["count"] for r in book.by_strength} == BY_STRENGTH
    assert [r["strength"] for r in book.by_strength][:2] == ["书法", "辅导"]  # most first, then by name
    assert {r["name"]: r["count"] for r in book.by_branch} == BY_BRANCH


def test_the_page_and_the_api_give_the_same_numbers(world, people, street_worker):
    from vanguard.community import selectors_pages, stats

    page = selectors_pages.book(user=street_worker, cell=world.street)
    api = stats.in_service_stats(user=street_worker, cell=world.street)
    assert page.total == api.total == TOTAL
    assert [(r["cell"], r["count"]) for r in page.by_community] == [
        (r["cell"], r["count"]) for r in api.by_community
    ]
    assert (page.by_occupation, page.by_strength) == (api.by_occupation, api.by_strength)


def test_a_community_worker_sees_their_communitys_book_with_its_type(
    world, people, community_worker, as_user
):
    client = as_user(community_worker)
    page = text(client.get(url("book")))
    assert _rows(page, "by-community") == {"南园社区": 16}
    assert "学习型" in page and "读书漂流" in page  # the type and the activities it suggests
    assert _rows(page, "by-strength") == {"书法": 6, "辅导": 12, "法律咨询": 4, "治安": 4}
    # The street is not theirs: the choice is refused by name and their community's book is shown.
    page = text(client.get(url("book"), {"cell": world.street.pk}))
    assert "请选择您所在的街道或社区。" in page and _rows(page, "by-community") == {"南园社区": 16}


def test_the_streets_communities_show_their_types_and_suggestions(world, people, street_worker, as_user):
    page = text(as_user(street_worker).get(url("book"), {"cell": world.street.pk}))
    table = page.split('id="by-community"', 1)[1].split("</table>", 1)[0]
    assert "文体型" in table and "文艺汇演" in table
    assert "再就业型" in table and "再就业培训" in table


def test_the_drill_down_lists_the_names_behind_each_number(world, people, street_worker, as_user):
    client = as_user(street_worker)

    def names(**params) -> int:
        page = text(client.get(url("book_members"), {"cell": world.street.pk, **params}))
        return len(re.findall(r'href="/community/registrations/\d+/"', page))

    assert names() == TOTAL
    assert names(strength="书法") == 12  # not 硬笔书法
    assert names(strength="治安") == 6  # typed after a comma and after a full-width comma
    assert names(occupation="教师") == 18
    assert names(occupation="") == 3
    assert names(organisation=world.branch_b.pk) == 13
    assert names(community=world.other_community.pk) == 9
    page = text(client.get(url("book_members"), {"cell": world.street.pk, "strength": "书法"}))
    assert "特长:书法" in page and "共 12 名" in page


def test_the_names_are_exported_and_the_export_is_audited(world, people, street_worker, as_user):
    response = as_user(street_worker).get(url("book_export"), {"cell": world.street.pk, "occupation": "公安"})
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(
        io.BytesIO(b"".join(response.streaming_content))
    ).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[0][:4] == ["姓名", "报到社区", "职业", "特长"]
    assert len(rows) == 1 + 6 and {r[2] for r in rows[1:]} == {"公安"}
    assert all("*" in r[6] or r[6] == "" for r in rows[1:])  # phones masked
    record = AuditRecord.objects.filter(action="export").latest("pk")
    assert record.after == {"kind": "community_book", "count": 6}
    assert "职业:公安" in record.detail and "东风街道" in record.detail


def test_the_book_is_for_community_workers(world, member_a, secretary_a, secretary_b, resident, as_user):
    for user in (member_a, secretary_a, secretary_b):
        assert as_user(user).get(url("book")).status_code == 403
        assert as_user(user).get(url("book_members")).status_code == 403
    response = resident.get(url("book"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_book_runs_a_fixed_number_of_queries(world, park, street_worker, as_user):
    client = as_user(street_worker)
    made.registration(world.member_a, world.community, strengths="维修、特长3")
    few = _count(client, world)
    few_names = _count_names(client, world)
    for i in range(15):
        member = factories.member(world.branch_b, f"新党员{i}", residence=park)
        made.registration(member, park, occupation=f"职业{i % 4}", strengths=f"特长{i}、特长{i + 1}")
    assert (_count(client, world), _count_names(client, world)) == (few, few_names)
    assert (few, few_names) == (13, 7)  # with the navbar's unread-notification count
    assert Registration.objects.count() == 16


def _count(client, world) -> int:
    return count_queries(client, f"{url('book')}?cell={world.street.pk}")


def _count_names(client, world) -> int:
    return count_queries(client, f"{url('book_members')}?cell={world.street.pk}&strength=特长3")
