from decimal import Decimal

import factory

from catalog.models import Category, Product, ProductVariant, Tag
from shops.tests.factories import ShopFactory


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    """A root category; build children with `parent.add_child(...)` or `child_of`."""

    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")

    @classmethod
    def _create(cls, model_class: type[Category], *args: object, **kwargs: object) -> Category:
        parent = kwargs.pop("child_of", None)
        if parent is not None:
            return Category.objects.add_child(parent, kwargs)  # type: ignore[no-any-return]
        return Category.objects.add_root(kwargs)  # type: ignore[no-any-return]


class TagFactory(factory.django.DjangoModelFactory[Tag]):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag {n}")
    slug = factory.LazyAttribute(lambda tag: tag.name.replace(" ", "-"))


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    """An active product with its default variant (10 in stock, SKU from the slug)."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    shop = factory.SubFactory(ShopFactory)
    title = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = "A well-made thing."
    price = Decimal("10.00")
    currency = factory.SelfAttribute("shop.currency")
    status = Product.Status.ACTIVE

    @factory.post_generation
    def default_variant(self, create: bool, extracted: object, **kwargs: object) -> None:
        """`ProductFactory(default_variant__inventory_count=3)`; `default_variant=False` skips."""
        if create and extracted is not False:
            VariantFactory(
                product=self,
                sku=kwargs.pop("sku", f"{self.slug}-default"),
                is_default=True,
                **kwargs,
            )


class VariantFactory(factory.django.DjangoModelFactory[ProductVariant]):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory, default_variant=False)
    shop = factory.SelfAttribute("product.shop")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    options = factory.Dict({})
    inventory_count = 10
