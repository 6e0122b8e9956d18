"""The demo data set: three shops of the demo vendor with a category tree and a dozen products,
each with variants and a photo drawn with Pillow (so a fresh install looks like a store), and
the demo shopper's orders in every state with reviews of what they received."""

import colorsys
from decimal import Decimal
from io import BytesIO
from typing import NamedTuple, TypedDict

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from accounts.models import User
from catalog.models import Category, Product
from catalog.services.categories import category_get_or_create_path, category_names_translate
from catalog.services.images import image_add
from catalog.services.products import VariantSpec, product_create
from catalog.services.reviews import review_create
from orders.models import Order
from orders.services.cart import cart_get_or_create, cart_item_add
from orders.services.checkout import checkout_place
from orders.services.lifecycle import order_cancel, order_complete, order_ship
from payments.services.payments import payment_confirm_card, payments_create
from payments.services.refunds import refund_request
from shops.models import Shop
from shops.services import shop_apply, shop_approve

# The demo categories in the other languages, so the Spanish and German storefronts show them so.
DEMO_CATEGORY_NAMES: dict[str, dict[str, str]] = {
    "Home & Kitchen": {"es": "Hogar y cocina", "de": "Haus & Küche"},
    "Tableware": {"es": "Vajilla", "de": "Geschirr"},
    "Decor": {"es": "Decoración", "de": "Deko"},
    "Clothing": {"es": "Ropa", "de": "Kleidung"},
    "Accessories": {"es": "Accesorios", "de": "Accessoires"},
    "Tops": {"es": "Camisetas y tops", "de": "Oberteile"},
    "Stationery": {"es": "Papelería", "de": "Schreibwaren"},
    "Notebooks": {"es": "Cuadernos", "de": "Notizbücher"},
    "Desk": {"es": "Escritorio", "de": "Schreibtisch"},
    "Cards & Gifts": {"es": "Tarjetas y regalos", "de": "Karten & Geschenke"},
}


class DemoProduct(TypedDict):
    title: str
    description: str
    price: str
    compare_at_price: str | None
    category: list[str]
    tags: list[str]
    variants: list[VariantSpec]
    shape: str
    hue: float


class DemoOrder(NamedTuple):
    items: list[tuple[str, int]]
    state: str
    review: tuple[int, str, str] | None = None


DEMO_SHOPS: list[dict[str, object]] = [
    {
        "name": "Harbour Ceramics",
        "description": "Hand-thrown stoneware from a small studio by the sea.",
        "products": [
            DemoProduct(
                title="Speckled Stoneware Mug",
                description="<p>Wheel-thrown, <strong>dishwasher safe</strong>, holds a "
                "generous coffee.</p>",
                price="24.00",
                compare_at_price=None,
                category=["Home & Kitchen", "Tableware"],
                tags=["handmade", "ceramic"],
                variants=[
                    {"options": {"size": "Small"}, "inventory_count": 14},
                    {"options": {"size": "Large"}, "price": Decimal("28.00"), "inventory_count": 3},
                ],
                shape="mug",
                hue=0.08,
            ),
            DemoProduct(
                title="Shallow Serving Bowl",
                description="<p>A wide bowl for salads and pasta, glazed in sea green.</p>",
                price="48.00",
                compare_at_price="56.00",
                category=["Home & Kitchen", "Tableware"],
                tags=["ceramic", "gift"],
                variants=[{"inventory_count": 6}],
                shape="bowl",
                hue=0.45,
            ),
            DemoProduct(
                title="Bud Vase",
                description="<p>Small enough for one stem, striking on a windowsill.</p>",
                price="18.00",
                compare_at_price=None,
                category=["Home & Kitchen", "Decor"],
                tags=["ceramic"],
                variants=[
                    {"options": {"glaze": "Cobalt"}, "inventory_count": 9},
                    {"options": {"glaze": "Ash"}, "inventory_count": 0},
                ],
                shape="vase",
                hue=0.62,
            ),
            DemoProduct(
                title="Dinner Plate Set of Four",
                description="<p>Four 27 cm plates with a raw clay rim.</p>",
                price="96.00",
                compare_at_price=None,
                category=["Home & Kitchen", "Tableware"],
                tags=["ceramic", "set"],
                variants=[{"inventory_count": 4}],
                shape="plate",
                hue=0.12,
            ),
        ],
    },
    {
        "name": "Northwind Textiles",
        "description": "Natural fibres, woven and knitted to last.",
        "products": [
            DemoProduct(
                title="Linen Tote Bag",
                description="<p>Heavy linen with leather handles; fits a laptop.</p>",
                price="35.00",
                compare_at_price=None,
                category=["Clothing", "Accessories"],
                tags=["linen", "eco"],
                variants=[
                    {"options": {"colour": "Natural"}, "inventory_count": 20},
                    {"options": {"colour": "Indigo"}, "inventory_count": 7},
                ],
                shape="bag",
                hue=0.1,
            ),
            DemoProduct(
                title="Merino Scarf",
                description="<p>Soft, warm and light: <em>100% merino wool</em>.</p>",
                price="59.00",
                compare_at_price="69.00",
                category=["Clothing", "Accessories"],
                tags=["wool", "gift"],
                variants=[
                    {"options": {"colour": "Charcoal"}, "inventory_count": 5},
                    {"options": {"colour": "Oat"}, "inventory_count": 8},
                    {"options": {"colour": "Rust"}, "inventory_count": 2},
                ],
                shape="scarf",
                hue=0.04,
            ),
            DemoProduct(
                title="Organic Cotton Tee",
                description="<p>Everyday tee in heavyweight organic cotton.</p>",
                price="29.00",
                compare_at_price=None,
                category=["Clothing", "Tops"],
                tags=["cotton", "eco"],
                variants=[
                    {"options": {"size": "S"}, "inventory_count": 10},
                    {"options": {"size": "M"}, "inventory_count": 12},
                    {"options": {"size": "L"}, "inventory_count": 9},
                    {"options": {"size": "XL"}, "inventory_count": 4},
                ],
                shape="tee",
                hue=0.58,
            ),
            DemoProduct(
                title="Wool Hiking Socks",
                description="<p>Cushioned soles, reinforced heels, two pairs.</p>",
                price="22.00",
                compare_at_price=None,
                category=["Clothing", "Accessories"],
                tags=["wool"],
                variants=[
                    {"options": {"size": "36-40"}, "inventory_count": 15},
                    {"options": {"size": "41-46"}, "inventory_count": 11},
                ],
                shape="sock",
                hue=0.33,
            ),
        ],
    },
    {
        "name": "Paper & Pine",
        "description": "Stationery and small things for a calm desk.",
        "products": [
            DemoProduct(
                title="Hardcover Notebook",
                description="<p>A5, 192 pages of 100 gsm paper that takes fountain pens.</p>",
                price="19.00",
                compare_at_price=None,
                category=["Stationery", "Notebooks"],
                tags=["paper"],
                variants=[
                    {"options": {"ruling": "Dotted"}, "inventory_count": 25},
                    {"options": {"ruling": "Lined"}, "inventory_count": 18},
                    {"options": {"ruling": "Blank"}, "inventory_count": 3},
                ],
                shape="book",
                hue=0.95,
            ),
            DemoProduct(
                title="Walnut Desk Organiser",
                description="<p>Solid walnut tray for pens, cards and a phone.</p>",
                price="64.00",
                compare_at_price=None,
                category=["Stationery", "Desk"],
                tags=["wood", "gift"],
                variants=[{"inventory_count": 5}],
                shape="tray",
                hue=0.07,
            ),
            DemoProduct(
                title="Pine Forest Candle",
                description="<p>Soy wax, cotton wick, about 40 hours of burning.</p>",
                price="26.00",
                compare_at_price="30.00",
                category=["Home & Kitchen", "Decor"],
                tags=["candle", "gift"],
                variants=[{"inventory_count": 12}],
                shape="candle",
                hue=0.3,
            ),
            DemoProduct(
                title="Letterpress Card Set",
                description="<p>Eight cards with envelopes, printed by hand.</p>",
                price="16.00",
                compare_at_price=None,
                category=["Stationery", "Cards & Gifts"],
                tags=["paper", "gift"],
                variants=[{"inventory_count": 30}],
                shape="card",
                hue=0.75,
            ),
        ],
    },
]


def _colour(hue: float, lightness: float, saturation: float = 0.45) -> tuple[int, int, int]:
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
    return round(red * 255), round(green * 255), round(blue * 255)


def demo_photo(*, title: str, shape: str, hue: float, size: int = 1200) -> bytes:
    """A product 'photo': a soft studio background and a simple drawing of the object."""
    image = Image.new("RGB", (size, size), _colour(hue, 0.92, 0.3))
    draw = ImageDraw.Draw(image)
    for step in range(size // 2, size, 4):
        draw.rectangle(
            [0, step, size, step + 4], fill=_colour(hue, 0.86 - (step / size) * 0.08, 0.3)
        )
    main = _colour(hue, 0.5)
    dark = _colour(hue, 0.32)
    centre = size // 2
    unit = size // 12
    draw.ellipse(
        [centre - 4 * unit, 9 * unit, centre + 4 * unit, 10 * unit], fill=_colour(hue, 0.74, 0.25)
    )
    if shape == "mug":
        draw.rounded_rectangle(
            [centre - 3 * unit, 4 * unit, centre + 2 * unit, 9 * unit + unit // 2],
            radius=unit // 2,
            fill=main,
        )
        draw.ellipse(
            [centre + unit, 5 * unit, centre + 4 * unit, 8 * unit], outline=dark, width=unit // 2
        )
    elif shape in {"bowl", "plate"}:
        depth = 3 * unit if shape == "bowl" else unit
        rim = 6 * unit
        draw.chord(
            [centre - 5 * unit, rim - depth, centre + 5 * unit, rim + depth], 0, 180, fill=main
        )
        draw.ellipse(
            [centre - 5 * unit, rim - unit // 2, centre + 5 * unit, rim + unit // 2], fill=dark
        )
    elif shape in {"vase", "candle"}:
        draw.rounded_rectangle(
            [centre - 2 * unit, 4 * unit, centre + 2 * unit, 9 * unit + unit // 2],
            radius=unit,
            fill=main,
        )
        if shape == "candle":
            draw.ellipse(
                [
                    centre - unit // 3,
                    2 * unit + unit // 2,
                    centre + unit // 3,
                    3 * unit + unit // 2,
                ],
                fill=(245, 180, 60),
            )
        else:
            draw.rectangle([centre - unit // 2, 3 * unit, centre + unit // 2, 4 * unit], fill=dark)
    elif shape in {"bag", "tray", "card", "book"}:
        draw.rounded_rectangle(
            [centre - 3 * unit, 4 * unit, centre + 3 * unit, 9 * unit + unit // 2],
            radius=unit // 3,
            fill=main,
        )
        if shape == "bag":
            draw.arc(
                [centre - 2 * unit, 2 * unit, centre + 2 * unit, 6 * unit],
                180,
                360,
                fill=dark,
                width=unit // 3,
            )
        if shape == "book":
            draw.rectangle(
                [centre - 3 * unit, 4 * unit, centre - 2 * unit, 9 * unit + unit // 2], fill=dark
            )
    elif shape == "tee":
        u = unit
        draw.polygon(
            [
                (centre - 2 * u, 3 * u), (centre - 5 * u, 4 * u), (centre - 6 * u, 6 * u),
                (centre - 4 * u, 6 * u + u // 2), (centre - 3 * u, 5 * u),
                (centre - 3 * u, 9 * u + u // 2), (centre + 3 * u, 9 * u + u // 2),
                (centre + 3 * u, 5 * u), (centre + 4 * u, 6 * u + u // 2),
                (centre + 6 * u, 6 * u), (centre + 5 * u, 4 * u), (centre + 2 * u, 3 * u),
                (centre, 4 * u),
            ],
            fill=main,
        )  # fmt: skip
    elif shape == "sock":
        u = unit
        draw.polygon(
            [(centre - 2 * u, 2 * u), (centre + u, 2 * u), (centre + u, 7 * u),
             (centre + 4 * u, 8 * u), (centre + 4 * u, 9 * u + u // 2),
             (centre - 2 * u, 9 * u + u // 2)],
            fill=main,
        )  # fmt: skip
        draw.rectangle([centre - 2 * unit, 2 * unit, centre + unit, 3 * unit], fill=dark)
    else:  # a scarf: two hanging ends with fringes
        for left in (centre - 3 * unit, centre + unit):
            draw.rounded_rectangle(
                [left, 3 * unit, left + 2 * unit, 9 * unit], radius=unit // 3, fill=main
            )
            for fringe in range(5):
                x = left + unit // 4 + fringe * (2 * unit - unit // 2) // 4
                draw.line([x, 9 * unit, x, 9 * unit + unit // 2], fill=dark, width=unit // 8)
        draw.rounded_rectangle(
            [centre - 3 * unit, 3 * unit, centre + 3 * unit, 4 * unit + unit // 2],
            radius=unit // 2,
            fill=dark,
        )
    font = ImageFont.load_default(size=max(18, size // 22))
    draw.text((unit, size - 2 * unit), title, fill=dark, font=font)
    out = BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@transaction.atomic
def catalog_demo_seed(*, owner: User, photo_size: int = 1200) -> int:
    """Create the demo shops of `owner` with their products; returns how many products were
    made (none when the owner has shops already). Tests pass a small `photo_size`: resizing
    a dozen full-size photos is most of the time this takes."""
    if Shop.objects.filter(owner=owner).exists():
        return 0
    made = 0
    for spec in DEMO_SHOPS:
        shop = shop_apply(user=owner, name=str(spec["name"]), description=str(spec["description"]))
        if shop.status == Shop.Status.PENDING:
            shop_approve(shop=shop, actor=None, reason="demo data")
        products = spec["products"]
        assert isinstance(products, list)
        for item in products:
            category = category_get_or_create_path(names=item["category"])
            for node in [*Category.objects.get_ancestors(category), category]:
                if node.name_en in DEMO_CATEGORY_NAMES and not node.name_es:
                    category_names_translate(category=node, names=DEMO_CATEGORY_NAMES[node.name_en])
            product = product_create(
                shop=shop,
                actor=owner,
                title=item["title"],
                description=item["description"],
                price=Decimal(item["price"]),
                compare_at_price=Decimal(item["compare_at_price"])
                if item["compare_at_price"]
                else None,
                status=Product.Status.ACTIVE,
                categories=[category],
                tags=item["tags"],
                variants=item["variants"],
            )
            photo = demo_photo(
                title=item["title"], shape=item["shape"], hue=item["hue"], size=photo_size
            )
            image_add(
                product=product,
                actor=owner,
                upload=SimpleUploadedFile(f"{product.slug}.jpg", photo, content_type="image/jpeg"),
                alt_text=item["title"],
            )
            made += 1
    return made


# Who buys what in the demo, and where each order ends up: one order per state, placed, paid,
# shipped, refunded and cancelled through the real services, so stock, ledgers and invoices add
# up. Each item is (product title, units); a review follows every completed order.
DEMO_ORDERS: list[DemoOrder] = [
    DemoOrder(items=[("Hardcover Notebook", 2)], state="pending"),
    DemoOrder(items=[("Linen Tote Bag", 1)], state="paid"),
    DemoOrder(items=[("Shallow Serving Bowl", 1)], state="shipped"),
    DemoOrder(
        items=[("Speckled Stoneware Mug", 2)],
        state="complete",
        review=(5, "My new favourite mug", "Heavy, warm to hold, and the glaze is lovely."),
    ),
    DemoOrder(
        items=[("Merino Scarf", 1)],
        state="complete",
        review=(4, "Soft and warm", "Lighter than I expected; a little shorter too."),
    ),
    DemoOrder(items=[("Pine Forest Candle", 1)], state="cancelled"),
    DemoOrder(items=[("Walnut Desk Organiser", 1)], state="refunded"),
]
DEMO_ADDRESS = {
    "full_name": "Sam Shopper",
    "line1": "12 Harbour Street",
    "line2": "",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "country": "US",
    "phone": "",
}
DEMO_CARD = "4242424242424242"


def demo_orders_seed(*, buyer: User) -> dict[str, int]:
    """Orders of `buyer` in every state, from the demo shops, through the real checkout, payment,
    fulfilment and refund services; a review for each completed one. Returns how many orders
    ended in each state (nothing when `buyer` has orders already).

    Each step commits on its own (no surrounding transaction): payments, refunds and events
    run after commit, as they do for a real shopper.
    """
    if Order.objects.filter(buyer=buyer).exists():
        return {}
    states: dict[str, int] = {}
    for number, spec in enumerate(DEMO_ORDERS, start=1):
        cart = cart_get_or_create(user=buyer, session={})  # type: ignore[arg-type]
        products = []
        for title, units in spec.items:
            product = Product.objects.get(title=title, status=Product.Status.ACTIVE)
            products.append(product)
            variant = product.variants.order_by("pk").first()
            assert variant is not None
            cart_item_add(cart=cart, variant_id=variant.pk, quantity=units)
        order = checkout_place(buyer=buyer, cart=cart, address=DEMO_ADDRESS).orders[0]
        if spec.state != "pending" and spec.state != "cancelled":
            payment_confirm_card(
                payment=payments_create(buyer=buyer, order_ids=[order.pk])[0],
                card_number=DEMO_CARD,
            )
            order.refresh_from_db()
        owner = order.shop.owner
        if spec.state in {"shipped", "complete"}:
            order = order_ship(
                order=order, actor=owner, carrier="DHL", tracking_number=f"JD0146000{number:05d}"
            )
        if spec.state == "complete":
            order = order_complete(order=order, actor=owner)
        if spec.state == "cancelled":
            order = order_cancel(order=order, actor=buyer, reason="Ordered the wrong scent.")
        if spec.state == "refunded":
            refund_request(actor=owner, order=order, restock=True, reason="Arrived scratched.")
        if spec.review is not None:
            rating, title, body = spec.review
            for product in products:
                review_create(buyer=buyer, product=product, rating=rating, title=title, body=body)
        states[spec.state] = states.get(spec.state, 0) + 1
    return states
