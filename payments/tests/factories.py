from decimal import Decimal

import factory

from payments.models import CommissionRate


class CommissionRateFactory(factory.django.DjangoModelFactory[CommissionRate]):
    class Meta:
        model = CommissionRate

    percent = Decimal("10")
    fixed_fee = Decimal("0")
