"""The community's book of in-service members (知人数、知职业、知优势): how many confirmed registrations of
in-service members lie under a street or community, by community, by occupation and by strength — counted in
SQL (four queries whatever the number of members), over the registrations the user may see.

Strengths are the registration's own text, several separated by 、 (a comma, Chinese or not, is read as one
too): each is counted once per member, so a member with 书法、维修 counts under both, and the counts of
`by_strength` add up to more than the total. They are split in the database with a recursive query, which
both SQLite and PostgreSQL run."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F

from vanguard.accounts import scope
from vanguard.org.models import Cell, Member

from .models import Registration

BOOK_KINDS = (Cell.Kind.STREET, Cell.Kind.COMMUNITY)
FULLWIDTH_COMMA = "\uff0c"


@dataclass
class InServiceStats:
    total: int = 0
    by_community: list[dict] = field(default_factory=list)
    by_occupation: list[dict] = field(default_factory=list)
    by_strength: list[dict] = field(default_factory=list)


def may_read_book(user, cell: Cell) -> bool:
    """Whether the user may read the book of `cell`: a community worker over it (at it or above it in the
    grid); an organisation role (office, secretary, supervisor), who counts only their own members who
    registered there (dual management); a superuser."""
    s = scope.scope_of(user)
    if s.superuser or s.any_org_paths:
        return True
    return any(cell.path.startswith(p) for p in s.cell_paths)


def confirmed_in_service(*, user, cell: Cell):
    """The confirmed registrations of in-service members at communities under `cell`, in the user's sight."""
    return scope.visible_to(
        user,
        Registration.objects.filter(
            status=Registration.Status.CONFIRMED, member__category=Member.Category.IN_SERVICE
        ),
    ).filter(cell.subtree_q("community__"))


def in_service_stats(*, user, cell: Cell) -> InServiceStats:
    registrations = confirmed_in_service(user=user, cell=cell)
    counts = dict(
        registrations.order_by()
        .values("community_id")
        .annotate(n=Count("pk"))
        .values_list("community_id", "n")
    )
    communities = Cell.objects.filter(cell.subtree_q(), kind=Cell.Kind.COMMUNITY).order_by("path")
    by_community = [
        {"cell": pk, "name": name, "count": counts.get(pk, 0)}
        for pk, name in communities.values_list("pk", "name")
    ]
    by_occupation = [
        {"occupation": occupation, "count": n}
        for occupation, n in registrations.order_by()
        .values("occupation")
        .annotate(n=Count("pk"))
        .order_by("-n", "occupation")
        .values_list("occupation", "n")
    ]
    return InServiceStats(
        total=sum(counts.values()),
        by_community=by_community,
        by_occupation=by_occupation,
        by_strength=[{"strength": s, "count": n} for s, n in _strengths(registrations)],
    )


def _strengths(registrations) -> list[tuple[str, int]]:
    # Named columns, so the outer query can refer to them whatever the inner query's own aliases.
    named = registrations.order_by().annotate(rid=F("pk"), words=F("strengths")).values_list("rid", "words")
    inner, params = named.query.sql_with_params()
    position = "STRPOS(rest, '、')" if connection.vendor == "postgresql" else "INSTR(rest, '、')"
    sql = f"""
        WITH RECURSIVE split(id, word, rest) AS (
            SELECT r.rid, CAST('' AS TEXT),
                   CAST(REPLACE(REPLACE(COALESCE(r.words, ''), ',', '、'), '{FULLWIDTH_COMMA}', '、')
                        || '、' AS TEXT)
            FROM ({inner}) r
            UNION ALL
            SELECT id, CAST(TRIM(SUBSTR(rest, 1, {position} - 1)) AS TEXT),
                   CAST(SUBSTR(rest, {position} + 1) AS TEXT)
            FROM split WHERE rest <> ''
        )
        SELECT word, COUNT(DISTINCT id) FROM split WHERE word <> ''
        GROUP BY word ORDER BY COUNT(DISTINCT id) DESC, word
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(word, n) for word, n in cursor.fetchall()]
