# ruff: noqa: F811 (the payments fixtures are imported, then named by the tests)
"""Faults: what MarketMate does when a webhook comes many times at once, a worker dies mid-job,
Stripe cannot be reached, Redis restarts under load, and PostgreSQL goes away mid-checkout.

Every scenario that kills or restarts something starts its own throwaway server (Redis,
PostgreSQL, uvicorn, Celery worker; see fault_services.py) and stops it again."""

import json
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import psycopg
import pytest
import requests
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.factories import UserFactory
from catalog.tests.factories import VariantFactory
from catalog.tests.images import image_bytes
from chat.tests.servers import database_url_of_test_run
from marketmate.celery import app
from marketmate.models import AuditLog, JobEffect, JobRecord
from marketmate.tests.fault_jobs import EFFECTS_KEY, RUNS_KEY, count, slow_effect_task
from marketmate.tests.fault_services import (
    Processes,
    app_env,
    asgi_server,
    celery_worker,
    free_port,
    throwaway_postgres,
    throwaway_redis,
    wait_until,
)
from orders.models import Order
from payments.models import LedgerEntry, Payment, WebhookEvent
from payments.services.payments import payments_create
from payments.tests.conftest import (  # noqa: F401 (fixtures)
    ADDRESS,
    STRIPE_SECRET_KEY,
    buyer,
    localstripe,
    order,
    place,
    shop,
    stripe_browser_pays,
    stripe_client,
    stripe_event,
    stripe_settings,
    variant,
    webhook_post,
)

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


# --- a. A webhook delivered 10 times in a row and 10 times at once ---------------------------


def test_a_webhook_delivered_ten_times_at_once_and_ten_times_in_a_row_changes_state_once(
    stripe_settings,
    buyer,
    order,
) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    stripe_browser_pays(payment)
    intent = stripe_client().v1.payment_intents.retrieve(payment.provider_payment_id).to_dict()
    event = stripe_event("payment_intent.succeeded", intent)
    mail.outbox.clear()
    barrier = threading.Barrier(10)
    answers: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait()
            answer = webhook_post(Client(), event)
            answers.append({"status": answer.status_code, **answer.json()})
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client = Client()
    in_a_row = [webhook_post(client, event) for _ in range(10)]

    assert errors == []
    assert [answer["status"] for answer in answers] == [200] * 10
    assert sorted(answer["duplicate"] for answer in answers) == [False] + [True] * 9
    assert [answer.status_code for answer in in_a_row] == [200] * 10
    assert [answer.json()["duplicate"] for answer in in_a_row] == [True] * 10
    stored = WebhookEvent.objects.get()
    assert stored.deliveries == 20
    assert stored.status == WebhookEvent.Status.PROCESSED
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1
    assert AuditLog.objects.filter(action="order.paid").count() == 1
    assert sorted(LedgerEntry.objects.filter(order=order).values_list("kind", "amount")) == [
        ("commission", Decimal("-8.30")),
        ("sale", Decimal("80.00")),
    ]
    to_buyer = [message for message in mail.outbox if message.to == [buyer.email]]
    assert len(to_buyer) == 1
    assert order.number in to_buyer[0].subject + to_buyer[0].body


# --- b. A Celery worker SIGKILLed in the middle of jobs ---------------------------------------


def test_jobs_of_a_worker_killed_mid_job_complete_exactly_once_on_the_next_worker(
    tmp_path: Path,
) -> None:
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    env = app_env(
        database_url=database_url_of_test_run(),
        redis_url=settings.REDIS_URL,
        DJANGO_SETTINGS_MODULE="marketmate.tests.fault_settings",
        FAULTS_VISIBILITY_TIMEOUT="3",
    )
    labels = [f"{queue}-{index}" for index in range(4)]
    processes = Processes()
    app.conf.task_always_eager = False
    try:
        first = celery_worker(
            processes,
            env=env,
            log=tmp_path / "worker-1.log",
            queue=queue,
            include="marketmate.tests.fault_jobs",
        )
        results = [slow_effect_task.apply_async((label, 2.0), queue=queue) for label in labels]
        # The first job is running (it has counted its run and sleeps): kill the whole worker.
        wait_until(lambda: count(RUNS_KEY.format(labels[0])) == 1, timeout=40, what="job 1")
        time.sleep(0.5)
        Processes.kill(first)
        assert count(EFFECTS_KEY.format(labels[0])) == 0
        celery_worker(
            processes,
            env=env,
            log=tmp_path / "worker-2.log",
            queue=queue,
            include="marketmate.tests.fault_jobs",
        )
        task_ids = [result.id for result in results]
        wait_until(
            lambda: (
                JobRecord.objects.filter(
                    task_id__in=task_ids, status=JobRecord.Status.SUCCEEDED
                ).count()
                == len(labels)
            ),
            timeout=60,
            what="every job to succeed",
        )
    finally:
        app.conf.task_always_eager = True
        processes.stop()

    assert [count(EFFECTS_KEY.format(label)) for label in labels] == [1, 1, 1, 1]
    # The killed job ran again on the second worker; the others ran once.
    assert [count(RUNS_KEY.format(label)) for label in labels] == [2, 1, 1, 1]
    assert JobEffect.objects.filter(key__startswith=f"faults:{queue}").count() == 4
    assert JobRecord.objects.filter(task_id__in=task_ids).count() == 4


# --- c. Stripe unreachable while the shopper pays ---------------------------------------------


def _intents_of(payment: Payment) -> list[dict[str, Any]]:
    answer = requests.get(
        f"{settings.STRIPE_API_BASE}/v1/payment_intents",
        params={"limit": 100},
        auth=(STRIPE_SECRET_KEY, ""),
        timeout=5,
    )
    answer.raise_for_status()
    return [
        intent
        for intent in answer.json()["data"]
        if intent.get("metadata", {}).get("payment_id") == str(payment.pk)
    ]


def test_stripe_unreachable_gives_a_retryable_error_and_a_retry_makes_one_intent(
    stripe_settings,
    settings,
    buyer,
    order,
) -> None:
    client = APIClient()
    client.force_authenticate(buyer)
    body = {"order_ids": [order.pk]}
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    started = time.monotonic()
    refused = client.post(
        "/api/v1/payments", body, format="json", headers={"Idempotency-Key": "pay-1"}
    )
    took = time.monotonic() - started

    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "gateway_unavailable"
    assert "Try again" in refused.json()["error"]["message"]
    assert took < 15
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING
    payment = Payment.objects.get()
    assert payment.provider_payment_id == ""

    settings.STRIPE_API_BASE = stripe_settings  # Stripe is back
    retried = client.post(
        "/api/v1/payments", body, format="json", headers={"Idempotency-Key": "pay-1"}
    )
    again = client.post(
        "/api/v1/payments", body, format="json", headers={"Idempotency-Key": "pay-1"}
    )

    assert retried.status_code == again.status_code == 201
    assert [item["id"] for item in retried.json()["payments"]] == [payment.pk]
    assert [item["id"] for item in again.json()["payments"]] == [payment.pk]
    assert Payment.objects.count() == 1
    payment.refresh_from_db()
    intents = _intents_of(payment)
    assert [intent["id"] for intent in intents] == [payment.provider_payment_id]
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING


# --- d. Redis restarts under load ---------------------------------------------------------------


def _get(url: str, *, timeout: float = 10) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 (loopback)
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _post_json(url: str, body: dict[str, Any], *, token: str = "", timeout: float = 10) -> int:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


class Load:
    """Threads requesting `paths` until stopped; statuses recorded per phase."""

    def __init__(self, base: str, paths: list[str], *, threads: int = 2) -> None:
        self.base = base
        self.paths = paths
        self.phase = "before"
        self.statuses: dict[str, list[int]] = {}
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run) for _ in range(threads)]

    def _run(self) -> None:
        index = 0
        while not self._stop.is_set():
            phase = self.phase
            try:
                status = _get(self.base + self.paths[index % len(self.paths)])
            except OSError:
                status = 0
            self.statuses.setdefault(phase, []).append(status)
            index += 1

    def __enter__(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


def test_pages_keep_serving_while_redis_restarts_under_load(tmp_path: Path) -> None:
    VariantFactory(price=Decimal("12.00"), inventory_count=4)
    processes = Processes()
    with throwaway_redis() as redis_server:
        try:
            port = asgi_server(
                processes,
                env=app_env(
                    database_url=database_url_of_test_run(),
                    redis_url=redis_server.url,
                    CELERY_BROKER_URL="memory://",
                    CELERY_TASK_ALWAYS_EAGER="true",
                    # The load comes from one address; the anonymous API rate is not under test.
                    API_THROTTLE_ANON="100000/minute",
                ),
                log_dir=tmp_path,
            )
            base = f"http://127.0.0.1:{port}"
            paths = ["/", "/api/v1/products", "/api/v1/categories", "/healthz"]
            with Load(base, paths) as load:
                time.sleep(2)
                assert _get(base + "/ready") == 200
                load.phase = "down"
                redis_server.stop()
                time.sleep(3)
                ready_down = _get(base + "/ready")
                sign_in_down = _post_json(
                    base + "/api/v1/auth/login", {"email": "nobody@example.com", "password": "x"}
                )
                load.phase = "after"
                redis_server.start()
                time.sleep(3)
                ready_after = _get(base + "/ready")
                sign_in_after = _post_json(
                    base + "/api/v1/auth/login", {"email": "nobody@example.com", "password": "x"}
                )
        finally:
            processes.stop()

    for phase in ("before", "down", "after"):
        assert len(load.statuses[phase]) >= 8, phase
        assert set(load.statuses[phase]) == {200}, (phase, sorted(set(load.statuses[phase])))
    assert ready_down == 503
    assert ready_after == 200
    # Sign-in's rate limit counts in Redis: while it is away the limit cannot be counted and
    # django-ratelimit fails closed (429); once Redis is back, sign-in answers normally (401).
    assert sign_in_down == 429
    assert sign_in_after == 401


# --- e. PostgreSQL goes away in the middle of a checkout --------------------------------------


def _pg_scalar(url: str, sql: str, *params: Any) -> Any:
    with psycopg.connect(url, connect_timeout=5) as conn:
        row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
        return row[0] if row else None


def test_postgres_restart_fails_fast_recovers_and_leaves_no_half_written_order(
    tmp_path: Path,
) -> None:
    shopper = UserFactory(email="faults@example.com", verified=True)
    stocked = VariantFactory(price=Decimal("25.00"), inventory_count=5)
    token = str(RefreshToken.for_user(shopper).access_token)
    processes = Processes()
    with throwaway_postgres() as postgres:
        postgres.copy_database(database_url_of_test_run())
        db_url = postgres.url()
        try:
            port = asgi_server(
                processes,
                env=app_env(
                    database_url=db_url,
                    redis_url=settings.REDIS_URL,
                    DATABASE_CONNECT_TIMEOUT="2",
                    CELERY_BROKER_URL="memory://",
                    CELERY_TASK_ALWAYS_EAGER="true",
                ),
                log_dir=tmp_path,
            )
            base = f"http://127.0.0.1:{port}"
            cart = {"variant_id": stocked.pk, "quantity": 2}
            assert _post_json(base + "/api/v1/cart", cart, token=token) in (200, 201)

            # Hold the stocked's row: the checkout inserts its order, then waits on the stock.
            holder = psycopg.connect(db_url)
            holder.execute(
                "SELECT id FROM catalog_productvariant WHERE id = %s FOR UPDATE", (stocked.pk,)
            )
            outcome: dict[str, Any] = {}

            def checkout() -> None:
                started = time.monotonic()
                try:
                    outcome["status"] = _post_json(
                        base + "/api/v1/checkout", {"shipping_address": ADDRESS}, token=token
                    )
                except OSError as exc:
                    outcome["status"] = repr(exc)
                outcome["seconds"] = time.monotonic() - started

            in_flight = threading.Thread(target=checkout)
            in_flight.start()
            wait_until(
                lambda: (
                    _pg_scalar(
                        db_url,
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
                    )
                    == 1
                ),
                timeout=30,
                what="the checkout to wait on the stock",
            )
            assert _pg_scalar(db_url, "SELECT count(*) FROM orders_order") == 0  # uncommitted

            postgres.stop("immediate")  # a crash: every session is cut
            in_flight.join(timeout=30)
            holder.close()

            started = time.monotonic()
            ready_down = _get(base + "/ready")
            ready_seconds = time.monotonic() - started
            started = time.monotonic()
            page_down = _get(base + "/api/v1/products")
            page_seconds = time.monotonic() - started

            postgres.start()
            wait_until(lambda: _get(base + "/ready") == 200, timeout=30, what="recovery")
            orders_after_crash = _pg_scalar(db_url, "SELECT count(*) FROM orders_order")
            stock_after_crash = _pg_scalar(
                db_url,
                "SELECT inventory_count FROM catalog_productvariant WHERE id = %s",
                stocked.pk,
            )
            movements_after_crash = _pg_scalar(db_url, "SELECT count(*) FROM catalog_stockmovement")
            # The same server process serves again without a restart: the checkout goes through.
            retried = _post_json(
                base + "/api/v1/checkout", {"shipping_address": ADDRESS}, token=token
            )
            stock_after_retry = _pg_scalar(
                db_url,
                "SELECT inventory_count FROM catalog_productvariant WHERE id = %s",
                stocked.pk,
            )
        finally:
            processes.stop()

    assert outcome["status"] in (500, 503)
    assert outcome["seconds"] < 10
    assert ready_down == 503
    assert ready_seconds < 5
    assert page_down in (500, 503)
    assert page_seconds < 5
    assert orders_after_crash == 0
    assert stock_after_crash == 5
    assert movements_after_crash == 0
    assert retried == 201
    assert stock_after_retry == 3


# --- Scale-out: two web processes, a worker and beat on one PostgreSQL and Redis --------------


def test_two_web_processes_two_workers_and_beat_share_sessions_carts_limits_jobs_and_s3(
    tmp_path: Path, moto_server: str
) -> None:
    stocked = VariantFactory(price=Decimal("15.00"), inventory_count=10)
    bucket = f"marketmate-scale-{uuid.uuid4().hex[:8]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=bucket)
    env = app_env(
        database_url=database_url_of_test_run(),
        redis_url=settings.REDIS_URL,
        DJANGO_SETTINGS_MODULE="marketmate.tests.fault_settings",
        # The limit's windows are fixed (django-ratelimit): a minute's could end between the
        # six sign-ins below and count them in two windows. A day's window cannot, here.
        RATE_LIMIT_LOGIN="5/d",
        AWS_STORAGE_BUCKET_NAME=bucket,
        AWS_S3_ENDPOINT_URL=moto_server,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    queue = "celery"
    processes = Processes()
    app.conf.task_always_eager = False
    try:
        port_a = asgi_server(processes, env=env, log_dir=tmp_path)
        port_b = asgi_server(processes, env=env, log_dir=tmp_path)
        for number in (1, 2):
            celery_worker(
                processes,
                env=env,
                log=tmp_path / f"worker-{number}.log",
                queue=queue,
                include="marketmate.tests.fault_jobs",
            )
        beat = processes.start(
            [
                *(sys.executable, "-m", "celery", "-A", "marketmate", "beat"),
                *("--loglevel", "INFO", "--schedule", str(tmp_path / "beat-schedule")),
            ],
            env=env,
            log=tmp_path / "beat.log",
        )
        a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
        browser = requests.Session()  # one cookie jar: the same shopper on either process
        added = browser.post(
            a + "/api/v1/cart", json={"variant_id": stocked.pk, "quantity": 2}, timeout=10
        )
        cart_on_b = browser.get(b + "/api/v1/cart", timeout=10)
        # Sign-in attempts are counted in Redis, whichever process answers (5 per IP).
        attempts = [
            requests.post(
                (a, b)[index % 2] + "/api/v1/auth/login",
                json={"email": "nobody@example.com", "password": "wrong"},
                timeout=10,
            ).status_code
            for index in range(6)
        ]
        # A job enqueued by a web process runs on the worker.
        shopper = UserFactory(email="scale@example.com", verified=True)
        token = str(RefreshToken.for_user(shopper).access_token)
        assert _post_json(a + "/api/v1/cart", {"variant_id": stocked.pk}, token=token) == 201
        placed = _post_json(b + "/api/v1/checkout", {"shipping_address": ADDRESS}, token=token)
        wait_until(
            lambda: JobRecord.objects.filter(status=JobRecord.Status.SUCCEEDED).exists(),
            timeout=60,
            what="a job to run on the worker",
        )
        # An image uploaded through one process is stored on S3, resized by a worker, and served
        # by the other process.
        vendor = VariantFactory().product
        vendor_token = str(RefreshToken.for_user(vendor.shop.owner).access_token)
        uploaded = requests.post(
            f"{a}/api/v1/products/{vendor.pk}/images",
            files={"image": ("bowl.jpg", image_bytes(size=(900, 700)), "image/jpeg")},
            data={"alt_text": "Blue bowl"},
            headers={"Authorization": f"Bearer {vendor_token}"},
            timeout=30,
        )
        wait_until(
            lambda: len(s3.list_objects_v2(Bucket=bucket).get("Contents", [])) == 7,
            timeout=60,
            what="the original and its six thumbnails on S3",
        )
        product_on_b = requests.get(
            f"{b}/api/v1/products/{vendor.pk}",
            headers={"Authorization": f"Bearer {vendor_token}"},
            timeout=10,
        ).json()
        # A burst of jobs is shared by the two workers, each job's effect happening once.
        labels = [f"scale-{uuid.uuid4().hex[:8]}-{index}" for index in range(8)]
        for label in labels:
            slow_effect_task.apply_async((label, 0.3), queue=queue)
        wait_until(
            lambda: all(count(EFFECTS_KEY.format(label)) == 1 for label in labels),
            timeout=60,
            what="the burst of jobs",
        )
        wait_until(
            lambda: "beat: Starting" in (tmp_path / "beat.log").read_text(),
            timeout=30,
            what="beat to start",
        )
        beat_alive = beat.poll() is None
    finally:
        app.conf.task_always_eager = True
        processes.stop()

    assert uploaded.status_code == 201, uploaded.text
    served = [image["url"] for image in product_on_b["images"]]
    assert [url.startswith(f"{moto_server}/{bucket}/") for url in served] == [True], product_on_b
    assert [count(EFFECTS_KEY.format(label)) for label in labels] == [1] * 8
    ran = [
        (tmp_path / f"worker-{number}.log").read_text().count("tests.faults_slow_effect_task[")
        for number in (1, 2)
    ]
    assert all(ran), ran  # both workers took part

    assert added.status_code == 201
    assert cart_on_b.status_code == 200
    lines = [line for shop in cart_on_b.json()["shops"] for line in shop["items"]]
    assert [(line["variant_id"], line["quantity"]) for line in lines] == [(stocked.pk, 2)]
    assert attempts == [401] * 5 + [429]
    assert placed == 201
    assert JobRecord.objects.exclude(status=JobRecord.Status.SUCCEEDED).count() == 0
    assert beat_alive
