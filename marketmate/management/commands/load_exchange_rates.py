"""Load display-currency exchange rates from a JSON file (the same shape as the rates source)."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marketmate.currency import ExchangeRatesError, exchange_rates_store


class Command(BaseCommand):
    help = 'Store exchange rates from a file: {"base": "EUR", "rates": {"USD": "1.08", ...}}.'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The JSON file of rates.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        except ValueError as error:
            raise CommandError(f"{path} is not valid JSON: {error}") from error
        try:
            count = exchange_rates_store(data=data)
        except ExchangeRatesError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Stored {count} exchange rates from {path}."))
