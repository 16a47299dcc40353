"""The one place that answers who may see and do what.

`visible_to(user, queryset)` narrows any queryset of a private model to what the user's role assignments
reach; `can(user, action, obj)` answers for one object. Views and API endpoints call these and nothing
else; an object outside the scope is treated exactly like a missing one (404).

Scopes:
- office, secretary, supervisor: an organisation subtree, and the members and activists in it;
- community: a grid subtree, and the people who live or work in it;
- member: their own person and membership;
- auditor: no business data (the audit trail has its own check);
- superuser: everything.
The grid tree's structure (the names of streets, communities, teams) is shared reference data that every
user with a role may read; what hangs on it is scoped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from vanguard.accounts.models import Role, RoleAssignment

VIEW = "view"
CHANGE = "change"
CREATE = "create"
DELETE = "delete"

# Roles that may change the business data inside their organisation scope.
_ORG_EDITORS = {Role.OFFICE, Role.SECRETARY}


@dataclass
class Scope:
    """What one user's role assignments reach, loaded once per request."""

    superuser: bool = False
    roles: set[str] = field(default_factory=set)
    # role -> list of (path) of organisation nodes / grid cells
    org_paths: dict[str, list[str]] = field(default_factory=dict)
    cell_paths: list[str] = field(default_factory=list)
    person_id: int | None = None

    def paths_for(self, roles: set[str]) -> list[str]:
        paths: list[str] = []
        for role in roles:
            paths.extend(self.org_paths.get(role, []))
        return _outermost(paths)

    @property
    def any_org_paths(self) -> list[str]:
        return self.paths_for(set(self.org_paths))


def _outermost(paths: list[str]) -> list[str]:
    """Drop paths that lie under another path of the list."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return result


class SystemActor:
    """The operator at the command line (`vanguard import`, `vanguard demo`): whoever can run commands on
    the server can already change anything, so the services let this actor do everything. The audit trail
    records it under its username, with no user id."""

    pk = id = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = False
    username = "system"

    def __init__(self, username: str = "system"):
        self.username = username

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.username


SYSTEM = SystemActor()


def console_actor() -> SystemActor:
    """The system actor named after the operating-system user running the command, e.g. "wang(控制台)"."""
    import getpass

    from django.utils.translation import gettext as _

    try:
        name = getpass.getuser()
    except (OSError, KeyError):
        name = ""
    return SystemActor(_("%(name)s(控制台)") % {"name": name} if name else _("控制台"))


def scope_of(user) -> Scope:
    if isinstance(user, SystemActor):
        return Scope(superuser=True)
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, "_vanguard_scope", None)
    if cached is not None:
        return cached
    scope = Scope(superuser=user.is_superuser)
    assignments = RoleAssignment.objects.filter(user=user).select_related("organisation", "cell")
    for assignment in assignments:
        scope.roles.add(assignment.role)
        if assignment.organisation_id:
            scope.org_paths.setdefault(assignment.role, []).append(assignment.organisation.path)
        if assignment.cell_id:
            scope.cell_paths.append(assignment.cell.path)
    scope.cell_paths = _outermost(scope.cell_paths)
    person = getattr(user, "person", None) if Role.MEMBER in scope.roles else None
    scope.person_id = person.pk if person is not None else None
    user._vanguard_scope = scope
    return scope


def forget(user) -> None:
    """Drop the cached scope after the user's role assignments changed."""
    if hasattr(user, "_vanguard_scope"):
        del user._vanguard_scope


def _prefix_q(field_path: str, paths: list[str]) -> Q:
    from vanguard.core.pinyin import PREFIX_END

    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field_path}__gte": path, f"{field_path}__lt": path + PREFIX_END})
    return q


def _has_role(scope: Scope) -> bool:
    return bool(scope.roles - {Role.AUDITOR})


# One function per private model: the Q that selects what the scope may see.
def _organisation_q(scope: Scope) -> Q:
    return _prefix_q("path", scope.any_org_paths)


def _cell_q(scope: Scope) -> Q:
    return Q() if _has_role(scope) else Q(pk__in=[])


def _member_q(scope: Scope) -> Q:
    q = _prefix_q("organisation__path", scope.any_org_paths)
    if scope.cell_paths:
        q |= _prefix_q("person__residence__path", scope.cell_paths)
        q |= _prefix_q("person__workplace__path", scope.cell_paths)
    if scope.person_id:
        q |= Q(person_id=scope.person_id)
    return q


def _person_q(scope: Scope) -> Q:
    q = _prefix_q("member__organisation__path", scope.any_org_paths)
    q |= _prefix_q("activist__organisation__path", scope.any_org_paths)
    if scope.cell_paths:
        q |= _prefix_q("residence__path", scope.cell_paths)
        q |= _prefix_q("workplace__path", scope.cell_paths)
    if scope.person_id:
        q |= Q(pk=scope.person_id)
    return q


def _activist_q(scope: Scope) -> Q:
    return _prefix_q("organisation__path", scope.any_org_paths)


@dataclass(frozen=True)
class Policy:
    """How one private model hangs on the trees.

    rule: the filter of what a scope may see (to-one relations only, or Exists for to-many, so that
    filtering never duplicates rows); org_path: the organisation an object belongs to, whose editors may
    change it; owner: the person id of the member whose own object it is (their report, their talk), who
    may write it too."""

    rule: Callable[[Scope], Q]
    org_path: Callable[[Model], str | None] | None = None
    owner: Callable[[Model], int | None] | None = None


_POLICIES: dict[str, Policy] = {}
# Further ways to see a model that another app adds (contacts: the people a branch's members keep).
_EXTENSIONS: dict[str, list[Callable[[Scope], Q]]] = {}


def register(
    model_label: str,
    rule: Callable[[Scope], Q],
    *,
    org_path: Callable[[Model], str | None] | None = None,
    owner: Callable[[Model], int | None] | None = None,
) -> None:
    """Each app registers the policy of its own private models here (from its policies.py)."""
    _POLICIES[model_label] = Policy(rule=rule, org_path=org_path, owner=owner)


def extend(model_label: str, rule: Callable[[Scope], Q]) -> None:
    """Let another app widen what a scope sees of a model it does not own (OR-ed with its policy)."""
    _EXTENSIONS.setdefault(model_label, []).append(rule)


def subtree_q(field_path: str, paths: list[str]) -> Q:
    """Rows whose `field_path` (a tree path) lies under any of `paths`: an index range per path."""
    return _prefix_q(field_path, paths)


def organisation_q(scope: Scope, field_path: str) -> Q:
    """Rows whose organisation path (`field_path`) is inside the scope's organisation subtrees."""
    return _prefix_q(field_path, scope.any_org_paths)


def grid_q(scope: Scope, field_path: str) -> Q:
    """Rows whose cell path (`field_path`) is inside the scope's grid subtrees (community workers)."""
    return _prefix_q(field_path, scope.cell_paths)


def _person_org_path(person: Model) -> str | None:
    for attr in ("member", "activist"):
        related = getattr(person, attr, None)
        if related is not None:
            return related.organisation.path
    return None


register("org.organisation", _organisation_q, org_path=lambda o: o.path)
register("org.cell", _cell_q)
register("org.member", _member_q, org_path=lambda m: m.organisation.path)
register("org.person", _person_q, org_path=_person_org_path)
register("org.activist", _activist_q, org_path=lambda a: a.organisation.path)


def visible_to(user, queryset: QuerySet) -> QuerySet:
    scope = scope_of(user)
    if scope.superuser:
        return queryset
    policy = _POLICIES.get(queryset.model._meta.label_lower)
    if policy is None:
        # Deny by default: a model nobody wrote a policy for is visible to superusers only.
        return queryset.none()
    # Every rule follows to-one relations only (or Exists), so filtering never duplicates rows.
    q = policy.rule(scope)
    for extension in _EXTENSIONS.get(queryset.model._meta.label_lower, []):
        q |= extension(scope)
    return queryset.filter(q)


def _in_cells(scope: Scope, *cells) -> bool:
    return any(cell is not None and cell.path.startswith(p) for cell in cells for p in scope.cell_paths)


def _is_bare_person(obj: Model) -> bool:
    """A person who is neither a member nor an activist: a resident, kept by their community."""
    return (
        obj._meta.label_lower == "org.person"
        and getattr(obj, "member", None) is None
        and getattr(obj, "activist", None) is None
    )


def can(user, action: str, obj: Model) -> bool:
    """May `user` do `action` (view, change, create, delete) to `obj`?

    For create and change, `obj` carries the values it would have after the write, so a change that
    would move it out of the user's scope is refused too."""
    scope = scope_of(user)
    if scope.superuser:
        return True
    if action == VIEW:
        return visible_to(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()
    if Role.AUDITOR in scope.roles and len(scope.roles) == 1:
        return False
    if _is_bare_person(obj):
        # Residents belong to their community: its workers register and correct them. (Who else may
        # register one, e.g. a member's contact, comes with the contacts; until then only the community,
        # so that whoever creates a person can also see them afterwards.)
        return _in_cells(scope, obj.residence, obj.workplace)
    policy = _POLICIES.get(obj._meta.label_lower)
    if policy is None:
        return False
    if policy.owner is not None and scope.person_id is not None and policy.owner(obj) == scope.person_id:
        # A member writes their own things (their monthly report, the talks with their contacts).
        return True
    path = policy.org_path(obj) if policy.org_path is not None else None
    if path is None:
        return False
    editor_paths = scope.paths_for(_ORG_EDITORS)
    return any(path.startswith(p) for p in editor_paths)


def can_edit_under(user, organisation) -> bool:
    """May `user` create or move business data into `organisation` (a foreign key in a form or request)?"""
    scope = scope_of(user)
    if scope.superuser:
        return True
    return any(organisation.path.startswith(p) for p in scope.paths_for(_ORG_EDITORS))


def acts_as(user, roles: set[str], organisation, *, strictly_above: bool = False) -> bool:
    """Does `user` hold one of `roles` over `organisation` (at it or above it; `strictly_above`: above it
    only, e.g. the office scoring a branch, not the branch's own secretary)?"""
    scope = scope_of(user)
    if scope.superuser:
        return True
    return any(
        organisation.path.startswith(p) and not (strictly_above and organisation.path == p)
        for p in scope.paths_for(roles)
    )


def works_in(user, cell) -> bool:
    """Is `user` a community worker at `cell` (at it or above it in the grid)?"""
    scope = scope_of(user)
    return scope.superuser or _in_cells(scope, cell)


def edits_organisations(user) -> bool:
    """Whether the user may put business data into some organisation (office, secretary): from the scope
    already loaded, without a query."""
    scope = scope_of(user)
    return scope.superuser or bool(scope.paths_for(_ORG_EDITORS))


def editable_organisations(user, queryset: QuerySet) -> QuerySet:
    """The organisations a user may put business data into: the choices of a form's organisation field."""
    scope = scope_of(user)
    if scope.superuser:
        return queryset
    return queryset.filter(_prefix_q("path", scope.paths_for(_ORG_EDITORS)))


def get_visible_or_404(user, queryset: QuerySet, **lookup) -> Model:
    try:
        return visible_to(user, queryset).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def get_for_action_or_404(user, action: str, queryset: QuerySet, **lookup) -> Model:
    """The object if the user may do `action` to it; 404 if it is missing or out of sight; 403 if it is
    in sight but the action is not allowed (a supervisor may read but not edit)."""
    from django.core.exceptions import PermissionDenied

    obj = get_visible_or_404(user, queryset, **lookup)
    if not can(user, action, obj):
        raise PermissionDenied
    return obj


def has_any_role(user) -> bool:
    scope = scope_of(user)
    return scope.superuser or _has_role(scope)


# --- a person's own data (PIPL art. 45 查阅、复制, art. 47 删除) -----------------------------------------


def handles_personal_data(user, person: Model) -> bool:
    """May `user` export a person's data for them and anonymise it where the rules allow? The party office,
    for the people its office assignments reach (not through any other role the same login holds), and
    superusers. Branch secretaries, community workers and supervisors may not: this is the office's duty."""
    scope = scope_of(user)
    if scope.superuser:
        return True
    office_paths = scope.org_paths.get(Role.OFFICE)
    if not office_paths:
        return False
    office = Scope(roles={Role.OFFICE}, org_paths={Role.OFFICE: list(office_paths)})
    label = person._meta.label_lower
    q = _POLICIES[label].rule(office)
    for extension in _EXTENSIONS.get(label, []):
        q |= extension(office)
    return type(person)._default_manager.filter(q, pk=person.pk).exists()


def owns_personal_data(user, person: Model) -> bool:
    """Is `person` the user's own person record (who may export their own data, art. 45)?"""
    return (
        user is not None
        and not isinstance(user, SystemActor)
        and user.is_authenticated
        and user.is_active
        and person.user_id is not None
        and person.user_id == user.pk
    )


def exports_personal_data(user, person: Model) -> bool:
    """May `user` download `person`'s own copy of their data: the office over them, or the person."""
    return owns_personal_data(user, person) or handles_personal_data(user, person)
