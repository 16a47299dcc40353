"""Writes of zones, their roles and the responsibilities they hang on.

Every write takes the acting user, checks the scope (office and secretaries write inside their
organisations; supervisors, members and community workers only read), validates with full_clean and the
responsibility rule, and is recorded in the audit trail in the same transaction. Pages, the API and the demo
share these functions. (Tasks, work plans and activities are in work_services.py.)"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.accounts import scope as access
from vanguard.audit import services as audit
from vanguard.org.models import Cell, Organisation, Person

from . import selectors
from .models import Responsibility, Zone, ZoneRole, ZoneRoleKind, validate_year

ZONE_FIELDS = ("year", "kind", "name", "scope", "commitment", "service_phone")


def _out_of_scope_organisation() -> ValidationError:
    # The same words as a field pointing nowhere (decisions.md, Access).
    return ValidationError({"organisation": _("所选党组织不存在或不在您的管理范围内。")})


def _merge(errors: dict[str, list[str]], exc: ValidationError) -> None:
    for key, messages in exc.message_dict.items():
        errors.setdefault(key, []).extend(messages)


def _cell_errors(organisation: Organisation, cells: list[Cell]) -> list[str]:
    """The responsibility rule: each cell lies under a responsibility of the zone's organisation or, for a
    group, of its branch."""
    roots = selectors.allowed_root_paths(organisation)
    outside = [c for c in cells if not any(c.path.startswith(root) for root in roots)]
    if not outside:
        return []
    names = selectors.full_names([c.path for c in outside], {c.path: c.name for c in outside})
    return [_("网格“%(path)s”不在本支部的责任范围内。") % {"path": names[c.path]} for c in outside]


def _cells_detail(cells: Iterable[Cell]) -> str:
    names = selectors.full_names([c.path for c in cells], {c.path: c.name for c in cells})
    return _("覆盖网格:%(cells)s") % {"cells": "、".join(sorted(names.values())) or _("无")}


def _validated(zone: Zone, cells: list[Cell] | None) -> None:
    errors: dict[str, list[str]] = {}
    try:
        # The unique name is checked below, with a message that names the zone.
        zone.full_clean(validate_constraints=False)
    except ValidationError as exc:
        _merge(errors, exc)
    if zone.organisation_id and zone.year and zone.name:
        twin = Zone.objects.filter(organisation_id=zone.organisation_id, year=zone.year, name=zone.name)
        if twin.exclude(pk=zone.pk).exists():
            errors.setdefault("name", []).append(
                _("%(org)s%(year)d年度已有名为“%(name)s”的责任区。")
                % {"org": zone.organisation.name, "year": zone.year, "name": zone.name}
            )
    if cells is not None and zone.organisation_id and "organisation" not in errors:
        cell_errors = _cell_errors(zone.organisation, cells)
        if cell_errors:
            errors["cells"] = cell_errors
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def zone_create(
    *,
    actor,
    organisation: Organisation,
    year: int,
    kind: str,
    name: str,
    scope: str = "",
    commitment: str = "",
    service_phone: str = "",
    cells: Iterable[Cell] = (),
) -> Zone:
    if not access.can_edit_under(actor, organisation):
        raise _out_of_scope_organisation()
    cells = list(cells)
    zone = Zone(
        organisation=organisation,
        year=year,
        kind=kind,
        name=(name or "").strip(),
        scope=scope,
        commitment=commitment,
        service_phone=(service_phone or "").strip(),
    )
    _validated(zone, cells)
    zone.save()
    zone.cells.set(cells)
    audit.record_save(user=actor, obj=zone, before=None, detail=_cells_detail(cells))
    return zone


def _stored_zone(actor, zone: Zone, action: str = access.CHANGE) -> Zone:
    stored = Zone.objects.select_related("organisation").select_for_update().get(pk=zone.pk)
    if not access.can(actor, action, stored):
        raise PermissionDenied
    return stored


@transaction.atomic
def zone_update(*, actor, zone: Zone, fields: Mapping[str, Any], cells: Iterable[Cell] | None = None) -> Zone:
    """Change a zone's sign-board fields and, when `cells` is given, the cells it covers. A zone stays with
    its organisation: a zone for another branch is a new zone of that branch."""
    stored = _stored_zone(actor, zone)
    unknown = set(fields) - set(ZONE_FIELDS) - {"organisation"}
    if unknown:
        raise ValueError(f"not a zone field: {sorted(unknown)}")
    organisation = fields.get("organisation")
    if organisation is not None and organisation.pk != stored.organisation_id:
        raise ValidationError({"organisation": _("责任区的所属党组织不能修改;请在该党组织下新建责任区。")})
    before = audit.snapshot(stored)
    previous = list(stored.cells.all())
    for key in ZONE_FIELDS:
        if key in fields:
            value = fields[key]
            setattr(stored, key, value.strip() if key in ("name", "service_phone") else value)
    cells = list(cells) if cells is not None else None
    _validated(stored, cells)
    stored.save()
    if cells is not None:
        stored.cells.set(cells)
    detail = _cells_detail(cells if cells is not None else previous)
    if cells is not None and {c.pk for c in cells} != {c.pk for c in previous}:
        detail = _("原") + _cells_detail(previous) + ";" + _("现") + _cells_detail(cells)
    audit.record_save(user=actor, obj=stored, before=before, detail=detail)
    return stored


@transaction.atomic
def zone_delete(*, actor, zone: Zone) -> None:
    stored = _stored_zone(actor, zone, access.DELETE)
    tasks = stored.tasks.count()
    if tasks:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("责任区“%(name)s”还有%(n)d项任务,不能删除。") % {"name": stored.name, "n": tasks}
                ]
            }
        )
    audit.record_delete(user=actor, obj=stored, detail=_cells_detail(stored.cells.all()))
    stored.delete()


# --- roles ----------------------------------------------------------------------------------------------


def _check_person_visible(actor, person: Person) -> None:
    if not access.visible_to(actor, Person.objects.filter(pk=person.pk)).exists():
        raise ValidationError({"person": _("所选人员不存在或不在您的可见范围内。")})


@transaction.atomic
def zone_role_add(*, actor, zone: Zone, kind: ZoneRoleKind, person: Person) -> ZoneRole:
    stored = _stored_zone(actor, zone)
    _check_person_visible(actor, person)
    if ZoneRole.objects.filter(zone=stored, kind=kind, person=person).exists():
        raise ValidationError(
            {"person": _("%(name)s已是该责任区的%(kind)s。") % {"name": person.name, "kind": kind.name}}
        )
    role = ZoneRole(zone=stored, kind=kind, person=person)
    role.full_clean()
    role.save()
    audit.record_save(
        user=actor,
        obj=role,
        before=None,
        detail=_("%(zone)s:%(person)s任%(kind)s")
        % {"zone": stored.name, "person": person.name, "kind": kind},
    )
    return role


@transaction.atomic
def zone_role_remove(*, actor, role: ZoneRole) -> None:
    stored = ZoneRole.objects.select_related("zone__organisation", "kind", "person").get(pk=role.pk)
    if not access.can(actor, access.DELETE, stored):
        raise PermissionDenied
    audit.record_delete(
        user=actor,
        obj=stored,
        detail=_("%(zone)s:%(person)s不再任%(kind)s")
        % {"zone": stored.zone.name, "person": stored.person.name, "kind": stored.kind},
    )
    stored.delete()


# --- responsibilities -------------------------------------------------------------------------------------


def responsibility_conflict(organisation: Organisation, cell: Cell) -> str | None:
    """Why `organisation` cannot take `cell` as a responsibility (it already answers for it), or None."""
    own = Responsibility.objects.filter(organisation=organisation).select_related("cell")
    for existing in own:
        if cell.path.startswith(existing.cell.path):
            names = selectors.full_names([existing.cell.path, cell.path])
            if existing.cell_id == cell.pk:
                return _("%(org)s已负责网格“%(cell)s”。") % {
                    "org": organisation.name,
                    "cell": names[cell.path],
                }
            return _("网格“%(cell)s”已在%(org)s的责任网格“%(root)s”之内。") % {
                "cell": names[cell.path],
                "org": organisation.name,
                "root": names[existing.cell.path],
            }
    return None


@transaction.atomic
def responsibility_create(*, actor, organisation: Organisation, cell: Cell) -> Responsibility:
    if not access.can_edit_under(actor, organisation):
        raise _out_of_scope_organisation()
    responsibility = Responsibility(organisation=organisation, cell=cell)
    # The unique constraint's own message names no cell; responsibility_conflict says which one.
    responsibility.full_clean(validate_constraints=False)
    conflict = responsibility_conflict(organisation, cell)
    if conflict:
        raise ValidationError({"cell": conflict})
    responsibility.save()
    audit.record_save(
        user=actor, obj=responsibility, before=None, detail=_("责任网格:%(cell)s") % {"cell": _cell(cell)}
    )
    return responsibility


def _cell(cell: Cell) -> str:
    return selectors.full_name(cell)


@transaction.atomic
def responsibility_delete(*, actor, responsibility: Responsibility) -> None:
    """Remove a responsibility unless a zone of this year or later still needs it for one of its cells."""
    stored = Responsibility.objects.select_related("organisation", "cell").get(pk=responsibility.pk)
    if not access.can(actor, access.DELETE, stored):
        raise PermissionDenied
    audit.record_delete(user=actor, obj=stored, detail=_("责任网格:%(cell)s") % {"cell": _cell(stored.cell)})
    stored.delete()
    # The zones that may have leant on it: of the organisation and, for a branch, of its groups.
    affected = (
        Zone.objects.filter(
            stored.organisation.subtree_q("organisation__"),
            year__gte=selectors.this_year(),
            cells__in=Cell.objects.filter(stored.cell.subtree_q()),
        )
        .select_related("organisation")
        .distinct()
        .order_by("year", "name")
    )
    for zone in affected:
        errors = _cell_errors(zone.organisation, list(zone.cells.all()))
        if errors:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: [
                        _("责任区“%(zone)s”(%(year)d年)仍覆盖该责任网格下的网格,不能删除;请先调整该责任区。")
                        % {"zone": zone.name, "year": zone.year}
                    ]
                }
            )


# --- a new year ----------------------------------------------------------------------------------------


@dataclass
class CopyResult:
    copied: list[Zone]
    skipped: list[str]  # names that already exist in the new year
    dropped_cells: int  # cells no longer inside the organisation's responsibilities


@transaction.atomic
def zones_copy_year(*, actor, organisation: Organisation, from_year: int, to_year: int) -> CopyResult:
    """Seed 001: each year after the appraisal the branch decides its members' zones for the next year. This
    copies every zone of the organisation's subtree from `from_year` into `to_year` (sign-board text, cells,
    roles), to be adjusted afterwards. Names already used in `to_year` are skipped; cells that have left the
    responsibilities since are left out. Tasks are not copied."""
    if not access.can_edit_under(actor, organisation):
        raise _out_of_scope_organisation()
    errors: dict[str, list[str]] = {}
    for key, year in (("from_year", from_year), ("to_year", to_year)):
        try:
            validate_year(year)
        except ValidationError as exc:
            errors[key] = exc.messages
    if not errors and from_year == to_year:
        errors["to_year"] = [_("沿用的年度须与原年度不同。")]
    if errors:
        raise ValidationError(errors)

    sources = list(
        Zone.objects.filter(organisation.subtree_q("organisation__"), year=from_year)
        .select_related("organisation")
        .prefetch_related("cells", "roles")
        .order_by("organisation__path", "name")
    )
    taken = set(
        Zone.objects.filter(organisation.subtree_q("organisation__"), year=to_year).values_list(
            "organisation_id", "name"
        )
    )
    roots: dict[int, list[str]] = {}
    result = CopyResult(copied=[], skipped=[], dropped_cells=0)
    roles: list[ZoneRole] = []
    for source in sources:
        if (source.organisation_id, source.name) in taken:
            result.skipped.append(source.name)
            continue
        if source.organisation_id not in roots:
            roots[source.organisation_id] = selectors.allowed_root_paths(source.organisation)
        allowed = roots[source.organisation_id]
        cells = [c for c in source.cells.all() if any(c.path.startswith(r) for r in allowed)]
        result.dropped_cells += len(source.cells.all()) - len(cells)
        zone = Zone(
            organisation=source.organisation,
            year=to_year,
            kind=source.kind,
            name=source.name,
            scope=source.scope,
            commitment=source.commitment,
            service_phone=source.service_phone,
            copied_from=source,
        )
        zone.full_clean()
        zone.save()
        zone.cells.set(cells)
        roles.extend(
            ZoneRole(zone=zone, kind_id=r.kind_id, person_id=r.person_id) for r in source.roles.all()
        )
        result.copied.append(zone)
    ZoneRole.objects.bulk_create(roles)
    audit.record_many(
        [
            {
                "obj": zone,
                "before": None,
                "detail": _("沿用%(year)d年度责任区“%(name)s”") % {"year": from_year, "name": zone.name},
            }
            for zone in result.copied
        ],
        user=actor,
    )
    return result


# --- filling a coverage gap -----------------------------------------------------------------------------


def _free_name(organisation: Organisation, year: int, base: str) -> str:
    taken = set(
        Zone.objects.filter(organisation=organisation, year=year, name__startswith=base).values_list(
            "name", flat=True
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}({n})" in taken:
        n += 1
    return f"{base}({n})"


@transaction.atomic
def coverage_fill(
    *, actor, cell: Cell, person: Person, year: int, organisation: Organisation, zone: Zone | None = None
) -> Zone:
    """Make `person` the 负责人 of `zone`, which must cover `cell`; without a zone, of a new zone covering
    `cell` in `organisation` (which must answer for the cell)."""
    lead = selectors.lead_kind()
    if lead is None:
        raise ValidationError({NON_FIELD_ERRORS: [_("尚未设置负责人角色,请在管理后台的责任区角色中设置。")]})
    if zone is not None:
        stored = _stored_zone(actor, zone)
        own = {*cell.ancestor_paths(), cell.path}
        if stored.year != year or not stored.cells.filter(path__in=own).exists():
            raise ValidationError(
                {
                    "zone": _("责任区“%(zone)s”不覆盖网格“%(cell)s”。")
                    % {"zone": stored.name, "cell": _cell(cell)}
                }
            )
    else:
        name = _free_name(organisation, year, _("%(cell)s党员责任区") % {"cell": cell.name})
        stored = zone_create(
            actor=actor,
            organisation=organisation,
            year=year,
            kind=Zone.Kind.WORK if cell.is_workplace else Zone.Kind.AREA,
            name=name,
            scope=cell.name,
            cells=[cell],
        )
    zone_role_add(actor=actor, zone=stored, kind=lead, person=person)
    return stored
