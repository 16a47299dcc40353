"""Model posts for the tests: an approved post of branch A with its member."""

from __future__ import annotations

from vanguard.accounts.scope import SYSTEM
from vanguard.posts import services
from vanguard.posts.models import ModelPost


def applied_post(world, name: str = "一车队1路党员示范岗", **fields) -> ModelPost:
    return services.post_apply(
        actor=SYSTEM,
        organisation=world.branch_a,
        fields={"name": name, "kind": ModelPost.Kind.TEAM, "complaint_phone": "0317-1234567", **fields},
        members=[{"member": world.member_a, "job": "驾驶员", "motto": "一心为乘客,服务无止境"}],
    )


def approved_post(world, name: str = "一车队1路党员示范岗") -> ModelPost:
    return services.post_decide(actor=SYSTEM, post=applied_post(world, name), approve=True)
