"""Load a large synthetic catalog (1,000,000 products over 1,000 shops and 200 categories, with
variants, tags and search vectors) into a PostgreSQL database of its own, for the search
benchmark (`bench/search_bench.py`).

    python bench/generate_catalog.py [--database-url postgres://postgres@127.0.0.1:5432/mm_bench]
                                     [--products 1000000] [--shops 1000] [--jobs 2]

The database is created and migrated when missing, then EMPTIED (users, shops and the whole
catalog): the script refuses a database whose name does not contain "bench". Rows are streamed
with COPY (psycopg 3), with the secondary indexes dropped during the load and foreign-key
triggers off for the loading session; the search vectors are then computed by the same bulk SQL
the application uses (`catalog.search.VECTOR_UPDATE_ALL_SQL`), in id ranges over `--jobs`
connections, and the indexes are built last. Deterministic for a given `--seed`.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mm_bench"

# 20 departments of 9 sub-categories each: (category name, the product noun it sells).
DEPARTMENTS: dict[str, list[tuple[str, str]]] = {
    "Clothing": [
        ("T-Shirts", "T-Shirt"), ("Hoodies", "Hoodie"), ("Jeans", "Jeans"),
        ("Dresses", "Dress"), ("Jackets", "Jacket"), ("Sweaters", "Sweater"),
        ("Skirts", "Skirt"), ("Shorts", "Shorts"), ("Socks", "Socks"),
    ],
    "Shoes": [
        ("Sneakers", "Sneakers"), ("Boots", "Boots"), ("Sandals", "Sandals"),
        ("Running Shoes", "Running Shoes"), ("Loafers", "Loafers"), ("Slippers", "Slippers"),
        ("Hiking Boots", "Hiking Boots"), ("Heels", "Heels"), ("Flip Flops", "Flip Flops"),
    ],
    "Home & Kitchen": [
        ("Mugs", "Mug"), ("Teapots", "Teapot"), ("Cutting Boards", "Cutting Board"),
        ("Knives", "Chef Knife"), ("Cookware", "Frying Pan"), ("Bedding", "Duvet Cover"),
        ("Candles", "Candle"), ("Cushions", "Cushion"), ("Lamps", "Table Lamp"),
    ],
    "Electronics": [
        ("Headphones", "Headphones"), ("Speakers", "Bluetooth Speaker"),
        ("Chargers", "USB-C Charger"), ("Cables", "Cable"), ("Keyboards", "Keyboard"),
        ("Mice", "Wireless Mouse"), ("Phone Cases", "Phone Case"), ("Webcams", "Webcam"),
        ("Smart Watches", "Smart Watch"),
    ],
    "Books": [
        ("Novels", "Novel"), ("Cookbooks", "Cookbook"), ("Travel Guides", "Travel Guide"),
        ("Comics", "Comic"), ("Poetry", "Poetry Collection"), ("Biographies", "Biography"),
        ("Children's Books", "Picture Book"), ("Notebooks", "Notebook"), ("Journals", "Journal"),
    ],
    "Toys": [
        ("Puzzles", "Jigsaw Puzzle"), ("Board Games", "Board Game"), ("Plush", "Plush Bear"),
        ("Building Blocks", "Building Set"), ("Dolls", "Doll"), ("Kites", "Kite"),
        ("Model Kits", "Model Kit"), ("Yo-yos", "Yo-yo"), ("Wooden Toys", "Wooden Train"),
    ],
    "Sports": [
        ("Yoga", "Yoga Mat"), ("Cycling", "Cycling Jersey"), ("Fitness", "Kettlebell"),
        ("Swimming", "Swim Goggles"), ("Tennis", "Tennis Racket"), ("Football", "Football"),
        ("Climbing", "Chalk Bag"), ("Running", "Running Belt"), ("Skating", "Skateboard"),
    ],
    "Beauty": [
        ("Soap", "Soap Bar"), ("Skincare", "Face Cream"), ("Lip Care", "Lip Balm"),
        ("Hair Care", "Shampoo"), ("Fragrance", "Perfume"), ("Bath", "Bath Bomb"),
        ("Nails", "Nail Polish"), ("Shaving", "Shaving Brush"), ("Brushes", "Makeup Brush"),
    ],
    "Garden": [
        ("Planters", "Planter"), ("Seeds", "Seed Kit"), ("Tools", "Garden Trowel"),
        ("Watering", "Watering Can"), ("Lighting", "Solar Lantern"), ("Furniture", "Bench"),
        ("Bird Care", "Bird Feeder"), ("Compost", "Compost Bin"), ("Gloves", "Garden Gloves"),
    ],
    "Jewellery": [
        ("Necklaces", "Necklace"), ("Rings", "Ring"), ("Earrings", "Earrings"),
        ("Bracelets", "Bracelet"), ("Brooches", "Brooch"), ("Anklets", "Anklet"),
        ("Cufflinks", "Cufflinks"), ("Charms", "Charm"), ("Watches", "Watch"),
    ],
    "Bags": [
        ("Backpacks", "Backpack"), ("Tote Bags", "Tote Bag"), ("Wallets", "Wallet"),
        ("Handbags", "Handbag"), ("Duffel Bags", "Duffel Bag"), ("Laptop Bags", "Laptop Sleeve"),
        ("Belt Bags", "Belt Bag"), ("Luggage", "Suitcase"), ("Pouches", "Pouch"),
    ],
    "Pet Supplies": [
        ("Dog Beds", "Dog Bed"), ("Collars", "Dog Collar"), ("Leashes", "Leash"),
        ("Cat Toys", "Cat Toy"), ("Bowls", "Pet Bowl"), ("Scratchers", "Cat Scratcher"),
        ("Aquarium", "Aquarium Filter"), ("Treats", "Dog Treats"), ("Grooming", "Pet Brush"),
    ],
    "Office": [
        ("Pens", "Fountain Pen"), ("Desk Organisers", "Desk Organiser"), ("Planners", "Planner"),
        ("Paper", "Sketch Pad"), ("Chairs", "Office Chair"), ("Desks", "Standing Desk"),
        ("Lamps for Desks", "Desk Lamp"), ("Stamps", "Rubber Stamp"), ("Folders", "Folder"),
    ],
    "Music": [
        ("Guitars", "Acoustic Guitar"), ("Ukuleles", "Ukulele"), ("Strings", "Guitar Strings"),
        ("Vinyl", "Vinyl Record"), ("Drums", "Cajon"), ("Keyboards and Pianos", "Digital Piano"),
        ("Harmonicas", "Harmonica"), ("Sheet Music", "Songbook"), ("Picks", "Guitar Picks"),
    ],
    "Art Supplies": [
        ("Paints", "Watercolour Set"), ("Canvas", "Canvas"), ("Pencils", "Pencil Set"),
        ("Markers", "Marker Set"), ("Clay", "Modelling Clay"), ("Easels", "Easel"),
        ("Ink", "Ink Bottle"), ("Sketchbooks", "Sketchbook"), ("Calligraphy", "Calligraphy Set"),
    ],
    "Outdoors": [
        ("Tents", "Tent"), ("Sleeping Bags", "Sleeping Bag"), ("Camping Stoves", "Camp Stove"),
        ("Headlamps", "Headlamp"), ("Water Bottles", "Water Bottle"), ("Hammocks", "Hammock"),
        ("Compasses", "Compass"), ("Coolers", "Cooler"), ("Rain Gear", "Rain Jacket"),
    ],
    "Baby": [
        ("Baby Clothes", "Baby Bodysuit"), ("Blankets", "Baby Blanket"), ("Bibs", "Bib"),
        ("Rattles", "Rattle"), ("Carriers", "Baby Carrier"), ("Mobiles", "Crib Mobile"),
        ("Teethers", "Teether"), ("Bath Toys", "Bath Toy"), ("Nursery", "Nursery Lamp"),
    ],
    "Food & Drink": [
        ("Coffee", "Coffee Beans"), ("Tea", "Loose Leaf Tea"), ("Chocolate", "Chocolate Bar"),
        ("Honey", "Raw Honey"), ("Spices", "Spice Blend"), ("Olive Oil", "Olive Oil"),
        ("Jams", "Strawberry Jam"), ("Hot Sauce", "Hot Sauce"), ("Snacks", "Granola"),
    ],
    "Health": [
        ("Vitamins", "Vitamin D"), ("Massage", "Massage Ball"), ("First Aid", "First Aid Kit"),
        ("Sleep", "Sleep Mask"), ("Posture", "Posture Corrector"), ("Oral Care", "Toothbrush"),
        ("Aromatherapy", "Essential Oil"), ("Hot and Cold", "Hot Water Bottle"),
        ("Supports", "Knee Support"),
    ],
    "Automotive": [
        ("Car Care", "Car Wax"), ("Seat Covers", "Seat Cover"), ("Phone Mounts", "Phone Mount"),
        ("Organisers", "Trunk Organiser"), ("Floor Mats", "Floor Mat"),
        ("Air Fresheners", "Air Freshener"), ("Tools for Cars", "Tyre Gauge"),
        ("Dash Cams", "Dash Cam"), ("Lights", "LED Bulb"),
    ],
}  # fmt: skip
SIZED = {"Clothing", "Shoes"}
ADJECTIVES = (
    "Organic", "Handmade", "Vintage", "Classic", "Modern", "Minimalist", "Rustic", "Premium",
    "Eco", "Compact", "Lightweight", "Waterproof", "Cosy", "Soft", "Durable", "Recycled",
    "Artisan", "Deluxe", "Everyday", "Portable", "Nordic", "Japanese", "Italian", "Retro",
    "Bold", "Elegant", "Sturdy", "Slim", "Large", "Mini",
)  # fmt: skip
MATERIALS = (
    "Cotton", "Linen", "Wool", "Leather", "Bamboo", "Ceramic", "Oak", "Walnut", "Steel",
    "Stainless Steel", "Glass", "Silver", "Gold", "Copper", "Canvas", "Denim", "Silk", "Cork",
    "Merino", "Hemp", "Porcelain", "Marble", "Brass", "Velvet", "Suede",
)  # fmt: skip
COLOURS = (
    "Black", "White", "Red", "Blue", "Green", "Navy", "Grey", "Beige", "Pink", "Yellow",
    "Olive", "Burgundy", "Teal", "Mustard", "Charcoal",
)  # fmt: skip
SIZES = ("XS", "S", "M", "L", "XL", "XXL")
SHOE_SIZES = ("37", "38", "39", "40", "41", "42", "43", "44", "45")
TAG_WORDS = (
    "gift", "eco friendly", "handmade", "vintage", "summer", "winter", "sale", "bestseller",
    "new", "limited edition", "vegan", "fair trade", "local", "unisex", "kids", "travel",
    "minimalist", "boho", "scandinavian", "retro", "personalised", "organic", "recycled",
    "waterproof", "wedding", "birthday", "christmas", "office", "outdoor", "cosy",
)  # fmt: skip
SHOP_WORDS = (
    "Studio", "Workshop", "Market", "Goods", "Supply", "House", "Collective", "Co", "Atelier",
    "Store", "Trading", "Corner", "Lab", "Emporium", "Outfitters",
)  # fmt: skip
SHOP_NAMES = (
    "Maple", "Harbour", "Juniper", "Copper", "Willow", "Fern", "Oak", "Birch", "Cedar", "Moss",
    "River", "Stone", "Meadow", "Pine", "Lark", "Robin", "Sparrow", "Aurora", "Nova", "Atlas",
    "Ember", "Indigo", "Saffron", "Sage", "Clover", "Thistle", "Hazel", "Linden", "Rowan", "Ivy",
    "Amber", "Coral", "Pebble", "Tide", "Harvest", "Orchard", "Prairie", "Summit", "Valley",
    "Canyon",
)  # fmt: skip
# Shop languages (code, weight); products are written in English whatever the shop's language,
# so the `simple` half of the vector matches them all.
LANGUAGES = (("en", 70), ("de", 10), ("fr", 10), ("es", 5), ("nl", 5))
CURRENCY = {"en": "USD", "de": "EUR", "fr": "EUR", "es": "EUR", "nl": "EUR"}
COUNTRY = {"en": "US", "de": "DE", "fr": "FR", "es": "ES", "nl": "NL"}
SENTENCES = (
    "Made in small batches by an independent maker.",
    "Ships in recyclable packaging within two working days.",
    "A thoughtful gift that lasts for years.",
    "Designed to be used every day and repaired rather than replaced.",
    "Each piece is checked by hand before it leaves the workshop.",
    "Easy to clean; see the care notes on the label.",
    "Part of our best-selling collection this season.",
    "Sourced from suppliers we visit every year.",
)

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def tree_step(number: int) -> str:
    """A treebeard materialised-path step (base 36, 4 characters)."""
    digits = ""
    while number:
        number, remainder = divmod(number, 36)
        digits = ALPHABET[remainder] + digits
    return digits.rjust(4, "0")


def slug(text: str) -> str:
    out = "".join(char.lower() if char.isalnum() else "-" for char in text)
    return "-".join(part for part in out.split("-") if part)


def log(message: str, began: float) -> None:
    print(f"[{time.monotonic() - began:7.1f}s] {message}", file=sys.stderr, flush=True)


def database_prepare(url: str) -> None:
    """Create the database when missing and apply the migrations."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "marketmate.settings.test",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


STAGE = "bench_product_stage"
# A product's facet keys (catalog.search.FACET_KEYS_SET_SQL, FACET_OPTIONS_SET_SQL), computed here
# as it is loaded (the triggers that keep them are off while the links and variants are copied in).
FACET_COLUMNS = "facet_categories, facet_tags, facet_options"
PRODUCT_COLUMNS = (
    "id, title, slug, description, price, compare_at_price, currency, status, track_inventory,"
    " rating_average, rating_count, created, updated, shop_id"
)
LOADED_TABLES = (
    "catalog_product",
    "catalog_productvariant",
    "catalog_product_tags",
    "catalog_product_categories",
)


def secondary_indexes(connection) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(table, name, definition) of the loaded tables' indexes that back no constraint."""
    return connection.execute(
        """SELECT tablename, indexname, indexdef FROM pg_indexes i
            WHERE schemaname = 'public' AND tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            ORDER BY tablename, indexname""",
        [list(LOADED_TABLES)],
    ).fetchall()


def facet_keys(ids: list[int]) -> str:
    """Ids as the facet keys store them: a JSON array of text, in id order."""
    return json.dumps([str(id_) for id_ in sorted(ids)])


def facet_options(option_sets: list[dict[str, str]]) -> str:
    """Variants' options as the facet options store them: distinct name and value pairs, in
    order."""
    return json.dumps(sorted({pair for options in option_sets for pair in options.items()}))


class Rows:
    """Text-format COPY lines, flushed to the COPY stream in large chunks."""

    def __init__(self, copy) -> None:  # type: ignore[no-untyped-def]
        self.copy = copy
        self.lines: list[str] = []

    def add(self, *values: object) -> None:
        self.lines.append("\t".join(r"\N" if value is None else str(value) for value in values))
        if len(self.lines) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.copy.write(("\n".join(self.lines) + "\n").encode())
            self.lines = []


def weighted_languages(random_source: random.Random, count: int) -> list[str]:
    codes = [code for code, _weight in LANGUAGES]
    weights = [weight for _code, weight in LANGUAGES]
    return random_source.choices(codes, weights=weights, k=count)


def load(options: argparse.Namespace, began: float) -> dict[str, int]:
    import psycopg

    from catalog.search import search_config

    rng = random.Random(options.seed)
    now = datetime.now(UTC)
    stamp = now.isoformat()
    counts: dict[str, int] = {}
    with psycopg.connect(options.database_url) as connection:
        connection.execute("SET session_replication_role = replica")
        connection.execute(f"DROP TABLE IF EXISTS {STAGE}")
        connection.execute(
            "TRUNCATE accounts_user, shops_shop, catalog_category, catalog_tag, catalog_product"
            " RESTART IDENTITY CASCADE"
        )
        # The dropped indexes are written down first, so that a run interrupted before it
        # rebuilt them rebuilds them next time.
        connection.execute(
            "CREATE TABLE IF NOT EXISTS bench_dropped_index"
            " (name text PRIMARY KEY, tablename text, definition text)"
        )
        for table, name, definition in secondary_indexes(connection):
            connection.execute(
                "INSERT INTO bench_dropped_index VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                [name, table, definition],
            )
            connection.execute(f'DROP INDEX "{name}"')
        dropped = connection.execute(
            "SELECT tablename, name, definition FROM bench_dropped_index ORDER BY tablename, name"
        ).fetchall()
        log(f"emptied; dropped {len(dropped)} secondary indexes for the load", began)

        # Vendors and their shops.
        languages = weighted_languages(rng, options.shops)
        with connection.cursor().copy(
            "COPY accounts_user (id, password, is_superuser, email, name, role,"
            " is_active, is_staff, created, updated, auth_version, avatar, currency, language)"
            " FROM STDIN"
        ) as copy:
            rows = Rows(copy)
            for shop_id in range(1, options.shops + 1):
                rows.add(
                    shop_id, "!", "f", f"vendor{shop_id}@bench.example", f"Vendor {shop_id}",
                    "vendor", "t", "f", stamp, stamp, 0, "", "USD", "en",
                )  # fmt: skip
            rows.flush()
        shop_names: list[str] = []
        with connection.cursor().copy(
            "COPY shops_shop (id, name, slug, description, logo, banner, currency, country,"
            " language, status, prices_include_tax, shipping_policy, returns_policy,"
            " stripe_account_id, payouts_on_hold, created, updated, owner_id) FROM STDIN"
        ) as copy:
            rows = Rows(copy)
            for shop_id in range(1, options.shops + 1):
                language = languages[shop_id - 1]
                name = f"{rng.choice(SHOP_NAMES)} {rng.choice(SHOP_WORDS)} {shop_id}"
                shop_names.append(name)
                status = "suspended" if shop_id % 50 == 0 else "active"
                rows.add(
                    shop_id, name, slug(name), f"{name} sells independent goods.", "", "",
                    CURRENCY[language], COUNTRY[language], language, status, "f",
                    "Ships within two working days.", "Returns accepted within 30 days.", "",
                    "f", stamp, stamp, shop_id,
                )  # fmt: skip
            rows.flush()
        counts["shops"] = options.shops
        configs = [search_config(language) for language in languages]
        log(f"{options.shops} shops", began)

        # Categories: 20 departments (roots) of 9 sub-categories each.
        leaves: list[tuple[int, int, str, str, str]] = []  # (id, root id, name, noun, department)
        with connection.cursor().copy(
            "COPY catalog_category (id, path, depth, numchild, name, slug, description,"
            " is_featured, created, updated) FROM STDIN"
        ) as copy:
            rows = Rows(copy)
            category_id = 0
            for root_number, (department, children) in enumerate(
                sorted(DEPARTMENTS.items()), start=1
            ):
                category_id += 1
                root_id = category_id
                root_path = tree_step(root_number)
                rows.add(
                    root_id, root_path, 1, len(children), department, slug(department), "",
                    "t" if root_number <= 8 else "f", stamp, stamp,
                )  # fmt: skip
                for child_number, (name, noun) in enumerate(sorted(children), start=1):
                    category_id += 1
                    rows.add(
                        category_id, root_path + tree_step(child_number), 2, 0, name,
                        slug(f"{department}-{name}"), "", "f", stamp, stamp,
                    )  # fmt: skip
                    leaves.append((category_id, root_id, name, noun, department))
            rows.flush()
        counts["categories"] = category_id
        tags = [*TAG_WORDS]
        while len(tags) < 300:
            tags.append(f"{rng.choice(ADJECTIVES).lower()} {rng.choice(TAG_WORDS)}")
            tags = list(dict.fromkeys(tags))
        with connection.cursor().copy("COPY catalog_tag (id, name, slug) FROM STDIN") as copy:
            rows = Rows(copy)
            for tag_id, name in enumerate(tags, start=1):
                rows.add(tag_id, name, slug(name))
            rows.flush()
        counts["tags"] = len(tags)
        log(f"{category_id} categories, {len(tags)} tags", began)

        connection.commit()

        # Products, their categories and tags, and their variants, in one pass: one COPY
        # stream per table, each on its own connection (a connection runs one COPY at a time).
        connection.execute(
            f"CREATE UNLOGGED TABLE {STAGE} (id bigint, title text, slug text, description text,"
            " price numeric, compare_at_price numeric, currency text, status text,"
            " track_inventory boolean, rating_average numeric, rating_count integer,"
            " created timestamptz, updated timestamptz, shop_id bigint, config regconfig,"
            " words text, body text, facet_categories jsonb, facet_tags jsonb,"
            " facet_options jsonb)"
        )
        connection.commit()
        streams = [psycopg.connect(options.database_url) for _ in range(4)]
        for stream in streams:
            stream.execute("SET session_replication_role = replica")
        variant_id = 0
        link_categories = link_tags = 0
        with (
            streams[0]
            .cursor()
            .copy(
                f"COPY {STAGE} ({PRODUCT_COLUMNS}, config, words, body, {FACET_COLUMNS}) FROM STDIN"
            ) as product_copy,
            streams[1]
            .cursor()
            .copy(
                "COPY catalog_product_categories (product_id, category_id) FROM STDIN"
            ) as category_copy,
            streams[2]
            .cursor()
            .copy("COPY catalog_product_tags (product_id, tag_id) FROM STDIN") as tag_copy,
            streams[3]
            .cursor()
            .copy(
                "COPY catalog_productvariant (id, sku, options, price, inventory_count,"
                " weight_grams, is_default, position, created, updated, product_id, shop_id)"
                " FROM STDIN"
            ) as variant_copy,
        ):
            products, links, labels, variants = (
                Rows(product_copy),
                Rows(category_copy),
                Rows(tag_copy),
                Rows(variant_copy),
            )
            for product_id in range(1, options.products + 1):
                shop_id = rng.randint(1, options.shops)
                leaf_id, root_id, leaf_name, noun, department = leaves[rng.randrange(len(leaves))]
                title = f"{rng.choice(ADJECTIVES)} {rng.choice(MATERIALS)} {noun}"
                if rng.random() < 0.3:
                    title += f" in {rng.choice(COLOURS)}"
                price_cents = rng.choice((499, 999, 1499, 1999, 2499, 2999, 3999, 4999))
                price_cents += rng.randint(0, 20) * 500
                compare_at = (
                    f"{price_cents * 13 // 1000}.{price_cents * 13 // 10 % 100:02d}"
                    if rng.random() < 0.1
                    else None
                )
                price = f"{price_cents // 100}.{price_cents % 100:02d}"
                roll = rng.random()
                status = "active" if roll < 0.97 else ("draft" if roll < 0.99 else "archived")
                rated = rng.random() < 0.4
                created = (now - timedelta(seconds=rng.randint(0, 730 * 86400))).isoformat()
                body = (
                    f"{title} from {shop_names[shop_id - 1]}. {' '.join(rng.sample(SENTENCES, 2))}"
                )
                words = [leaf_name]
                category_ids, tag_ids = [leaf_id], []
                links.add(product_id, leaf_id)
                link_categories += 1
                if rng.random() < 0.05:
                    links.add(product_id, root_id)
                    words.append(department)
                    category_ids.append(root_id)
                    link_categories += 1
                for tag_id in rng.sample(range(1, len(tags) + 1), rng.randint(0, 3)):
                    labels.add(product_id, tag_id)
                    words.append(tags[tag_id - 1])
                    tag_ids.append(tag_id)
                    link_tags += 1
                product = (
                    product_id, title, f"{slug(title)}-{product_id}", f"<p>{body}</p>", price,
                    compare_at, CURRENCY[languages[shop_id - 1]], status, "t",
                    f"{rng.randint(10, 50) / 10:.2f}" if rated else "0.00",
                    rng.randint(1, 500) if rated else 0, created, created, shop_id,
                    configs[shop_id - 1], " ".join(words), body,
                    facet_keys(category_ids), facet_keys(tag_ids),
                )  # fmt: skip
                if department in SIZED:
                    sizes = SHOE_SIZES if department == "Shoes" else SIZES
                    picked_sizes = rng.sample(sizes, rng.randint(2, 4))
                    picked_colours = rng.sample(COLOURS, rng.randint(1, 2))
                    option_sets = [
                        {"size": size, "colour": colour}
                        for colour in picked_colours
                        for size in picked_sizes
                    ]
                elif rng.random() < 0.3:
                    option_sets = [{"colour": colour} for colour in rng.sample(COLOURS, 3)]
                else:
                    option_sets = [{}]
                products.add(*product, facet_options(option_sets))
                for position, option_set in enumerate(option_sets):
                    variant_id += 1
                    variants.add(
                        variant_id, f"P{product_id}-{position}", json.dumps(option_set), None,
                        0 if rng.random() < 0.1 else rng.randint(1, 200), 250,
                        "t" if position == 0 else "f", position, created, created,
                        product_id, shop_id,
                    )  # fmt: skip
                if product_id % 100_000 == 0:
                    log(f"{product_id} products streamed", began)
            for rows in (products, links, labels, variants):
                rows.flush()
        for stream in streams:
            stream.commit()
            stream.close()
        counts |= {
            "products": options.products,
            "variants": variant_id,
            "product_categories": link_categories,
            "product_tags": link_tags,
        }
        log(f"streamed {counts}", began)
    products_insert(options, began)
    with psycopg.connect(options.database_url, autocommit=True) as connection:
        connection.execute(f"DROP TABLE {STAGE}")
        connection.execute("SET maintenance_work_mem = '1GB'")
        for _table, name, definition in dropped:
            connection.execute(definition)
            connection.execute("DELETE FROM bench_dropped_index WHERE name = %s", [name])
            log(f"index {name} built", began)
        connection.execute("DROP TABLE bench_dropped_index")
        for table in (
            "accounts_user",
            "shops_shop",
            "catalog_category",
            "catalog_tag",
            *LOADED_TABLES,
        ):
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608 - constants and our own table names
                f" (SELECT coalesce(max(id), 1) FROM {table}))"
            )
        connection.execute("VACUUM ANALYZE")
        log("vacuumed and analysed", began)
    return counts


def products_insert(options: argparse.Namespace, began: float) -> None:
    """Staged products into catalog_product with their facet keys and their search vectors
    (computed by the application's own expression), in id ranges over `--jobs` connections."""
    import psycopg

    from catalog.search import VECTOR_EXPRESSION

    statement = (
        f"INSERT INTO catalog_product ({PRODUCT_COLUMNS}, {FACET_COLUMNS}, search_vector)"  # noqa: S608 - constants and our own table names
        f" SELECT {PRODUCT_COLUMNS}, {FACET_COLUMNS}, {VECTOR_EXPRESSION} FROM {STAGE} AS source"
        " WHERE source.id BETWEEN %s AND %s"
    )
    chunk = 50_000
    ranges: Iterator[tuple[int, int]] = iter(
        [(low, low + chunk - 1) for low in range(1, options.products + 1, chunk)]
    )
    lock = threading.Lock()
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            with psycopg.connect(options.database_url, autocommit=True) as connection:
                connection.execute("SET session_replication_role = replica")
                while True:
                    with lock:
                        bounds = next(ranges, None)
                    if bounds is None:
                        return
                    connection.execute(statement, bounds)
                    log(f"products {bounds[0]}-{bounds[1]} inserted with their vectors", began)
        except BaseException as error:  # re-raised in the main thread below
            failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(options.jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def derived_tables_fill(began: float) -> None:
    """What the services keep beside the products, filled as they would be: the category
    listing and counts (category pages) and the catalog's words (typo correction)."""
    from catalog.search import search_words_rebuild
    from catalog.services.category_counts import category_counts_refresh, category_listing_sync

    category_listing_sync(every=True)
    log("category listing filled", began)
    category_counts_refresh()
    log("category counts refreshed", began)
    log(f"{search_words_rebuild()} catalog words counted", began)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--shops", type=int, default=1_000)
    parser.add_argument("--jobs", type=int, default=2, help="connections computing the vectors")
    parser.add_argument("--seed", type=int, default=5)
    options = parser.parse_args()
    name = urlsplit(options.database_url).path.lstrip("/")
    if "bench" not in name:
        parser.error(f"refusing to empty {name!r}: the database name must contain 'bench'")
    began = time.monotonic()
    database_prepare(options.database_url)
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketmate.settings.test")
    import django

    django.setup()
    log(f"database {name} ready", began)
    counts = load(options, began)
    derived_tables_fill(began)
    elapsed = time.monotonic() - began
    print(json.dumps({"database": name, "seconds": round(elapsed, 1), **counts}, indent=2))


if __name__ == "__main__":
    main()
