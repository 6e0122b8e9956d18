"""The account e-mails: MarketMate templates, HTML and text, in the recipient's language, sent
by the background e-mail job."""

import pytest
from django.core import mail

from accounts.adapter import EMAIL_TEMPLATES
from marketmate.emails import email_message_build
from marketmate.models import JobRecord

pytestmark = pytest.mark.django_db

CONTEXT = {
    "name": "Ann",
    "email": "ann@example.com",
    "activate_url": "https://shop.example/accounts/confirm-email/KEY/",
    "password_reset_url": "https://shop.example/accounts/password/reset/key/1-abc/",
    "signup_url": "https://shop.example/accounts/signup/",
}
URL_OF = {
    "account_email_confirmation_signup": "activate_url",
    "account_email_confirmation": "activate_url",
    "account_password_reset_key": "password_reset_url",
    "account_already_exists": "password_reset_url",
    "account_unknown_account": "signup_url",
}


@pytest.mark.parametrize("template", [*sorted(set(EMAIL_TEMPLATES.values())), "account_welcome"])
def test_every_account_email_renders_as_html_and_text(template: str) -> None:
    message = email_message_build(
        to="ann@example.com", template=template, context=CONTEXT, language="en"
    )

    html = message.alternatives[0][0]
    assert message.subject
    assert "\n" not in message.subject
    assert message.body.startswith("Hello Ann,")
    assert "Hello Ann," in html
    url = CONTEXT[URL_OF[template]] if template in URL_OF else "http://127.0.0.1:8000"
    assert url in message.body
    assert f'href="{url}"' in html


def test_the_reset_email_goes_through_the_job_in_the_users_language(
    client, user, django_capture_on_commit_callbacks
) -> None:
    user.language = "de"
    user.save(update_fields=["language"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": user.email})

    job = JobRecord.objects.get(name="notifications.send_email_task")
    assert job.status == JobRecord.Status.SUCCEEDED
    assert job.payload["kwargs"]["template"] == "account_password_reset_key"
    assert job.payload["kwargs"]["language"] == "de"
    assert job.payload["kwargs"]["context"]["name"] == user.get_short_name()
    assert [message.to for message in mail.outbox] == [[user.email]]


def test_no_email_is_sent_inside_the_request_transaction(
    client, user, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/accounts/password/reset/", {"email": user.email})

    assert mail.outbox == []
    assert len(callbacks) == 1
