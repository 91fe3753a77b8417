"""Celery application: worker + beat run the outbox drain and scheduled jobs."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netbill.settings")

app = Celery("netbill")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
