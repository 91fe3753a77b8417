from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

urlpatterns = [
    path("", include("netbill.core.urls")),
    path("accounts/", include("netbill.accounts.urls")),
    path("company/", include("netbill.tenancy.urls")),
    path("catalog/", include("netbill.catalog.urls")),
    path("customers/", include("netbill.customers.urls")),
    path("billing/", include("netbill.billing.urls")),
    path("payments/", include("netbill.payments.urls")),
    path("accounting/", include("netbill.ledger.urls")),
    path("reports/", include("netbill.reports.urls")),
    path("network/", include("netbill.network.urls")),
    path("sessions/", include("netbill.radius.urls")),
    path("api/", include("netbill.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "netbill.core.views.permission_denied"
