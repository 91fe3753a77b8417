from django.urls import path

from netbill.reports import views
from netbill.reports.views import report_view

app_name = "reports"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path(
        "accounts/<int:pk>/statement/",
        report_view("account_statement"),
        name="account_statement",
    ),
    path("journal/", report_view("journal"), name="journal"),
    path("ledger/", report_view("ledger"), name="ledger"),
    path("daily/", report_view("daily"), name="daily"),
    path("monthly/", report_view("monthly"), name="monthly"),
    path("income-expense/", report_view("income_expense"), name="income_expense"),
    path("operator-incomes/", report_view("operator_incomes"), name="operator_incomes"),
    path("payment-statements/", report_view("payment_statements"), name="payment_statements"),
    path("customer-payments/", report_view("customer_payments"), name="customer_payments"),
    path("bills-summary/", report_view("bills_summary"), name="bills_summary"),
    path("vat-collections/", report_view("vat_collections"), name="vat_collections"),
    path("receivable/", report_view("receivable"), name="receivable"),
    path("payable/", report_view("payable"), name="payable"),
    # invoices and receipts (print-invoice)
    path("invoices/<int:pk>/pdf/", views.InvoicePdfView.as_view(), name="invoice_pdf"),
    path("invoices/<int:pk>/print/", views.InvoicePrintView.as_view(), name="invoice_print"),
    path("invoices/download/", views.InvoicesZipView.as_view(), name="invoices_zip"),
    path("receipts/<int:pk>/pdf/", views.ReceiptPdfView.as_view(), name="receipt_pdf"),
]
