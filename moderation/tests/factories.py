import factory
from django.contrib.contenttypes.models import ContentType

from accounts.tests.factories import UserFactory
from catalog.models import Review
from catalog.tests.factories import ProductFactory
from moderation.models import Report


class ReviewFactory(factory.django.DjangoModelFactory[Review]):
    class Meta:
        model = Review

    product = factory.SubFactory(ProductFactory)
    buyer = factory.SubFactory(UserFactory)
    rating = 2
    title = "Broke in a week"
    body = "The handle came off."


class ReportFactory(factory.django.DjangoModelFactory[Report]):
    """An open report of a product; `target=<any reportable object>` for another."""

    class Meta:
        model = Report
        exclude = ["target"]

    reporter = factory.SubFactory(UserFactory)
    target = factory.SubFactory(ProductFactory)
    target_type = factory.LazyAttribute(
        lambda report: ContentType.objects.get_for_model(report.target)
    )
    target_id = factory.SelfAttribute("target.pk")
    reason = Report.Reason.SCAM
    details = "Asks to pay outside the site."
