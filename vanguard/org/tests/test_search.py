"""Finding people by name, full pinyin or initials: 张三 ← zs, zhangsan, zhang, ZS, 张. Every form of the
search is a range on an indexed column, so it stays fast on a roster of tens of thousands."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from vanguard.core import pinyin
from vanguard.org import selectors
from vanguard.org.models import Person
from vanguard.org.selectors import MemberFilters, person_search_q
from vanguard.org.tests import factories


@pytest.fixture
def zhang_san(world):
    return factories.member(world.branch_a, "张三", mobile="13700001111")


@pytest.fixture
def lookalikes(world):
    """Names that share a prefix with 张三 in one form or another, and must not be found by the wrong one."""
    return [
        factories.member(world.branch_a, "章学"),  # zhangxue, zx
        factories.member(world.branch_a, "赵四"),  # zhaosi, zs too
        factories.member(world.branch_a, "王五"),
    ]


def names_found(user, q: str) -> set[str]:
    return {m.person.name for m in selectors.member_list(user=user, filters=MemberFilters(q=q))}


def test_the_pinyin_keys_are_stored_with_the_name(db):
    person = factories.person("张三")
    assert (person.name_pinyin, person.name_initials) == ("zhangsan", "zs")
    person.name = "欧阳娜娜"
    person.save()
    person.refresh_from_db()
    assert (person.name_pinyin, person.name_initials) == ("ouyangnana", "oynn")


def test_a_name_with_latin_letters_keeps_them_in_its_keys(db):
    person = factories.person("李A明")
    assert person.name_pinyin.startswith("li")
    assert "a" in person.name_initials


@pytest.mark.parametrize("q", ["zs", "zhangsan", "zhang", "ZS", "张", "张三", " zs ", "Zhang San"])
def test_zhang_san_is_found_by_name_pinyin_or_initials(world, office, zhang_san, q):
    assert "张三" in names_found(office, q)


@pytest.mark.parametrize("q", ["zx", "zhangx", "三", "san", "zsx", "李"])
def test_zhang_san_is_not_found_by_what_does_not_start_his_name(world, office, zhang_san, q):
    assert "张三" not in names_found(office, q)


def test_initials_shared_by_two_names_find_both_and_only_them(world, office, zhang_san, lookalikes):
    assert names_found(office, "zs") == {"张三", "赵四"}
    assert names_found(office, "zhang") == {"张三", "章学"}
    assert names_found(office, "张") == {"张三"}


def test_an_exact_mobile_number_finds_the_member(world, office, zhang_san):
    assert names_found(office, "13700001111") == {"张三"}
    assert names_found(office, "1370000111") == set()


def test_search_stays_inside_the_users_scope(world, secretary_b, zhang_san):
    assert names_found(secretary_b, "zs") == set()
    assert names_found(secretary_b, "lhm") == {"李红梅"}


def test_person_list_searches_the_same_way(world, office, zhang_san):
    assert [p.name for p in selectors.person_list(user=office, q="ZS")] == ["张三"]


def test_the_member_list_page_searches_by_initials(world, office, zhang_san, lookalikes, as_user):
    response = as_user(office).get(reverse("org:member_list"), {"q": "zs"})
    assert response.status_code == 200
    names = [m.person.name for m in response.context["page"]]
    assert sorted(names) == ["张三", "赵四"]
    assert "章学" not in response.content.decode()


def test_the_search_is_a_range_on_the_key_columns_not_a_like():
    sql, params = Person.objects.filter(person_search_q("zs")).query.sql_with_params()
    assert "LIKE" not in sql.upper()
    for column in ("name", "name_pinyin", "name_initials"):
        assert f'"org_person"."{column}" >= %s' in sql
        assert f'"org_person"."{column}" < %s' in sql
    assert list(params) == ["zs", "zs" + pinyin.PREFIX_END] * 3


def _index_names(column: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Person._meta.db_table)
    return {
        name
        for name, info in constraints.items()
        if info["index"] and info["columns"] and info["columns"][0] == column and not name.endswith("_like")
    }


def _plan(q: str) -> str:
    sql, params = Person.objects.filter(person_search_q(q)).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(row[-1] for row in cursor.fetchall())
        # A test table is tiny, so PostgreSQL would rightly scan it; forbid that to see the index is usable.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("q", "columns"), [("zs", ["name", "name_pinyin", "name_initials"]), ("张", ["name"])]
)
def test_the_search_is_answered_from_the_indexes(world, zhang_san, lookalikes, q, columns):
    assert connection.vendor in ("sqlite", "postgresql")
    plan = _plan(q)
    for column in columns:
        indexes = _index_names(column)
        assert indexes, f"no index on org_person.{column}"
        assert any(index in plan for index in indexes), plan
    if connection.vendor == "sqlite":
        assert "SCAN org_person" not in plan
    else:
        assert "Seq Scan" not in plan
