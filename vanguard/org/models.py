"""The two trees (organisation: who leads; grid: where the masses are) and the people on them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from vanguard.core import masking, pinyin
from vanguard.core.crypto import EncryptedCharField
from vanguard.core.models import BaseModel

from . import validators


class TreeNode(MP_Node):
    """A materialised-path node: everything under X is one indexed prefix scan on `path`."""

    steplen = 4
    name = models.CharField(_("名称"), max_length=100)

    # Set on a new node whose name its caller has already checked against its siblings, stored and about to
    # be added (the roster importer, from its map of every node by path); clean() then skips its query.
    siblings_checked = False

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def subtree_q(self, prefix: str = "") -> Q:
        """A filter for this node and everything under it, as an index range on the path."""
        field = f"{prefix}path" if prefix else "path"
        return Q(**{f"{field}__gte": self.path, f"{field}__lt": self.path + pinyin.PREFIX_END})

    def ancestor_paths(self) -> list[str]:
        return [self.path[:i] for i in range(self.steplen, len(self.path), self.steplen)]

    def full_name(self) -> str:
        """The roster workbook's path: the names from the root down, `/`-separated."""
        ancestors = type(self).objects.filter(path__in=self.ancestor_paths()).order_by("depth")
        return "/".join([*(a.name for a in ancestors), self.name])

    @classmethod
    def children_of(cls, parent: TreeNode | None) -> models.QuerySet:
        """The children of `parent` (roots for None), by path and depth: unlike treebeard's get_children()
        it does not trust the in-memory `numchild`, which is stale on an instance read before a child was
        added."""
        if parent is None:
            return cls.objects.filter(depth=1).order_by("path")
        return cls.objects.filter(parent.subtree_q(), depth=parent.depth + 1).order_by("path")

    def clean(self) -> None:
        super().clean()
        if "/" in (self.name or ""):
            # The roster workbook names a node by its path, `/`-separated.
            raise ValidationError({"name": gettext("名称中不能含有“/”。")})
        if self.siblings_checked:
            return
        parent = self.parent_for_validation()
        siblings = type(self).children_of(parent)
        if siblings.filter(name=self.name).exclude(pk=self.pk).exists():
            raise ValidationError(
                {"name": gettext("同一上级下已有同名节点“%(name)s”。") % {"name": self.name}}
            )

    def parent_for_validation(self) -> TreeNode | None:
        """The parent as it will be after saving: a new node carries `_new_parent` (see services)."""
        if hasattr(self, "_new_parent"):
            return self._new_parent
        if not self.pk or self.depth <= 1:
            return None
        return type(self).objects.get(path=self.path[: -self.steplen])


class Organisation(TreeNode, BaseModel):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        WORKING_COMMITTEE = "working_committee", _("党工委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")
        GROUP = "group", _("党小组")
        # Seed 002: the special members (流动, 协解, 家属, 复转军人) of a community are organised by its
        # 党员服务社, which holds members like a branch.
        SERVICE_SOCIETY = "service_society", _("党员服务社")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)

    node_order_by = None

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")

    @property
    def can_hold_members(self) -> bool:
        return self.kind in (self.Kind.BRANCH, self.Kind.GROUP, self.Kind.SERVICE_SOCIETY)

    def clean(self) -> None:
        super().clean()
        parent = self.parent_for_validation()
        if self.kind == self.Kind.GROUP and (parent is None or parent.kind != self.Kind.BRANCH):
            raise ValidationError({"kind": gettext("党小组的上级必须是党支部。")})
        if (
            parent is not None
            and parent.kind in (self.Kind.BRANCH, self.Kind.GROUP)
            and self.kind != self.Kind.GROUP
        ):
            raise ValidationError(
                {"kind": gettext("%(parent)s下只能设党小组。") % {"parent": parent.get_kind_display()}}
            )
        if parent is not None and parent.kind == self.Kind.SERVICE_SOCIETY:
            raise ValidationError({"kind": gettext("党员服务社下不设下级组织。")})
        if self.kind == self.Kind.SERVICE_SOCIETY and parent is None:
            raise ValidationError({"kind": gettext("党员服务社须设在社区党组织之下。")})


class Cell(TreeNode, BaseModel):
    class Kind(models.TextChoices):
        UNIT = "unit", _("单位")
        COMPANY = "company", _("公司")
        SUBSIDIARY = "subsidiary", _("分公司")
        DEPARTMENT = "department", _("部门")
        TEAM = "team", _("班组")
        LINE = "line", _("线路")
        POST = "post", _("岗位")
        STREET = "street", _("街道")
        COMMUNITY = "community", _("社区")
        ESTATE = "estate", _("小区")
        BUILDING = "building", _("楼栋")
        HOUSEHOLD = "household", _("户")
        PUBLIC_AREA = "public_area", _("公共区域")

    class CommunityType(models.TextChoices):
        CULTURE = "culture", _("文体型")
        REEMPLOYMENT = "reemployment", _("再就业型")
        LEARNING = "learning", _("学习型")
        JOINT = "joint", _("共建型")
        SAFETY = "safety", _("平安型")
        ENVIRONMENT = "environment", _("环保型")
        SCIENCE = "science", _("科普型")

    WORKPLACE_KINDS = (
        Kind.UNIT,
        Kind.COMPANY,
        Kind.SUBSIDIARY,
        Kind.DEPARTMENT,
        Kind.TEAM,
        Kind.LINE,
        Kind.POST,
    )
    RESIDENTIAL_KINDS = (Kind.STREET, Kind.COMMUNITY, Kind.ESTATE, Kind.BUILDING, Kind.HOUSEHOLD)

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    community_type = models.CharField(_("社区类型"), max_length=20, choices=CommunityType.choices, blank=True)

    node_order_by = None

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")

    @property
    def is_workplace(self) -> bool:
        return self.kind in self.WORKPLACE_KINDS

    def clean(self) -> None:
        super().clean()
        if self.community_type and self.kind != self.Kind.COMMUNITY:
            raise ValidationError({"community_type": gettext("只有社区可以设置社区类型。")})
        parent = self.parent_for_validation()
        allowed = _CELL_PARENTS.get(self.kind)
        if parent is not None and allowed is not None and parent.kind not in allowed:
            raise ValidationError(
                {
                    "kind": gettext("%(kind)s不能设在%(parent)s之下。")
                    % {"kind": self.get_kind_display(), "parent": parent.get_kind_display()}
                }
            )


# Which kinds of cell may hold which: workplaces nest in workplaces, homes in the residential tree.
_WORKPLACE_PARENTS = (
    Cell.Kind.UNIT,
    Cell.Kind.COMPANY,
    Cell.Kind.SUBSIDIARY,
    Cell.Kind.DEPARTMENT,
    Cell.Kind.TEAM,
    Cell.Kind.LINE,
)
_CELL_PARENTS: dict[str, tuple[str, ...]] = {
    Cell.Kind.UNIT: (*_WORKPLACE_PARENTS, Cell.Kind.STREET),
    Cell.Kind.COMPANY: (Cell.Kind.UNIT, Cell.Kind.COMPANY, Cell.Kind.STREET),
    Cell.Kind.SUBSIDIARY: (Cell.Kind.UNIT, Cell.Kind.COMPANY),
    Cell.Kind.DEPARTMENT: _WORKPLACE_PARENTS,
    Cell.Kind.TEAM: _WORKPLACE_PARENTS,
    Cell.Kind.LINE: _WORKPLACE_PARENTS,
    Cell.Kind.POST: _WORKPLACE_PARENTS,
    Cell.Kind.STREET: (Cell.Kind.UNIT, Cell.Kind.STREET),
    Cell.Kind.COMMUNITY: (Cell.Kind.STREET, Cell.Kind.UNIT, Cell.Kind.DEPARTMENT),
    Cell.Kind.ESTATE: (Cell.Kind.STREET, Cell.Kind.COMMUNITY, Cell.Kind.UNIT, Cell.Kind.DEPARTMENT),
    Cell.Kind.BUILDING: (Cell.Kind.COMMUNITY, Cell.Kind.ESTATE),
    Cell.Kind.HOUSEHOLD: (Cell.Kind.BUILDING, Cell.Kind.ESTATE),
}


class Strength(models.Model):
    """A strength a person offers (特长): 文艺, 维修, 法律咨询 … counted by the community's book."""

    name = models.CharField(_("特长"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("特长")
        verbose_name_plural = _("特长")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(BaseModel):
    """Anyone the system knows: members, activists, the masses, residents."""

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(_("姓名拼音"), max_length=200, editable=False, db_index=True)
    name_initials = models.CharField(_("姓名首字母"), max_length=50, editable=False, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(
        _("出生日期"), null=True, blank=True, validators=[validators.validate_not_future]
    )
    # Encrypted at rest (vanguard/core/crypto.py); equality lookups and the unique constraint still work.
    id_number = EncryptedCharField(
        _("身份证号"),
        max_length=18,
        blank=True,
        validators=[validators.validate_id_number],
        mask=masking.mask_id_number,
    )
    mobile = EncryptedCharField(
        _("手机号"),
        max_length=11,
        blank=True,
        db_index=True,
        validators=[validators.validate_mobile],
        mask=masking.mask_phone,
    )
    workplace = models.ForeignKey(
        Cell, models.PROTECT, null=True, blank=True, related_name="workers", verbose_name=_("工作单位")
    )
    residence = models.ForeignKey(
        Cell, models.PROTECT, null=True, blank=True, related_name="residents", verbose_name=_("居住社区")
    )
    occupation = models.CharField(_("职业"), max_length=50, blank=True, db_index=True)
    strengths = models.ManyToManyField(Strength, blank=True, related_name="people", verbose_name=_("特长"))
    notes = models.TextField(_("备注"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("登录账户"),
    )

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="person_id_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["name", "mobile"], name="person_name_mobile")]

    # Set on an instance whose 身份证号 its caller has already checked against the database and its batch in
    # bulk (the roster importer: one query per 2 000 rows); clean() then skips its own query per person.
    id_number_checked = False

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.fill_search_keys()
        super().save(*args, **kwargs)

    def fill_search_keys(self) -> None:
        """The pinyin keys of the name. save() calls it; bulk writers, which skip save(), call it too."""
        self.name_pinyin, self.name_initials = pinyin.keys(self.name)

    @property
    def effective_birth_date(self):
        return validators.effective_birth_date(self.birth_date, self.id_number)

    def clean(self) -> None:
        super().clean()
        self.name = (self.name or "").strip()
        self.id_number = validators.normalise_id_number(self.id_number)
        self.mobile = (self.mobile or "").strip()
        holder = None
        if self.id_number and len(self.id_number) == 18 and not self.id_number_checked:
            duplicate = Person.objects.filter(id_number=self.id_number).exclude(pk=self.pk)
            if duplicate.exists():
                holder = duplicate.first().name
        errors = person_errors(
            id_number=self.id_number,
            birth_date=self.birth_date,
            gender=self.gender,
            workplace=self.workplace if self.workplace_id else None,
            residence=self.residence if self.residence_id else None,
            id_number_holder=holder,
        )
        if errors:
            raise ValidationError(errors)

    @property
    def person_type(self) -> str:
        """The roster's 人员类型."""
        member = getattr(self, "member", None)
        if member is not None:
            return member.get_status_display()
        activist = getattr(self, "activist", None)
        if activist is not None:
            return activist.get_stage_display()
        return gettext("群众")


class Member(BaseModel):
    """The party-specific part of a person who is a member (正式) or a probationary member (预备)."""

    class Status(models.TextChoices):
        FULL = "full", _("党员")
        PROBATIONARY = "probationary", _("预备党员")

    class Category(models.TextChoices):
        IN_SERVICE = "in_service", _("在职")
        RETIRED = "retired", _("离退休")
        FLOATING = "floating", _("流动")
        RELEASED = "released", _("协解")
        DEPENDANT = "dependant", _("家属")
        VETERAN = "veteran", _("复转军人")
        OTHER = "other", _("其他")

    person = models.OneToOneField(Person, models.CASCADE, related_name="member", verbose_name=_("人员"))
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="members", verbose_name=_("所在党组织")
    )
    status = models.CharField(_("党员状态"), max_length=20, choices=Status.choices, default=Status.FULL)
    category = models.CharField(
        _("党员类别"), max_length=20, choices=Category.choices, default=Category.IN_SERVICE, db_index=True
    )
    join_date = models.DateField(
        _("入党日期"), null=True, blank=True, validators=[validators.validate_not_future]
    )
    badge_no = models.CharField(_("党员证号"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        indexes = [models.Index(fields=["organisation", "status"], name="member_org_status")]

    def __str__(self) -> str:
        return self.person.name

    def clean(self) -> None:
        super().clean()
        # A new member's person is attached but not saved yet (person_id is None): check it all the same.
        person = getattr(self, "person", None)
        errors = member_errors(
            organisation=self.organisation if self.organisation_id else None,
            join_date=self.join_date,
            birth=person.effective_birth_date if person is not None else None,
        )
        if errors:
            raise ValidationError(errors)


class Activist(BaseModel):
    """Someone on the way into the party: 入党申请人 → 入党积极分子 → 发展对象 → 预备党员."""

    class Stage(models.TextChoices):
        APPLICANT = "applicant", _("入党申请人")
        ACTIVIST = "activist", _("入党积极分子")
        CANDIDATE = "candidate", _("发展对象")
        ADMITTED = "admitted", _("已接收为预备党员")

    STAGE_ORDER = [Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.ADMITTED]

    person = models.OneToOneField(Person, models.CASCADE, related_name="activist", verbose_name=_("人员"))
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="activists", verbose_name=_("培养党组织")
    )
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices, default=Stage.APPLICANT)
    applied_on = models.DateField(
        _("申请入党日期"), null=True, blank=True, validators=[validators.validate_not_future]
    )
    activist_on = models.DateField(
        _("确定为积极分子日期"), null=True, blank=True, validators=[validators.validate_not_future]
    )
    candidate_on = models.DateField(
        _("确定为发展对象日期"), null=True, blank=True, validators=[validators.validate_not_future]
    )
    admitted_on = models.DateField(
        _("接收为预备党员日期"), null=True, blank=True, validators=[validators.validate_not_future]
    )

    class Meta:
        verbose_name = _("入党积极分子")
        verbose_name_plural = _("入党积极分子")

    def __str__(self) -> str:
        return f"{self.person.name}({self.get_stage_display()})"

    def clean(self) -> None:
        super().clean()
        errors = activist_errors(
            organisation=self.organisation if self.organisation_id else None,
            dates=(self.applied_on, self.activist_on, self.candidate_on, self.admitted_on),
        )
        if errors:
            raise ValidationError(errors)


# --- the rules of clean() over plain values -------------------------------------------------------------
# Person, Member and Activist.clean() call these with their own fields; the roster importer calls them with a
# row's values without building model instances. One set of rules, two callers.


def person_errors(
    *,
    id_number: str,
    birth_date: dt.date | None,
    gender: str,
    workplace: Cell | None,
    residence: Cell | None,
    id_number_holder: str | None = None,
) -> dict[str, str]:
    """Person.clean()'s rules: the 身份证号 agrees with birth date and gender; the cells are of the right
    kind. `id_number_holder` is the name of someone else who already has this 身份证号, if anyone."""
    errors: dict[str, str] = {}
    if id_number and len(id_number) == 18:
        from_id = validators.birth_date_from_id_number(id_number)
        if birth_date and from_id and birth_date != from_id:
            errors["birth_date"] = gettext("出生日期与身份证号中的出生日期(%(date)s)不一致。") % {
                "date": from_id.isoformat()
            }
        if id_number[:17].isdigit() and gender and gender != validators.gender_from_id_number(id_number):
            errors["gender"] = gettext("性别与身份证号第17位所示性别不一致。")
        if id_number_holder is not None:
            errors["id_number"] = gettext("身份证号已被%(name)s使用。") % {"name": id_number_holder}
    if workplace is not None and not workplace.is_workplace:
        errors["workplace"] = gettext("工作单位必须是单位、公司、分公司、部门、班组、线路或岗位。")
    if residence is not None and residence.kind not in Cell.RESIDENTIAL_KINDS:
        errors["residence"] = gettext("居住社区必须是街道、社区、小区、楼栋或户。")
    return errors


def member_errors(
    *, organisation: Organisation | None, join_date: dt.date | None, birth: dt.date | None
) -> dict[str, str]:
    """Member.clean()'s rules: members belong to a branch or group, and join at 18 or older. `birth` is
    the person's effective birth date (Person.effective_birth_date)."""
    errors: dict[str, str] = {}
    if organisation is not None and not organisation.can_hold_members:
        errors["organisation"] = gettext("党员只能编入党支部或党小组,“%(name)s”是%(kind)s。") % {
            "name": organisation.name,
            "kind": organisation.get_kind_display(),
        }
    # A birth date in the future is reported on its own field; the age rule has nothing to measure then.
    if join_date and birth and birth <= validators.today() and validators.age_on(birth, join_date) < 18:
        errors["join_date"] = gettext(
            "入党时须年满18岁:按出生日期%(birth)s,入党日期不能早于%(earliest)s。"
        ) % {"birth": birth.isoformat(), "earliest": validators.eighteenth_birthday(birth).isoformat()}
    return errors


def activist_errors(
    *, organisation: Organisation | None, dates: tuple[dt.date | None, ...]
) -> dict[str, str]:
    """Activist.clean()'s rules: trained in a branch or group; `dates` (applied, activist, candidate,
    admitted) in order."""
    errors: dict[str, str] = {}
    if organisation is not None and not organisation.can_hold_members:
        errors["organisation"] = gettext("培养党组织必须是党支部或党小组。")
    known = [d for d in dates if d]
    if known != sorted(known):
        errors["stage"] = gettext("各阶段日期须依次不早于上一阶段:申请、积极分子、发展对象、预备党员。")
    return errors
