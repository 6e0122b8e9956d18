"""The monitoring set-up in deploy/ only uses metrics that /metrics really serves."""

import gc
import json
import re
from pathlib import Path

import pytest
import yaml
from django.test import Client

from marketmate.process import application_loaded

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
