"""Dashboard, activity log and outbox pages."""

import pytest
from django.urls import reverse

from netbill.core.choices import OutboxStatus
from netbill.core.models import OutboxMessage
from netbill.core.outbox import outbox_drain
from netbill.core.testing import make_customer
from netbill.customers.services import customer_set_status

pytestmark = pytest.mark.django_db


def test_dashboard_counts_only_the_users_scope(client, world):
    make_customer(world, owner=world.operator)
    make_customer(world, owner=world.operator, status="suspended")
    make_customer(world, owner=world.operator2, status="disabled")
    make_customer(world, owner=world.operator2, status="fup")

    client.force_login(world.operator)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert 'data-count="active">1<' in body
    assert 'data-count="suspended">1<' in body
    assert 'data-count="disabled">0<' in body

    client.force_login(world.admin)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert 'data-count="disabled">1<' in body
    assert 'data-count="fup">1<' in body


def test_dashboard_hides_count_widgets_without_the_key(client, world):
    world.op_manager.granted_keys = ["dashboard"]
    world.op_manager.save()
    make_customer(world)
    client.force_login(world.op_manager)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    assert b'data-testid="customer-counts"' not in response.content


def test_sales_manager_without_dashboard_key_gets_403(client, world):
    client.force_login(world.sales)
    assert client.get(reverse("core:dashboard")).status_code == 403


def test_activity_log_shows_before_and_after_in_scope(client, world):
    mine = make_customer(world, owner=world.operator, name="Mine Customer")
    theirs = make_customer(world, owner=world.operator2, name="Theirs Customer")
    customer_set_status(actor=world.admin, customer=mine, status="suspended", reason="late")
    customer_set_status(actor=world.admin, customer=theirs, status="suspended", reason="late")

    client.force_login(world.operator)
    body = client.get(reverse("core:activity")).content.decode()
    assert "Mine Customer" in body
    assert "Theirs Customer" not in body
    assert "suspended" in body


def test_outbox_page_shows_dead_letters_to_group_admin_and_retry_requeues(client, world):
    dead = OutboxMessage.objects.create(
        tenant=world.tenant,
        kind="no.such",
        payload={},
        status=OutboxStatus.DEAD,
        attempts=6,
        next_attempt_at="2020-01-01T00:00:00Z",
        last_error="boom",
    )
    client.force_login(world.admin)
    body = client.get(reverse("core:outbox")).content.decode()
    assert 'data-testid="dead-count">1 dead letters' in body
    response = client.post(reverse("core:outbox_retry", args=[dead.pk]))
    assert response.status_code == 302
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (OutboxStatus.PENDING, 0)
    outbox_drain()
    dead.refresh_from_db()
    assert dead.attempts == 1


def test_operator_cannot_see_outbox(client, world):
    client.force_login(world.operator)
    assert client.get(reverse("core:outbox")).status_code == 403


def test_other_tenants_dead_letter_cannot_be_retried(client, world, other_world):
    theirs = OutboxMessage.objects.create(
        tenant=other_world.tenant,
        kind="x",
        payload={},
        status=OutboxStatus.DEAD,
        next_attempt_at="2020-01-01T00:00:00Z",
    )
    client.force_login(world.admin)
    assert client.post(reverse("core:outbox_retry", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == OutboxStatus.DEAD


def test_times_are_shown_in_the_tenants_timezone(client, world):
    import datetime

    from netbill.core.models import ActivityLog

    entry = audit_record_for(world)
    ActivityLog.objects.filter(pk=entry.pk).update(
        created_at=datetime.datetime(2026, 1, 1, 20, 30, tzinfo=datetime.UTC)
    )
    world.tenant.timezone = "Asia/Dhaka"
    world.tenant.save()
    client.force_login(world.admin)
    assert "2026-01-02 02:30" in client.get(reverse("core:activity")).content.decode()
    world.tenant.timezone = "Europe/London"
    world.tenant.save()
    assert "2026-01-01 20:30" in client.get(reverse("core:activity")).content.decode()


def audit_record_for(world):
    from netbill.core.audit import audit_record

    return audit_record(actor=world.admin, action="zone.update", obj=world.zone)


def test_financial_widgets_show_this_months_money_in_scope(client, world):
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from netbill.billing.services import bill_create
    from netbill.ledger.resellers import reseller_add_balance
    from netbill.payments.services import payment_record

    today = timezone.localdate()
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="2000")
    mine = make_customer(world, owner=world.operator)
    theirs = make_customer(world, owner=world.admin)
    for c in (mine, theirs):
        bill_create(
            actor=world.admin,
            customer=c,
            kind="monthly",
            period_start=today,
            period_end=today + datetime.timedelta(days=29),
        )
    payment_record(actor=world.admin, customer=mine, amount=Decimal("300"))

    client.force_login(world.operator)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert 'data-money="billed">800.00 BDT' in body
    assert 'data-money="collected">300.00 BDT' in body
    assert 'data-money="outstanding">500.00 BDT' in body
    assert 'data-money="reseller">1400.00 BDT' in body  # 2000 deposit - 600 reseller price

    client.force_login(world.admin)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert 'data-money="billed">1600.00 BDT' in body


def test_financial_widgets_need_their_key(client, world):
    world.op_manager.granted_keys = ["dashboard", "dashboard-customer-widgets"]
    world.op_manager.save()
    client.force_login(world.op_manager)
    assert b'data-testid="money-widgets"' not in client.get(reverse("core:dashboard")).content
