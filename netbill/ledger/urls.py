from django.urls import path

from netbill.ledger import views

app_name = "ledger"

urlpatterns = [
    path("resellers/", views.ResellerListView.as_view(), name="resellers"),
    path(
        "resellers/<int:pk>/add-balance/",
        views.ResellerMoneyView.as_view(kind="add_balance"),
        name="reseller_add_balance",
    ),
    path(
        "resellers/<int:pk>/cash-received/",
        views.ResellerMoneyView.as_view(kind="cash_received"),
        name="reseller_cash_received",
    ),
    path(
        "resellers/<int:pk>/credit-limit/",
        views.ResellerCreditLimitView.as_view(),
        name="reseller_credit_limit",
    ),
    path(
        "resellers/<int:pk>/statement/",
        views.ResellerStatementView.as_view(),
        name="reseller_statement",
    ),
    path("my-account/", views.MyAccountView.as_view(), name="my_account"),
    path("expenses/", views.ExpenseListView.as_view(), name="expenses"),
    path("expenses/new/", views.ExpenseCreateView.as_view(), name="expense_create"),
    path("expenses/<int:pk>/void/", views.ExpenseVoidView.as_view(), name="expense_void"),
    path(
        "expenses/categories/",
        views.ExpenseCategoryListView.as_view(),
        name="expense_categories",
    ),
    path(
        "expenses/categories/<int:pk>/edit/",
        views.ExpenseCategoryEditView.as_view(),
        name="expense_category_edit",
    ),
    path(
        "expenses/categories/<int:pk>/delete/",
        views.ExpenseCategoryDeleteView.as_view(),
        name="expense_category_delete",
    ),
]
