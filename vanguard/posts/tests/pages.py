"""Helpers of the model-post page tests: addresses, a page's text, photos made by Pillow, a closed monthly
star round over the test world, and the objects of branch A the access sweep tries
(vanguard/tests/test_access_sweep.py): each made on first use and found afterwards."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services as assessment
from vanguard.assessment.models import Purpose, Result, Round, Scheme, Source
from vanguard.posts import services
from vanguard.posts.models import ModelPost, Opinion, PostMember

from . import factories

SWEEP_POST = "一车队1路党员示范岗"
INDICATORS = ("政治思想", "工作业绩", "优质服务", "示范作用")


def url(name: str, *args) -> str:
    return reverse(f"posts:{name}", args=args)


def board_url(pk: int) -> str:
    return reverse("posts_public:board", args=[pk])


def photo_url(pk: int) -> str:
    return reverse("posts_public:photo", args=[pk])


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (60, 80), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (183, 28, 28))
    buffer = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        image.save(buffer, fmt, exif=data)
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()


def upload(name: str = "photo.jpg", fmt: str = "JPEG", content: bytes | None = None, **kwargs):
    body = image_bytes(fmt, **kwargs) if content is None else content
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}.get(fmt, "image/jpeg")
    return SimpleUploadedFile(name, body, content_type=content_type)


# --- a monthly star round ---------------------------------------------------------------------------------


def star_scheme(organisation, name: str = "示范岗月度星级评定") -> Scheme:
    existing = Scheme.objects.filter(organisation=organisation, name=name).first()
    if existing is not None:
        return existing
    scheme = assessment.scheme_create(
        actor=SYSTEM,
        organisation=organisation,
        name=name,
        target_kind="post",
        period="month",
        purpose=Purpose.STAR,
        weights={"weight_self": 0, "weight_masses": 0, "weight_organisation": 100},
    )
    for indicator in INDICATORS:
        assessment.indicator_add(
            actor=SYSTEM,
            scheme=scheme,
            fields={"name": indicator, "weight": 1, "max_points": 25, "kind": "manual"},
        )
    return scheme


def star_round(organisation, month: dt.date, *, points: int = 23, close: bool = True, scheme=None) -> Round:
    """A monthly star round over `organisation`, every post scored `points` of 25 on each indicator by the
    organisation (4 × points in all), closed unless told."""
    scheme = scheme or star_scheme(organisation)
    round_ = assessment.round_create(
        actor=SYSTEM,
        scheme=scheme,
        organisation=organisation,
        name=f"{month.year}年{month.month}月示范岗评定",
        period_start=month,
        period_end=(month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1),
    )
    round_ = assessment.round_transition(actor=SYSTEM, round_=round_, action="open")
    for result in Result.objects.filter(round=round_):
        for indicator in round_.version.indicators.all():
            assessment.score_enter(
                actor=SYSTEM,
                result=result,
                indicator=indicator,
                source=Source.ORGANISATION,
                points=points,
                version=0,
            )
    if close:
        round_ = assessment.round_transition(actor=SYSTEM, round_=round_, action="close")
    return round_


# --- the access sweep's objects ---------------------------------------------------------------------------


def sweep_post(w) -> ModelPost:
    post = ModelPost.objects.filter(organisation=w.branch_a, name=SWEEP_POST).first()
    return post or factories.approved_post(w, SWEEP_POST)


def sweep_post_member(w) -> PostMember:
    """The sweep post's member, with a photo (stored under the test run's MEDIA_ROOT)."""
    entry = sweep_post(w).post_members.order_by("pk").first()
    if not entry.photo:
        entry.photo.save("sweep.png", ContentFile(image_bytes("PNG", size=(4, 4))), save=True)
    return entry


def sweep_opinion(w) -> Opinion:
    post = sweep_post(w)
    opinion = post.opinions.order_by("pk").first()
    return opinion or services.opinion_submit(
        actor=None, post=post, kind=Opinion.Kind.COMPLAINT, content="到站不停车"
    )


def sweep_round(w) -> Round:
    """A monthly star round over branch A (another branch's secretary does not see it)."""
    scheme = star_scheme(w.branch_a, name="支部示范岗星级评定(访问检查)")
    round_ = Round.objects.filter(version__scheme=scheme).first()
    return round_ or star_round(w.branch_a, dt.date(2026, 1, 1), scheme=scheme, close=False)
