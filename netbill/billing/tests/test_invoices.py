"""Invoices and receipts: PDF with the ISP's branding and Bangla text, the print page, the
bulk zip, and who may get them (print-invoice; another reseller's or tenant's bill: 404)."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from netbill.billing import invoices
from netbill.billing.services import bill_create
from netbill.core import permissions as P
from netbill.core.testing import make_customer
from netbill.ledger.resellers import reseller_add_balance
from netbill.payments.services import payment_record

pytestmark = pytest.mark.django_db
BANGLA_NAME = "রহিম উদ্দিন"


def make_bill(world, customer, actor=None, start=None):
    start = start or timezone.localdate()
    return bill_create(
        actor=actor or world.admin,
        customer=customer,
        kind="monthly",
        period_start=start,
        period_end=start + datetime.timedelta(days=29),
    )


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_fonts(data: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            fonts.add(str(ref.get_object()["/BaseFont"]).split("+", 1)[-1])
    return fonts


@pytest.fixture
def branded(world):
    tenant = world.tenant
    tenant.address = "House 12, Road 5, Dhanmondi"
    tenant.phone = "09610-123456"
    tenant.invoice_footer = "Thank you for staying with Alpha Net."
    tenant.save()
    return world


@pytest.fixture
def bangla_bill(branded):
    customer = make_customer(
        branded, owner=branded.admin, name=BANGLA_NAME, vat_profile=branded.vat
    )
    bill = make_bill(branded, customer)
    payment_record(actor=branded.admin, customer=customer, amount="500", bill=bill)
    bill.refresh_from_db()
    return bill


def test_invoice_pdf_embeds_the_bangla_font_and_shows_branding_and_amounts(client, bangla_bill):
    client.force_login(bangla_bill.owner)
    response = client.get(reverse("reports:invoice_pdf", args=[bangla_bill.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert {"Netbill-Bangla-Bold", "Netbill-Latin", "Netbill-Latin-Bold"} <= pdf_fonts(
        response.content
    )
    text = pdf_text(response.content)
    for expected in (
        bangla_bill.number,
        "Alpha Net",
        "09610-123456",
        "Thank you for staying with Alpha Net.",
        "800.00",  # package
        "40.00",  # VAT 5 %
        "840.00 BDT",  # total
        "500.00 BDT",  # paid
        "340.00 BDT",  # due
    ):
        assert expected in text, expected
    html = invoices.invoice_html(bangla_bill)
    assert BANGLA_NAME in html
    assert "noto-sans-bengali-bengali-700-normal.woff2" in html


def test_invoice_uses_the_tenants_currency(client, bangla_bill):
    tenant = bangla_bill.tenant
    tenant.currency = "INR"
    tenant.save()
    client.force_login(bangla_bill.owner)
    response = client.get(reverse("reports:invoice_pdf", args=[bangla_bill.pk]), {"download": 1})
    assert response["Content-Disposition"] == (
        f'attachment; filename="invoice-{bangla_bill.number}.pdf"'
    )
    assert "840.00 INR" in pdf_text(response.content)


def test_print_view_is_html_with_print_css_and_the_figures(client, bangla_bill):
    client.force_login(bangla_bill.owner)
    response = client.get(reverse("reports:invoice_print", args=[bangla_bill.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "@media print" in body
    assert BANGLA_NAME in body
    assert 'data-testid="due">340.00 BDT' in body
    assert "/static/vendor/fonts/noto-sans-bengali-bengali-400-normal.woff2" in body
    assert "file://" not in body


def test_receipt_pdf_shows_the_payment_and_where_it_went(client, branded):
    customer = make_customer(branded, owner=branded.admin, name=BANGLA_NAME)
    bill = make_bill(branded, customer)
    payment = payment_record(actor=branded.admin, customer=customer, amount="1000", bill=bill)
    client.force_login(branded.admin)
    response = client.get(reverse("reports:receipt_pdf", args=[payment.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for expected in (payment.receipt_number, bill.number, "800.00", "200.00", "1,000.00 BDT"):
        assert expected in text, expected


def test_zip_holds_one_pdf_per_bill_of_the_filtered_selection(client, branded):
    customers = [make_customer(branded, owner=branded.admin) for _ in range(3)]
    bills = [make_bill(branded, c) for c in customers]
    payment_record(actor=branded.admin, customer=customers[0], amount="800", bill=bills[0])
    client.force_login(branded.admin)
    response = client.get(reverse("reports:invoices_zip"), {"status": "unpaid", "download": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == sorted(f"{b.number}.pdf" for b in bills[1:])
    for bill in bills[1:]:
        data = archive.read(f"{bill.number}.pdf")
        assert data.startswith(b"%PDF")
        text = pdf_text(data)
        assert bill.number in text
        assert "800.00 BDT" in text
        assert len(PdfReader(io.BytesIO(data)).pages) == 1


def test_zip_of_an_operator_holds_only_its_scope(client, world):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="5000")
    reseller_add_balance(actor=world.admin, reseller=world.operator2, amount="5000")
    mine = make_bill(world, make_customer(world, owner=world.operator), world.operator)
    make_bill(world, make_customer(world, owner=world.operator2), world.operator2)
    make_bill(world, make_customer(world, owner=world.admin))
    client.force_login(world.operator)
    response = client.get(reverse("reports:invoices_zip"), {"download": "1", "status": ""})
    assert zipfile.ZipFile(io.BytesIO(response.content)).namelist() == [f"{mine.number}.pdf"]


def test_zip_over_the_cap_says_to_narrow_the_filters(client, branded, settings):
    settings.NETBILL_INVOICE_ZIP_MAX = 2
    for _ in range(3):
        make_bill(branded, make_customer(branded, owner=branded.admin))
    client.force_login(branded.admin)
    response = client.get(reverse("reports:invoices_zip"), {"download": "1", "status": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "At most 2 invoices fit in one download: narrow the filters." in body
    assert "3 bills match." in body


def test_zip_with_no_match_says_so(client, branded):
    client.force_login(branded.admin)
    response = client.get(reverse("reports:invoices_zip"), {"download": "1", "status": "paid"})
    assert "No bills match these filters." in response.content.decode()


@pytest.mark.parametrize(
    "name,kind", [("invoice_pdf", "bill"), ("invoice_print", "bill"), ("receipt_pdf", "payment")]
)
def test_manager_without_print_invoice_gets_403(client, world, name, kind):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="5000")
    customer = make_customer(world, owner=world.operator)
    bill = make_bill(world, customer, world.operator)
    payment = payment_record(actor=world.operator, customer=customer, amount="100")
    world.op_manager.granted_keys = [P.VIEW_BILLS, P.VIEW_PAYMENTS, P.VIEW_ACCOUNTS]
    world.op_manager.save()
    client.force_login(world.op_manager)
    obj = bill if kind == "bill" else payment
    assert client.get(reverse(f"reports:{name}", args=[obj.pk])).status_code == 403
    assert client.get(reverse("reports:invoices_zip"), {"download": "1"}).status_code == 403
    world.op_manager.granted_keys = [P.PRINT_INVOICE]
    world.op_manager.save()
    assert client.get(reverse(f"reports:{name}", args=[obj.pk])).status_code == 200


@pytest.mark.parametrize("name", ["invoice_pdf", "invoice_print"])
def test_another_resellers_or_tenants_bill_answers_404(client, world, other_world, name):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="5000")
    theirs = make_bill(world, make_customer(world, owner=world.operator), world.operator)
    foreign = make_bill(other_world, make_customer(other_world, owner=other_world.admin))
    client.force_login(world.operator2)
    assert client.get(reverse(f"reports:{name}", args=[theirs.pk])).status_code == 404
    client.force_login(world.admin)
    assert client.get(reverse(f"reports:{name}", args=[foreign.pk])).status_code == 404


def test_another_tenants_receipt_answers_404(client, world, other_world):
    customer = make_customer(other_world, owner=other_world.admin)
    payment = payment_record(actor=other_world.admin, customer=customer, amount="100")
    client.force_login(world.admin)
    assert client.get(reverse("reports:receipt_pdf", args=[payment.pk])).status_code == 404


def test_pdf_renderer_reads_only_the_vendored_fonts():
    fetcher = invoices._fetcher()
    font = invoices.font_path(invoices.font_filename("bengali", 400))
    assert fetcher.fetch(font.as_uri()).status in (None, 200)
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/logo.png", "ftp://127.0.0.1/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_bill_due_is_zero_for_a_paid_or_void_bill(bangla_bill):
    assert invoices.bill_due(bangla_bill) == Decimal("340.00")
    bangla_bill.status = "void"
    assert invoices.bill_due(bangla_bill) == Decimal("0.00")
