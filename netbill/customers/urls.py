from django.urls import path

from netbill.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    path("new/", views.CustomerCreateView.as_view(), name="create"),
    path("deleted/", views.DeletedCustomerListView.as_view(), name="deleted"),
    path("bulk/", views.BulkUpdateView.as_view(), name="bulk"),
    path("export/", views.CustomerExportView.as_view(), name="export"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CustomerEditView.as_view(), name="edit"),
    path("<int:pk>/status/", views.CustomerStatusView.as_view(), name="status"),
    path("<int:pk>/package/", views.CustomerChangePackageView.as_view(), name="change_package"),
    path("<int:pk>/delete/", views.CustomerDeleteView.as_view(), name="delete"),
    path("<int:pk>/disconnect/", views.CustomerDisconnectView.as_view(), name="disconnect"),
    path("<int:pk>/nas-requests/", views.CustomerNasRequestsView.as_view(), name="nas_requests"),
    path("zones/", views.ZoneListView.as_view(), name="zones"),
    path("zones/new/", views.ZoneFormView.as_view(), name="zone_create"),
    path("zones/<int:pk>/edit/", views.ZoneFormView.as_view(), name="zone_edit"),
    path("zones/<int:pk>/delete/", views.ZoneDeleteView.as_view(), name="zone_delete"),
    path("custom-fields/", views.CustomFieldListView.as_view(), name="custom_fields"),
    path("custom-fields/new/", views.CustomFieldFormView.as_view(), name="custom_field_create"),
    path(
        "custom-fields/<int:pk>/edit/",
        views.CustomFieldFormView.as_view(),
        name="custom_field_edit",
    ),
    path(
        "custom-fields/<int:pk>/delete/",
        views.CustomFieldDeleteView.as_view(),
        name="custom_field_delete",
    ),
]
