from decimal import Decimal

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from marketmate.money import MoneyAmountField
from shops.models import Shop


class Category(MP_Node):
    """A node of the category tree that staff manage."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_featured = models.BooleanField(_("featured"), default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A free label; names are stored normalised (lower case, single spaces)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Its manager is made per language at start-up (catalog/translation.py), out of the stubs' sight.
class Attribute(models.Model):  # type: ignore[django-manager-missing]
    """A kind of option that variants can differ by (size, colour...), managed by staff."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# The search's price bands, by the shops' own prices: (key, lower bound included, upper bound
# excluded). Each has its own text index (`Product.Meta.indexes`).
PriceBand = tuple[str, Decimal | None, Decimal | None]
PRICE_BANDS: list[PriceBand] = [
    ("0-25", None, Decimal("25")),
    ("25-50", Decimal("25"), Decimal("50")),
    ("50-100", Decimal("50"), Decimal("100")),
    ("100-", Decimal("100"), None),
]


def price_bounds_condition(low: Decimal | None, high: Decimal | None) -> Q:
    """The products priced from `low` (included) to `high` (excluded), either open."""
    condition = Q()
    if low is not None:
        condition &= Q(price__gte=low)
    if high is not None:
        condition &= Q(price__lt=high)
    return condition


def price_band_index_name(key: str) -> str:
    """The name of the text index of the products in price band `key` ("0-25" ->
    catalog_product_search_0_25)."""
    return "catalog_product_search_" + key.strip("-").replace("-", "_")


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="products", verbose_name=_("shop")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220)
    description = models.TextField(_("description"), blank=True)
    price = MoneyAmountField(
        _("price"),
        max_digits=13,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    compare_at_price = MoneyAmountField(
        _("compare-at price"), max_digits=13, decimal_places=3, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    categories = models.ManyToManyField(
        Category, related_name="products", blank=True, verbose_name=_("categories")
    )
    tags = models.ManyToManyField(Tag, related_name="products", blank=True, verbose_name=_("tags"))
    track_inventory = models.BooleanField(_("track inventory"), default=True)
    rating_average = models.DecimalField(
        _("average rating"), max_digits=3, decimal_places=2, default=Decimal("0")
    )
    rating_count = models.PositiveIntegerField(_("ratings"), default=0)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    # Title (A), tag and category names (B), description (C); kept up to date by
    # catalog.search.search_vector_update from the services that change products.
    search_vector = SearchVectorField(null=True, editable=False)
    # The ids (as text) of its categories and tags, which the search's facets count and its
    # category filter reads on the row instead of joining the links of every match; kept by
    # PostgreSQL triggers on the links (catalog.search.facet_keys_triggers_create; null on
    # SQLite, whose search reads the links).
    facet_categories = models.JSONField(null=True, editable=False)
    facet_tags = models.JSONField(null=True, editable=False)
    # The distinct option pairs of its variants (`[["colour", "Red"], ["size", "M"]]`), which
    # the facets count on the row instead of reading every matched product's variants; kept by
    # a PostgreSQL trigger on the variants (catalog.search.facet_options_trigger_create; null on
    # SQLite, whose facets read the variants).
    facet_options = models.JSONField(null=True, editable=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "slug"], name="catalog_product_slug_per_shop"),
            models.CheckConstraint(condition=Q(price__gt=0), name="catalog_product_price_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "-created"]),
            # Sorting a search by price reads the cheapest (or dearest) first instead of
            # sorting every match (catalog.search, docs/search.md).
            models.Index(fields=["price", "id"], name="catalog_product_price"),
            GinIndex(fields=["search_vector"], name="catalog_product_search_gin"),
            # A search in a price band (the shops' own prices) finds its matches in the band's
            # text index, instead of ANDing the text's matches with every product of the band
            # read from the price index: 230,000 entries for "100-" at a million products,
            # 30 ms (docs/search.md). PostgreSQL only (migration 0016).
            *[
                GinIndex(
                    fields=["search_vector"],
                    condition=price_bounds_condition(low, high),
                    name=price_band_index_name(key),
                )
                for key, low, high in PRICE_BANDS
            ],
            # Category pages and listings filter on the facet keys too.
            GinIndex(fields=["facet_categories"], name="catalog_product_facet_cats"),
            GinIndex(
                fields=["title"], opclasses=["gin_trgm_ops"], name="catalog_product_title_trgm"
            ),
            # Autocomplete (catalog.search.search_suggest): titles starting with the text, in
            # title order, and words inside titles; both compare upper case, as Django does.
            # The best rated first (the home page's popular products, "sort by rating").
            models.Index(
                fields=["-rating_average", "-rating_count", "-id"], name="catalog_product_rating"
            ),
            models.Index(
                OpClass(Upper("title"), name="text_pattern_ops"),
                name="catalog_product_title_prefix",
            ),
            GinIndex(
                OpClass(Upper("title"), name="gin_trgm_ops"),
                name="catalog_product_utitle_trgm",
            ),
        ]

    def __str__(self) -> str:
        return self.title


# The largest value of an `integer` column in PostgreSQL: stock counts, weights and positions
# are checked against it before they reach the database.
INTEGER_COLUMN_MAX = 2_147_483_647


class ProductVariant(models.Model):
    """What a shopper actually buys. A product without options has one default variant."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="variants", verbose_name=_("product")
    )
    # Denormalised from the product so that a SKU can be unique per shop.
    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="variants", verbose_name=_("shop")
    )
    sku = models.CharField(_("SKU"), max_length=64)
    options = models.JSONField(
        _("options"), default=dict, blank=True, help_text=_('For example {"size": "M"}.')
    )
    price = MoneyAmountField(
        _("own price"),
        max_digits=13,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    inventory_count = models.IntegerField(_("in stock"), default=0)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    is_default = models.BooleanField(_("default variant"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "sku"], name="catalog_variant_sku_per_shop"),
            # The database itself refuses to oversell, whatever the code above it does.
            models.CheckConstraint(
                condition=Q(inventory_count__gte=0), name="catalog_variant_stock_not_negative"
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(is_default=True),
                name="catalog_variant_one_default_per_product",
            ),
        ]
        indexes = [
            # "Is the product in stock?", which a search with the in-stock filter asks of every
            # match and the cards and facets of every product they show: one probe of this
            # index, which holds only the variants in stock, without reading the variants.
            models.Index(
                fields=["product"],
                condition=Q(inventory_count__gt=0),
                name="catalog_variant_in_stock",
            ),
        ]

    def __str__(self) -> str:
        options = ", ".join(f"{key}: {value}" for key, value in sorted(self.options.items()))
        return f"{self.product.title} ({options})" if options else self.product.title

    @property
    def unit_price(self) -> Decimal:
        """The price a shopper pays for one: the variant's own, else the product's."""
        return self.price if self.price is not None else self.product.price


class StockMovement(models.Model):
    """One change to a variant's stock, with who made it and why. Append-only."""

    class Reason(models.TextChoices):
        RESTOCK = "restock", _("Restock")
        CORRECTION = "correction", _("Stock count correction")
        DAMAGE = "damage", _("Damaged or lost")
        ORDER = "order", _("Sold in an order")
        ORDER_RELEASE = "order_release", _("Released from an order")
        RETURN = "return", _("Returned")
        IMPORT = "import", _("Imported")

    variant = models.ForeignKey(
        ProductVariant,
        on_delete=models.CASCADE,
        related_name="stock_movements",
        verbose_name=_("variant"),
    )
    delta = models.IntegerField(_("change"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    reference = models.CharField(
        _("reference"), max_length=64, blank=True, help_text=_("For example an order number.")
    )
    actor = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    idempotency_key = models.CharField(
        _("idempotency key"),
        max_length=64,
        blank=True,
        help_text=_("The client's Idempotency-Key: a repeated request changes stock once."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="catalog_stock_movement_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.delta:+d} ({self.reason})"


class ProductImage(models.Model):
    """A product photo: the cleaned original plus thumbnails that a background job makes.

    `thumbnails` maps each width to its files, e.g. `{"200": {"webp": "...", "jpeg": "..."}}`
    (storage names, not URLs); it is empty until the job has run.
    """

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product")
    )
    original = models.FileField(_("original"), max_length=255)
    alt_text = models.CharField(_("alt text"), max_length=200, blank=True)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    thumbnails = models.JSONField(_("thumbnails"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt_text or str(self.original.name)


class Review(models.Model):
    """A buyer's rating and review of a product they received; one per buyer and product.

    Written only by `catalog.services.reviews`: staff may hide it, the shop may reply once.
    """

    TITLE_MAX_LENGTH = 120
    BODY_MAX_LENGTH = 4000
    REPLY_MAX_LENGTH = 2000

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("product")
    )
    buyer = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("buyer"),
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH, blank=True)
    body = models.TextField(_("review"), max_length=BODY_MAX_LENGTH, blank=True)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=255, blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    reply_body = models.TextField(_("shop's reply"), max_length=REPLY_MAX_LENGTH, blank=True)
    replied_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("replied by"),
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "product"], name="catalog_review_one_per_buyer_product"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="catalog_review_rating_1_to_5"
            ),
        ]
        indexes = [
            models.Index(
                fields=["product", "is_hidden", "-created", "-id"],
                name="catalog_review_product_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 on {self.product_id} by {self.buyer_id}"

    @property
    def has_reply(self) -> bool:
        return self.replied_at is not None


class WishlistItem(models.Model):
    """A product a user saved, with the lowest price it had then (to show price drops).

    The `*_alerted_*` fields remember what the user was last told, so that one price drop or
    one restock is announced once, however often its event is delivered.
    """

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="wishlist_items",
        verbose_name=_("user"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="wishlist_items",
        verbose_name=_("product"),
    )
    price_when_saved = MoneyAmountField(_("price when saved"), max_digits=13, decimal_places=3)
    had_stock_when_saved = models.BooleanField(_("in stock when saved"), default=True)
    price_alerted_at = MoneyAmountField(
        _("price last announced"), max_digits=13, decimal_places=3, null=True, blank=True
    )
    restock_alerted_movement = models.PositiveBigIntegerField(
        _("restock last announced"),
        null=True,
        blank=True,
        help_text=_("The stock movement that brought the product back, as last announced."),
    )
    created = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        verbose_name = _("wishlist item")
        verbose_name_plural = _("wishlist items")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "product"], name="catalog_wishlist_one_per_user_product"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.product_id}"


class SearchWord(models.Model):
    """A distinct word of the public catalog's titles, tag and category names, with the number
    of products it was counted in: the vocabulary that typo tolerance ("did you mean", the
    retry of a query that finds nothing, autocomplete) corrects against
    (catalog.search.search_words_*)."""

    word = models.CharField(_("word"), max_length=100, primary_key=True)
    products = models.PositiveIntegerField(_("products"), default=0)
    # Autocomplete's completions: the ids of the best rated public products with this word in
    # their title, best first (catalog.search.SUGGESTIONS_PER_WORD of them, recounted daily and
    # merged with every product saved), so that a prefix finds its products through the words
    # it starts instead of searching the titles of thousands.
    # (Null until the word's first completion: the vocabulary's SQL, older than the column and
    # run by migration 0009, adds words without it.)
    suggestions = models.JSONField(_("suggested products"), default=list, null=True, editable=False)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")
        indexes = [
            GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], name="catalog_searchword_trgm"),
            # The words a prefix starts (`word LIKE 'te%'`), whatever the database's collation.
            models.Index(
                fields=["word"], opclasses=["varchar_pattern_ops"], name="catalog_searchword_prefix"
            ),
        ]

    def __str__(self) -> str:
        return self.word


class CategoryProductCount(models.Model):
    """How many public products a category and its sub-categories list, kept by the events that
    change the catalog (catalog.services.category_counts), so that a category page does not
    count a department's products on every request."""

    category = models.OneToOneField(
        Category,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="product_count",
        verbose_name=_("category"),
    )
    products = models.PositiveIntegerField(_("products"), default=0)
    counted = models.DateTimeField(_("counted"), auto_now=True)

    class Meta:
        verbose_name = _("category product count")
        verbose_name_plural = _("category product counts")

    def __str__(self) -> str:
        return f"{self.category_id}: {self.products}"


class CategoryListing(models.Model):
    """A public product listed on a category's page (the category it is in, or an ancestor),
    with its creation time, so that the page reads its newest products from one index in
    order (catalog.services.category_counts.category_listing_sync keeps it)."""

    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("category"),
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    created = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("category listing")
        verbose_name_plural = _("category listings")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "product"], name="catalog_categorylisting_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["category", "-created", "-product"], name="catalog_categorylisting_newest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}: {self.product_id}"
