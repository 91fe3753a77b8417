from django.urls import path

from netbill.payments import views

app_name = "payments"

urlpatterns = [
    path("", views.PaymentListView.as_view(), name="payments"),
    path("export/", views.PaymentExportView.as_view(), name="payments_csv"),
    path("collect/", views.CollectView.as_view(), name="collect"),
    path("<int:pk>/receipt/", views.ReceiptView.as_view(), name="receipt"),
    path("<int:pk>/void/", views.PaymentVoidView.as_view(), name="payment_void"),
    path("<int:pk>/edit/", views.PaymentEditView.as_view(), name="payment_edit"),
    path("bills/mark-paid/", views.BulkMarkPaidView.as_view(), name="bulk_mark_paid"),
    path("bills/<int:pk>/discount/", views.BillDiscountView.as_view(), name="bill_discount"),
    path("bills/<int:pk>/void/", views.BillVoidView.as_view(), name="bill_void"),
    path("bills/<int:pk>/edit/", views.BillEditView.as_view(), name="bill_edit"),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("verify/<int:pk>/approve/", views.VerifyApproveView.as_view(), name="verify_approve"),
    path("verify/<int:pk>/reject/", views.VerifyRejectView.as_view(), name="verify_reject"),
]

# cards: the recharge card helper appends its patterns below (urlpatterns += ...).
from netbill.payments.cards_urls import urlpatterns as card_urlpatterns  # noqa: E402

urlpatterns += card_urlpatterns
