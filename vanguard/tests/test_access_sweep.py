"""Deny by default: every URL the project serves, walked from the resolver.

An anonymous visitor is refused everywhere except an explicit public allow-list; the secretary of
another branch gets 404 for branch A's objects, exactly like a missing one. A new URL pattern with an
object id fails `test_every_object_url_has_an_object_to_try` until it is given one below, so no view
escapes the sweep.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from vanguard.accounts.models import Role
from vanguard.assessment.tests import sweep as assessment_pages
from vanguard.assessment.tests import year_factories as assessment_year
from vanguard.audit.models import AuditRecord
from vanguard.community.tests import api_factories as community_api
from vanguard.community.tests import pages as community_pages
from vanguard.conftest import _user, client_for
from vanguard.contacts.tests import factories as contact_factories
from vanguard.posts.tests import api_factories as post_api
from vanguard.posts.tests import pages as post_pages
from vanguard.posts.tests import standards_factories as standards
from vanguard.public.tests import factories as public_factories
from vanguard.reports.models import MonthlyReport
from vanguard.zones.tests import work_factories as work
from vanguard.zones.tests import zone_factories

# Patterns anyone may open without logging in, and why.
PUBLIC = {
    "": "the home page",
    "healthz/": "the load balancer's health check",
    "i18n/setlang/": "switching the language on the login page",
    "accounts/login/": "the login page",
    "accounts/logout/": "signing out: without a session there is nothing to end",
    "api/v1/auth/token/": "the API's login",
    "api/v1/schema/": "the API's description, no data",
    "api/v1/docs/": "the API's documentation page, no data",
    "admin/login/": "Django admin's login page",
    "p/standards/<int:pk>/": (
        "a post standard the masses comment on (群众议标准) or read once published; the member's name masked"
    ),
    "p/posts/<int:pk>/": (
        "a model post's public board (公示榜) and its opinion book: posts on the wall only, names masked"
    ),
    "p/posts/photos/<int:pk>/": "the photo of a model post's member, shown on the post's public board",
    "p/requests/": "a resident looks up the progress of their request by its tracking code",
    "p/requests/new/": (
        "the residents' intake (求助、意见、表扬、投诉) from a zone's board or QR code, a community's page "
        "or a model post's board: no account, rate-limited per address, with an offline challenge"
    ),
    "p/requests/<str:code>/": (
        "a request's progress and the resident's rating, by its private tracking code: name and phone "
        "masked, no photo, not cached or indexed"
    ),
    "p/zones/<int:pk>/": (
        "a zone's public board (亮身份、亮承诺、亮标准) with the QR code to the residents' intake: "
        "names masked"
    ),
    "p/communities/<int:pk>/": (
        "a community's public board: its zones, teams and posts, this month's requests in numbers and the "
        "way in to ask for help; only a 社区, names masked, no phone of a person"
    ),
    "p/results/<int:pk>/": (
        "a published round's results, as on the notice board (公示栏): published rounds only, members' "
        "names masked"
    ),
    "p/screen/community/<int:pk>/": "a community's big screen (电子显示屏): the page, its data comes below",
    "p/screen/community/<int:pk>/data/": (
        "the community's big-screen data: counts, rates, published results and stars, names masked"
    ),
    "p/screen/branch/<int:pk>/": "an organisation's big screen (电子显示屏): the page, its data comes below",
    "p/screen/branch/<int:pk>/data/": (
        "the organisation's big-screen data: counts, rates, published results and stars, names masked"
    ),
}
# The API's catch-all answers a JSON 404 for any path it does not know, logged in or not.
CATCH_ALL = "api/v1/^[\\s\\S]*$"


def _report_a(w) -> int:
    """A monthly report of branch A's member, made on first use."""
    report, _ = MonthlyReport.objects.get_or_create(
        member=w.member_a, month=w.member_a.join_date.replace(day=1), defaults={"work_done": "汇报"}
    )
    return report.pk


def _request_a(w) -> int:
    """A resident's request from the board of branch A's zone (handled by member_a), made on first use."""
    from vanguard.service_requests.models import ServiceRequest
    from vanguard.service_requests.tests import factories as request_factories

    existing = ServiceRequest.objects.filter(organisation=w.branch_a).order_by("pk").first()
    return (existing or request_factories.submit(w)).pk


def _tracking_code_a(w) -> str:
    """The tracking code of that request: its public page's address."""
    from vanguard.service_requests.models import ServiceRequest

    return ServiceRequest.objects.get(pk=_request_a(w)).tracking_code


def _notification_a(w) -> int:
    """A notification of branch A's member (a notification is its own user's only), made on first use."""
    from vanguard.notifications.tests import factories as notification_factories

    return notification_factories.sweep_notification(w).pk


# For each pattern with an object id: which object of branch A (or of its community) to try.
OBJECT_IDS: dict[str, Callable] = {
    "org:member_detail": lambda w: w.member_a.pk,
    "org:member_edit": lambda w: w.member_a.pk,
    "org:organisation_children": lambda w: w.branch_a.pk,
    "org:cell_children": lambda w: w.community.pk,
    "audit:detail": lambda w: AuditRecord.objects.order_by("pk").first().pk,
    "api:organisation-detail": lambda w: w.branch_a.pk,
    "api:cell-detail": lambda w: w.community.pk,
    "api:person-detail": lambda w: w.member_a.person_id,
    "api:member-detail": lambda w: w.member_a.pk,
    "reports:detail": _report_a,
    "reports:edit": _report_a,
    "reports:review": _report_a,
    "reports:archive": lambda w: w.member_a.pk,
    "reports:archive_export": lambda w: w.member_a.pk,
    "api:report-detail": _report_a,
    "api:report-review": _report_a,
    "contacts:member_contacts": lambda w: w.member_a.pk,
    "contacts:assignment_create": lambda w: w.member_a.pk,
    "contacts:assignment_detail": lambda w: contact_factories.sweep_assignment(w).pk,
    "contacts:assignment_edit": lambda w: contact_factories.sweep_assignment(w).pk,
    "contacts:assignment_delete": lambda w: contact_factories.sweep_assignment(w).pk,
    "contacts:talk_create": lambda w: contact_factories.sweep_assignment(w).pk,
    "contacts:talk_edit": lambda w: contact_factories.sweep_talk(w).pk,
    "api:contact-assignment-detail": lambda w: contact_factories.sweep_assignment(w).pk,
    "api:contact-talk-detail": lambda w: contact_factories.sweep_talk(w).pk,
    "zones:zone_tasks": lambda w: work.sweep_zone(w).pk,
    "zones:zone_task_create": lambda w: work.sweep_zone(w).pk,
    "zones:zone_plan": lambda w: work.sweep_zone(w).pk,
    "zones:plan_entry_create": lambda w: work.sweep_zone(w).pk,
    "zones:plan_entry_edit": lambda w: work.sweep_plan_entry(w).pk,
    "zones:plan_entry_delete": lambda w: work.sweep_plan_entry(w).pk,
    "zones:task_detail": lambda w: work.sweep_task(w).pk,
    "zones:task_edit": lambda w: work.sweep_task(w).pk,
    "zones:task_complete": lambda w: work.sweep_task(w).pk,
    "zones:task_cancel": lambda w: work.sweep_task(w).pk,
    "zones:task_reopen": lambda w: work.sweep_task(w).pk,
    "zones:activity_detail": lambda w: work.sweep_activity(w).pk,
    "zones:activity_edit": lambda w: work.sweep_activity(w).pk,
    "api:task-detail": lambda w: work.sweep_task(w).pk,
    "api:task-complete": lambda w: work.sweep_task(w).pk,
    "api:task-cancel": lambda w: work.sweep_task(w).pk,
    "api:task-reopen": lambda w: work.sweep_task(w).pk,
    "api:plan-entry-detail": lambda w: work.sweep_plan_entry(w).pk,
    "api:activity-detail": lambda w: work.sweep_activity(w).pk,
    "zones:zone_detail": lambda w: zone_factories.sweep_zone(w).pk,
    "zones:zone_edit": lambda w: zone_factories.sweep_zone(w).pk,
    "zones:zone_delete": lambda w: zone_factories.sweep_zone(w).pk,
    "zones:zone_role_add": lambda w: zone_factories.sweep_zone(w).pk,
    "zones:zone_role_remove": lambda w: zone_factories.sweep_role(w).pk,
    "zones:responsibility_list": lambda w: w.branch_a.pk,
    "zones:responsibility_delete": lambda w: zone_factories.sweep_responsibility(w).pk,
    "api:zone-detail": lambda w: zone_factories.sweep_zone(w).pk,
    "api:zone-role-detail": lambda w: zone_factories.sweep_role(w).pk,
    "api:zone-role-kind-detail": lambda w: zone_factories.role_kind().pk,
    "api:responsibility-detail": lambda w: zone_factories.sweep_responsibility(w).pk,
    "api:assessment-scheme-detail": lambda w: assessment_pages.sweep_scheme(w).pk,
    "api:assessment-scheme-indicators": lambda w: assessment_pages.sweep_scheme(w).pk,
    "api:assessment-round-detail": lambda w: assessment_pages.sweep_round(w).pk,
    "api:assessment-round-open": lambda w: assessment_pages.sweep_round(w).pk,
    "api:assessment-round-close": lambda w: assessment_pages.sweep_round(w).pk,
    "api:assessment-round-reopen": lambda w: assessment_pages.sweep_round(w).pk,
    "api:assessment-round-publish": lambda w: assessment_pages.sweep_round(w).pk,
    "api:assessment-round-archive": lambda w: assessment_pages.sweep_round(w).pk,
    "api:assessment-result-detail": lambda w: assessment_pages.sweep_result(w).pk,
    "api:assessment-result-revise": lambda w: assessment_pages.sweep_result(w).pk,
    # assessment: the year
    "assessment_year:rollup_detail": lambda w: assessment_year.sweep_rollup(w).pk,
    "assessment_year:rollup_edit": lambda w: assessment_year.sweep_rollup(w).pk,
    "assessment_year:rollup_compute": lambda w: assessment_year.sweep_rollup(w).pk,
    "assessment_year:rollup_delete": lambda w: assessment_year.sweep_rollup(w).pk,
    "assessment_year:rollup_recommended": lambda w: assessment_year.sweep_rollup(w).pk,
    "assessment_year:rollup_export": lambda w: assessment_year.sweep_rollup(w).pk,
    "assessment_year:review_detail": lambda w: assessment_year.sweep_review(w).pk,
    "assessment_year:review_edit": lambda w: assessment_year.sweep_review(w).pk,
    "assessment_year:rectification_detail": lambda w: assessment_year.sweep_rectification(w).pk,
    "assessment_year:rectification_note": lambda w: assessment_year.sweep_rectification(w).pk,
    "assessment_year:rectification_done": lambda w: assessment_year.sweep_rectification(w).pk,
    "assessment_year:appraisal_detail": lambda w: assessment_year.sweep_appraisal(w).pk,
    "assessment_year:appraisal_close": lambda w: assessment_year.sweep_appraisal(w).pk,
    "assessment_year:entry_detail": lambda w: assessment_year.sweep_entry(w).pk,
    "assessment_year:entry_self": lambda w: assessment_year.sweep_entry(w).pk,
    "assessment_year:entry_vote": lambda w: assessment_year.sweep_entry(w).pk,
    "assessment_year:entry_paper": lambda w: assessment_year.sweep_entry(w).pk,
    "assessment_year:entry_conclude": lambda w: assessment_year.sweep_entry(w).pk,
    "api:assessment-rollup-detail": lambda w: assessment_year.sweep_rollup(w).pk,
    "api:assessment-rollup-results": lambda w: assessment_year.sweep_rollup(w).pk,
    "api:assessment-branch-review-detail": lambda w: assessment_year.sweep_review(w).pk,
    "api:assessment-rectification-detail": lambda w: assessment_year.sweep_rectification(w).pk,
    "api:assessment-rectification-done": lambda w: assessment_year.sweep_rectification(w).pk,
    "api:assessment-appraisal-detail": lambda w: assessment_year.sweep_appraisal(w).pk,
    "api:assessment-appraisal-entries": lambda w: assessment_year.sweep_appraisal(w).pk,
    "api:assessment-appraisal-entry-vote": lambda w: assessment_year.sweep_entry(w).pk,
    "api:assessment-appraisal-entry-conclusion": lambda w: assessment_year.sweep_entry(w).pk,
    # assessment: the pages
    "assessment:scheme_detail": lambda w: assessment_pages.sweep_scheme(w).pk,
    "assessment:scheme_edit": lambda w: assessment_pages.sweep_scheme(w).pk,
    "assessment:scheme_weights": lambda w: assessment_pages.sweep_scheme(w).pk,
    "assessment:indicator_add": lambda w: assessment_pages.sweep_scheme(w).pk,
    "assessment:indicator_edit": lambda w: assessment_pages.sweep_indicator(w).pk,
    "assessment:indicator_remove": lambda w: assessment_pages.sweep_indicator(w).pk,
    "assessment:round_detail": lambda w: assessment_pages.sweep_round(w).pk,
    "assessment:round_edit": lambda w: assessment_pages.sweep_round(w).pk,
    "assessment:round_transition": lambda w: assessment_pages.sweep_round(w).pk,
    "assessment:round_export": lambda w: assessment_pages.sweep_round(w).pk,
    "assessment:distribution": lambda w: assessment_pages.sweep_round(w).pk,
    "assessment:score_sheet": lambda w: assessment_pages.sweep_round(w).pk,
    "assessment:self_assessment": lambda w: assessment_pages.sweep_round(w).pk,
    "assessment:result_detail": lambda w: assessment_pages.sweep_result(w).pk,
    "assessment:score_row": lambda w: assessment_pages.sweep_result(w).pk,
    "assessment:result_revise": lambda w: assessment_pages.sweep_result(w).pk,
    # posts: the API
    "api:post-detail": lambda w: post_api.sweep_post(w).pk,
    "api:post-approve": lambda w: post_api.sweep_post(w).pk,
    "api:post-reject": lambda w: post_api.sweep_post(w).pk,
    "api:post-name": lambda w: post_api.sweep_post(w).pk,
    "api:post-review": lambda w: post_api.sweep_post(w).pk,
    "api:post-evaluate": lambda w: post_api.sweep_post(w).pk,
    "api:post-opinions": lambda w: post_api.sweep_post(w).pk,
    "api:post-opinion-answer": lambda w: post_api.sweep_opinion(w).pk,
    # post standards and their three cards
    "standards:detail": lambda w: standards.sweep_standard(w).pk,
    "standards:edit": lambda w: standards.sweep_standard(w).pk,
    "standards:set": lambda w: standards.sweep_standard(w).pk,
    "standards:publish": lambda w: standards.sweep_standard(w).pk,
    "standards:comment_add": lambda w: standards.sweep_standard(w).pk,
    "standards:record_add": lambda w: standards.sweep_standard(w).pk,
    "standards:card_set": lambda w: standards.sweep_standard(w).pk,
    "standards:card_records": lambda w: standards.sweep_standard(w).pk,
    "standards:card_evaluation": lambda w: standards.sweep_standard(w).pk,
    "standards_public:detail": lambda w: standards.sweep_standard(w).pk,
    # model posts: the pages and the public board
    "posts:detail": lambda w: post_pages.sweep_post(w).pk,
    "posts:decide": lambda w: post_pages.sweep_post(w).pk,
    "posts:name": lambda w: post_pages.sweep_post(w).pk,
    "posts:review": lambda w: post_pages.sweep_post(w).pk,
    "posts:evaluate": lambda w: post_pages.sweep_post(w).pk,
    "posts:opinion_add": lambda w: post_pages.sweep_post(w).pk,
    "posts:opinion_answer": lambda w: post_pages.sweep_opinion(w).pk,
    "posts:round_evaluate": lambda w: post_pages.sweep_round(w).pk,
    "posts_public:board": lambda w: post_pages.sweep_post(w).pk,
    "posts_public:photo": lambda w: post_pages.sweep_post_member(w).pk,
    # residents' requests and zones: the public pages
    "requests_public:track": _tracking_code_a,
    "zones_public:board": lambda w: zone_factories.sweep_zone(w).pk,
    # community and the time bank: the API
    "api:registration-detail": lambda w: community_api.sweep_registration(w).pk,
    "api:registration-confirm": lambda w: community_api.sweep_registration(w).pk,
    "api:registration-return": lambda w: community_api.sweep_registration(w).pk,
    "api:community-post-detail": lambda w: community_api.sweep_post(w).pk,
    "api:community-post-claim": lambda w: community_api.sweep_post(w).pk,
    "api:community-post-claim-detail": lambda w: community_api.sweep_claim(w).pk,
    "api:community-post-claim-confirm": lambda w: community_api.sweep_claim(w).pk,
    "api:service-record-detail": lambda w: community_api.sweep_record(w).pk,
    "api:service-record-verify": lambda w: community_api.sweep_record(w).pk,
    "api:service-record-reject": lambda w: community_api.sweep_record(w).pk,
    "api:timebank-account-detail": lambda w: community_api.sweep_account(w).pk,
    "api:timebank-account-statement": lambda w: community_api.sweep_account(w).pk,
    "api:timebank-account-spend": lambda w: community_api.sweep_account(w).pk,
    "api:timebank-account-donate": lambda w: community_api.sweep_account(w).pk,
    "api:timebank-account-reverse": lambda w: community_api.sweep_account(w).pk,
    # community and the time bank: the pages
    "community:registration_detail": lambda w: community_pages.sweep_registration(w).pk,
    "community:registration_confirm": lambda w: community_pages.sweep_registration(w).pk,
    "community:registration_return": lambda w: community_pages.sweep_registration(w).pk,
    "community:registration_print": lambda w: community_pages.sweep_registration(w).pk,
    "community:activity_form": lambda w: community_pages.sweep_registration(w).member_id,
    "community:feedback_form": lambda w: community_pages.sweep_registration(w).member_id,
    "community:member_file": lambda w: community_pages.sweep_registration(w).member_id,
    "community:post_detail": lambda w: community_pages.sweep_post(w).pk,
    "community:post_claim": lambda w: community_pages.sweep_post(w).pk,
    "community:claim_confirm": lambda w: community_pages.sweep_claim(w).pk,
    "community:service_verify": lambda w: community_pages.sweep_record(w).pk,
    "community:service_reject": lambda w: community_pages.sweep_record(w).pk,
    "community:team_detail": lambda w: community_pages.sweep_team(w).pk,
    "community:pairing_detail": lambda w: community_pages.sweep_pairing(w).pk,
    "community:pairing_visit": lambda w: community_pages.sweep_pairing(w).pk,
    "community:pairing_end": lambda w: community_pages.sweep_pairing(w).pk,
    "timebank:account_detail": lambda w: community_pages.sweep_account(w).pk,
    "timebank:account_export": lambda w: community_pages.sweep_account(w).pk,
    "timebank:reverse": lambda w: community_pages.sweep_transfer(w).pk,
    # residents' requests: the staff's pages
    "service_requests:detail": _request_a,
    "service_requests:photo": _request_a,
    "service_requests:action": _request_a,
    # residents' requests: the API
    "api:service-request-detail": _request_a,
    "api:service-request-take": _request_a,
    "api:service-request-accept": _request_a,
    "api:service-request-start": _request_a,
    "api:service-request-resolve": _request_a,
    "api:service-request-dispatch": _request_a,
    "api:service-request-urgency": _request_a,
    "api:service-request-close": _request_a,
    # the notification centre
    "notifications:open": _notification_a,
    # the public boards, results and big screens
    "public:community_board": lambda w: w.community.pk,
    "public:results": lambda w: public_factories.sweep_round(w).pk,
    "public:screen_community": lambda w: w.community.pk,
    "public:screen_community_data": lambda w: w.community.pk,
    "public:screen_branch": lambda w: w.branch_a.pk,
    "public:screen_branch_data": lambda w: w.branch_a.pk,
    # printable sign boards and cards of zones, and a model post's plaque
    "zones_print:sign": lambda w: zone_factories.sweep_zone(w).pk,
    "zones_print:cards": lambda w: zone_factories.sweep_zone(w).pk,
    "zones_print:branch": lambda w: w.branch_a.pk,
    "posts_print:card": lambda w: post_pages.sweep_post(w).pk,
    # a person's own data: the 个人信息 page, their copy, anonymisation (branch A's member)
    "org:personal_data": lambda w: w.member_a.person_id,
    "org:personal_data_export": lambda w: w.member_a.person_id,
    "org:personal_data_anonymise": lambda w: w.member_a.person_id,
}
# Objects that the secretary of branch B may not see: these must answer 404 to them.
BRANCH_A_ONLY = {
    "org:member_detail",
    "org:member_edit",
    "org:organisation_children",
    "audit:detail",
    "api:organisation-detail",
    "api:person-detail",
    "api:member-detail",
    "reports:detail",
    "reports:edit",
    "reports:review",
    "reports:archive",
    "reports:archive_export",
    "api:report-detail",
    "contacts:member_contacts",
    "contacts:assignment_create",
    "contacts:assignment_detail",
    "contacts:assignment_edit",
    "contacts:assignment_delete",
    "contacts:talk_create",
    "contacts:talk_edit",
    "api:contact-assignment-detail",
    "api:contact-talk-detail",
    # (The work's transitions, complete / cancel / reopen, are POST only: a GET answers 405 before the
    # object is looked up. Their 404 for another branch is tested in vanguard/zones/tests/test_work_*.)
    "zones:zone_tasks",
    "zones:zone_task_create",
    "zones:zone_plan",
    "zones:plan_entry_create",
    "zones:plan_entry_edit",
    "zones:plan_entry_delete",
    "zones:task_detail",
    "zones:task_edit",
    "zones:activity_detail",
    "zones:activity_edit",
    "api:task-detail",
    "api:plan-entry-detail",
    "api:activity-detail",
    # (Deleting a zone, a role or a responsibility and adding a role are POST only; their 404 for another
    # branch is tested in vanguard/zones/tests/test_zones_views.py.)
    "zones:zone_detail",
    "zones:zone_edit",
    "zones:responsibility_list",
    "api:zone-detail",
    "api:zone-role-detail",
    "api:responsibility-detail",
    # (The assessment's writes on an object, indicators / open … archive / revise, are POST only; their 404
    # for another branch is tested in vanguard/assessment/tests/test_api.py.)
    "api:assessment-scheme-detail",
    "api:assessment-round-detail",
    "api:assessment-result-detail",
    # assessment: the year. (Its POST-only pages and actions answer a GET with 405 before the object is
    # looked up; their 404 for another branch is tested in vanguard/assessment/tests/test_year_*.)
    "assessment_year:rollup_detail",
    "assessment_year:rollup_edit",
    "assessment_year:rollup_recommended",
    "assessment_year:rollup_export",
    "assessment_year:review_detail",
    "assessment_year:review_edit",
    "assessment_year:rectification_detail",
    "assessment_year:appraisal_detail",
    "assessment_year:entry_detail",
    "api:assessment-rollup-detail",
    "api:assessment-rollup-results",
    "api:assessment-branch-review-detail",
    "api:assessment-rectification-detail",
    "api:assessment-appraisal-detail",
    "api:assessment-appraisal-entries",
    # assessment: the pages. (Removing an indicator, a round's transitions, saving a sheet's row and
    # revising are POST only; their 404 for another branch is tested in assessment/tests/test_pages_*.)
    "assessment:scheme_detail",
    "assessment:scheme_edit",
    "assessment:scheme_weights",
    "assessment:indicator_add",
    "assessment:indicator_edit",
    "assessment:round_detail",
    "assessment:round_edit",
    "assessment:round_export",
    "assessment:distribution",
    "assessment:score_sheet",
    "assessment:self_assessment",
    "assessment:result_detail",
    # posts: the API. (Its steps, approve … evaluate and answer, are POST only; their 404 for another
    # branch is tested in vanguard/posts/tests/test_api.py.)
    "api:post-detail",
    "api:post-opinions",
    # post standards. (Publishing is POST only; its 404 for another branch is tested in
    # vanguard/posts/tests/test_standards_pages.py. The public page is in PUBLIC.)
    "standards:detail",
    "standards:edit",
    "standards:set",
    "standards:comment_add",
    "standards:record_add",
    "standards:card_set",
    "standards:card_records",
    "standards:card_evaluation",
    # model posts. (The actions on a post and answering an entry are POST only; their 404 for another
    # branch is tested in vanguard/posts/tests/test_pages_detail.py and test_pages_opinions.py. The board
    # and the photos are in PUBLIC.)
    "posts:detail",
    "posts:round_evaluate",
    # community and the time bank: the API. (Confirm, return, claim, verify, reject, spend, donate and
    # reverse are POST only; their 404 for another branch or community is tested in
    # vanguard/community/tests/test_api_*.py and vanguard/timebank/tests/test_api.py.)
    "api:registration-detail",
    "api:community-post-detail",
    "api:community-post-claim-detail",
    "api:service-record-detail",
    "api:timebank-account-detail",
    "api:timebank-account-statement",
    # community and the time bank: the pages. (Confirming, returning, claiming, verifying, logging a visit and
    # ending a pairing are POST only; their 404 for another branch or community is tested in
    # vanguard/community/tests/test_pages_*.py.)
    "community:registration_detail",
    "community:registration_print",
    "community:post_detail",
    "community:activity_form",
    "community:feedback_form",
    "community:member_file",
    "community:service_reject",
    "community:team_detail",
    "community:pairing_detail",
    "timebank:account_detail",
    "timebank:account_export",
    "timebank:reverse",
    # residents' requests: the staff's pages. (The actions on a request are POST only; their 404 for another
    # branch or community is tested in vanguard/service_requests/tests/test_pages_access.py.)
    "service_requests:detail",
    "service_requests:photo",
    # residents' requests: the API. (Its steps, take … close, are POST only; their 404 for another branch is
    # tested in vanguard/service_requests/tests/test_api.py.)
    "api:service-request-detail",
    # (The notification centre's only object URL, opening one, is POST only: another user's notification
    # answers 404 in vanguard/notifications/tests/test_views.py.)
    # printable sign boards and cards of zones, and a model post's plaque
    "zones_print:sign",
    "zones_print:cards",
    "zones_print:branch",
    "posts_print:card",
    # a person's own data (anonymising is a POST too; its GET is the confirmation page, checked here)
    "org:personal_data",
    "org:personal_data_export",
    "org:personal_data_anonymise",
}


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name or ''}"


def url_patterns() -> list[tuple[str, str]]:
    """Every (route, name) except Django admin's own model pages, which check staff status themselves."""
    routes = []
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith("admin/") and route != "admin/login/" and route != "admin/":
            continue
        routes.append((route, name))
    return routes


_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def concrete(route: str, object_id: int | None) -> str:
    path = _PARAM.sub(lambda m: str(object_id), route)
    return "/" + path.replace("^", "").replace("$", "")


def has_parameter(route: str) -> bool:
    return bool(_PARAM.search(route))


def test_every_object_url_has_an_object_to_try():
    missing = [name for route, name in url_patterns() if has_parameter(route) and name not in OBJECT_IDS]
    assert missing == [], f"add these to OBJECT_IDS so the access sweep covers them: {missing}"


@pytest.fixture
def audited_world(world, member_a):
    # An audit record to open: member_a's login.
    Client().post("/accounts/login/", {"username": "member_a", "password": "Vanguard-test-1"})
    return world


def _refused_anonymously(response) -> bool:
    if response.status_code in (401, 403, 405):
        return True
    if response.status_code == 302:
        return response["Location"].startswith(("/accounts/login/", "/admin/login/"))
    return False


@pytest.mark.django_db
def test_an_anonymous_visitor_is_refused_everywhere_but_the_public_pages(audited_world):
    client = Client()
    checked = 0
    for route, name in url_patterns():
        if route in PUBLIC or route == CATCH_ALL:
            continue
        object_id = OBJECT_IDS[name](audited_world) if has_parameter(route) else None
        url = concrete(route, object_id)
        for method in ("get", "post", "patch", "delete"):
            response = getattr(client, method)(url)
            assert _refused_anonymously(response), (
                f"{method.upper()} {url} ({name}) -> {response.status_code}"
            )
            checked += 1
    assert checked >= 4 * 20


@pytest.mark.django_db
def test_the_public_pages_open_without_logging_in():
    client = Client()
    for route in PUBLIC:
        if has_parameter(route):
            continue  # a public page of one object: opened with its object in the test below
        if route == "api/v1/auth/token/":
            response = client.post(f"/{route}", {}, content_type="application/json")
        elif route == "accounts/logout/":
            response = client.post(f"/{route}")
        else:
            response = client.get(f"/{route}")
        assert response.status_code in (200, 302, 400), f"/{route} -> {response.status_code}"


@pytest.mark.django_db
def test_the_public_object_pages_open_without_logging_in(audited_world):
    client = Client()
    opened = 0
    for route, name in url_patterns():
        if route in PUBLIC and has_parameter(route):
            url = concrete(route, OBJECT_IDS[name](audited_world))
            response = client.get(url)
            assert response.status_code == 200, f"{url} ({name}) -> {response.status_code}"
            opened += 1
    assert opened >= 1


@pytest.mark.django_db
def test_the_secretary_of_another_branch_gets_404_for_branch_a_objects(audited_world, secretary_b):
    _every_branch_a_object_is_404_for(secretary_b, audited_world)


def _every_branch_a_object_is_404_for(user, world) -> None:
    """Pages with the user's session, the API with their token: every branch A object answers 404."""
    from rest_framework.authtoken.models import Token

    client = client_for(user)
    token = Token.objects.create(user=user)
    for route, name in url_patterns():
        if name not in BRANCH_A_ONLY:
            continue
        url = concrete(route, OBJECT_IDS[name](world))
        if url.startswith("/api/"):
            response = Client().get(url, HTTP_AUTHORIZATION=f"Token {token.key}")
        else:
            response = client.get(url)
        assert response.status_code == 404, f"{user}: {url} ({name}) -> {response.status_code}"


@pytest.mark.django_db
def test_an_unknown_object_answers_exactly_like_an_object_out_of_scope(audited_world, secretary_b, as_user):
    client = as_user(secretary_b)
    out_of_scope_url = f"/org/members/{audited_world.member_a.pk}/"
    out_of_scope = client.get(out_of_scope_url)
    missing = client.get("/org/members/999999/")
    assert out_of_scope.status_code == missing.status_code == 404

    def normalised(body: bytes, url: str) -> str:
        # The page differs only in its CSRF token and in the requested path it links back to.
        text = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", body.decode())
        return text.replace(url, "URL")

    assert normalised(out_of_scope.content, out_of_scope_url) == normalised(
        missing.content, "/org/members/999999/"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["office", "secretary_a", "member_a", "community_worker", "supervisor", "auditor"]
)
def test_every_persona_gets_an_answer_never_a_server_error_on_every_page(audited_world, persona, request):
    """Each persona opens every page and endpoint of branch A's objects: what it may reach opens, the rest
    is refused (403/404) or sent elsewhere (302) — never a 5xx."""
    user = request.getfixturevalue(persona)
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user)
    client = client_for(user)
    seen = set()
    for route, name in url_patterns():
        if route in PUBLIC:
            continue
        url = concrete(route, OBJECT_IDS[name](audited_world) if has_parameter(route) else None)
        if url.startswith("/api/"):
            response = Client().get(url, HTTP_AUTHORIZATION=f"Token {token.key}")
        else:
            response = client.get(url)
        assert response.status_code < 500, f"{persona}: {url} ({name}) -> {response.status_code}"
        seen.add(response.status_code)
    assert 200 in seen


@pytest.mark.django_db
def test_a_member_of_another_branch_gets_404_for_branch_a_objects(audited_world):
    user = _user("member_b", Role.MEMBER)
    audited_world.member_b.person.user = user
    audited_world.member_b.person.save()
    _every_branch_a_object_is_404_for(user, audited_world)
