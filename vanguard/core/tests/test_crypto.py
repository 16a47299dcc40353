"""身份证号 and phone numbers are encrypted at rest: the columns hold ciphertext only, the ORM reads and finds
them as before, the audit trail keeps them masked, and a key can be rotated."""

from __future__ import annotations

import base64
import secrets

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from vanguard.audit.models import Action, AuditRecord
from vanguard.core import crypto
from vanguard.org.models import Person
from vanguard.org.tests import factories
from vanguard.posts.models import Opinion
from vanguard.service_requests.models import ServiceRequest

pytestmark = pytest.mark.django_db

ID_NUMBER = factories.valid_id_number("19850615", "021")
MOBILE = "13955556666"


def _raw(table: str, column: str, pk: int) -> str:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _new_key() -> str:
    return base64.b64encode(secrets.token_bytes(64)).decode()


@pytest.fixture
def person(world) -> Person:
    person = factories.person("陈明", id_number=ID_NUMBER, mobile=MOBILE)
    return person


def test_the_columns_hold_ciphertext_and_the_orm_reads_plain_text(person):
    stored_id = _raw("org_person", "id_number", person.pk)
    stored_mobile = _raw("org_person", "mobile", person.pk)
    assert stored_id.startswith(crypto.PREFIX) and ID_NUMBER not in stored_id
    assert stored_mobile.startswith(crypto.PREFIX) and MOBILE not in stored_mobile
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.id_number, fresh.mobile) == (ID_NUMBER, MOBILE)
    assert Person.objects.filter(pk=person.pk).values_list("id_number", "mobile").get() == (ID_NUMBER, MOBILE)


def test_equality_lookups_still_find_people(person, world):
    assert Person.objects.get(id_number=ID_NUMBER) == person
    assert Person.objects.get(mobile=MOBILE) == person
    assert list(Person.objects.filter(id_number__in=[ID_NUMBER, "x"])) == [person]
    assert Person.objects.filter(mobile="13900000000").count() == 0
    # "No number" is stored as the empty string, so it needs no key and is found as before.
    assert _raw("org_person", "mobile", factories.person("无号码").pk) == ""
    assert Person.objects.filter(mobile="").exists()


def test_the_unique_constraint_on_the_id_number_holds_on_ciphertext(person):
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="另一人", id_number=ID_NUMBER)
    # Two people without a number are fine.
    Person.objects.create(name="甲")
    Person.objects.create(name="乙")


def test_lookups_that_would_compare_ciphertext_are_refused(person):
    for lookup in ("icontains", "startswith", "gt", "iexact"):
        with pytest.raises(FieldError):
            list(Person.objects.filter(**{f"id_number__{lookup}": "320"}))


def test_the_same_number_differs_between_columns_and_does_not_decrypt_in_another(person):
    stored = _raw("org_person", "mobile", person.pk)
    assert crypto.encrypt(MOBILE, "service_requests.servicerequest.phone") != stored
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored, "posts.opinion.phone")


def test_residents_phone_numbers_in_requests_and_opinions_are_encrypted_too(world):
    import datetime as dt

    from vanguard.posts.tests import factories as post_factories
    from vanguard.service_requests.tests.factories import submit

    request = submit(world, phone=MOBILE)
    assert MOBILE not in _raw("service_requests_servicerequest", "phone", request.pk)
    assert ServiceRequest.objects.get(pk=request.pk).phone == MOBILE

    post = post_factories.approved_post(world)
    opinion = Opinion.objects.create(
        post=post, kind=Opinion.Kind.PRAISE, content="好", phone=MOBILE, received_on=dt.date(2026, 1, 5)
    )
    assert MOBILE not in _raw("posts_opinion", "phone", opinion.pk)
    assert Opinion.objects.get(pk=opinion.pk).phone == MOBILE


def test_the_audit_trail_keeps_the_numbers_masked(world, community_worker):
    from vanguard.org import services as org_services

    person = org_services.person_save(
        actor=community_worker,
        person=Person(residence=world.community),
        fields={"name": "林静", "id_number": ID_NUMBER, "mobile": MOBILE},
    )
    record = AuditRecord.objects.filter(object_type="org.person", object_id=str(person.pk)).get()
    assert record.after["mobile"] == "139****6666"
    assert record.after["id_number"] == ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:]
    text = str(record.after)
    assert MOBILE not in text and ID_NUMBER not in text


def test_a_rotated_key_reads_through_the_fallback_and_reencrypt_moves_everything_to_the_new_key(
    person, settings
):
    old = settings.DATA_ENCRYPTION_KEY
    stored_before = _raw("org_person", "id_number", person.pk)
    settings.DATA_ENCRYPTION_KEY = _new_key()
    settings.DATA_ENCRYPTION_KEY_FALLBACKS = [old]
    assert Person.objects.get(pk=person.pk).id_number == ID_NUMBER  # read through the fallback

    call_command("reencrypt", stdout=_Sink())
    assert _raw("org_person", "id_number", person.pk) != stored_before
    settings.DATA_ENCRYPTION_KEY_FALLBACKS = []
    assert Person.objects.get(id_number=ID_NUMBER).mobile == MOBILE  # the new key alone reads and finds
    assert AuditRecord.objects.filter(action=Action.OTHER, detail__startswith="reencrypt:").exists()


def test_a_wrong_key_is_an_error_never_garbage(person, settings):
    settings.DATA_ENCRYPTION_KEY = _new_key()
    with pytest.raises(crypto.DecryptionError):
        Person.objects.get(pk=person.pk)


def test_reencrypt_without_the_old_key_refuses_and_changes_nothing(person, settings):
    stored = _raw("org_person", "id_number", person.pk)
    settings.DATA_ENCRYPTION_KEY = _new_key()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="DATA_ENCRYPTION_KEY_FALLBACKS"):
        call_command("reencrypt", stdout=_Sink())
    assert _raw("org_person", "id_number", person.pk) == stored


def test_numbers_stored_before_encryption_are_encrypted_in_place(person):
    # What the migration does for a database that held plain numbers.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE org_person SET mobile = %s WHERE id = %s", [MOBILE, person.pk])
    changed = crypto.reencrypt_column(
        connection, table="org_person", pk="id", column="mobile", context="org.person.mobile"
    )
    assert changed == 1
    assert _raw("org_person", "mobile", person.pk).startswith(crypto.PREFIX)
    assert Person.objects.get(pk=person.pk).mobile == MOBILE


def test_a_bad_key_setting_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.DATA_ENCRYPTION_KEY = base64.b64encode(b"short").decode()
    with pytest.raises(ImproperlyConfigured, match="64 bytes"):
        crypto.encrypt("1", "x")


class _Sink:
    def write(self, *args, **kwargs) -> None:
        pass

    def flush(self) -> None:
        pass
