"""Invoices and payment receipts: a PDF (WeasyPrint) and a printable page with the ISP's
branding (name, logo, address, phone, invoice footer), and bulk invoices as one zip.

Bangla (customer names, the Bangla interface) renders with the vendored Noto Sans Bengali
(``static/vendor/fonts``, embedded through ``@font-face``), so no system font is needed.
Its Latin and Bengali subsets are declared as two font families on purpose: WeasyPrint
merges same-named font files into one embedded font, and the subsets' glyph ids collide
(Latin digits came out as Bengali letters).

Reads only: the caller passes a bill / payment already fetched through ``visible_to`` and
each function checks ``print-invoice`` again.
"""

from __future__ import annotations

import base64
import io
import mimetypes
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _

from netbill.billing.choices import BillLineKind, BillStatus
from netbill.billing.models import Bill
from netbill.core import permissions as P
from netbill.core.money import ZERO

# Bills per zip (settings.NETBILL_INVOICE_ZIP_MAX): about 0.15 s of rendering each here.
MAX_ZIP_BILLS = 500
FONT_DIR = "vendor/fonts"
# (CSS family, fontsource subset): Latin first so digits and Latin text use the Latin file.
FONT_FAMILIES = (("Netbill Latin", "latin"), ("Netbill Bangla", "bengali"))
FONT_WEIGHTS = (400, 700)
FONT_STACK = "'Netbill Latin', 'Netbill Bangla', sans-serif"


def font_filename(subset: str, weight: int) -> str:
    return f"noto-sans-bengali-{subset}-{weight}-normal.woff2"


def font_path(name: str) -> Path:
    found = finders.find(f"{FONT_DIR}/{name}")
    if found:
        return Path(found).resolve()
    return (Path(settings.STATIC_ROOT) / FONT_DIR / name).resolve()


def font_face_css(url_for: Callable[[str], str]) -> str:
    rules = []
    for family, subset in FONT_FAMILIES:
        for weight in FONT_WEIGHTS:
            url = url_for(font_filename(subset, weight))
            rules.append(
                f"@font-face {{ font-family: '{family}'; font-style: normal; "
                f"font-weight: {weight}; src: url('{url}') format('woff2'); }}"
            )
    return "\n".join(rules)


def pdf_font_css() -> str:
    return font_face_css(lambda name: font_path(name).as_uri())


def browser_font_css() -> str:
    return font_face_css(lambda name: static(f"{FONT_DIR}/{name}"))


def _fetcher():
    """WeasyPrint may read the vendored font files and ``data:`` URIs, nothing else (no
    network, no other local file), whatever a rendered name or address contains."""
    from weasyprint.urls import URLFetcher

    font_dir = font_path(font_filename("latin", 400)).parent

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = Path(unquote(urlparse(url).path)).resolve()
                if path.parent != font_dir:
                    raise ValueError(f"Not an invoice font: {url}")
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols=("file", "data"), timeout=5)


def _html(html: str):
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_fetcher())


def html_to_pdf(html: str) -> bytes:
    return _html(html).write_pdf()


# --- what an invoice shows ---------------------------------------------------------------------


def logo_data_uri(tenant) -> str:
    """The tenant's logo inlined (works with any file storage; nothing fetched at render)."""
    if not tenant.logo:
        return ""
    try:
        with tenant.logo.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return ""
    kind = mimetypes.guess_type(tenant.logo.name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def branding(tenant) -> dict:
    return {
        "name": tenant.name,
        "logo": logo_data_uri(tenant),
        "address": tenant.address,
        "phone": tenant.phone,
        "email": tenant.email,
        "footer": tenant.invoice_footer,
        "currency": tenant.currency,
    }


def bill_due(bill: Bill) -> Decimal:
    """What is left to pay: amount − discount − paid (never below zero; nothing on a void
    bill)."""
    if bill.status == BillStatus.VOID:
        return ZERO
    return max(bill.amount - bill.discount - bill.paid_amount, ZERO)


def invoice_context(bill: Bill) -> dict:
    """Everything an invoice shows, for the PDF and the print page alike."""
    from netbill.payments.models import PaymentAllocation

    lines = list(bill.lines.all())
    charged = [line for line in lines if line.kind != BillLineKind.DISCOUNT]
    vat = sum((line.amount for line in charged if line.kind == BillLineKind.VAT), ZERO)
    subtotal = sum((line.amount for line in charged if line.kind != BillLineKind.VAT), ZERO)
    allocations = list(
        PaymentAllocation.objects.filter(bill=bill, voided_at__isnull=True)
        .select_related("payment")
        .order_by("id")
    )
    return {
        "brand": branding(bill.tenant),
        "bill": bill,
        "customer": bill.customer,
        "lines": charged,
        "discounts": [line for line in lines if line.kind == BillLineKind.DISCOUNT],
        "subtotal": subtotal,
        "vat": vat,
        "amount": bill.amount,
        "discount": bill.discount,
        "total": bill.amount - bill.discount,
        "paid": bill.paid_amount,
        "due": bill_due(bill),
        "allocations": allocations,
        "is_void": bill.status == BillStatus.VOID,
    }


def receipt_context(payment) -> dict:
    allocations = list(payment.allocations.select_related("bill").order_by("id"))
    to_bills = sum((a.amount for a in allocations if a.voided_at is None), ZERO)
    return {
        "brand": branding(payment.tenant),
        "payment": payment,
        "customer": payment.customer,
        "allocations": allocations,
        "to_bills": to_bills,
        "to_wallet": payment.amount - to_bills,
        "is_void": payment.voided_at is not None,
    }


def _bill_queryset():
    return Bill.objects.select_related(
        "tenant", "customer", "customer__zone", "owner", "package"
    ).prefetch_related("lines")


# --- renderers ---------------------------------------------------------------------------------


def invoice_html(bill: Bill, *, for_print: bool = False) -> str:
    template = "billing/invoice_print.html" if for_print else "billing/invoice.html"
    return render_to_string(
        template,
        {
            "inv": invoice_context(bill),
            "font_css": browser_font_css() if for_print else pdf_font_css(),
            "font_stack": FONT_STACK,
        },
    )


def invoice_pdf(*, user, bill: Bill) -> bytes:
    """One bill's invoice as PDF (``print-invoice``; the bill must be in the user's scope)."""
    P.require(user, P.PRINT_INVOICE, bill)
    return html_to_pdf(invoice_html(bill))


def invoice_print_html(*, user, bill: Bill) -> str:
    P.require(user, P.PRINT_INVOICE, bill)
    return invoice_html(bill, for_print=True)


def receipt_pdf(*, user, payment) -> bytes:
    """A payment receipt as PDF (``print-invoice``; the payment must be in scope)."""
    P.require(user, P.PRINT_INVOICE, payment)
    html = render_to_string(
        "billing/invoice_receipt.html",
        {"r": receipt_context(payment), "font_css": pdf_font_css(), "font_stack": FONT_STACK},
    )
    return html_to_pdf(html)


def bills_for_download(*, user, params, ids: list[int] | None = None):
    """The bills a bulk download takes: the bills list's own filters (``bill_list``: q,
    status, kind, owner, zone, issue dates) inside the user's scope, optionally only
    the bills ``ids`` (a selection ticked on the list)."""
    from netbill.billing.selectors import bill_list

    qs = bill_list(user=user, params=params)
    if ids:
        qs = qs.filter(pk__in=ids)
    return qs


def zip_max() -> int:
    return int(getattr(settings, "NETBILL_INVOICE_ZIP_MAX", MAX_ZIP_BILLS))


def invoices_zip(*, user, bills) -> bytes:
    """One PDF per bill (``<bill number>.pdf``) in a zip, at most :func:`zip_max`.

    All invoices are laid out as one document (fonts loaded once), then each bill's pages
    are written as its own PDF: several times faster than one rendering per bill.
    """
    P.require(user, P.PRINT_INVOICE)
    cap = zip_max()
    ids = list(bills.values_list("pk", flat=True)[: cap + 1])
    if len(ids) > cap:
        raise ValidationError(
            _("At most %(max)s invoices fit in one download: narrow the filters.") % {"max": cap}
        )
    if not ids:
        raise ValidationError(_("No bills match these filters."))
    selected = list(_bill_queryset().visible_to(user).filter(pk__in=ids).order_by("number"))
    font_css = pdf_font_css()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # Laid out in chunks, so memory stays bounded for a full download.
        for start in range(0, len(selected), ZIP_CHUNK):
            chunk = selected[start : start + ZIP_CHUNK]
            for bill, pdf in _render_many(chunk, font_css):
                archive.writestr(f"{bill.number}.pdf", pdf)
    return buffer.getvalue()


ZIP_CHUNK = 50


def _render_many(bills: list[Bill], font_css: str):
    """(bill, PDF) for each bill, from one laid-out document split at each bill's anchor."""
    html = render_to_string(
        "billing/invoice_bulk.html",
        {
            "invoices": [invoice_context(bill) for bill in bills],
            "font_css": font_css,
            "font_stack": FONT_STACK,
        },
    )
    document = _html(html).render()
    groups: dict[str | None, list] = {}
    current = None
    for page in document.pages:
        starts = [name for name in page.anchors if name.startswith("bill-")]
        if starts:
            current = starts[0]
        groups.setdefault(current, []).append(page)
    for bill in bills:
        yield bill, document.copy(groups.get(f"bill-{bill.pk}", [])).write_pdf()
