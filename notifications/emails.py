"""Rendering of the e-mail templates `templates/emails/<name>_subject.txt`, `<name>.txt` and
`<name>.html` in the recipient's language."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def email_message_build(
    *, to: str, template: str, context: Mapping[str, Any], language: str | None
) -> EmailMultiAlternatives:
    full_context = {"site_name": "MarketMate", "site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", full_context)
        text = render_to_string(f"emails/{template}.txt", full_context)
        html = render_to_string(f"emails/{template}.html", full_context)
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message
