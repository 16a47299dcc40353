"""Objects of branch A for the API's tests and the access sweep, made on first use."""

from __future__ import annotations

from vanguard.posts import services
from vanguard.posts.models import ModelPost, Opinion

from . import factories

SWEEP_POST = "一车队1路党员示范岗"


def sweep_post(world) -> ModelPost:
    """An approved post of branch A (member A on it)."""
    post = ModelPost.objects.filter(organisation=world.branch_a, name=SWEEP_POST).first()
    return post or factories.approved_post(world, SWEEP_POST)


def sweep_opinion(world) -> Opinion:
    """A complaint from the public in the opinion book of branch A's post."""
    post = sweep_post(world)
    return post.opinions.order_by("pk").first() or services.opinion_submit(
        actor=None,
        post=post,
        kind=Opinion.Kind.COMPLAINT,
        content="司机到站未停车。",
        name="张三",
        phone="13800001111",
    )
