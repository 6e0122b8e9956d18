"""The monitoring set-up in deploy/ only uses metrics that /metrics really serves; the web
processes' entry points serve the same application."""

import gc
import json
import re
import sys
from pathlib import Path

import pytest
import requests
import yaml
from django.conf import settings
from django.test import Client

from catalog.tests.factories import VariantFactory
from chat.tests.servers import database_url_of_test_run
from marketmate.process import application_loaded
from marketmate.tests.fault_services import (
    Processes,
    app_env,
    asgi_server,
    free_port,
    wait_until,
)

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
METRIC = re.compile(r"\bmm_[a-z_]+")
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")


def served_metric_names(client: Client) -> set[str]:
    text = client.get("/metrics").content.decode()
    return set(re.findall(r"^# TYPE (\S+) ", text, flags=re.MULTILINE))


def base_name(name: str) -> str:
    for suffix in HISTOGRAM_SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def dashboard_metrics() -> set[str]:
    dashboard = json.loads((DEPLOY / "grafana/marketmate-dashboard.json").read_text())
    return {
        base_name(name)
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in METRIC.findall(target["expr"])
    }


@pytest.mark.django_db
def test_every_dashboard_panel_uses_a_metric_that_is_served(client: Client) -> None:
    used = dashboard_metrics()

    assert used - served_metric_names(client) == set()
    assert len(used) == 14


@pytest.mark.django_db
def test_every_alert_uses_a_metric_that_is_served(client: Client) -> None:
    rules = yaml.safe_load((DEPLOY / "prometheus/alerts.yml").read_text())
    used = {
        base_name(name)
        for group in rules["groups"]
        for rule in group["rules"]
        for name in METRIC.findall(rule["expr"])
    }

    assert used - served_metric_names(client) == set()
    assert {rule["alert"] for group in rules["groups"] for rule in group["rules"]} == {
        "MarketMateHighErrorRate",
        "MarketMateSlowRequests",
        "MarketMateDeadJobs",
        "MarketMateJobBacklog",
        "MarketMatePaymentFailures",
    }


def test_the_scrape_config_and_promtail_example_are_valid_yaml() -> None:
    scrape = yaml.safe_load((DEPLOY / "prometheus/prometheus.yml").read_text())
    promtail = yaml.safe_load((DEPLOY / "loki/promtail.yml").read_text())

    assert [job["job_name"] for job in scrape["scrape_configs"]] == [
        "marketmate-web",
        "marketmate-worker",
    ]
    assert (
        promtail["scrape_configs"][0]["pipeline_stages"][1]["json"]["expressions"]["request_id"]
        == "request_id"
    )


def test_a_web_process_puts_the_loaded_application_out_of_the_collectors_reach() -> None:
    # Full collections walked the loaded application's objects in the middle of requests
    # (marketmate/process.py); asgi.py and wsgi.py call this once the application is loaded.
    gc.unfreeze()
    try:
        application_loaded()
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


@pytest.mark.django_db(transaction=True)
def test_http_through_wsgi_and_the_same_shopper_through_asgi(tmp_path: Path) -> None:
    # Behind the proxy (docs/deployment.md) HTTP goes to gunicorn's WSGI workers and /ws/ to
    # ASGI processes: both read and write the same shopper's state.
    stocked = VariantFactory(inventory_count=5)
    env = app_env(database_url=database_url_of_test_run(), redis_url=settings.REDIS_URL)
    processes = Processes()
    try:
        port = free_port()
        wsgi = processes.start(
            [
                *(sys.executable, "-m", "gunicorn", "marketmate.wsgi:application"),
                *("--bind", f"127.0.0.1:{port}", "--workers", "1"),
            ],
            env=env,
            log=tmp_path / "gunicorn.log",
        )

        def wsgi_up() -> bool:
            if wsgi.poll() is not None:
                raise RuntimeError((tmp_path / "gunicorn.log").read_text())
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok
            except requests.RequestException:  # not listening yet, or still loading
                return False

        wait_until(wsgi_up, timeout=60, what="gunicorn's WSGI workers")
        asgi_port = asgi_server(processes, env=env, log_dir=tmp_path)
        shopper = requests.Session()

        added = shopper.post(
            f"http://127.0.0.1:{port}/api/v1/cart",
            json={"variant_id": stocked.pk, "quantity": 2},
            timeout=30,
        )
        on_asgi = shopper.get(f"http://127.0.0.1:{asgi_port}/api/v1/cart", timeout=30)
        page = shopper.get(f"http://127.0.0.1:{port}/p/{stocked.product.pk}/x/", timeout=30)
    finally:
        processes.stop()

    assert added.status_code == 201, added.text
    lines = [line for shop in on_asgi.json()["shops"] for line in shop["items"]]
    assert [(line["variant_id"], line["quantity"]) for line in lines] == [(stocked.pk, 2)]
    assert page.status_code == 200  # redirected to the product's own address
    assert stocked.product.title in page.text
