"""The outbox end to end with the real parts: a committed action queues a drain through
Redis, and a separate Celery worker process delivers the side effect."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from netbill.core.choices import OutboxStatus
from netbill.core.models import OutboxMessage
from netbill.core.testing import fund_resellers, make_world
from netbill.customers.services import customer_create

ROOT = Path(__file__).resolve().parents[3]


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def celery_worker(tmp_path):
    env = dict(os.environ, DATABASE_URL=_database_url(), REDIS_URL=settings.CELERY_BROKER_URL)
    log = tmp_path / "worker.log"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "netbill",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            f"--logfile={log}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    yield proc, log
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.django_db(transaction=True)
def test_committed_customer_creation_is_welcomed_by_the_worker_through_redis(
    settings, celery_worker
):
    # given: Redis as the broker (as in production) and drains queued on commit
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    settings.OUTBOX_DRAIN_ON_COMMIT = True
    world = make_world()
    fund_resellers(world)
    proc, log = celery_worker

    # when: a customer is created (the service commits and queues a drain)
    customer = customer_create(
        actor=world.operator,
        customer_type="pppoe_monthly",
        name="Karim",
        mobile="01811000000",
        package=world.package,
        billing_profile=world.monthly,
        username="karim",
    )

    # then: the worker process delivers the welcome message
    message = OutboxMessage.objects.get(
        payload__customer_id=customer.pk, payload__event="customer.welcome"
    )
    for _ in range(120):
        message.refresh_from_db()
        if message.status != OutboxStatus.PENDING or proc.poll() is not None:
            break
        time.sleep(0.5)
    worker_log = log.read_text() if log.exists() else ""
    assert message.status == OutboxStatus.DONE, worker_log[-3000:]
    assert message.attempts == 1
    assert "SMS to 01811000000: Welcome Karim!" in worker_log
