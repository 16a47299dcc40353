from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from vanguard.audit.models import AuditRecord

from .helpers import make_records

pytestmark = pytest.mark.django_db


def test_the_admin_reads_the_trail_but_cannot_add_change_or_delete(django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", password="Vanguard-test-1")
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = site._registry[AuditRecord]
    entry = make_records(1)[0]
    assert model_admin.has_view_permission(request, entry)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
