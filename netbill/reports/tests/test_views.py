"""Report pages: the index lists what a user may open, every page renders for every role that
holds its key, and answers 403 without it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from netbill.core import permissions as P
from netbill.core.testing import db_state
from netbill.ledger.models import JournalLine
from netbill.payments.models import Payment
from netbill.reports.registry import REPORTS
from netbill.reports.tests import data as dataset

pytestmark = pytest.mark.django_db
LISTED = [r for r in REPORTS.values() if not r.needs_object]


def test_index_lists_only_the_reports_the_user_may_open(client, world):
    world.op_manager.granted_keys = [P.VIEW_BILLS]
    world.op_manager.save()
    client.force_login(world.op_manager)
    body = client.get(reverse("reports:index")).content.decode()
    assert 'data-report="reports:bills_summary"' in body
    assert 'data-report="reports:ledger"' not in body
    assert 'data-report="reports:customer_payments"' not in body
    assert 'data-report="reports:invoices_zip"' not in body
    world.op_manager.granted_keys = [P.VIEW_ACCOUNTS, P.VIEW_PAYMENTS, P.PRINT_INVOICE]
    world.op_manager.save()
    body = client.get(reverse("reports:index")).content.decode()
    for report in LISTED:
        shown = f'data-report="{report.url_name}"' in body
        assert shown == (report.key != P.VIEW_BILLS), report.slug
    assert 'data-report="reports:invoices_zip"' in body


@pytest.mark.parametrize("role", ["noc", "sales"])
def test_noc_and_sales_manager_get_403_on_every_report(client, world, role):
    client.force_login(getattr(world, role))
    assert client.get(reverse("reports:index")).status_code == 403
    for report in LISTED:
        assert client.get(reverse(report.url_name)).status_code == 403, report.slug
    assert client.get(reverse("reports:invoices_zip")).status_code == 403


def test_manager_without_the_reports_key_gets_403_and_nothing_changes(client, world):
    dataset.build(world)
    before = db_state(JournalLine, Payment)
    world.op_manager.granted_keys = [P.DASHBOARD]
    world.op_manager.save()
    client.force_login(world.op_manager)
    for report in LISTED:
        response = client.get(reverse(report.url_name), {"format": "csv"})
        assert response.status_code == 403, report.slug
    assert db_state(JournalLine, Payment) == before


@pytest.mark.parametrize(
    "role", ["admin", "operator", "sub_operator", "op_manager", "admin_manager"]
)
def test_every_report_renders_for_each_money_role(client, world, role):
    dataset.build(world)
    user = getattr(world, role)
    if role.endswith("manager"):
        user.granted_keys = [P.VIEW_ACCOUNTS, P.VIEW_BILLS, P.VIEW_PAYMENTS, P.PRINT_INVOICE]
        user.save()
    client.force_login(user)
    for report in LISTED:
        for fmt in ("", "csv", "xlsx"):
            response = client.get(reverse(report.url_name), {"format": fmt} if fmt else {})
            assert response.status_code == 200, (report.slug, fmt)
    assert client.get(reverse("reports:invoices_zip"), {"status": ""}).status_code == 200


def test_menu_links_the_reports_and_the_bills_summary(client, world):
    client.force_login(world.operator)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert 'data-menu="reports:index"' in body
    assert 'data-menu="reports:bills_summary"' in body


def test_report_page_has_export_links_keeping_the_filters(client, world):
    client.force_login(world.admin)
    body = client.get(
        reverse("reports:daily"), {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    ).content.decode()
    assert "?date_from=2026-01-01&amp;date_to=2026-01-31&amp;format=csv" in body
    assert "?date_from=2026-01-01&amp;date_to=2026-01-31&amp;format=xlsx" in body


def test_csv_download_is_named_after_the_report_and_period(client, world):
    client.force_login(world.admin)
    response = client.get(
        reverse("reports:vat_collections"),
        {"date_from": "2026-01-01", "date_to": "2026-03-31", "format": "csv"},
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="vat-collections-2026-01-01-2026-03-31.csv"'
    )


def test_long_lists_are_paginated(client, world):
    from netbill.core.testing import make_customer
    from netbill.payments.services import payment_record

    customer = make_customer(world, owner=world.admin)
    for _ in range(55):
        payment_record(actor=world.admin, customer=customer, amount="10")
    client.force_login(world.admin)
    page = client.get(reverse("reports:payment_statements"))
    assert page.context["page_obj"].paginator.count == 55
    assert len(page.context["tables"][0]["rows"]) == 50
    second = client.get(reverse("reports:payment_statements"), {"page": 2})
    assert len(second.context["tables"][0]["rows"]) == 5
    downloaded = b"".join(
        client.get(reverse("reports:payment_statements"), {"format": "csv"}).streaming_content
    )
    assert downloaded.decode().count("\r\n") == 57  # header, 55 payments, totals


def test_monthly_reports_default_to_the_year_so_far(client, world):
    from netbill.reports import selectors

    today = selectors.tenant_today(world.admin)
    client.force_login(world.admin)
    for name in ("reports:monthly", "reports:income_expense", "reports:vat_collections"):
        page = client.get(reverse(name))
        start = today.replace(month=1, day=1).isoformat()
        assert page.context["result"].heading == f"{start} – {today.isoformat()}", name
    daily = client.get(reverse("reports:daily"))
    assert daily.context["result"].heading.startswith(today.replace(day=1).isoformat())


@pytest.mark.parametrize(
    "name", ["reports:payment_statements", "reports:journal", "reports:receivable"]
)
def test_list_reports_run_a_fixed_number_of_queries(client, world, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from netbill.billing.services import bill_create
    from netbill.core.testing import make_customer
    from netbill.payments.services import payment_record
    from netbill.reports import selectors

    today = selectors.tenant_today(world.admin)
    client.force_login(world.admin)

    def add(n):
        for _ in range(n):
            customer = make_customer(world, owner=world.admin)
            bill_create(
                actor=world.admin,
                customer=customer,
                kind="monthly",
                period_start=today,
                period_end=today,
            )
            payment_record(actor=world.admin, customer=customer, amount="100")

    counts = []
    for n in (2, 8):
        add(n)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
