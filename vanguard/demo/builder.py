"""Builds the demonstration database from the seed documents' own organisations.

The build is a list of areas (AREAS), each a `build(demo)` function and, where it owns data, a
`reset()` that removes it. A later feature adds its demo data by writing one more area and appending it
to AREAS; `--reset` runs the resets in reverse order, so data that hangs on the trees goes before them.

Every area is an upsert keyed on natural keys (a tree node by its name under its parent, a person by
identity number, a user by username), so a second run finds everything in place and adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.core import pinyin
from vanguard.org import services
from vanguard.org.models import Activist, Cell, Member, Organisation, Person, Strength, TreeNode

from . import assessment as demo_assessment
from . import community as demo_community
from . import contacts as demo_contacts
from . import data, people
from . import posts as demo_posts
from . import reports as demo_reports
from . import requests as demo_requests
from . import work as demo_work
from . import zones as demo_zones

DEMO_PASSWORD = "Vanguard-2026"
DEMO_URL = "http://127.0.0.1:8000/"
SEED = 20260630

ORG_ROOTS = [name for name, _kind, _children in data.organisation_trees()]
CELL_ROOTS = [spec[0] for spec in data.grid_trees()]


@dataclass(frozen=True)
class Login:
    """A demo account: its role and the node it acts on, named by full path (`a/b/c`)."""

    username: str
    role: str | None  # None: the superuser, who needs no role
    display_name: str
    organisation: str = ""
    cell: str = ""
    # The person behind the login, tagged by the people area (see PersonSpec.login).
    person_tag: str = ""


LOGINS = [
    Login("admin", None, "系统管理员"),
    Login("office", Role.OFFICE, "公交公司党委办公室", organisation=data.BUS_ORG, person_tag="office"),
    Login(
        "secretary",
        Role.SECRETARY,
        "第一分公司党支部书记",
        organisation=f"{data.BUS_ORG}/第一分公司党支部",
        person_tag="secretary",
    ),
    Login("member", Role.MEMBER, "", person_tag="member"),
    Login(
        "community",
        Role.COMMUNITY,
        "南园社区工作人员",
        cell=f"{data.STREET}/南园社区",
        person_tag="community",
    ),
    Login(
        "supervisor",
        Role.SUPERVISOR,
        "第一分公司党支部监督员",
        organisation=f"{data.BUS_ORG}/第一分公司党支部",
        person_tag="supervisor",
    ),
    Login("auditor", Role.AUDITOR, "审计管理员"),
]
DEMO_USERNAMES = [login.username for login in LOGINS]


@dataclass
class Demo:
    """What the areas share while building: the acting user, the random source and the nodes made."""

    stdout: TextIO | None = None
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    actor: User | None = None
    password_hash: str = ""
    orgs: dict[str, Organisation] = field(default_factory=dict)  # by full path
    cells: dict[str, Cell] = field(default_factory=dict)  # by full path
    login_people: dict[str, str] = field(default_factory=dict)  # person tag → identity number

    def say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text)


@dataclass(frozen=True)
class Area:
    name: str
    build: Callable[[Demo], None]
    reset: Callable[[], None] | None = None


# ---------------------------------------------------------------------------------------------------
# Roots and what hangs on them


def _roots(model: type[TreeNode], names: list[str]) -> list[TreeNode]:
    return list(model.objects.get_root_nodes().filter(name__in=names))


def _subtree_q(model: type[TreeNode], names: list[str], prefix: str = "") -> Q:
    q = Q(pk__in=[])
    for root in _roots(model, names):
        q |= root.subtree_q(prefix)
    return q


def demo_people() -> QuerySet[Person]:
    """The demo's people: everyone placed on the demo trees (every demo person lives on one)."""
    q = (
        _subtree_q(Organisation, ORG_ROOTS, "member__organisation__")
        | _subtree_q(Organisation, ORG_ROOTS, "activist__organisation__")
        | _subtree_q(Cell, CELL_ROOTS, "residence__")
        | _subtree_q(Cell, CELL_ROOTS, "workplace__")
    )
    return Person.objects.filter(q)


def demo_counts() -> dict[str, int]:
    people = demo_people()
    return {
        "organisations": Organisation.objects.filter(_subtree_q(Organisation, ORG_ROOTS)).count(),
        "cells": Cell.objects.filter(_subtree_q(Cell, CELL_ROOTS)).count(),
        "people": people.count(),
        "members": Member.objects.filter(person__in=people).count(),
        "activists": Activist.objects.filter(person__in=people).count(),
        "strengths": Strength.objects.filter(people__in=people).distinct().count(),
        "users": User.objects.filter(username__in=DEMO_USERNAMES).count(),
        "role_assignments": RoleAssignment.objects.filter(user__username__in=DEMO_USERNAMES).count(),
    }


COUNT_LABELS = {
    "organisations": "党组织",
    "cells": "网格",
    "people": "人员",
    "members": "党员",
    "activists": "发展党员记录",
    "strengths": "特长",
    "users": "演示账户",
    "role_assignments": "角色分配",
}


# ---------------------------------------------------------------------------------------------------
# Area: the admin, who is the acting user of every later write


def build_admin(demo: Demo) -> None:
    # One hash for every demo login: PBKDF2 is slow on purpose, and they all share the password anyway.
    demo.password_hash = make_password(DEMO_PASSWORD)
    demo.actor = _upsert_user(demo, "admin", "系统管理员", superuser=True)


def _upsert_user(demo: Demo, username: str, display_name: str, *, superuser: bool = False) -> User:
    user = User.objects.filter(username=username).first() or User(username=username)
    user.password = demo.password_hash
    # The printed password must keep working: a password given by someone else has to be changed at
    # first login (accounts.policy), which would leave the table wrong after the first visit.
    user.password_changed_at = timezone.now()
    user.display_name = display_name
    user.is_active = True
    user.is_superuser = user.is_staff = superuser
    user.full_clean()
    user.save()
    return user


def reset_users() -> None:
    # Role assignments go with their user (CASCADE); a linked person keeps living (SET_NULL).
    User.objects.filter(username__in=DEMO_USERNAMES).delete()


# ---------------------------------------------------------------------------------------------------
# Areas: the two trees


def _child(model: type[TreeNode], parent: TreeNode | None, name: str) -> TreeNode | None:
    if parent is None:
        return model.objects.get_root_nodes().filter(name=name).first()
    # By path and depth rather than get_children(), which trusts a numchild that may be stale in memory.
    return model.objects.filter(path__startswith=parent.path, depth=parent.depth + 1, name=name).first()


def build_organisations(demo: Demo) -> None:
    def walk(specs: list[data.OrgSpec], parent: Organisation | None, prefix: str) -> None:
        for name, kind, children in specs:
            node = _child(Organisation, parent, name) or services.organisation_create(
                actor=demo.actor, parent=parent, name=name, kind=kind
            )
            key = f"{prefix}{name}"
            demo.orgs[key] = node
            walk(children, node, f"{key}/")

    walk(data.organisation_trees(), None, "")


def reset_organisations() -> None:
    # A queryset delete of the roots: treebeard takes the descendants with them.
    Organisation.objects.get_root_nodes().filter(name__in=ORG_ROOTS).delete()


def build_grid(demo: Demo) -> None:
    def walk(specs: list[data.CellSpec], parent: Cell | None, prefix: str) -> None:
        for name, kind, children, *rest in specs:
            node = _child(Cell, parent, name) or services.cell_create(
                actor=demo.actor, parent=parent, name=name, kind=kind, community_type=rest[0] if rest else ""
            )
            key = f"{prefix}{name}"
            demo.cells[key] = node
            walk(children, node, f"{key}/")

    walk(data.grid_trees(), None, "")


def reset_grid() -> None:
    Cell.objects.get_root_nodes().filter(name__in=CELL_ROOTS).delete()


# ---------------------------------------------------------------------------------------------------
# Area: people — members, activists and the masses


def build_people(demo: Demo) -> None:
    _write_people(people.people_specs(demo))


def _write_people(specs: list[people.PersonSpec]) -> None:
    """Create what is missing. Existing people are left as they are: someone may have edited them
    while trying the demo, and the generated values would only overwrite that."""
    ids = [s.person.id_number for s in specs]
    existing = set(Person.objects.filter(id_number__in=ids).values_list("id_number", flat=True))
    new = [s for s in specs if s.person.id_number not in existing]
    for spec in new:
        person = spec.person
        person.full_clean()
        # bulk_create skips Person.save, which computes the pinyin search keys.
        person.name_pinyin = pinyin.full_pinyin(person.name)
        person.name_initials = pinyin.initials(person.name)
    Person.objects.bulk_create([s.person for s in new])

    # Not every backend returns keys from a bulk insert; read them back by the natural key.
    pks = dict(Person.objects.filter(id_number__in=ids).values_list("id_number", "pk"))
    for spec in specs:
        spec.person.pk = pks[spec.person.id_number]
        spec.person._state.adding = False

    person_ids = list(pks.values())
    with_member = set(Member.objects.filter(person_id__in=person_ids).values_list("person_id", flat=True))
    with_activist = set(Activist.objects.filter(person_id__in=person_ids).values_list("person_id", flat=True))
    members: list[Member] = []
    activists: list[Activist] = []
    for spec in specs:
        if spec.member is not None and spec.person.pk not in with_member:
            spec.member.person = spec.person
            spec.member.full_clean()
            members.append(spec.member)
        if spec.activist is not None and spec.person.pk not in with_activist:
            spec.activist.person = spec.person
            spec.activist.full_clean()
            activists.append(spec.activist)
    Member.objects.bulk_create(members)
    Activist.objects.bulk_create(activists)

    _write_strengths(new)


def _write_strengths(specs: list[people.PersonSpec]) -> None:
    names = sorted({name for spec in specs for name in spec.strengths})
    known = {s.name: s for s in Strength.objects.filter(name__in=names)}
    missing = [Strength(name=n) for n in names if n not in known]
    for strength in missing:
        strength.full_clean()
    Strength.objects.bulk_create(missing)
    known = {s.name: s for s in Strength.objects.filter(name__in=names)}
    through = Person.strengths.through
    through.objects.bulk_create(
        [
            through(person_id=spec.person.pk, strength_id=known[name].pk)
            for spec in specs
            for name in spec.strengths
        ]
    )


def _demo_strength_names() -> set[str]:
    names = set(data.GENERAL_STRENGTHS)
    for strengths in data.OCCUPATION_STRENGTHS.values():
        names.update(strengths)
    return names


def reset_people() -> None:
    # Members and activists go with their person (CASCADE), and so do their strengths' links.
    demo_people().delete()
    Strength.objects.filter(name__in=_demo_strength_names(), people__isnull=True).delete()


# ---------------------------------------------------------------------------------------------------
# Area: one login per role


def build_logins(demo: Demo) -> None:
    for login in LOGINS:
        if login.username == "admin":
            continue  # made first, as the actor
        person = None
        if login.person_tag:
            person = Person.objects.get(id_number=demo.login_people[login.person_tag])
        user = _upsert_user(demo, login.username, login.display_name or (person.name if person else ""))
        organisation = demo.orgs[login.organisation] if login.organisation else None
        cell = demo.cells[login.cell] if login.cell else None
        assignment = RoleAssignment.objects.filter(
            user=user, role=login.role, organisation=organisation, cell=cell
        ).first()
        if assignment is None:
            assignment = RoleAssignment(user=user, role=login.role, organisation=organisation, cell=cell)
            assignment.full_clean()
            assignment.save()
        if person is not None and person.user_id != user.pk:
            person.user = user
            person.full_clean()
            person.save(update_fields=["user", "name_pinyin", "name_initials", "updated_at"])


def login_rows() -> list[tuple[str, str, str, str]]:
    """(username, role, scope, password) for each demo login, read back from the database."""
    rows: list[tuple[str, str, str, str]] = []
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    for login in LOGINS:
        user = users.get(login.username)
        if user is None:
            continue
        if login.role is None:
            role, where = "系统管理员", "全部(超级用户)"
        else:
            assignment = (
                RoleAssignment.objects.filter(user=user, role=login.role)
                .select_related("organisation", "cell")
                .first()
            )
            role = Role(login.role).label
            node = (assignment.organisation or assignment.cell) if assignment else None
            if node is not None:
                where = node.full_name()
            elif login.role == Role.MEMBER:
                person = Person.objects.filter(user=user).first()
                where = f"本人({person.name})" if person else "本人"
            else:
                where = "全站只读(审计日志)"
        rows.append((login.username, str(role), where, DEMO_PASSWORD))
    return rows


# ---------------------------------------------------------------------------------------------------

AREAS: list[Area] = [
    # The admin goes with the other demo users in the last area's reset.
    Area("管理员账户", build_admin),
    Area("党组织", build_organisations, reset_organisations),
    Area("网格", build_grid, reset_grid),
    Area("人员、党员和入党积极分子", build_people, reset_people),
    Area("演示账户", build_logins, reset_users),
    Area("责任区和责任网格", demo_zones.build, demo_zones.reset),
    Area("任务、工作运行表和活动", demo_work.build, demo_work.reset),
    Area("联系群众和谈心走访", demo_contacts.build, demo_contacts.reset),
    Area("月度汇报", demo_reports.build, demo_reports.reset),
    Area("量化考核", demo_assessment.build, demo_assessment.reset),
    Area("星级党员示范岗", demo_posts.build, demo_posts.reset),
    Area("在职党员进社区和时间银行", demo_community.build, demo_community.reset),
    Area("群众诉求", demo_requests.build, demo_requests.reset),
]


def reset_demo() -> None:
    for area in reversed(AREAS):
        if area.reset is not None:
            area.reset()


def build_demo(*, reset: bool = False, stdout: TextIO | None = None) -> dict[str, int]:
    """Build (or complete) the demo in one transaction and return the counts of what it holds."""
    demo = Demo(stdout=stdout)
    with transaction.atomic():
        if reset:
            demo.say("删除原有演示数据……")
            reset_demo()
        for area in AREAS:
            demo.say(f"生成{area.name}……")
            area.build(demo)
        return demo_counts()
