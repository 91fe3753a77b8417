from django.urls import path

from netbill.catalog import views

app_name = "catalog"

urlpatterns = [
    path("packages/", views.PackageListView.as_view(), name="packages"),
    path("packages/new/", views.PackageFormView.as_view(), name="package_create"),
    path("packages/<int:pk>/", views.PackageDetailView.as_view(), name="package_detail"),
    path("packages/<int:pk>/edit/", views.PackageFormView.as_view(), name="package_edit"),
    path("my-packages/", views.OperatorPackagesView.as_view(), name="operator_packages"),
    path(
        "my-packages/<int:pk>/price/",
        views.OperatorPackagePriceView.as_view(),
        name="operator_package_price",
    ),
    path(
        "operator-packages/<int:pk>/toggle/",
        views.OperatorPackageToggleView.as_view(),
        name="operator_package_toggle",
    ),
    path("billing-profiles/", views.BillingProfileListView.as_view(), name="billing_profiles"),
    path(
        "billing-profiles/new/",
        views.BillingProfileFormView.as_view(),
        name="billing_profile_create",
    ),
    path(
        "billing-profiles/<int:pk>/edit/",
        views.BillingProfileFormView.as_view(),
        name="billing_profile_edit",
    ),
    path("vat-profiles/", views.VatProfileListView.as_view(), name="vat_profiles"),
    path("vat-profiles/new/", views.VatProfileFormView.as_view(), name="vat_profile_create"),
    path(
        "vat-profiles/<int:pk>/edit/", views.VatProfileFormView.as_view(), name="vat_profile_edit"
    ),
]
