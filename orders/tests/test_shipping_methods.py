from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from marketmate.models import AuditLog
from orders.models import ShippingMethod
from orders.services.shipping import shipping_method_save
from orders.tests.factories import ShippingMethodFactory
from shops.models import ShopMember
from shops.tests.factories import ShopFactory, ShopMemberFactory

pytestmark = pytest.mark.django_db
D = Decimal


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_saving_a_weight_method_keeps_its_bands_and_is_audited() -> None:
    shop = ShopFactory()

    method = shipping_method_save(
        actor=shop.owner,
        shop=shop,
        name="Parcel",
        kind="weight",
        countries=["DE", "AT"],
        bands=[(5000, D("9.00")), (1000, D("4.50"))],
    )

    assert list(method.bands.values_list("up_to_grams", "price")) == [
        (1000, D("4.50")),
        (5000, D("9.00")),
    ]
    assert [str(code) for code in method.countries] == ["AT", "DE"]
    assert AuditLog.objects.get(action="shipping_method.create").entity_id == str(method.pk)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "weight"}, "kind"),
        ({"kind": "free_above"}, "free_above"),
        ({"kind": "flat", "price": D("-1")}, "price"),
        ({"kind": "flat", "delivery_days_min": 5, "delivery_days_max": 2}, "delivery_days_max"),
    ],
)
def test_incomplete_methods_are_refused(kwargs, field) -> None:
    shop = ShopFactory()

    with pytest.raises(ValidationError) as refused:
        shipping_method_save(actor=shop.owner, shop=shop, name="X", **kwargs)

    assert field in refused.value.message_dict
    assert not ShippingMethod.objects.exists()


def test_one_default_method_per_shop() -> None:
    shop = ShopFactory()
    first = ShippingMethodFactory(shop=shop, is_default=True)
    elsewhere = ShippingMethodFactory(is_default=True)

    second = shipping_method_save(
        actor=shop.owner, shop=shop, name="Express", kind="flat", price=D("9"), is_default=True
    )

    first.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (first.is_default, second.is_default, elsewhere.is_default) == (False, True, True)


def test_the_vendor_creates_and_edits_a_method_in_the_dashboard() -> None:
    shop = ShopFactory()
    vendor = signed_in(shop.owner)
    form = {
        "name": "Parcel",
        "kind": "weight",
        "price": "0",
        "countries": ["DE"],
        "is_active": "on",
        "position": "0",
        "bands-TOTAL_FORMS": "2",
        "bands-INITIAL_FORMS": "0",
        "bands-0-up_to_grams": "2000",
        "bands-0-price": "6.90",
        "bands-1-up_to_grams": "",
        "bands-1-price": "",
    }

    assert vendor.get("/dashboard/orders/shipping/create/").status_code == 200
    created = vendor.post("/dashboard/orders/shipping/create/", form)
    method = ShippingMethod.objects.get(shop=shop)
    half = vendor.post(
        f"/dashboard/orders/shipping/{method.pk}/update/",
        {**form, "bands-1-up_to_grams": "5000"},
    )
    no_bands = vendor.post(
        f"/dashboard/orders/shipping/{method.pk}/update/",
        {**form, "bands-0-up_to_grams": "", "bands-0-price": ""},
    )
    listing = vendor.get("/dashboard/orders/shipping/").content.decode()

    assert created["Location"] == "/dashboard/orders/shipping/"
    assert list(method.bands.values_list("up_to_grams", "price")) == [(2000, D("6.90"))]
    assert half.status_code == 400
    assert no_bands.status_code == 400
    assert no_bands.context["form"].errors == {"kind": ["Add at least one weight band."]}
    assert "$6.90" in listing


def test_shop_staff_see_but_do_not_edit_shipping() -> None:
    shop = ShopFactory()
    method = ShippingMethodFactory(shop=shop)
    staff = signed_in(ShopMemberFactory(shop=shop, role=ShopMember.Role.STAFF).user)

    assert staff.get("/dashboard/orders/shipping/").status_code == 200
    assert staff.get(f"/dashboard/orders/shipping/{method.pk}/update/").status_code == 403


def test_another_shops_method_is_404() -> None:
    method = ShippingMethodFactory()
    rival = signed_in(ShopFactory().owner)

    assert rival.get(f"/dashboard/orders/shipping/{method.pk}/update/").status_code == 404


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "flat", "price": D("5.50")}, "price"),
        ({"kind": "free_above", "price": D("500"), "free_above": D("5000.5")}, "free_above"),
        ({"kind": "weight", "bands": [(1000, D("450.5"))]}, "bands"),
    ],
)
def test_a_yen_shop_cannot_price_shipping_in_fractions_of_a_yen(kwargs, field) -> None:
    shop = ShopFactory(currency="JPY")

    with pytest.raises(ValidationError) as refused:
        shipping_method_save(actor=shop.owner, shop=shop, name="X", **kwargs)

    assert "JPY amounts have no decimals." in refused.value.message_dict[field][0]
    assert not ShippingMethod.objects.exists()


def test_a_dinar_shop_prices_shipping_in_fils_and_the_form_says_what_is_wrong() -> None:
    shop = ShopFactory(currency="BHD")
    vendor = signed_in(shop.owner)
    form = {"name": "Courier", "kind": "flat", "price": "1.250", "is_active": "on"}
    form |= {"position": "0", "bands-TOTAL_FORMS": "0", "bands-INITIAL_FORMS": "0"}

    created = vendor.post("/dashboard/orders/shipping/create/", form)
    refused = vendor.post("/dashboard/orders/shipping/create/", {**form, "price": "1.2505"})
    yen = signed_in(ShopFactory(currency="JPY").owner)
    refused_yen = yen.post("/dashboard/orders/shipping/create/", {**form, "price": "1.25"})

    assert created.status_code == 302
    assert ShippingMethod.objects.get(shop=shop).price == D("1.250")
    assert refused.status_code == 400
    assert refused_yen.status_code == 400
    assert refused_yen.context["form"].errors == {"price": ["JPY amounts have no decimals."]}
