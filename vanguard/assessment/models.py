"""Quantified assessment (量化考核): one engine for every kind of target.

A Scheme (方案) is versioned: its SchemeVersion holds the source weights and a tree of Indicators with
weights and maximum points; a version that a round has used never changes again (editing it makes the next
version). A Round (考核轮次) applies one version to one period and one organisation subtree:

    draft ──open──▶ open ──close──▶ closed ──publish──▶ published ──archive──▶ archived
                     ▲                │
                     └────reopen──────┘          (before publishing only)

Opening a round creates a Result for every target in its scope. Sources enter Scores (one source's points for
one target on one manual indicator); derived indicators are computed from records when the round closes. At
close each (result, leaf indicator) gets an IndicatorResult — its points towards the total, and for a derived
indicator the records counted — and each Result its total, the number of data points behind it, the total
pulled toward the round's mean (see `compute.py`) and its rank. A closed or published round changes only
through a Revision with a reason, which keeps the old numbers.

The year's work sits on top: Rollup (annual roll-up of quarter rounds → recommendation lists), BranchReview
(year-end 听、看、谈、访), Rectification (限期改正) and Appraisal (民主评议党员)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.core.models import BaseModel
from vanguard.org.models import Member, Organisation, Person
from vanguard.zones.models import Zone, validate_year

POINTS = {"max_digits": 7, "decimal_places": 2}


class TargetKind(models.TextChoices):
    MEMBER = "member", _("党员")
    GROUP = "group", _("党小组")
    BRANCH = "branch", _("党支部")
    ZONE = "zone", _("责任区")
    POST = "post", _("示范岗")


class Purpose(models.TextChoices):
    """What a scheme is for: the quarterly assessment, the monthly star evaluation of model posts, the
    evaluation of members' post standards (达标评议卡), or a post competition (岗位竞赛)."""

    ASSESSMENT = "assessment", _("量化考核")
    STAR = "star", _("示范岗星级评定")
    STANDARD = "standard", _("岗位达标评议")
    COMPETITION = "competition", _("岗位竞赛")


class Period(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class Source(models.TextChoices):
    SELF = "self", _("自评")
    MASSES = "masses", _("群众评议")
    ORGANISATION = "organisation", _("组织评定")
    SUPERVISOR = "supervisor", _("监督员评分")


class Scheme(BaseModel):
    """A scoring scheme of a committee (or any organisation whose office edits it)."""

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="schemes", verbose_name=_("制定单位")
    )
    name = models.CharField(_("名称"), max_length=100)
    target_kind = models.CharField(_("考核对象"), max_length=10, choices=TargetKind.choices)
    period = models.CharField(_("考核周期"), max_length=10, choices=Period.choices)
    purpose = models.CharField(_("用途"), max_length=12, choices=Purpose.choices, default=Purpose.ASSESSMENT)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="scheme_unique_name")]

    def __str__(self) -> str:
        return self.name


class SchemeVersion(models.Model):
    """One version of a scheme: its source weights and indicator tree. Immutable once a round uses it."""

    scheme = models.ForeignKey(Scheme, models.CASCADE, related_name="versions", verbose_name=_("考核方案"))
    number = models.PositiveIntegerField(_("版本号"))
    weight_self = models.DecimalField(_("自评权重"), max_digits=5, decimal_places=2, default=Decimal("0"))
    weight_masses = models.DecimalField(
        _("群众评议权重"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    weight_organisation = models.DecimalField(
        _("组织评定权重"), max_digits=5, decimal_places=2, default=Decimal("100")
    )
    weight_supervisor = models.DecimalField(
        _("监督员评分权重"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修订人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("方案版本")
        verbose_name_plural = _("方案版本")
        ordering = ["scheme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="schemeversion_unique_number"),
            models.CheckConstraint(
                name="schemeversion_weights_nonnegative",
                condition=Q(weight_self__gte=0, weight_masses__gte=0, weight_organisation__gte=0)
                & Q(weight_supervisor__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme.name} v{self.number}"

    def source_weights(self) -> dict[str, Decimal]:
        return {
            Source.SELF: self.weight_self,
            Source.MASSES: self.weight_masses,
            Source.ORGANISATION: self.weight_organisation,
            Source.SUPERVISOR: self.weight_supervisor,
        }

    def active_sources(self) -> list[str]:
        return [source for source, weight in self.source_weights().items() if weight > 0]


class Metric(models.TextChoices):
    """What a derived indicator counts (see metrics.py for each one's records and expectation)."""

    REPORTS_SUBMITTED = "reports_submitted", _("月度汇报提交")
    REPORTS_ON_TIME = "reports_on_time", _("月度汇报按时提交")
    CONTACTS_TALKED = "contacts_talked", _("联系群众谈心走访")
    TASKS_DONE = "tasks_done", _("任务完成")
    ACTIVITIES_ATTENDED = "activities_attended", _("参加活动")
    # Issue 8: verified hours of community service (社区服务时长), whole hours; see metrics.py.
    SERVICE_HOURS = "service_hours", _("社区服务时长")
    # Issue 9: residents' requests for help (群众诉求), as rates with their own expectation; see metrics.py.
    REQUESTS_RESPONDED = "requests_responded", _("群众诉求按时响应")
    REQUESTS_RESOLVED = "requests_resolved", _("群众诉求按期办结")
    REQUESTS_SATISFIED = "requests_satisfied", _("群众诉求满意")


class Formula(models.TextChoices):
    RATIO = "ratio", _("按应完成数的比例")
    CAPPED = "capped", _("计数,满N次得满分")


class Indicator(models.Model):
    """A node of a version's indicator tree. Siblings share their parent's part by their weights; a leaf is
    scored from 0 to its maximum points, by the sources (manual) or from records (derived). `share` is the
    part of the 100-point total the leaf carries, computed when the tree is saved."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("人工评分")
        DERIVED = "derived", _("系统计算")

    version = models.ForeignKey(
        SchemeVersion, models.CASCADE, related_name="indicators", verbose_name=_("方案版本")
    )
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("上级指标")
    )
    key = models.PositiveIntegerField(
        _("指标编号"), help_text=_("同一方案各版本中同一指标的编号,用于跨版本对照。")
    )
    name = models.CharField(_("指标名称"), max_length=100)
    description = models.TextField(_("评分标准"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    weight = models.DecimalField(
        _("权重"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    max_points = models.DecimalField(
        _("满分"), **POINTS, default=Decimal("10"), validators=[MinValueValidator(Decimal("0.01"))]
    )
    kind = models.CharField(_("评分方式"), max_length=10, choices=Kind.choices, default=Kind.MANUAL)
    metric = models.CharField(_("计算依据"), max_length=30, choices=Metric.choices, blank=True)
    formula = models.CharField(_("计算公式"), max_length=10, choices=Formula.choices, blank=True)
    parameter = models.PositiveIntegerField(
        _("公式参数"), null=True, blank=True, help_text=_("计数公式的满分次数N;比例公式可留空(按应完成数)。")
    )
    share = models.DecimalField(_("占总分"), max_digits=9, decimal_places=4, default=Decimal("0"))

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["version", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="indicator_unique_key")]

    def __str__(self) -> str:
        return self.name


class Round(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("评分中")
        CLOSED = "closed", _("已结束")
        PUBLISHED = "published", _("已公布")
        ARCHIVED = "archived", _("已归档")

    version = models.ForeignKey(
        SchemeVersion, models.PROTECT, related_name="rounds", verbose_name=_("方案版本")
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="assessment_rounds", verbose_name=_("考核范围")
    )
    name = models.CharField(_("名称"), max_length=100)
    period_start = models.DateField(_("考核期开始"))
    period_end = models.DateField(_("考核期结束"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(_("开始评分时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    mean_total = models.DecimalField(_("平均分"), **POINTS, null=True, blank=True)
    participants = models.ManyToManyField(
        Member,
        blank=True,
        related_name="+",
        verbose_name=_("参加人员"),
        help_text=_("岗位竞赛等只考核部分党员时选择;不选则考核范围内的全部党员。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )

    class Meta:
        verbose_name = _("考核轮次")
        verbose_name_plural = _("考核轮次")
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="round_period_order", condition=Q(period_end__gte=models.F("period_start"))
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_locked(self) -> bool:
        """Closed, published or archived: scores change only through a revision."""
        return self.status in (self.Status.CLOSED, self.Status.PUBLISHED, self.Status.ARCHIVED)


class Result(models.Model):
    """One target of a round: a member, a group or branch, or a zone. `unit` is the organisation the result
    belongs to (the member's, the organisation itself, the zone's), for scope and per-branch figures."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="results", verbose_name=_("考核轮次"))
    member = models.ForeignKey(
        Member,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="assessment_results",
        verbose_name=_("党员"),
    )
    organisation = models.ForeignKey(
        Organisation,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="assessment_results",
        verbose_name=_("党组织"),
    )
    zone = models.ForeignKey(
        Zone,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="assessment_results",
        verbose_name=_("责任区"),
    )
    post = models.ForeignKey(
        "posts.ModelPost",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="assessment_results",
        verbose_name=_("示范岗"),
    )
    unit = models.ForeignKey(Organisation, models.CASCADE, related_name="+", verbose_name=_("所在党组织"))
    branch = models.ForeignKey(
        Organisation,
        models.CASCADE,
        related_name="+",
        verbose_name=_("所在党支部"),
        help_text=_("所在党组织为党小组时为其党支部,用于比较各支部的评分分布。"),
    )
    name = models.CharField(_("考核对象"), max_length=100)
    total = models.DecimalField(_("得分"), **POINTS, null=True, blank=True)
    adjusted = models.DecimalField(_("排名分"), **POINTS, null=True, blank=True)
    data_points = models.PositiveIntegerField(_("评分数据数"), default=0)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("修订次数"), default=0)

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="result_unique_member"),
            models.UniqueConstraint(fields=["round", "organisation"], name="result_unique_organisation"),
            models.UniqueConstraint(fields=["round", "zone"], name="result_unique_zone"),
            models.UniqueConstraint(fields=["round", "post"], name="result_unique_post"),
        ]
        indexes = [
            models.Index(fields=["round", "rank"], name="result_round_rank"),
            models.Index(fields=["round", "unit"], name="result_round_unit"),
            models.Index(fields=["round", "branch"], name="result_round_branch"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.name}"


class Score(models.Model):
    """One source's points for one target on one manual indicator. `version` counts its writes: an edit
    names the version it was based on, and a stale one is refused (no lost update)."""

    result = models.ForeignKey(Result, models.CASCADE, related_name="scores", verbose_name=_("考核结果"))
    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="scores", verbose_name=_("指标"))
    source = models.CharField(_("评分来源"), max_length=15, choices=Source.choices)
    points = models.DecimalField(_("得分"), **POINTS, validators=[MinValueValidator(Decimal("0"))])
    evidence = models.TextField(_("评分依据"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评分人"),
    )
    entered_by_name = models.CharField(_("评分人姓名"), max_length=150, blank=True)
    entered_at = models.DateTimeField(_("评分时间"))
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(fields=["result", "indicator", "source"], name="score_unique"),
            models.CheckConstraint(name="score_points_nonnegative", condition=Q(points__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.result.name} · {self.indicator.name} · {self.get_source_display()}"


class IndicatorResult(models.Model):
    """What one leaf indicator gave one result when the round closed (or was last revised): `points`
    towards the total (the breakdown sums to it), `score` on the indicator's own scale, and for a derived
    indicator the records it counted against the number expected."""

    result = models.ForeignKey(
        Result, models.CASCADE, related_name="indicator_results", verbose_name=_("考核结果")
    )
    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="+", verbose_name=_("指标"))
    score = models.DecimalField(_("指标得分"), **POINTS)
    points = models.DecimalField(_("计入总分"), **POINTS)
    sources = models.PositiveSmallIntegerField(_("评分来源数"), default=0)
    counted = models.IntegerField(_("计入记录数"), null=True, blank=True)
    expected = models.IntegerField(_("应完成数"), null=True, blank=True)

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        constraints = [models.UniqueConstraint(fields=["result", "indicator"], name="indicatorresult_unique")]

    def __str__(self) -> str:
        return f"{self.result.name} · {self.indicator.name}"


class Revision(models.Model):
    """A correction of a closed or published result: the reason, the scores changed, and the numbers before
    and after — the old ones stay visible."""

    result = models.ForeignKey(Result, models.CASCADE, related_name="revisions", verbose_name=_("考核结果"))
    number = models.PositiveIntegerField(_("修订序号"))
    reason = models.TextField(_("修订原因"))
    changes = models.JSONField(_("修改内容"), default=list)
    total_before = models.DecimalField(_("修订前得分"), **POINTS, null=True)
    total_after = models.DecimalField(_("修订后得分"), **POINTS, null=True)
    rank_before = models.PositiveIntegerField(_("修订前排名"), null=True)
    rank_after = models.PositiveIntegerField(_("修订后排名"), null=True)
    breakdown_before = models.JSONField(_("修订前分项"), default=list)
    ranks_changed = models.JSONField(_("排名变动"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修订人"),
    )
    created_by_name = models.CharField(_("修订人姓名"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("修订时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("结果修订")
        verbose_name_plural = _("结果修订")
        ordering = ["result", "number"]
        constraints = [models.UniqueConstraint(fields=["result", "number"], name="revision_unique_number")]

    def __str__(self) -> str:
        return f"{self.result} · 修订{self.number}"


class Settings(models.Model):
    """The office's rules for assessment under one organisation (the nearest ancestor's settings apply)."""

    organisation = models.OneToOneField(
        Organisation, models.CASCADE, related_name="assessment_settings", verbose_name=_("党组织")
    )
    prior_weight = models.DecimalField(
        _("少量数据拉向均值的强度"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("3"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("排名分 =(数据数×得分 + 强度×平均分)÷(数据数 + 强度);0 表示不调整。"),
    )
    bar_unregistered = models.BooleanField(
        _("未到社区报到者不得评为合格"),
        default=False,
        help_text=_("民主评议时,在职党员未到居住社区报到的,不得评为“合格”及以上。"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("考核设置")
        verbose_name_plural = _("考核设置")

    def __str__(self) -> str:
        return str(self.organisation)


# --- The year ---------------------------------------------------------------------------------------


class Rollup(BaseModel):
    """The year's roll-up of quarter (or month) rounds into one ranking per target, from which the
    recommendation lists come: 优秀共产党员 (members), 先进党小组 (groups), 先进党支部 (branches)."""

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="rollups", verbose_name=_("范围")
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[validate_year])
    target_kind = models.CharField(_("考核对象"), max_length=10, choices=TargetKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    recommend_count = models.PositiveIntegerField(_("推荐名额"), default=3)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    rounds = models.ManyToManyField(
        Round, through="RollupPart", related_name="rollups", verbose_name=_("考核轮次")
    )

    class Meta:
        verbose_name = _("年度汇总")
        verbose_name_plural = _("年度汇总")
        ordering = ["-year", "-pk"]

    def __str__(self) -> str:
        return self.name


class RollupPart(models.Model):
    rollup = models.ForeignKey(Rollup, models.CASCADE, related_name="parts")
    round = models.ForeignKey(Round, models.PROTECT, related_name="+")
    weight = models.DecimalField(
        _("权重"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("汇总轮次")
        verbose_name_plural = _("汇总轮次")
        constraints = [models.UniqueConstraint(fields=["rollup", "round"], name="rolluppart_unique")]

    def __str__(self) -> str:
        return f"{self.rollup} · {self.round}"


class RollupResult(models.Model):
    rollup = models.ForeignKey(Rollup, models.CASCADE, related_name="results")
    member = models.ForeignKey(Member, models.CASCADE, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey(Organisation, models.CASCADE, null=True, blank=True, related_name="+")
    zone = models.ForeignKey(Zone, models.CASCADE, null=True, blank=True, related_name="+")
    unit = models.ForeignKey(Organisation, models.CASCADE, related_name="+", verbose_name=_("所在党组织"))
    name = models.CharField(_("考核对象"), max_length=100)
    total = models.DecimalField(_("年度得分"), **POINTS)
    rounds = models.PositiveSmallIntegerField(_("计入轮次数"), default=0)
    data_points = models.PositiveIntegerField(_("评分数据数"), default=0)
    rank = models.PositiveIntegerField(_("排名"), null=True)
    recommended = models.BooleanField(_("推荐"), default=False)

    class Meta:
        verbose_name = _("年度汇总结果")
        verbose_name_plural = _("年度汇总结果")
        indexes = [models.Index(fields=["rollup", "rank"], name="rollupresult_rank")]

    def __str__(self) -> str:
        return f"{self.rollup} · {self.name}"


class BranchReview(BaseModel):
    """The committee's year-end review of a branch by 听 (its report heard), 看 (its records checked),
    谈 (its members talked with) and 访 (the masses visited): notes and points for each."""

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="branch_reviews", verbose_name=_("党支部")
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[validate_year])
    secretary = models.ForeignKey(
        Person, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("支部书记")
    )
    listen_points = models.DecimalField(_("听·得分"), **POINTS, default=Decimal("0"))
    listen_notes = models.TextField(_("听取汇报情况"), blank=True)
    look_points = models.DecimalField(_("看·得分"), **POINTS, default=Decimal("0"))
    look_notes = models.TextField(_("查看记录情况"), blank=True)
    talk_points = models.DecimalField(_("谈·得分"), **POINTS, default=Decimal("0"))
    talk_notes = models.TextField(_("与党员谈话情况"), blank=True)
    visit_points = models.DecimalField(_("访·得分"), **POINTS, default=Decimal("0"))
    visit_notes = models.TextField(_("走访群众情况"), blank=True)
    total = models.DecimalField(_("总分"), **POINTS, default=Decimal("0"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("考评人"),
    )

    class Meta:
        verbose_name = _("年终支部考评")
        verbose_name_plural = _("年终支部考评")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="branchreview_unique_year"),
            models.CheckConstraint(
                name="branchreview_points_nonnegative",
                condition=Q(
                    listen_points__gte=0, look_points__gte=0, talk_points__gte=0, visit_points__gte=0
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}({self.year})"


class Rectification(BaseModel):
    """限期改正: what a member must correct, by when, the follow-ups, and whether it was done in time."""

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        DONE = "done", _("已整改")

    member = models.ForeignKey(Member, models.CASCADE, related_name="rectifications", verbose_name=_("党员"))
    result = models.ForeignKey(
        Result,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="rectifications",
        verbose_name=_("考核结果"),
    )
    problem = models.TextField(_("存在问题"))
    requirement = models.TextField(_("整改要求"), blank=True)
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出人"),
    )

    class Meta:
        verbose_name = _("限期整改")
        verbose_name_plural = _("限期整改")
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["status", "deadline"], name="rectification_due")]

    def __str__(self) -> str:
        return f"{self.member} · {self.deadline}"


class RectificationNote(models.Model):
    rectification = models.ForeignKey(
        Rectification, models.CASCADE, related_name="notes", verbose_name=_("整改")
    )
    written_on = models.DateField(_("日期"))
    note = models.TextField(_("跟进情况"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改跟进")
        verbose_name_plural = _("整改跟进")
        ordering = ["written_on", "pk"]

    def __str__(self) -> str:
        return f"{self.rectification} · {self.written_on}"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    BASIC = "basic", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


class Appraisal(BaseModel):
    """民主评议党员 of a branch for a year: self-appraisal, members' votes, the conclusion."""

    class Status(models.TextChoices):
        OPEN = "open", _("评议中")
        CLOSED = "closed", _("已结束")

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="appraisals", verbose_name=_("党支部")
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[validate_year])
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="appraisal_unique_year")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}年民主评议"


class AppraisalEntry(models.Model):
    """One member in an appraisal: their self-appraisal, the paper votes tallied (when the votes were cast on
    paper), and the organisation's conclusion."""

    appraisal = models.ForeignKey(
        Appraisal, models.CASCADE, related_name="entries", verbose_name=_("民主评议")
    )
    member = models.ForeignKey(Member, models.CASCADE, related_name="appraisals", verbose_name=_("党员"))
    self_appraisal = models.TextField(_("个人自评"), blank=True)
    paper_excellent = models.PositiveIntegerField(_("纸质票·优秀"), default=0)
    paper_qualified = models.PositiveIntegerField(_("纸质票·合格"), default=0)
    paper_basic = models.PositiveIntegerField(_("纸质票·基本合格"), default=0)
    paper_unqualified = models.PositiveIntegerField(_("纸质票·不合格"), default=0)
    conclusion = models.CharField(_("组织评定"), max_length=12, choices=Grade.choices, blank=True)
    conclusion_note = models.TextField(_("评定意见"), blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评定人"),
    )
    concluded_at = models.DateTimeField(_("评定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评议对象")
        verbose_name_plural = _("评议对象")
        constraints = [models.UniqueConstraint(fields=["appraisal", "member"], name="appraisalentry_unique")]

    def __str__(self) -> str:
        return f"{self.appraisal} · {self.member}"


class AppraisalVote(models.Model):
    """One member's vote on another (cast in the system)."""

    entry = models.ForeignKey(
        AppraisalEntry, models.CASCADE, related_name="votes", verbose_name=_("评议对象")
    )
    voter = models.ForeignKey(Member, models.CASCADE, related_name="+", verbose_name=_("投票人"))
    grade = models.CharField(_("评议等次"), max_length=12, choices=Grade.choices)
    cast_at = models.DateTimeField(_("投票时间"), auto_now=True)

    class Meta:
        verbose_name = _("评议票")
        verbose_name_plural = _("评议票")
        constraints = [models.UniqueConstraint(fields=["entry", "voter"], name="appraisalvote_unique")]

    def __str__(self) -> str:
        return f"{self.entry} · {self.voter}"
