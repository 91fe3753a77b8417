"""Router pages (included by ``netbill/network/urls.py``)."""

from django.urls import path

from netbill.network import routers_views as views

urlpatterns = [
    path("routers/", views.RouterListView.as_view(), name="routers"),
    path("routers/new/", views.RouterFormView.as_view(), name="router_create"),
    path("routers/<int:pk>/", views.RouterDetailView.as_view(), name="router_detail"),
    path("routers/<int:pk>/edit/", views.RouterFormView.as_view(), name="router_edit"),
    path("routers/<int:pk>/delete/", views.RouterDeleteView.as_view(), name="router_delete"),
    path("routers/<int:pk>/test/", views.RouterTestView.as_view(), name="router_test"),
    path("routers/<int:pk>/log/", views.RouterLogView.as_view(), name="router_log"),
    path("routers/<int:pk>/import/", views.RouterImportView.as_view(), name="router_import"),
    path("routers/<int:pk>/push/", views.RouterPushView.as_view(), name="router_push"),
]
