"""Report pages, their CSV / Excel downloads, and the invoice and receipt downloads.

A report page and its downloads read the same tables (``registry``), through the same
selector, filters and scope.  Without the report's key: 403; an account, bill or payment
outside the user's scope: 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from netbill.billing import invoices
from netbill.billing.models import Bill
from netbill.core import permissions as P
from netbill.core.scope import get_visible_or_404
from netbill.core.views import PanelMixin, paginate
from netbill.payments.models import Payment
from netbill.reports import exports
from netbill.reports.forms import InvoiceDownloadForm, parse_ids
from netbill.reports.registry import REPORTS, display_value, reports_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INDEX_KEYS = (P.VIEW_ACCOUNTS, P.VIEW_PAYMENTS, P.VIEW_BILLS, P.PRINT_INVOICE)


def _display(table, rows):
    return [
        [
            {
                "text": display_value(value, column.kind),
                "url": getattr(value, "url", ""),
                "numeric": column.numeric,
            }
            for value, column in zip(row, table.columns, strict=False)
        ]
        for row in rows
    ]


def _filename(report, filters, ext: str) -> str:
    period = filters.period
    parts = [report.slug.replace("_", "-")]
    parts += [d.isoformat() for d in (period.start, period.end) if d]
    return "-".join(parts) + f".{ext}"


class IndexView(PanelMixin, View):
    """The reports this user may open."""

    def get(self, request):
        user = request.user
        if not any(P.may(user, key) for key in INDEX_KEYS):
            raise PermissionDenied
        groups: dict = {}
        for report in reports_for(user):
            groups.setdefault(str(report.group), []).append(report)
        if P.may(user, P.PRINT_INVOICE):
            groups.setdefault(_("Bills"), []).append(
                {
                    "url_name": "reports:invoices_zip",
                    "title": _("Invoice download"),
                    "description": _("Invoices of a filtered selection of bills, as one zip."),
                }
            )
        return render(
            request,
            "reports/index.html",
            {"groups": groups, "page_title": _("Accounts and reports")},
        )


class ReportView(PanelMixin, View):
    report = None  # a registry.Report, given by as_view(report=...)

    @property
    def permission_key(self):
        return self.report.key

    def get(self, request, **kwargs):
        report = self.report
        user = request.user
        obj = report.get_object(user, kwargs)
        form = report.make_form(request.GET, user)
        filters = form.filters()
        result = report.build(user, filters, obj)
        fmt = request.GET.get("format")
        if fmt == "csv":
            response = StreamingHttpResponse(
                exports.export_csv(result), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="{_filename(report, filters, "csv")}"'
            )
            return response
        if fmt == "xlsx":
            response = HttpResponse(exports.export_xlsx(result), content_type=XLSX)
            response["Content-Disposition"] = (
                f'attachment; filename="{_filename(report, filters, "xlsx")}"'
            )
            return response
        page_obj = None
        tables = []
        for table in result.tables:
            if table.paginate and page_obj is None:
                page_obj = paginate(request, table.source, report.per_page)
                rows = list(table.iter_rows(page_obj.object_list))
            else:
                rows = list(table.iter_rows())
            tables.append(
                {
                    "title": table.title,
                    "columns": table.columns,
                    "rows": _display(table, rows),
                    "totals": _display(table, [table.totals])[0] if table.totals else None,
                    "empty": table.empty,
                    "paginated": table.paginate,
                }
            )
        summary = [
            {"label": label, "text": display_value(value, kind), "numeric": kind == "money"}
            for label, value, kind in result.summary
        ]
        return render(
            request,
            report.template,
            {
                "report": report,
                "form": form,
                "result": result,
                "summary": summary,
                "tables": tables,
                "many_tables": len(tables) > 1,
                "page_obj": page_obj,
                "chart": result.chart,
                "page_title": report.title,
            },
        )


def report_view(slug: str):
    return ReportView.as_view(report=REPORTS[slug])


# --- invoices and receipts ---------------------------------------------------------------------


def _pdf_response(data: bytes, filename: str, request) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _bill(request, pk) -> Bill:
    return get_visible_or_404(
        Bill.objects.select_related("tenant", "customer", "customer__zone", "owner"),
        request.user,
        pk=pk,
    )


class InvoicePdfView(PanelMixin, View):
    permission_key = P.PRINT_INVOICE

    def get(self, request, pk):
        bill = _bill(request, pk)
        pdf = invoices.invoice_pdf(user=request.user, bill=bill)
        return _pdf_response(pdf, f"invoice-{bill.number}.pdf", request)


class InvoicePrintView(PanelMixin, View):
    permission_key = P.PRINT_INVOICE

    def get(self, request, pk):
        bill = _bill(request, pk)
        return HttpResponse(invoices.invoice_print_html(user=request.user, bill=bill))


class ReceiptPdfView(PanelMixin, View):
    permission_key = P.PRINT_INVOICE

    def get(self, request, pk):
        payment = get_visible_or_404(
            Payment.objects.select_related("tenant", "customer", "collected_by"),
            request.user,
            pk=pk,
        )
        pdf = invoices.receipt_pdf(user=request.user, payment=payment)
        return _pdf_response(pdf, f"receipt-{payment.receipt_number}.pdf", request)


class InvoicesZipView(PanelMixin, View):
    """The invoice download page: filter the bills; "Download" answers one zip (at most
    ``invoices.zip_max()`` invoices, otherwise the page says to narrow the filters)."""

    permission_key = P.PRINT_INVOICE

    def get(self, request):
        user = request.user
        form = InvoiceDownloadForm(request.GET or None, user=user)
        ids = parse_ids(request.GET.getlist("ids"))
        count = None
        if form.is_bound:
            form.is_valid()  # shows what is wrong; bill_list matches nothing on bad values
            bills = invoices.bills_for_download(user=user, params=request.GET, ids=ids)
            count = bills.count()
            if request.GET.get("download"):
                try:
                    archive = invoices.invoices_zip(user=user, bills=bills)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
                    response = HttpResponse(archive, content_type="application/zip")
                    response["Content-Disposition"] = f'attachment; filename="invoices-{stamp}.zip"'
                    return response
        return render(
            request,
            "reports/invoices_download.html",
            {
                "form": form,
                "count": count,
                "ids": ids,
                "max_bills": invoices.zip_max(),
                "too_many": count is not None and count > invoices.zip_max(),
                "page_title": _("Invoice download"),
            },
        )
