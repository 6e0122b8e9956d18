"""Compile `locale/*/LC_MESSAGES/*.po` to `.mo` with Babel, so no GNU gettext is needed."""

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Compile the translation catalogues; with --check, fail on untranslated or fuzzy ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Fail when any message is untranslated or fuzzy.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems: list[str] = []
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                with po_path.open("rb") as po_file:
                    catalog = read_po(po_file)
                if options["check"]:
                    for message in catalog:
                        if not message.id:
                            continue
                        strings = (
                            message.string
                            if isinstance(message.string, tuple)
                            else (message.string,)
                        )
                        if message.fuzzy or not all(strings):
                            problems.append(f"{po_path}: {message.id!r}")
                with po_path.with_suffix(".mo").open("wb") as mo_file:
                    write_mo(mo_file, catalog)
                compiled += 1
        self.stdout.write(f"Compiled {compiled} translation catalogue(s).")
        if problems:
            raise CommandError("Untranslated or fuzzy messages:\n" + "\n".join(problems[:50]))
