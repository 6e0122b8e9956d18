from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

PO_HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: es\\n"

"""


def write_catalogue(root: Path, body: str) -> Path:
    po = root / "es" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(PO_HEADER + body, encoding="utf-8")
    return po


def test_catalogues_are_compiled_without_gnu_gettext(tmp_path: Path) -> None:
    po = write_catalogue(tmp_path, 'msgid "Cart"\nmsgstr "Carrito"\n')

    with override_settings(LOCALE_PATHS=[tmp_path]):
        call_command("compiletranslations", "--check")

    assert po.with_suffix(".mo").stat().st_size > 0


@pytest.mark.parametrize(
    "body",
    ['msgid "Cart"\nmsgstr ""\n', '#, fuzzy\nmsgid "Cart"\nmsgstr "Carro"\n'],
    ids=["untranslated", "fuzzy"],
)
def test_check_fails_on_untranslated_or_fuzzy_messages(tmp_path: Path, body: str) -> None:
    write_catalogue(tmp_path, body)

    with override_settings(LOCALE_PATHS=[tmp_path]), pytest.raises(CommandError, match="Cart"):
        call_command("compiletranslations", "--check")
