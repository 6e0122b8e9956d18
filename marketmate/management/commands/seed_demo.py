"""Load MarketMate's demo data set: known logins for a shopper, a vendor and staff."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from accounts.models import User
from accounts.services import user_create
from catalog.services.demo import catalog_demo_seed

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
            products = catalog_demo_seed(owner=User.objects.get(email="vendor@marketmate.test"))
            if products:
                self.stdout.write(f"Demo catalog: {products} products in 3 shops.")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write(f"Demo logins (password for all: {settings.DEMO_PASSWORD}):")
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec['role']:<7} {spec['email']}")
