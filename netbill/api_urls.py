"""The REST API: OpenAPI schema, the docs page, and v1's resources."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from netbill.accounts.api.views import ApiTokenViewSet, StaffViewSet
from netbill.billing.api.views import BillingRunViewSet, BillViewSet
from netbill.catalog.api.views import (
    BillingProfileViewSet,
    MasterPackageViewSet,
    OperatorPackageViewSet,
    VatProfileViewSet,
)
from netbill.core.api.views import ApiDocsView, PermissionKeysView, SectionsView
from netbill.customers.api.views import CustomerViewSet, CustomFieldViewSet, ZoneViewSet
from netbill.ledger.api.views import (
    ExpenseCategoryViewSet,
    ExpenseViewSet,
    ResellerAccountViewSet,
)
from netbill.network.api.ping import PingViewSet
from netbill.network.api.pools import IpPoolViewSet, PppoeProfileViewSet
from netbill.network.api.routers import RouterViewSet
from netbill.network.api.vpn import VpnAccountViewSet
from netbill.payments.api.views import (
    CardBatchViewSet,
    CardDistributorViewSet,
    CardViewSet,
    OnlineTransactionViewSet,
    PaymentViewSet,
)
from netbill.radius.api.views import SessionViewSet
from netbill.reports.api.views import ReportViewSet
from netbill.tenancy.api.views import CompanyView, TenantViewSet

router = DefaultRouter()
router.register("tenants", TenantViewSet, basename="tenant")
router.register("staff", StaffViewSet, basename="staff")
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("zones", ZoneViewSet, basename="zone")
router.register("custom-fields", CustomFieldViewSet, basename="custom-field")
router.register("master-packages", MasterPackageViewSet, basename="master-package")
router.register("operator-packages", OperatorPackageViewSet, basename="operator-package")
router.register("billing-profiles", BillingProfileViewSet, basename="billing-profile")
router.register("vat-profiles", VatProfileViewSet, basename="vat-profile")
router.register("customers", CustomerViewSet, basename="customer")
# --- network (issue 5): pools, profiles, VPN, ping
router.register("ip-pools", IpPoolViewSet, basename="ip-pool")
router.register("pppoe-profiles", PppoeProfileViewSet, basename="pppoe-profile")
router.register("vpn-accounts", VpnAccountViewSet, basename="vpn-account")
router.register("ping", PingViewSet, basename="ping")
# --- money (issue 4)
router.register("bills", BillViewSet, basename="bill")
router.register("billing-runs", BillingRunViewSet, basename="billing-run")
router.register("payments", PaymentViewSet, basename="payment")
router.register("online-transactions", OnlineTransactionViewSet, basename="online-transaction")
router.register("card-batches", CardBatchViewSet, basename="card-batch")
router.register("cards", CardViewSet, basename="card")
router.register("card-distributors", CardDistributorViewSet, basename="card-distributor")
router.register("resellers", ResellerAccountViewSet, basename="reseller-account")
router.register("expenses", ExpenseViewSet, basename="expense")
router.register("expense-categories", ExpenseCategoryViewSet, basename="expense-category")
router.register("reports", ReportViewSet, basename="report")
# --- network (issue 5)
router.register("sessions", SessionViewSet, basename="session")
router.register("routers", RouterViewSet, basename="router")

v1 = [
    path("company/", CompanyView.as_view(), name="company"),
    path("permission-keys/", PermissionKeysView.as_view(), name="permission-keys"),
    path("sections/", SectionsView.as_view(), name="sections"),
    *router.urls,
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/", include((v1, "api-v1"))),
]
