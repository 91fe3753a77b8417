"""Recharge card URLs, appended to ``payments/urls.py`` (namespace "payments")."""

from django.urls import path

from netbill.payments import cards_views as views

urlpatterns = [
    path("cards/", views.CardBatchListView.as_view(), name="card_batches"),
    path("cards/new/", views.CardBatchCreateView.as_view(), name="card_batch_create"),
    path("cards/<int:pk>/", views.CardBatchDetailView.as_view(), name="card_batch_detail"),
    path("cards/<int:pk>/void/", views.CardBatchVoidView.as_view(), name="card_batch_void"),
    path("cards/<int:pk>/export/", views.CardExportView.as_view(), name="card_export"),
    path("cards/redeem/", views.CardRedeemView.as_view(), name="card_redeem"),
    path("distributors/", views.DistributorListView.as_view(), name="distributors"),
    path("distributors/new/", views.DistributorFormView.as_view(), name="distributor_create"),
    path(
        "distributors/<int:pk>/edit/", views.DistributorFormView.as_view(), name="distributor_edit"
    ),
    path(
        "distributors/<int:pk>/payment/",
        views.DistributorPaymentView.as_view(),
        name="distributor_payment",
    ),
]
