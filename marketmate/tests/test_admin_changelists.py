"""A query budget on every admin changelist: each registered ModelAdmin's list answers 200 and
runs as many queries for 10 rows as for 3 (`list_select_related`, prefetches and annotations
instead of a query per row). New admins are covered as soon as they are registered: rows come
from the app's factory when there is one, else from a generic builder that fills the required
fields."""

import importlib
import inspect
import itertools
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import factory
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LOCAL_APPS = [
    config.name
    for config in apps.get_app_configs()
    if config.path.startswith(str(settings.BASE_DIR))
]
_sequence = itertools.count(1)

# Values the generic builder or a factory cannot guess: valid, and unique where a constraint says.
ROW_VALUES: dict[str, Callable[[int], dict[str, Any]]] = {
    "marketmate.BlockedNetwork": lambda number: {
        "network": f"10.{number // 250}.{number % 250}.0/24"
    },
    # One authenticator of a type per user; staff rows come with theirs already.
    "mfa.Authenticator": lambda number: {"user": UserFactory(), "type": "totp"},
    "orders.TaxRate": lambda number: {"region": f"R{number}"},
    "payments.CommissionRate": lambda number: {"shop": _create(apps.get_model("shops", "Shop"))},
}


def _factories() -> dict[type[models.Model], type[factory.django.DjangoModelFactory[Any]]]:
    """Every app's factory, by model; the model's own app's factory wins over others'."""
    found: dict[type[models.Model], type[factory.django.DjangoModelFactory[Any]]] = {}
    for app in LOCAL_APPS:
        try:
            module = importlib.import_module(f"{app}.tests.factories")
        except ModuleNotFoundError:
            continue
        for candidate in vars(module).values():
            if not (
                inspect.isclass(candidate)
                and issubclass(candidate, factory.django.DjangoModelFactory)
                and candidate.__module__ == module.__name__
                and isinstance(candidate._meta.model, type)
            ):
                continue
            model = candidate._meta.model
            if model not in found or model._meta.app_label == app:
                found.setdefault(model, candidate)
                if model._meta.app_label == app:
                    found[model] = candidate
    return found


FACTORIES = _factories()


def _value(field: models.Field, number: int) -> Any:  # type: ignore[type-arg]
    """A valid value for a required field that has no default."""
    if field.choices:
        return next(value for value, _label in field.flatchoices if value not in ("", None))
    if isinstance(field, (models.ForeignKey, models.OneToOneField)):
        related = field.related_model
        assert isinstance(related, type)
        if related is ContentType:
            return ContentType.objects.get_for_model(ContentType)
        return _create(related)
    if isinstance(field, models.FileField):
        return f"{field.name}/row-{number}.pdf"
    if isinstance(field, models.EmailField):
        return f"row{number}@example.com"
    if isinstance(field, models.URLField):
        return f"https://example.com/{number}"
    if isinstance(field, models.GenericIPAddressField):
        return f"192.0.2.{number % 250 + 1}"
    if isinstance(field, (models.CharField, models.TextField)):
        text = f"{field.name}-{number}"
        return text[-field.max_length :] if field.max_length else text
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DecimalField):
        return Decimal("1")
    if isinstance(field, (models.IntegerField, models.FloatField)):
        return number
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return timezone.now().date() - timedelta(days=number)
    if isinstance(field, models.DurationField):
        return timedelta(minutes=number)
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.JSONField):
        return {}
    raise NotImplementedError(f"No value for {field!r}")


def _create(model: type[models.Model]) -> models.Model:
    """One row of `model`: from its factory, else with every required field filled."""
    model = model._meta.concrete_model or model
    number = next(_sequence)
    extra = ROW_VALUES.get(model._meta.label, lambda number: {})(number)
    if model in FACTORIES:
        return FACTORIES[model](**extra)
    values = {
        field.name: _value(field, number)
        for field in model._meta.concrete_fields
        if not (
            field.auto_created
            or field.primary_key
            or field.has_default()
            or field.null
            or (field.blank and not field.is_relation)
            or getattr(field, "auto_now", False)
            or getattr(field, "auto_now_add", False)
        )
        and field.name not in extra
    }
    return model._default_manager.create(**values, **extra)


def _registered(*, with_rows_of_their_own: bool = False) -> list[Any]:
    """The models of the admin; `with_rows_of_their_own` leaves out proxies and unmanaged
    models (the sales reports page is a proxy of orders: its rows are the orders')."""
    return [
        pytest.param(model, id=model._meta.label)
        for model in sorted(admin.site._registry, key=lambda model: model._meta.label)
        if not with_rows_of_their_own or (model._meta.managed and not model._meta.proxy)
    ]


def _count_queries(client: Client, url: str) -> tuple[int, int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries), [query["sql"] for query in queries]


@pytest.mark.parametrize("model", _registered())
def test_the_changelist_queries_do_not_grow_with_rows(model: type[models.Model]) -> None:
    client = Client()
    client.force_login(StaffFactory())
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    creates_rows = model._meta.managed and not model._meta.proxy
    for _row in range(3 if creates_rows else 0):
        _create(model)
    client.get(url)  # warm the per-process caches (content types, sites) the first load fills

    status_3, queries_3, _sql = _count_queries(client, url)
    for _row in range(7 if creates_rows else 0):
        _create(model)
    status_10, queries_10, sql_10 = _count_queries(client, url)

    assert (status_3, status_10) == (200, 200)
    assert queries_10 <= queries_3, "\n".join(sql_10)


def _who_fields(form_fields: Any) -> list[str]:
    return [name for name in form_fields if name == "actor" or name.endswith("_by")]


@pytest.mark.parametrize("model", _registered(with_rows_of_their_own=True))
def test_who_did_what_is_read_only_on_the_change_page(model: type[models.Model]) -> None:
    client = Client()
    client.force_login(StaffFactory())
    row = _create(model)

    response = client.get(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
    )

    assert response.status_code == 200
    assert _who_fields(response.context["adminform"].form.fields) == []
    for inline in response.context["inline_admin_formsets"]:
        assert _who_fields(inline.formset.form.base_fields) == [], inline.opts
