"""A model post's printable plaque (/posts/print/<pk>/card/): for those who see the post, 404 for another
branch, the login page for the anonymous. Public once it hangs: names masked, the complaint line, no
member's mobile, and a QR code to the post's public board — only for a post on the wall."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from vanguard.posts.models import ModelPost

from . import factories

pytestmark = pytest.mark.django_db

MOBILE = re.compile(r"1[3-9]\d{9}")


def card_url(pk: int, query: str = "") -> str:
    return reverse("posts_print:card", args=[pk]) + query


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def post(world):
    post = factories.approved_post(world)
    post.stars = 3
    post.save(update_fields=["stars"])
    return post


def test_the_plaque_shows_the_post_its_stars_and_masked_members_with_a_qr_code_to_its_board(
    world, post, secretary_a, as_user
):
    page = page_text(as_user(secretary_a).get(card_url(post.pk)))
    assert "星级党员示范岗" in page and post.name in page
    assert '<span class="star-on">★★★</span><span class="star-off">☆☆</span>' in page
    assert "王*" in page and "王建国" not in page and not MOBILE.search(page)
    assert "驾驶员" in page and "一心为乘客,服务无止境" in page
    assert "0317-1234567" in page  # the complaint line
    board = f"http://testserver/p/posts/{post.pk}/"
    assert f'<div class="url">{board}</div>' in page
    assert re.search(rf'data-qr-target="{re.escape(board)}">\s*<svg', page)
    assert "size: A4 portrait" in page and "navbar" not in page


def test_an_a3_plaque_is_a3_and_may_lie_across(post, secretary_a, as_user):
    page = page_text(as_user(secretary_a).get(card_url(post.pk, "?size=A3&orientation=landscape")))
    assert "size: A3 landscape" in page and "html { font-size: 18.4pt; }" in page


def test_a_post_not_on_the_wall_gets_no_qr_code(world, secretary_a, as_user):
    applied = factories.applied_post(world, "二车队示范岗")
    page = page_text(as_user(secretary_a).get(card_url(applied.pk)))
    assert "<svg" not in page and "还没有公示榜" in page
    removed = factories.approved_post(world, "三车队示范岗")
    # Written straight to the database: removal (摘牌) by evaluation is tested with the stars.
    ModelPost.objects.filter(pk=removed.pk).update(status=ModelPost.Status.REMOVED)
    page = page_text(as_user(secretary_a).get(card_url(removed.pk)))
    assert "<svg" not in page and "已摘牌" in page


def test_the_plaque_is_for_those_who_see_the_post(post, office, secretary_b, nobody, member_a, as_user):
    assert as_user(office).get(card_url(post.pk)).status_code == 200
    assert as_user(member_a).get(card_url(post.pk)).status_code == 200  # a member of the post
    assert as_user(secretary_b).get(card_url(post.pk)).status_code == 404
    assert as_user(nobody).get(card_url(post.pk)).status_code == 404
    assert as_user(secretary_b).get(card_url(999999)).status_code == 404


def test_the_anonymous_are_sent_to_log_in_and_only_get_is_allowed(post, resident, secretary_a, as_user):
    response = resident.get(card_url(post.pk))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert as_user(secretary_a).post(card_url(post.pk)).status_code == 405


def test_a_paper_it_does_not_know_is_refused_naming_the_field(post, secretary_a, as_user):
    response = as_user(secretary_a).get(card_url(post.pk, "?size=B5"))
    assert response.status_code == 400 and "纸张大小:" in response.content.decode()


def test_the_plaque_as_pdf(post, secretary_a, as_user):
    response = as_user(secretary_a).get(card_url(post.pk, "?format=pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
