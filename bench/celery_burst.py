"""Celery burst: JOBS e-mail jobs (the real `notifications.send_email_task`, rendering the
notification e-mail) through WORKERS worker processes, plus DUPLICATES jobs asked again with a
key already used; reports throughput and that every e-mail went out exactly once.

    python bench/celery_burst.py [--jobs 10000] [--duplicates 1000] [--workers 2]
                                 [--concurrency 2] [--json out.json]

Workers run as `celery -A marketmate worker --pool prefork` subprocesses on a throwaway Redis
broker and PostgreSQL; e-mails go to files (one per send), counted afterwards.
"""

import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import arguments, django_setup, report, services


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--duplicates", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900)
    options = parser.parse_args()
    mail_dir = Path(tempfile.mkdtemp(prefix="mm-bench-mail-"))
    try:
        with services(settings_module="bench.settings_bench") as running:
            import os

            os.environ["BENCH_EMAIL_DIR"] = str(mail_dir)
            django_setup()
            figures = run(options, running, mail_dir)
    finally:
        shutil.rmtree(mail_dir, ignore_errors=True)
    report("celery_burst", figures, options.json)


def run(options, running, mail_dir: Path) -> dict:  # type: ignore[no-untyped-def]
    import os

    from django.db import transaction

    from marketmate.emails import email_send
    from marketmate.models import JobRecord
    from marketmate.tests.fault_services import Processes, app_env, celery_worker

    env = app_env(
        database_url=running.database_url,
        redis_url=running.redis_url,
        DJANGO_SETTINGS_MODULE="bench.settings_bench",
        BENCH_EMAIL_DIR=str(mail_dir),
    )
    logs = Path(tempfile.mkdtemp(prefix="mm-bench-logs-"))
    processes = Processes()
    try:
        workers = [
            celery_worker(
                processes,
                env=env,
                log=logs / f"worker-{index}.log",
                queue="celery",
                concurrency=options.concurrency,
            )
            for index in range(options.workers)
        ]
        deadline = time.monotonic() + 60
        while not all(
            "ready." in (logs / f"worker-{index}.log").read_text() for index in range(len(workers))
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not start")
            time.sleep(0.2)

        started = time.monotonic()
        batch = 500
        for first in range(0, options.jobs, batch):
            with transaction.atomic():
                for number in range(first, min(options.jobs, first + batch)):
                    email_send(
                        to=f"shopper{number}@example.com",
                        template="notification",
                        context={"title": f"Burst {number}", "body": "", "link": ""},
                        key=f"burst:{number}",
                    )
        for number in range(options.duplicates):
            with transaction.atomic():
                email_send(
                    to=f"shopper{number}@example.com",
                    template="notification",
                    context={"title": f"Burst {number}", "body": "", "link": ""},
                    key=f"burst:{number}",
                )
        enqueued = time.monotonic() - started
        total = options.jobs + options.duplicates
        done = 0
        while time.monotonic() - started < options.timeout:
            done = JobRecord.objects.filter(
                status__in=[JobRecord.Status.SUCCEEDED, JobRecord.Status.DEAD]
            ).count()
            if done >= total:
                break
            time.sleep(0.5)
        drained = time.monotonic() - started
    finally:
        processes.stop()
        shutil.rmtree(logs, ignore_errors=True)

    subjects: Counter[str] = Counter()
    for path in mail_dir.iterdir():
        for match in re.finditer(r"^Subject: (.*)$", path.read_text(), re.MULTILINE):
            subjects[match.group(1).strip()] += 1
    statuses = Counter(JobRecord.objects.values_list("status", flat=True))
    return {
        "jobs": options.jobs,
        "duplicate_requests": options.duplicates,
        "workers": options.workers,
        "concurrency_per_worker": options.concurrency,
        "jobs_finished": done,
        "job_statuses": dict(statuses),
        "enqueue_seconds": round(enqueued, 1),
        "total_seconds": round(drained, 1),
        "jobs_per_second": round(done / drained, 1),
        "emails_sent": sum(subjects.values()),
        "distinct_emails": len(subjects),
        "emails_sent_twice_or_more": sum(1 for count in subjects.values() if count > 1),
        "emails_missing": options.jobs - len(subjects),
        "exactly_once": sum(subjects.values()) == len(subjects) == options.jobs,
        "cpu_note": f"{os.cpu_count()} CPUs shared by the workers, PostgreSQL, Redis and this",
    }


if __name__ == "__main__":
    main()
