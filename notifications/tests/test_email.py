from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from marketmate.emails import email_send
from marketmate.models import JobRecord

TEMPLATES = {
    "emails/hello_subject.txt": "{% load i18n %}{% translate 'Hello' %}, {{ name }}\n",
    "emails/hello.txt": "{% load i18n %}{% translate 'Hello' %}, {{ name }}. {{ site_url }}\n",
    "emails/hello.html": (
        "{% extends 'emails/base.html' %}{% load i18n %}"
        "{% block content %}<p>{% translate 'Hello' %}, {{ name }}</p>{% endblock %}"
    ),
}


@pytest.fixture
def hello_templates(tmp_path: Path, settings) -> None:
    for name, body in TEMPLATES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]


@pytest.mark.django_db(transaction=True)
def test_an_email_is_sent_by_a_job_after_commit_as_html_and_text(hello_templates) -> None:
    with transaction.atomic():
        email_send(to="ann@example.com", template="hello", context={"name": "Ann"})
        assert mail.outbox == []

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ann@example.com"]
    assert message.subject == "Hello, Ann"
    assert message.body == "Hello, Ann. http://127.0.0.1:8000\n"
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert "<p>Hello, Ann</p>" in html
    assert JobRecord.objects.get(name="notifications.send_email_task").status == "succeeded"


@pytest.mark.django_db(transaction=True)
def test_an_email_is_rendered_in_the_recipients_language(hello_templates) -> None:
    email_send(to="eva@example.com", template="hello", context={"name": "Eva"}, language="de")

    assert "Eva" in mail.outbox[0].subject
    assert 'lang="de"' in mail.outbox[0].alternatives[0][0]


@pytest.mark.django_db(transaction=True)
def test_an_email_with_a_key_is_sent_once_however_often_it_is_asked_for(hello_templates) -> None:
    for _ in range(3):
        email_send(to="ann@example.com", template="hello", context={"name": "Ann"}, key="k1")

    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_no_email_is_sent_when_the_transaction_rolls_back(hello_templates) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        email_send(to="ann@example.com", template="hello", context={"name": "Ann"})
        raise RuntimeError("sign-up failed")

    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
@override_settings(
    JOB_MAX_RETRIES=1,
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=1,
    EMAIL_TIMEOUT=1,
)
def test_an_unreachable_mail_server_is_retried_then_dead(hello_templates) -> None:
    email_send(to="ann@example.com", template="hello", context={"name": "Ann"})

    job = JobRecord.objects.get(name="notifications.send_email_task")
    assert job.status == "dead"
    assert job.attempts == 2
    assert "Connection refused" in job.last_error
