"""The catalog's staff-managed names, stored per language (django-modeltranslation): staff
write them in the admin, and the storefront shows them in the shopper's language, falling
back to English while a translation is missing."""

from modeltranslation.translator import TranslationOptions, register

from catalog.models import Attribute, Category


@register(Category)
class CategoryTranslationOptions(TranslationOptions):
    fields = ("name", "description")


@register(Attribute)
class AttributeTranslationOptions(TranslationOptions):
    fields = ("name",)
