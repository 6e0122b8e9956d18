import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType

from accounts.models import User
from accounts.tests.factories import StaffFactory, UserFactory
from marketmate.audit import audit_record, field_changes
from marketmate.request_context import request_id_reset, request_id_set

pytestmark = pytest.mark.django_db


def test_an_action_is_recorded_with_actor_entity_changes_and_reason() -> None:
    staff = StaffFactory()
    target = UserFactory(email="target@example.com")
    token = request_id_set("req-audit-1")
    try:
        entry = audit_record(
            actor=staff,
            action="user.ban",
            entity=target,
            changes={"is_active": (True, False)},
            reason="Fraudulent orders",
        )
    finally:
        request_id_reset(token)

    entry.refresh_from_db()
    assert entry.actor == staff
    assert entry.action == "user.ban"
    assert entry.entity_type == ContentType.objects.get_for_model(User)
    assert entry.entity_id == str(target.pk)
    assert entry.entity_repr == "target@example.com"
    assert entry.changes == {"is_active": [True, False]}
    assert entry.reason == "Fraudulent orders"
    assert entry.request_id == "req-audit-1"


def test_a_system_action_has_no_actor() -> None:
    target = UserFactory()

    entry = audit_record(actor=None, action="user.expire", entity=target)

    assert entry.actor is None
    assert entry.changes == {}
    assert entry.request_id == ""


def test_an_anonymous_actor_is_recorded_as_no_actor() -> None:
    entry = audit_record(actor=AnonymousUser(), action="user.verify", entity=UserFactory())

    assert entry.actor is None


def test_changes_of_related_objects_and_dates_are_stored_as_json() -> None:
    staff = StaffFactory()
    target = UserFactory()

    entry = audit_record(
        actor=staff,
        action="user.change",
        entity=target,
        changes={"created": (None, target.created), "manager": (None, staff)},
    )

    entry.refresh_from_db()
    assert entry.changes["manager"] == [None, staff.pk]
    assert entry.changes["created"] == [None, target.created.isoformat()]


def test_field_changes_lists_only_the_fields_that_differ() -> None:
    target = UserFactory(name="Ann", role=User.Role.BUYER)
    before = {"name": target.name, "role": target.role}
    target.name = "Ann Lee"

    assert field_changes(before, target, ["name", "role"]) == {"name": ("Ann", "Ann Lee")}
