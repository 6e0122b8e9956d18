"""Fill the vendor analytics roll-ups for past days: `manage.py analytics_backfill --from
2026-01-01 --to 2026-01-31` (defaults: the last 30 days up to today, UTC)."""

from datetime import UTC, date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from analytics.services import analytics_rollup


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = (
        "Recompute the daily sales and view figures of every shop and product for a range of "
        "UTC days. Safe to run again: each day is rewritten whole."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="end", help="Last day, YYYY-MM-DD (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        end = _day(options["end"]) if options["end"] else timezone.now().astimezone(UTC).date()
        start = _day(options["start"]) if options["start"] else end - timedelta(days=29)
        if start > end:
            raise CommandError("--from must not come after --to.")
        result = analytics_rollup(start_day=start, end_day=end)
        self.stdout.write(
            f"Rolled up {result.days} days from {start} to {end}: "
            f"{result.shop_rows} shop rows, {result.product_rows} product rows."
        )
