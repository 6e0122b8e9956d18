"""Load MarketMate's demo data set: known logins for a shopper, a vendor and staff (printed
last, just before the server starts), three shops with a dozen products, and the shopper's
orders in every state."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.test.utils import override_settings

from accounts.models import User
from accounts.services import user_create
from demo.services import catalog_demo_seed, demo_orders_seed

DEMO_USERS: list[dict[str, Any]] = [
    {"email": "shopper@marketmate.test", "name": "Sam Shopper", "role": User.Role.BUYER},
    {"email": "vendor@marketmate.test", "name": "Vera Vendor", "role": User.Role.VENDOR},
    {
        "email": "staff@marketmate.test",
        "name": "Stella Staff",
        "role": User.Role.ADMIN,
        "is_staff": True,
        "is_superuser": True,
    },
]


class Command(BaseCommand):
    help = "Load the demo data set. With --if-empty, only when the database has no users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has users.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("The database already has data; demo data not loaded.")
            if User.objects.filter(email=DEMO_USERS[0]["email"]).exists():
                self.print_logins()
            return
        with transaction.atomic():
            for spec in DEMO_USERS:
                if User.objects.filter(email=spec["email"]).exists():
                    continue
                user_create(password=settings.DEMO_PASSWORD, verified=True, **spec)
            # Three shops of the demo vendor with a dozen products, when it has none yet.
            products = catalog_demo_seed(owner=User.objects.get(email=DEMO_USERS[1]["email"]))
        if products:
            self.stdout.write(f"Demo catalog: {products} products in 3 shops.")
        # Outside the transaction above: payments, refunds and reviews run after each commit.
        # The demo users' order e-mails would only bury the logins printed below.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            states = demo_orders_seed(buyer=User.objects.get(email=DEMO_USERS[0]["email"]))
        if states:
            summary = ", ".join(f"{count} {state}" for state, count in states.items())
            self.stdout.write(f"Demo orders of the shopper: {summary}.")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write(f"Demo logins (password for all: {settings.DEMO_PASSWORD}):")
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec['role']:<7} {spec['email']}")
